import type { NatsNames, RecordedEvent } from '@siteops/contracts';
import { ErrorCode as NatsErrorCode, NatsError, millis, type Consumer, type ConsumerConfig, type JetStreamClient, type JsMsg } from 'nats';
import { decodeRecordedEvent } from './event-message.codec';
import { ensureDurableConsumer, type DurableConsumerOptions } from './jetstream.setup';
import { defaultMessagingLogger, describeError, type MessagingLogger } from './messaging.logger';

/** Handles one delivered event. Throwing makes JetStream redeliver it after the consumer's backoff. */
export type EventHandler = (event: RecordedEvent, msg: JsMsg) => Promise<void>;

export interface EventConsumerOptions extends Omit<DurableConsumerOptions, 'filterSubjects'> {
  js: JetStreamClient;
  names: NatsNames;
  /** Subjects to receive, e.g. `names.eventFilter('site')`; default every event. */
  filter?: string | readonly string[];
  handle: EventHandler;
  /** Messages this instance holds at once (received, not yet acknowledged). Default 32. */
  batchSize?: number;
  /** Handlers running at once. Default 1: one instance handles its messages in delivery order. */
  concurrency?: number;
  /** How long one pull request waits for messages before it is renewed (≥ 1000); also bounds how long `stop()` waits for it. Default 2000. */
  idleWaitMs?: number;
  logger?: MessagingLogger;
}

export interface EventConsumer {
  readonly durable: string;
  /**
   * Starts no more handlers, lets the pending pull request run out (at most
   * `idleWaitMs`), hands the messages received but not started back to
   * JetStream (so another replica takes them now, not after the ack wait),
   * waits for the handlers already running to finish and acknowledge, then
   * resolves.
   */
  stop(): Promise<void>;
  /** Settles when the loop has ended: after `stop()`, or when the connection closed under it. */
  readonly done: Promise<void>;
}

/**
 * Ensures the durable pull consumer and runs the receive/handle loop on it.
 * Call `ensureEventStream` first. Replicas started with the same `durable`
 * split the messages between them.
 */
export async function startEventConsumer(options: EventConsumerOptions): Promise<EventConsumer> {
  const { js, names, filter, durable } = options;
  const jsm = await js.jetstreamManager();
  const info = await ensureDurableConsumer(jsm, names, { ...options, filterSubjects: filter });
  const consumer = await js.consumers.get(names.eventStream, durable);
  return new ConsumerLoop(consumer, info.config, options);
}

class ConsumerLoop implements EventConsumer {
  readonly durable: string;
  readonly done: Promise<void>;
  private readonly handle: EventHandler;
  private readonly logger: MessagingLogger;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly idleWaitMs: number;
  private readonly backoffMs: number[];
  private readonly maxDeliver: number;

  private stopping = false;
  /** Received and not yet started. */
  private readonly waiting: JsMsg[] = [];
  private readonly running = new Set<Promise<void>>();
  /** Everything received and not yet settled: kept alive with progress acks. */
  private readonly held = new Set<JsMsg>();
  private wake: (() => void) | undefined;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly consumer: Consumer,
    config: ConsumerConfig,
    options: EventConsumerOptions,
  ) {
    this.durable = options.durable;
    this.handle = options.handle;
    this.logger = options.logger ?? defaultMessagingLogger;
    this.batchSize = Math.max(1, options.batchSize ?? 32);
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.idleWaitMs = Math.max(1_000, options.idleWaitMs ?? 2_000);
    this.backoffMs = (config.backoff ?? []).map((ns) => millis(ns));
    this.maxDeliver = config.max_deliver ?? -1;
    // JetStream redelivers anything unacknowledged after the ack wait (with a
    // backoff, after the backoff step), including messages that merely wait
    // their turn here. A progress ack every third of the shortest wait keeps
    // every held message ours for as long as we hold it, with room for a
    // busy event loop.
    const shortestWaitMs = Math.min(millis(config.ack_wait ?? 30_000_000_000), ...this.backoffMs);
    this.heartbeat = setInterval(() => {
      this.keepAlive();
    }, Math.max(10, Math.floor(shortestWaitMs / 3)));
    this.heartbeat.unref();
    this.done = this.run();
  }

  async stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      this.wakeUp();
    }
    await this.done;
  }

  private async run(): Promise<void> {
    try {
      await this.receive();
    } finally {
      // Only now is no pull request of ours open on the server. A message
      // handed back while one is open goes straight back into it (JetStream
      // 2.9 even keeps feeding a request whose inbox is gone, which delays
      // those messages by an ack wait), so the pull is let run out, not cut.
      for (const msg of this.waiting.splice(0)) this.giveBack(msg);
      while (this.running.size > 0) await Promise.allSettled([...this.running]);
      clearInterval(this.heartbeat);
    }
  }

  // 1. Pull at most as many messages as there are free slots, so the number
  //    held here never exceeds batchSize.
  // 2. Hand each message to the handler pool as soon as it arrives.
  // 3. When a pull ends (batch filled or expired), pull again; a failed pull
  //    is retried after a pause unless the connection is gone. Once stopping,
  //    messages still arriving are held, not handled, until the pull ends.
  private async receive(): Promise<void> {
    while (!this.stopping) {
      const free = this.batchSize - this.held.size;
      if (free <= 0) {
        await this.sleep();
        continue;
      }
      try {
        const pull = await this.consumer.fetch({ max_messages: free, expires: this.idleWaitMs });
        for await (const msg of pull) this.accept(msg);
      } catch (error) {
        if (this.isStopping()) break;
        if (connectionGone(error)) {
          this.logger.warn(`Event consumer ${this.durable} stopped: the NATS connection closed`);
          break;
        }
        this.logger.warn(`Event consumer ${this.durable}: pull failed, retrying in 1 s`, describeError(error));
        await this.sleep(1_000);
      }
    }
  }

  private accept(msg: JsMsg): void {
    this.held.add(msg);
    this.waiting.push(msg);
    this.pump();
  }

  private pump(): void {
    while (!this.stopping && this.running.size < this.concurrency) {
      const msg = this.waiting.shift();
      if (!msg) return;
      const task: Promise<void> = this.process(msg).finally(() => {
        this.running.delete(task);
        this.held.delete(msg);
        this.wakeUp();
        this.pump();
      });
      this.running.add(task);
    }
  }

  private async process(msg: JsMsg): Promise<void> {
    let event: RecordedEvent;
    try {
      event = decodeRecordedEvent(msg.data);
    } catch (error) {
      // Redelivering bytes that cannot be decoded would fail the same way
      // every time and hold up the consumer until max_deliver.
      this.logger.error(`Event consumer ${this.durable}: dropping stream message ${msg.seq}`, describeError(error));
      msg.term();
      return;
    }
    try {
      await this.handle(event, msg);
    } catch (error) {
      this.retryLater(msg, event, error);
      return;
    }
    try {
      await msg.ackAck();
    } catch (error) {
      this.logger.warn(
        `Event consumer ${this.durable}: acknowledgement of event ${event.metadata.eventId} was not confirmed; it may be delivered again`,
        describeError(error),
      );
    }
  }

  /** A nak alone redelivers at once; the delay is what spaces retries by the consumer's backoff. */
  private retryLater(msg: JsMsg, event: RecordedEvent, error: unknown): void {
    const delivery = msg.info.deliveryCount;
    const delayMs = this.backoffMs[Math.min(delivery, this.backoffMs.length) - 1] ?? 0;
    const what = `Event consumer ${this.durable}: handling ${event.type} ${event.metadata.eventId} (delivery ${delivery}) failed`;
    if (this.maxDeliver !== -1 && delivery >= this.maxDeliver) {
      this.logger.error(`${what}; it was the last delivery JetStream allows, the event is skipped by this consumer`, describeError(error));
    } else {
      this.logger.warn(`${what}; retrying in ${delayMs} ms`, describeError(error));
    }
    msg.nak(delayMs);
  }

  /** Read through a method: the flag changes while the receive loop awaits, which narrowing cannot see. */
  private isStopping(): boolean {
    return this.stopping;
  }

  private giveBack(msg: JsMsg): void {
    this.held.delete(msg);
    try {
      msg.nak();
    } catch {
      // Connection gone: JetStream redelivers after the ack wait anyway.
    }
  }

  private keepAlive(): void {
    for (const msg of this.held) {
      try {
        msg.working();
      } catch {
        return;
      }
    }
  }

  private sleep(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      function done(): void {
        if (timer) clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

function connectionGone(error: unknown): boolean {
  return (
    error instanceof NatsError &&
    (error.code === (NatsErrorCode.ConnectionClosed as string) || error.code === (NatsErrorCode.ConnectionDraining as string))
  );
}
