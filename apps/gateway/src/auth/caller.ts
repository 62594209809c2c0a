import type { Principal } from '@siteops/auth';
import type { ApiKeyEntry, UserEntry } from '../read-models/read-model.state';

/** Who is calling: the user, the key they presented, and what libs/auth needs to decide. */
export interface Caller {
  readonly user: UserEntry;
  readonly key: ApiKeyEntry;
  readonly principal: Principal;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the API-key guard; null on routes that need no key. */
    caller: Caller | null;
  }
}
