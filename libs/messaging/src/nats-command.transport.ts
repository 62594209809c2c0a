import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { BaseRpcContext, Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { DomainError, isDomainError, type Command, type CommandMetadata, type CommandResults, type CommandType, type NatsNames, type ServiceName } from '@siteops/contracts';
import type { NatsConnection } from 'nats';
import { isObservable, lastValueFrom, throwError, type Observable } from 'rxjs';
import { isCommandType } from './command.envelope';
import { commandRoute, serveCommandRoutes, type CommandRoute, type CommandServer } from './command.server';
import type { MessagingLogger } from './messaging.logger';

/** What `@Ctx()` gives a command handler: the validated command with its metadata. */
export class CommandRpcContext extends BaseRpcContext<[Command]> {
  getCommand(): Command {
    return this.args[0];
  }

  getMetadata(): CommandMetadata {
    return this.args[0].metadata;
  }
}

/**
 * Lets a thrown `DomainError` (or any error) reach the transport unchanged.
 * Without it Nest's default RPC filter turns every error into "Internal server
 * error" before the transport sees it, and callers get `internal` instead of
 * e.g. `not_found`. Register it on the microservice:
 * `app.useGlobalFilters(new CommandExceptionFilter())`.
 */
@Catch()
export class CommandExceptionFilter implements RpcExceptionFilter<unknown, never> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

export interface NatsCommandTransportOptions {
  /** The app's connection; the app drains it after the microservice closed. */
  connection: NatsConnection;
  names: NatsNames;
  service: ServiceName;
  queue?: string;
  logger?: MessagingLogger;
}

/**
 * A Nest custom transport that serves `@MessagePattern('<CommandType>')`
 * handlers with `serveCommands` semantics: one queue group per service,
 * contract validation before the handler runs (`@Payload()` is the parsed
 * data), `DomainError` codes preserved (with `CommandExceptionFilter`),
 * anything else answered as `internal`.
 */
export class NatsCommandTransport extends Server implements CustomTransportStrategy {
  override readonly transportId = Symbol('NatsCommandTransport');
  private commandServer: CommandServer | undefined;
  private warnedAboutFilter = false;

  constructor(private readonly options: NatsCommandTransportOptions) {
    super();
  }

  listen(callback: (...optionalParams: unknown[]) => void): void {
    try {
      const routes = new Map<CommandType, CommandRoute>();
      for (const [pattern, handler] of this.getHandlers()) {
        if (handler.isEventHandler) {
          throw new Error(`@EventPattern('${pattern}') is not served by NatsCommandTransport; consume events with startEventConsumer`);
        }
        if (!isCommandType(pattern)) throw new Error(`@MessagePattern('${pattern}') does not name a command of the contract`);
        routes.set(pattern, this.route(pattern, handler));
      }
      const { connection, names, service, queue, logger } = this.options;
      this.commandServer = serveCommandRoutes(connection, names, service, routes, {
        queue,
        logger: logger ?? {
          warn: (message, ...context) => {
            this.logger.warn(message, ...context);
          },
          error: (message, ...context) => {
            this.logger.error(message, ...context);
          },
        },
      });
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    const server = this.commandServer;
    this.commandServer = undefined;
    await server?.drain();
  }

  /** Connection events belong to the app's connection (`connection.status()`), not to this transport. */
  on(): never {
    throw new Error('NatsCommandTransport has no events; watch the NATS connection status instead');
  }

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- Nest's Server.unwrap signature
  unwrap<T>(): T {
    return this.options.connection as T;
  }

  private route(type: CommandType, handler: MessageHandler): CommandRoute {
    return commandRoute(type, async (data, command) => {
      try {
        const result: unknown = await handler(data, new CommandRpcContext([command]));
        // Nest hands back whatever the controller returned; the controller is
        // written against the same CommandResults contract as the caller.
        return (await (isObservable(result) ? lastValueFrom(result) : result)) as CommandResults[CommandType];
      } catch (error) {
        throw this.unfiltered(error);
      }
    });
  }

  /** What Nest's default filter leaves of an error is a plain `{ status, message }` object. */
  private unfiltered(error: unknown): unknown {
    if (isDomainError(error) || error instanceof Error) return error;
    if (!this.warnedAboutFilter) {
      this.warnedAboutFilter = true;
      this.logger.warn(
        'A command handler error reached Nest\'s default RPC exception filter, which hides its code; ' +
          'register CommandExceptionFilter (app.useGlobalFilters) so DomainError codes reach the caller',
      );
    }
    return new DomainError('internal', 'The command failed unexpectedly');
  }
}
