import { connect, type ConnectionOptions, type NatsConnection } from 'nats';

export interface ConnectNatsOptions {
  /** `NATS_URL`; a comma-separated list names several servers of one cluster. */
  url: string;
  /** Shows up in the server's connection list, e.g. `hierarchy`. */
  name: string;
  /** Passed through to `connect` for anything not covered here (auth, TLS). */
  extra?: Partial<ConnectionOptions>;
}

/**
 * Connects with the settings every siteops process wants: reconnect forever
 * (a NATS restart must not kill replicas; requests fail fast as `unavailable`
 * meanwhile) and a bounded first connect so a wrong URL fails the boot.
 */
export async function connectNats({ url, name, extra }: ConnectNatsOptions): Promise<NatsConnection> {
  return connect({
    servers: url.split(',').map((s) => s.trim()),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
    timeout: 5_000,
    // nats.js otherwise captures a stack trace for every request and JetStream
    // publish, just in case it fails; at relay rates that is most of its CPU.
    noAsyncTraces: true,
    ...extra,
  });
}

/**
 * Graceful close: stops new deliveries, lets subscriptions flush what they
 * already received, then closes. Safe to call twice or on a closed connection,
 * which matters when several shutdown hooks share one connection.
 */
export async function drainConnection(nc: NatsConnection): Promise<void> {
  if (nc.isClosed()) return;
  if (nc.isDraining()) {
    await nc.closed();
    return;
  }
  await nc.drain();
}
