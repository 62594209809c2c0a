import { natsNames, type NatsNames, type RecordedEvent } from '@siteops/contracts';
import { testServers, uniqueName } from '@siteops/testing';
import { randomUUID } from 'node:crypto';
import { connect, type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';

export interface NatsFixture {
  names: NatsNames;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** Another connection, as a second replica would have. */
  connectAgain(): Promise<NatsConnection>;
  /** Deletes this spec's stream and closes every connection it opened. */
  cleanup(): Promise<void>;
}

/** One prefix per spec file, so runs share the NATS server without seeing each other. */
export async function natsFixture(label: string): Promise<NatsFixture> {
  const names = natsNames(uniqueName(label));
  const nc = await connect({ servers: testServers.natsUrl, name: names.prefix });
  const jsm = await nc.jetstreamManager();
  const connections = [nc];
  return {
    names,
    nc,
    js: nc.jetstream(),
    jsm,
    async connectAgain() {
      const other = await connect({ servers: testServers.natsUrl, name: names.prefix });
      connections.push(other);
      return other;
    },
    async cleanup() {
      await jsm.streams.delete(names.eventStream).catch(() => false);
      await Promise.all(connections.filter((c) => !c.isClosed()).map((c) => c.close()));
    },
  };
}

let position = 0;

/** A stored event as the relay would publish it; every call is a distinct event. */
export function recordedEvent(overrides: Partial<RecordedEvent> = {}): RecordedEvent {
  position += 1;
  const siteId = randomUUID();
  return {
    type: 'SiteUpdated',
    data: { siteId, autoDeploy: true },
    metadata: { eventId: randomUUID(), correlationId: randomUUID(), causationId: randomUUID(), actor: 'system:test', at: new Date().toISOString() },
    streamId: `site-${siteId}`,
    streamVersion: 2,
    globalPosition: String(position),
    position: `${1000 + position}:${position}`,
    recordedAt: new Date().toISOString(),
    ...overrides,
  };
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
