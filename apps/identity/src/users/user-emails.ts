import { query, type EntityManager } from '@siteops/event-store';
import { emailKey } from './user.decider';

export type EmailClaim = 'claimed' | 'email_taken' | 'user_taken';

/**
 * Claims an e-mail address for a user inside the caller's transaction.
 * A concurrent claim of the same address (or user id) waits for the first
 * transaction and then sees its row, so two registrations racing for one
 * address cannot both win. `ON CONFLICT DO NOTHING` rather than catching the
 * unique violation keeps the caller's transaction usable.
 */
export async function claimEmail(tx: EntityManager, email: string, userId: string): Promise<EmailClaim> {
  const key = emailKey(email);
  const { rowCount } = await query(tx, 'INSERT INTO identity_user_emails (email_key, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING', [
    key,
    userId,
  ]);
  if (rowCount === 1) return 'claimed';
  const { rows } = await query<{ user_id: string }>(tx, 'SELECT user_id FROM identity_user_emails WHERE email_key = ?', [key]);
  return rows.length > 0 ? 'email_taken' : 'user_taken';
}
