import type { Logger } from '@siteops/runtime';
import type { Redis } from 'ioredis';

export interface AuthFailureThrottleOptions {
  redis: Redis;
  /** `SITEOPS_REDIS_PREFIX`: keys are `<prefix>:auth-failures:<ip>:<window>`. */
  prefix: string;
  logger: Logger;
  /** Failures allowed per client IP and window. Default 20. */
  limit?: number;
  /** Default 60 s. */
  windowMs?: number;
  now?: () => number;
}

export type ThrottleVerdict = { blocked: false } | { blocked: true; retryAfterSeconds: number };

const OPEN: ThrottleVerdict = { blocked: false };

/**
 * Failed authentications per client IP, counted in a Redis fixed window
 * shared by every gateway instance. Once an IP is over the limit, this
 * instance refuses every request from it (429) until the window ends, valid
 * key or not, so guessing cannot go on; another instance does the same from
 * its next failure from that IP, as the count is shared.
 *
 * Redis being down must not take the API down: counting then fails open
 * (the failure is a 401 as usual) and the outage is logged, once per minute.
 */
export class AuthFailureThrottle {
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  /** IP → end of the window it is blocked for. Usually empty, so the hot path is one size check. */
  private readonly blocked = new Map<string, number>();
  private lastOutageLogAt = 0;

  constructor(private readonly options: AuthFailureThrottleOptions) {
    this.limit = options.limit ?? 20;
    this.windowMs = options.windowMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** True when some address is blocked: only then is the client address worth working out. */
  get anyBlocked(): boolean {
    return this.blocked.size > 0;
  }

  /** Whether an IP is refused now (no I/O). */
  check(ip: string): ThrottleVerdict {
    if (this.blocked.size === 0) return OPEN;
    const until = this.blocked.get(ip);
    if (until === undefined) return OPEN;
    const now = this.now();
    if (until <= now) {
      this.blocked.delete(ip);
      return OPEN;
    }
    return { blocked: true, retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)) };
  }

  /** Counts a failure; says whether the IP is now over its budget. */
  async recordFailure(ip: string): Promise<ThrottleVerdict> {
    const now = this.now();
    const window = Math.floor(now / this.windowMs);
    const windowEnd = (window + 1) * this.windowMs;
    const key = `${this.options.prefix}:auth-failures:${ip}:${window}`;
    let count: number;
    try {
      const results = await this.options.redis
        .multi()
        .incr(key)
        .pexpire(key, this.windowMs * 2)
        .exec();
      const incr = results?.[0];
      if (!incr || incr[0] || typeof incr[1] !== 'number')
        throw incr?.[0] ?? new Error('no reply to INCR');
      count = incr[1];
    } catch (error) {
      this.logOutage(error);
      return OPEN;
    }
    if (count <= this.limit) return OPEN;
    this.blocked.set(ip, windowEnd);
    this.forgetExpired(now);
    return { blocked: true, retryAfterSeconds: Math.max(1, Math.ceil((windowEnd - now) / 1000)) };
  }

  private forgetExpired(now: number): void {
    for (const [ip, until] of this.blocked) if (until <= now) this.blocked.delete(ip);
  }

  private logOutage(error: unknown): void {
    const now = this.now();
    if (now - this.lastOutageLogAt < 60_000) return;
    this.lastOutageLogAt = now;
    this.options.logger.warn(
      { err: error },
      'Redis is unreachable: failed authentications are not being throttled (failing open) until it is back',
    );
  }
}
