import {
  ERROR_CODES,
  commandSchemas,
  type Command,
  type CommandData,
  type CommandMetadata,
  type CommandType,
  type ErrorBody,
  type FieldError,
  type RecordedEvent,
} from '@siteops/contracts';
import { z } from 'zod';

/**
 * NATS headers that repeat the command's metadata, so tracing and `nats sub`
 * show who asked and why without decoding the body. The body stays the truth.
 */
export const COMMAND_HEADERS = {
  correlationId: 'x-correlation-id',
  causationId: 'x-causation-id',
  actor: 'x-actor',
} as const;

/** What every command reply looks like on the wire. */
export type CommandReply<TValue = unknown> = { ok: true; value: TValue } | { ok: false; error: ErrorBody };

/** Who is asking and why: the part of `CommandMetadata` the caller supplies. */
export interface CommandContext {
  readonly correlationId: string;
  readonly causationId: string;
  readonly actor: string;
}

/**
 * The context for a command issued while handling `source`: same correlation,
 * caused by it, on behalf of the same actor unless another is given (events
 * reacted to by a service usually act as `system:<service>`).
 */
export function causedBy(source: Command | RecordedEvent, actor?: string): CommandContext {
  const causationId = 'commandId' in source.metadata ? source.metadata.commandId : source.metadata.eventId;
  return { correlationId: source.metadata.correlationId, causationId, actor: actor ?? source.metadata.actor };
}

export function encodeJson(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

/** JSON of a message body; `undefined` when the bytes are not JSON. */
export function decodeJson(payload: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(payload)) as unknown;
  } catch {
    return undefined;
  }
}

/** Zod issues as the field errors every client sees: `{ field: 'scope.maxRole', message }`. */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({ field: issue.path.map(String).join('.'), message: issue.message }));
}

const metadataSchema = z.object({
  commandId: z.string().min(1),
  correlationId: z.string().min(1),
  causationId: z.string().min(1),
  actor: z.string().min(1),
  at: z.string().min(1),
}) satisfies z.ZodType<CommandMetadata>;

const envelopeSchema = z.object({ type: z.string(), data: z.unknown(), metadata: metadataSchema });

export type ParsedCommand<T extends CommandType> =
  | { ok: true; command: Command<T, CommandData<T>> }
  | { ok: false; error: ErrorBody };

/**
 * Checks a received command: the envelope, that it names the type its subject
 * names, and its data against the contract schema (defaults applied).
 */
export function parseCommand<T extends CommandType>(type: T, payload: unknown): ParsedCommand<T> {
  const envelope = envelopeSchema.safeParse(payload);
  if (!envelope.success) {
    return { ok: false, error: { code: 'validation_failed', message: 'Malformed command envelope', errors: fieldErrors(envelope.error) } };
  }
  if (envelope.data.type !== type) {
    return { ok: false, error: { code: 'validation_failed', message: `A ${envelope.data.type} command was sent to the ${type} subject` } };
  }
  const data = parseCommandData(type, envelope.data.data);
  if (!data.success) {
    return { ok: false, error: { code: 'validation_failed', message: `Invalid ${type} command`, errors: fieldErrors(data.error) } };
  }
  return { ok: true, command: { type, data: data.data, metadata: envelope.data.metadata } };
}

function parseCommandData<T extends CommandType>(type: T, data: unknown): z.ZodSafeParseResult<CommandData<T>> {
  // TypeScript cannot tie commandSchemas[T] to CommandData<T> for a generic T;
  // both are looked up by the same key, so the result has that type.
  return commandSchemas[type].safeParse(data) as z.ZodSafeParseResult<CommandData<T>>;
}

const replySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({
    ok: z.literal(false),
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    }),
  }),
]);

/** A reply as received; `undefined` when it is not a reply envelope at all. */
export function parseReply(payload: unknown): CommandReply | undefined {
  const parsed = replySchema.safeParse(payload);
  if (!parsed.success) return undefined;
  const reply = parsed.data;
  if (reply.ok) return { ok: true, value: reply.value };
  const { code, message, errors } = reply.error;
  return { ok: false, error: errors ? { code, message, errors } : { code, message } };
}

export function isCommandType(value: string): value is CommandType {
  return Object.hasOwn(commandSchemas, value);
}
