import {
  DomainError,
  commandOwners,
  isDomainError,
  type Command,
  type CommandData,
  type CommandResults,
  type CommandType,
  type ErrorBody,
  type NatsNames,
  type ServiceName,
} from '@siteops/contracts';
import type { Msg, NatsConnection, Subscription } from 'nats';
import { COMMAND_HEADERS, decodeJson, encodeJson, isCommandType, parseCommand, type CommandReply } from './command.envelope';
import { defaultMessagingLogger, describeError, type MessagingLogger } from './messaging.logger';

/** Handles one validated command; a thrown `DomainError` goes back to the caller as is. */
export type CommandHandler<T extends CommandType> = (data: CommandData<T>, command: Command<T, CommandData<T>>) => Promise<CommandResults[T]>;

export type CommandHandlers = { [T in CommandType]?: CommandHandler<T> };

export interface ServeCommandsOptions {
  /** Queue group shared by the service's replicas; each command goes to one of them. Default: the service name. */
  queue?: string;
  logger?: MessagingLogger;
}

export interface CommandServer {
  readonly subjects: readonly string[];
  /** Stops taking commands, then waits until every command already taken has been answered. */
  drain(): Promise<void>;
}

/**
 * Answers the commands a service owns, one subscription per command type in
 * a queue group so replicas share the load. Each request is validated
 * against the contract schema before the handler sees it; failures come back
 * as error replies (`validation_failed`, the handler's `DomainError`, or
 * `internal` for anything unexpected, whose details are only logged).
 */
export function serveCommands(
  nc: NatsConnection,
  names: NatsNames,
  service: ServiceName,
  handlers: CommandHandlers,
  options: ServeCommandsOptions = {},
): CommandServer {
  const routes = new Map<CommandType, CommandRoute>();
  for (const type of Object.keys(handlers)) {
    if (!isCommandType(type)) throw new Error(`${type} is not a command of the contract`);
    const route = routeFor(type, handlers[type]);
    if (route) routes.set(type, route);
  }
  return serveCommandRoutes(nc, names, service, routes, options);
}

/** Runs one command from its decoded body to its result (errors thrown). */
export type CommandRoute = (payload: unknown) => Promise<unknown>;

function routeFor<T extends CommandType>(type: T, handler: CommandHandlers[T]): CommandRoute | undefined {
  return handler && commandRoute(type, handler);
}

export function commandRoute<T extends CommandType>(type: T, handler: CommandHandler<T>): CommandRoute {
  return async (payload) => {
    const parsed = parseCommand(type, payload);
    if (!parsed.ok) throw new DomainError(parsed.error.code, parsed.error.message, parsed.error.errors);
    return handler(parsed.command.data, parsed.command);
  };
}

/** The transport under `serveCommands` and the Nest strategy. */
export function serveCommandRoutes(
  nc: NatsConnection,
  names: NatsNames,
  service: ServiceName,
  routes: ReadonlyMap<CommandType, CommandRoute>,
  options: ServeCommandsOptions = {},
): CommandServer {
  for (const type of routes.keys()) {
    // The bus addresses commandOwners[type]; a handler anywhere else would never be reached.
    if (commandOwners[type] !== service) throw new Error(`${type} is handled by the ${commandOwners[type]} service, not ${service}`);
  }
  const queue = options.queue ?? service;
  const logger = options.logger ?? defaultMessagingLogger;
  const inflight = new Set<Promise<void>>();
  const subscriptions: Subscription[] = [];
  for (const [type, route] of routes) {
    const subscription = nc.subscribe(names.command(service, type), {
      queue,
      callback: (error, msg) => {
        if (error) {
          logger.error(`Command subscription for ${type} failed`, describeError(error));
          return;
        }
        const task: Promise<void> = answer(msg, type, route, logger).finally(() => inflight.delete(task));
        inflight.add(task);
      },
    });
    subscriptions.push(subscription);
  }

  return {
    subjects: subscriptions.map((s) => s.getSubject()),
    async drain() {
      if (nc.isClosed() || nc.isDraining()) {
        for (const s of subscriptions) if (!s.isClosed()) s.unsubscribe();
      } else {
        // A drained subscription has handed every message it already received to its callback.
        await Promise.all(subscriptions.map((s) => s.drain()));
      }
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
  };
}

async function answer(msg: Msg, type: CommandType, route: CommandRoute, logger: MessagingLogger): Promise<void> {
  const payload = decodeJson(msg.data);
  let reply: CommandReply;
  if (payload === undefined) {
    reply = { ok: false, error: { code: 'validation_failed', message: 'The command body is not JSON' } };
  } else {
    try {
      reply = { ok: true, value: await route(payload) };
    } catch (error) {
      reply = { ok: false, error: errorBody(error, type, msg, logger) };
    }
  }
  let body: Uint8Array;
  try {
    body = encodeJson(reply);
  } catch (error) {
    body = encodeJson({ ok: false, error: errorBody(error, type, msg, logger) } satisfies CommandReply);
  }
  msg.respond(body);
}

function errorBody(error: unknown, type: CommandType, msg: Msg, logger: MessagingLogger): ErrorBody {
  if (isDomainError(error)) return error.toBody();
  const correlationId = msg.headers?.get(COMMAND_HEADERS.correlationId) ?? 'none';
  logger.error(`Command ${type} failed unexpectedly (correlation id ${correlationId})`, describeError(error));
  // The caller learns that it failed, not why: internals stay in the log.
  return { code: 'internal', message: `The ${type} command failed unexpectedly` };
}
