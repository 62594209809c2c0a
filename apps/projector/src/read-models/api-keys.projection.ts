import type { ApiKeyIssued, ApiKeyRevoked } from '@siteops/contracts';
import type { ProjectionContext, Recorded } from './projection-context';

/** rm_api_keys: the gateway authenticates against these rows (only the secret's SHA-256 is here). */
export async function onApiKeyIssued(ctx: ProjectionContext, event: Recorded<ApiKeyIssued>): Promise<void> {
  const { keyId, userId, name, secretSha256, expiresAt, scope } = event.data;
  await ctx.sql(
    `INSERT INTO rm_api_keys (id, user_id, name, secret_sha256, expires_at, scope, created_at, revoked_at)
     VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, NULL)
     ON CONFLICT (id) DO UPDATE SET
       user_id = excluded.user_id, name = excluded.name, secret_sha256 = excluded.secret_sha256,
       expires_at = excluded.expires_at, scope = excluded.scope, created_at = excluded.created_at`,
    // A null scope must be SQL NULL, not the JSON value `null`.
    [keyId, userId, name, secretSha256, expiresAt, scope === null ? null : JSON.stringify(scope), event.metadata.at],
  );
  ctx.changed('apiKey', keyId);
}

/** The first revocation wins; the change row is what makes every gateway drop the key within seconds. */
export async function onApiKeyRevoked(ctx: ProjectionContext, event: Recorded<ApiKeyRevoked>): Promise<void> {
  const { keyId } = event.data;
  const result = await ctx.sql('UPDATE rm_api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [
    event.metadata.at,
    keyId,
  ]);
  if (result.rowCount) ctx.changed('apiKey', keyId);
}
