import { Position } from '@siteops/event-store';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ReadModelCache } from '../read-models/read-model.cache';
import { invalid } from '../problems/problem';

/** How long a request waits for this instance's read models to reach a position. */
export const CONSISTENCY_WAIT_MS = 5_000;

/** Marks an answer served from read models that had not reached the position asked for. */
export const STALE_HEADER = 'x-consistency';

/**
 * `X-Consistent-Read: <position>` on any request: wait (≤ 5 s) until this
 * instance has applied the read models up to that position, then serve; after
 * 5 s serve anyway with `X-Consistency: stale`. It runs before authentication,
 * so a key issued by the write named in the header is known when it is checked.
 */
export function consistentReadHook(cache: ReadModelCache) {
  return (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void => {
    const header = request.headers['x-consistent-read'];
    if (header === undefined) {
      done();
      return;
    }
    const position = typeof header === 'string' ? Position.parse(header.trim()) : undefined;
    if (!position) {
      done(invalid('X-Consistent-Read', 'must be a position token as a write returned it'));
      return;
    }
    if (cache.covers(position)) {
      done();
      return;
    }
    void cache.waitFor(position, CONSISTENCY_WAIT_MS).then((covered) => {
      if (!covered) reply.header(STALE_HEADER, 'stale');
      done();
    });
  };
}
