/**
 * NATS names. Everything carries the installation prefix
 * (`SITEOPS_NATS_PREFIX`), so installations and test runs can share a server.
 */
export interface NatsNames {
  readonly prefix: string;
  /** The JetStream stream holding every relayed event. */
  readonly eventStream: string;
  /** `<prefix>.events.<category>.<type>` for one event. */
  eventSubject(category: string, type: string): string;
  /** Filter for all events, or for one stream category. */
  eventFilter(category?: string): string;
  /** Request/reply subject of a command handled by `service`. */
  command(service: ServiceName, command: string): string;
  /** Projector → gateways: read models changed (wake-up only; Postgres holds the truth). */
  readonly projectionChanged: string;
  /** Durable consumer name for a service's subscription. */
  consumer(service: ServiceName, purpose: string): string;
}

export type ServiceName =
  | 'identity'
  | 'hierarchy'
  | 'secrets'
  | 'firewall'
  | 'deployer'
  | 'mirror-sync'
  | 'projector'
  | 'gateway'
  | 'platform';

const TOKEN = /^[A-Za-z0-9_-]+$/;

export function natsNames(prefix: string): NatsNames {
  if (!TOKEN.test(prefix)) {
    throw new Error('The NATS prefix may contain only letters, digits, _ and -');
  }
  const streamPrefix = prefix.replace(/-/g, '_').toUpperCase();
  return {
    prefix,
    eventStream: `${streamPrefix}_EVENTS`,
    eventSubject: (category, type) => `${prefix}.events.${category}.${type}`,
    eventFilter: (category) => (category ? `${prefix}.events.${category}.>` : `${prefix}.events.>`),
    command: (service, command) => `${prefix}.cmd.${service}.${command}`,
    projectionChanged: `${prefix}.projection.changed`,
    consumer: (service, purpose) => `${streamPrefix}_${service}_${purpose}`.replace(/[^A-Za-z0-9_-]/g, '_'),
  };
}
