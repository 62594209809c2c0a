import { streamCategory, type NatsNames, type RecordedEvent } from '@siteops/contracts';
import type { JetStreamClient, PubAck } from 'nats';
import { z } from 'zod';

/**
 * The wire form of a relayed event: the JSON of the stored `RecordedEvent`,
 * published on `<prefix>.events.<category>.<type>` with `Nats-Msg-Id` set to
 * the event id. The relay (libs/event-store) and every consumer meet here.
 */
export function eventSubject(names: NatsNames, event: Pick<RecordedEvent, 'streamId' | 'type'>): string {
  return names.eventSubject(streamCategory(event.streamId), event.type);
}

export function encodeRecordedEvent(event: RecordedEvent): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(event));
}

/**
 * Publishes one stored event. JetStream drops a second publish of the same
 * event id inside the stream's duplicate window (`ack.duplicate` is then true),
 * which is what makes the relay's at-least-once publishing cheap.
 */
export async function publishRecordedEvent(js: JetStreamClient, names: NatsNames, event: RecordedEvent): Promise<PubAck> {
  return js.publish(eventSubject(names, event), encodeRecordedEvent(event), { msgID: event.metadata.eventId });
}

// Loose objects: fields added by later versions of the relay pass through.
const recordedEventSchema = z.looseObject({
  type: z.string().min(1),
  data: z.unknown(),
  metadata: z.looseObject({
    eventId: z.string().min(1),
    correlationId: z.string(),
    causationId: z.string(),
    actor: z.string(),
    at: z.string(),
  }),
  streamId: z.string().min(1),
  streamVersion: z.number().int(),
  globalPosition: z.string().min(1),
  position: z.string().min(1),
  recordedAt: z.string(),
});

export class UndecodableEventError extends Error {
  constructor(reason: string) {
    super(`Not a recorded event: ${reason}`);
    this.name = 'UndecodableEventError';
  }
}

/** Parses and checks the envelope; the `data` stays as sent (upcasting is the reader's job). */
export function decodeRecordedEvent(payload: Uint8Array): RecordedEvent {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    throw new UndecodableEventError('payload is not JSON');
  }
  const parsed = recordedEventSchema.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.map(String).join('.') || '(root)');
    throw new UndecodableEventError(`invalid ${[...new Set(fields)].join(', ')}`);
  }
  return parsed.data;
}
