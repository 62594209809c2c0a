import { Inject, Injectable } from '@nestjs/common';
import type { CommandInput, CommandResults, CommandType } from '@siteops/contracts';
import { Position } from '@siteops/event-store';
import { CommandBus } from '@siteops/messaging';
import type { HttpCall } from '../http/endpoint';
import { CONSISTENCY_WAIT_MS, STALE_HEADER } from '../http/consistency';
import { etagOf } from '../http/if-match';
import { ReadModelCache } from '../read-models/read-model.cache';

/**
 * Sends a command on behalf of the caller (actor = their user id, correlation
 * = the request id) and waits until this instance's read models cover the
 * position it returns, so the answer can carry the fresh resource and the next
 * read here sees it. Errors come back from the bus as `DomainError`s with the
 * service's code and go out as problems.
 */
@Injectable()
export class WriteCommands {
  constructor(
    @Inject(CommandBus) private readonly bus: CommandBus,
    @Inject(ReadModelCache) private readonly cache: ReadModelCache,
  ) {}

  async send<T extends CommandType>(
    call: HttpCall,
    type: T,
    data: CommandInput<T>,
  ): Promise<CommandResults[T]> {
    const result = await this.bus.send(type, data, {
      correlationId: call.requestId,
      causationId: call.requestId,
      actor: call.caller.user.id,
    });
    const position = Position.parse(result.position);
    const fresh =
      position !== undefined && (await this.cache.waitFor(position, CONSISTENCY_WAIT_MS));
    call.reply.header('x-position', result.position);
    // Not there within 5 s: answered anyway, from what was sent, and marked.
    if (!fresh) call.reply.header(STALE_HEADER, 'stale');
    return result;
  }
}

/**
 * The projected resource if it already includes the write (its version is at
 * least the write's), else undefined: the caller then answers from what it
 * sent, with `X-Consistency: stale` already set.
 */
export function projected<T extends { version: number }>(
  dto: T | undefined,
  version: number,
): T | undefined {
  return dto !== undefined && dto.version >= version ? dto : undefined;
}

/** A write's answer: the resource as it now is, its version as ETag, and the position. */
export function written<T extends { version: number }>(
  call: HttpCall,
  dto: T,
  position: string,
): T & { position: string } {
  call.reply.header('etag', etagOf(dto.version));
  return { ...dto, position };
}
