export { connectNats, drainConnection, type ConnectNatsOptions } from './nats.connection';
export {
  DEFAULT_BACKOFF_MS,
  DEFAULT_DUPLICATE_WINDOW_MS,
  DEFAULT_EVENT_MAX_AGE_MS,
  ensureDurableConsumer,
  ensureEventStream,
  type DurableConsumerOptions,
  type EventStreamOptions,
} from './jetstream.setup';
export { UndecodableEventError, decodeRecordedEvent, encodeRecordedEvent, eventSubject, publishRecordedEvent } from './event-message.codec';
export { startEventConsumer, type EventConsumer, type EventConsumerOptions, type EventHandler } from './event.consumer';
export { idempotent, type IdempotencyGuard, type IdempotentOptions, type TransactionalEventHandler } from './idempotent.handler';
export { COMMAND_HEADERS, causedBy, type CommandContext, type CommandReply } from './command.envelope';
export { CommandBus, type CommandBusOptions, type SendOptions } from './command.bus';
export { serveCommands, type CommandHandler, type CommandHandlers, type CommandServer, type ServeCommandsOptions } from './command.server';
export { CommandExceptionFilter, CommandRpcContext, NatsCommandTransport, type NatsCommandTransportOptions } from './nats-command.transport';
export { defaultMessagingLogger, type MessagingLogger } from './messaging.logger';
