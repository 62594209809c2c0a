import { parseApiKey, secretMatches } from '@siteops/auth';
import { DomainError } from '@siteops/contracts';
import type { FastifyRequest } from 'fastify';
import { HttpProblem } from '../problems/problem';
import type { ReadModelCache } from '../read-models/read-model.cache';
import type { ApiKeyEntry } from '../read-models/read-model.state';
import type { AuthFailureThrottle, ThrottleVerdict } from './auth-failure.throttle';
import type { Caller } from './caller';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** The Authorization header last verified on a connection, and the key it named. */
interface Verified {
  readonly header: string;
  readonly keyId: string;
}

/**
 * `Authorization: Bearer siteops_<keyId>_<secret>` (SPEC §3). The key is
 * found in memory by its id (or, just issued through another gateway, in
 * Postgres) and its secret compared in constant time (`secretMatches`); an
 * expired or revoked key is refused. Whether a key is expired or revoked is
 * only said once its secret matched, so the answer tells nothing to someone
 * who merely knows a key id. Failures count against the client address
 * (`AuthFailureThrottle`): over the budget the answer is 429.
 *
 * Hashing the secret is the largest cost of an authenticated read, so each
 * keep-alive connection remembers the header it last had verified: the same
 * header again on that connection (compared in constant time, as a proxy may
 * carry several clients over one connection) skips the hash. Only the secret
 * check is skipped: revocation, expiry and the user are checked every time.
 * The memo lives and dies with the connection, which holds the header anyway.
 */
export class Authenticator {
  private readonly verifiedOn = new WeakMap<object, Verified>();

  constructor(
    private readonly cache: ReadModelCache,
    private readonly throttle: AuthFailureThrottle,
  ) {}

  /** Sets `request.caller`, or throws 401/429 (a promise when the key had to be looked up or a failure counted). */
  authenticate(request: FastifyRequest): Caller | Promise<Caller> {
    // request.ip parses X-Forwarded-For against the trusted proxies: only pay for it when someone is blocked.
    if (this.throttle.anyBlocked) {
      const verdict = this.throttle.check(request.ip);
      if (verdict.blocked) throw rateLimited(verdict.retryAfterSeconds);
    }
    const header = request.headers.authorization;
    if (header === undefined) {
      throw new DomainError(
        'unauthenticated',
        'Send an API key: Authorization: Bearer siteops_<keyId>_<secret>',
      );
    }

    const connection = request.raw.socket;
    const verified = this.verifiedOn.get(connection);
    if (verified !== undefined && constantTimeEqual(verified.header, header)) {
      const key = this.cache.state.apiKey(verified.keyId);
      if (key) return this.admit(request, key);
    }

    const parsed = parseApiKey(BEARER.exec(header)?.[1] ?? '');
    if (!parsed)
      return this.fail(
        request,
        'The Authorization header does not hold an API key (Bearer siteops_<keyId>_<secret>)',
      );
    const check = (key: ApiKeyEntry | undefined): Caller | Promise<never> => {
      if (!key || !secretMatches(parsed.secret, key.secretSha256))
        return this.fail(request, 'The API key is not valid');
      this.verifiedOn.set(connection, { header, keyId: key.id });
      return this.admit(request, key);
    };
    const cached = this.cache.state.apiKey(parsed.keyId);
    return cached ? check(cached) : this.cache.findApiKey(parsed.keyId).then(check);
  }

  /** A key whose secret matched: still refused when revoked or expired. */
  private admit(request: FastifyRequest, key: ApiKeyEntry): Caller | Promise<never> {
    if (key.revoked) return this.fail(request, 'The API key has been revoked');
    if (key.expiresAtMs !== null && key.expiresAtMs <= Date.now())
      return this.fail(request, 'The API key has expired');
    const user = this.cache.state.user(key.userId);
    if (!user) return this.fail(request, 'The API key is not valid');
    const caller: Caller = { user, key, principal: this.cache.state.principalOf(user, key) };
    request.caller = caller;
    return caller;
  }

  /** Counts the failure; over the per-IP budget the answer is 429 instead of 401. */
  private async fail(request: FastifyRequest, message: string): Promise<never> {
    const verdict: ThrottleVerdict = await this.throttle.recordFailure(request.ip);
    if (verdict.blocked) throw rateLimited(verdict.retryAfterSeconds);
    throw new DomainError('unauthenticated', message);
  }
}

/** String equality whose time depends on the length only. */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

function rateLimited(retryAfterSeconds: number): HttpProblem {
  return new HttpProblem(
    'rate_limited',
    `Too many failed authentications from this address; retry in ${retryAfterSeconds} s`,
    {
      'retry-after': String(retryAfterSeconds),
    },
  );
}
