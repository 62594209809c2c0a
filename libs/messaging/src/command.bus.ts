import {
  DomainError,
  commandOwners,
  type Command,
  type CommandInput,
  type CommandResults,
  type CommandType,
  type NatsNames,
} from '@siteops/contracts';
import { randomUUID } from 'node:crypto';
import { ErrorCode as NatsErrorCode, NatsError, headers, type NatsConnection } from 'nats';
import { COMMAND_HEADERS, decodeJson, encodeJson, parseReply, type CommandContext } from './command.envelope';

export interface CommandBusOptions {
  /** Default time to wait for a reply. Default 10 s. */
  timeoutMs?: number;
  now?: () => Date;
  newId?: () => string;
}

export interface SendOptions {
  timeoutMs?: number;
}

/**
 * Sends typed commands to the service that owns them (NATS request/reply)
 * and returns its result. Every failure arrives as a `DomainError`: the
 * handler's own, or `unavailable` when nobody answers in time.
 */
export class CommandBus {
  private readonly timeoutMs: number;
  private readonly now: () => Date;
  private readonly newId: () => string;

  constructor(
    private readonly nc: NatsConnection,
    private readonly names: NatsNames,
    options: CommandBusOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
  }

  async send<T extends CommandType>(type: T, data: CommandInput<T>, context: CommandContext, options: SendOptions = {}): Promise<CommandResults[T]> {
    const service = commandOwners[type];
    const command: Command<T, CommandInput<T>> = {
      type,
      data,
      metadata: {
        commandId: this.newId(),
        correlationId: context.correlationId,
        causationId: context.causationId,
        actor: context.actor,
        at: this.now().toISOString(),
      },
    };
    const h = headers();
    h.set(COMMAND_HEADERS.correlationId, context.correlationId);
    h.set(COMMAND_HEADERS.causationId, context.causationId);
    h.set(COMMAND_HEADERS.actor, context.actor);

    const timeout = options.timeoutMs ?? this.timeoutMs;
    let replyPayload: Uint8Array;
    try {
      const reply = await this.nc.request(this.names.command(service, type), encodeJson(command), { timeout, headers: h });
      replyPayload = reply.data;
    } catch (error) {
      throw unavailable(error, type, service, timeout);
    }

    const reply = parseReply(decodeJson(replyPayload));
    if (!reply) throw new DomainError('internal', `The ${service} service sent a malformed reply to ${type}`);
    if (!reply.ok) throw new DomainError(reply.error.code, reply.error.message, reply.error.errors);
    // The reply's shape is the contract between this bus and the owning
    // service's handler, which is typed against the same CommandResults.
    return reply.value as CommandResults[T];
  }
}

function unavailable(error: unknown, type: string, service: string, timeoutMs: number): DomainError {
  const code = error instanceof NatsError ? error.code : undefined;
  if (code === (NatsErrorCode.NoResponders as string)) {
    return new DomainError('unavailable', `The ${service} service is not running (no handler for ${type})`);
  }
  if (code === (NatsErrorCode.Timeout as string)) {
    return new DomainError('unavailable', `The ${service} service did not answer ${type} within ${timeoutMs} ms`);
  }
  return new DomainError('unavailable', `Cannot reach the ${service} service for ${type}: ${error instanceof Error ? error.message : String(error)}`);
}
