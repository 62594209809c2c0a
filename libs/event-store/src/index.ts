export { Position } from './position';
export {
  EventStore,
  ConcurrencyError,
  type AppendContext,
  type AppendRequest,
  type AppendResult,
  type ExpectedVersion,
  type ReadAllPage,
  type EventStoreOptions,
} from './event-store';
export { Upcasters, type Upcaster } from './upcasting';
export { CheckpointStore } from './checkpoint-store';
export { PostgresIdempotencyGuard } from './idempotency-guard';
export { StoreSubscription, type StoreSubscriptionOptions, type SubscriptionLogger } from './subscription';
export { EventRelay, type RelayOptions } from './relay';
export { eventStoreMigrations, EVENTS_CHANNEL } from './event-store.migrations';
export {
  openDatabase,
  migrate,
  ensureDatabase,
  query,
  knexOf,
  transaction,
  type DatabaseOptions,
  type QueryOptions, type EntityManager, type QueryResult } from './database';
export {
  CommandRunner,
  appendContext,
  checkPrecondition,
  expectedFrom,
  loadAggregate,
  lockStream,
  unchanged,
  written,
  type CommandRunnerOptions,
  type Loaded,
  type RunOptions,
} from './write-side';
