import type { NatsNames } from '@siteops/contracts';
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  NatsError,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  nanos,
  type ConsumerConfig,
  type ConsumerInfo,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
} from 'nats';

/** JetStream API error codes (`err_code`) this module reacts to. */
const JS_STREAM_NOT_FOUND = 10059;
const JS_STREAM_NAME_IN_USE = 10058;
const JS_CONSUMER_NOT_FOUND = 10014;

function jsErrorCode(error: unknown): number | undefined {
  return error instanceof NatsError ? error.api_error?.err_code : undefined;
}

export interface EventStreamOptions {
  /** How long JetStream remembers a `Nats-Msg-Id` to drop a republished event. Default 2 min. */
  duplicateWindowMs?: number;
  /**
   * How long events stay on the bus. The event store is the source of truth and
   * projections rebuild from it, so the bus only has to cover consumer downtime.
   * Default 7 days; 0 keeps events forever.
   */
  maxAgeMs?: number;
  /** Size limit of the stream in bytes; -1 (default) for none. Oldest events go first. */
  maxBytes?: number;
  /** Message count limit; -1 (default) for none. */
  maxMessages?: number;
  /** JetStream replicas (1 on one machine, 3 on a NATS cluster). Default 1. */
  replicas?: number;
}

export const DEFAULT_DUPLICATE_WINDOW_MS = 2 * 60_000;
export const DEFAULT_EVENT_MAX_AGE_MS = 7 * 24 * 60 * 60_000;

/**
 * Creates the stream that captures every relayed event of this installation,
 * or brings an existing one to the given limits. Every replica may call it at
 * boot: JetStream accepts an identical create, and a concurrent create with
 * other limits falls back to an update.
 */
export async function ensureEventStream(
  jsm: JetStreamManager,
  names: NatsNames,
  options: EventStreamOptions = {},
): Promise<StreamInfo> {
  const config = {
    subjects: [names.eventFilter()],
    duplicate_window: nanos(options.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS),
    max_age: nanos(options.maxAgeMs ?? DEFAULT_EVENT_MAX_AGE_MS),
    max_bytes: options.maxBytes ?? -1,
    max_msgs: options.maxMessages ?? -1,
    num_replicas: options.replicas ?? 1,
    discard: DiscardPolicy.Old,
  } satisfies Partial<StreamConfig>;

  const existing = await streamInfo(jsm, names.eventStream);
  if (existing) return jsm.streams.update(names.eventStream, config);
  try {
    return await jsm.streams.add({
      ...config,
      name: names.eventStream,
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
    });
  } catch (error) {
    if (jsErrorCode(error) !== JS_STREAM_NAME_IN_USE) throw error;
    return jsm.streams.update(names.eventStream, config);
  }
}

async function streamInfo(jsm: JetStreamManager, stream: string): Promise<StreamInfo | undefined> {
  try {
    return await jsm.streams.info(stream);
  } catch (error) {
    if (jsErrorCode(error) === JS_STREAM_NOT_FOUND) return undefined;
    throw error;
  }
}

export interface DurableConsumerOptions {
  /** Use `names.consumer(service, purpose)`. */
  durable: string;
  /** Subjects this consumer sees; default every event (`names.eventFilter()`). Several need NATS ≥ 2.10. */
  filterSubjects?: string | readonly string[];
  /**
   * How long a delivered message may stay unacknowledged before JetStream
   * redelivers it. With a `backoffMs`, JetStream uses `backoffMs[0]` instead
   * (and the consumer loop keeps slow handlers alive with progress acks).
   * Default 30 s.
   */
  ackWaitMs?: number;
  /** Deliveries before JetStream gives up on a message. Must exceed `backoffMs.length`. Default 10. */
  maxDeliver?: number;
  /** Delay before the n-th redelivery (last value repeats). Default 1 s, 5 s, 30 s, 2 min, 5 min. */
  backoffMs?: readonly number[];
  /** Unacknowledged messages across all replicas before JetStream pauses delivery. Default 1000. */
  maxAckPending?: number;
}

export const DEFAULT_BACKOFF_MS: readonly number[] = [1_000, 5_000, 30_000, 120_000, 300_000];

/**
 * A durable pull consumer on the event stream: explicit acks, delivery from
 * the start of the stream, redelivery with backoff. Replicas that share the
 * durable share its messages. Creates it, or updates it when its settings
 * changed (a redeploy with new limits takes effect without deleting state).
 */
export async function ensureDurableConsumer(
  jsm: JetStreamManager,
  names: NatsNames,
  options: DurableConsumerOptions,
): Promise<ConsumerInfo> {
  const desired = consumerSettings(names, options);
  const existing = await consumerInfo(jsm, names.eventStream, options.durable);
  if (existing) {
    if (sameSettings(existing.config, desired)) return existing;
    return jsm.consumers.update(names.eventStream, options.durable, desired);
  }
  // The nats client refuses several filter subjects on a server older than
  // 2.10 (which would silently ignore them and deliver every event).
  return jsm.consumers.add(names.eventStream, {
    ...desired,
    durable_name: options.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    replay_policy: ReplayPolicy.Instant,
  });
}

type ConsumerSettings = Required<Pick<ConsumerConfig, 'ack_wait' | 'max_deliver' | 'backoff' | 'max_ack_pending'>> &
  Pick<ConsumerConfig, 'filter_subject' | 'filter_subjects'>;

function consumerSettings(names: NatsNames, options: DurableConsumerOptions): ConsumerSettings {
  const backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;
  const maxDeliver = options.maxDeliver ?? 10;
  if (backoffMs.length > 0 && maxDeliver !== -1 && maxDeliver <= backoffMs.length) {
    throw new Error(`Consumer ${options.durable}: maxDeliver (${maxDeliver}) must exceed the number of backoff steps (${backoffMs.length})`);
  }
  const filters = options.filterSubjects === undefined ? [names.eventFilter()] : [options.filterSubjects].flat();
  if (filters.length === 0) throw new Error(`Consumer ${options.durable}: filterSubjects must not be empty`);
  const [firstBackoff] = backoffMs;
  return {
    // JetStream replaces ack_wait by the first backoff step; asking for the
    // same keeps the "did the settings change?" comparison honest.
    ack_wait: nanos(firstBackoff ?? options.ackWaitMs ?? 30_000),
    max_deliver: maxDeliver,
    backoff: backoffMs.map((ms) => nanos(ms)),
    max_ack_pending: options.maxAckPending ?? 1000,
    ...(filters.length === 1 ? { filter_subject: filters[0] } : { filter_subjects: filters }),
  };
}

function filtersOf(config: Pick<ConsumerConfig, 'filter_subject' | 'filter_subjects'>): string[] {
  if (config.filter_subjects && config.filter_subjects.length > 0) return [...config.filter_subjects].sort();
  return config.filter_subject ? [config.filter_subject] : [];
}

function sameSettings(actual: ConsumerConfig, desired: ConsumerSettings): boolean {
  return (
    actual.ack_wait === desired.ack_wait &&
    actual.max_deliver === desired.max_deliver &&
    actual.max_ack_pending === desired.max_ack_pending &&
    JSON.stringify(actual.backoff ?? []) === JSON.stringify(desired.backoff) &&
    JSON.stringify(filtersOf(actual)) === JSON.stringify(filtersOf(desired))
  );
}

async function consumerInfo(jsm: JetStreamManager, stream: string, durable: string): Promise<ConsumerInfo | undefined> {
  try {
    return await jsm.consumers.info(stream, durable);
  } catch (error) {
    if (jsErrorCode(error) === JS_CONSUMER_NOT_FOUND) return undefined;
    throw error;
  }
}
