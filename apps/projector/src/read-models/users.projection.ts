import { nameKey, type UserRegistered } from '@siteops/contracts';
import type { ProjectionContext, Recorded } from './projection-context';

/** rm_users: one row per registered user; `email_key` is how sign-in and uniqueness look a user up. */
export async function onUserRegistered(ctx: ProjectionContext, event: Recorded<UserRegistered>): Promise<void> {
  const { userId, email, name, platformAdmin } = event.data;
  await ctx.sql(
    `INSERT INTO rm_users (id, email, email_key, name, platform_admin, created_at, version)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET
       email = excluded.email, email_key = excluded.email_key, name = excluded.name,
       platform_admin = excluded.platform_admin, created_at = excluded.created_at, version = excluded.version`,
    [userId, email, nameKey(email), name, platformAdmin, event.metadata.at, event.streamVersion],
  );
  ctx.changed('user', userId);
}
