import { RetentionPolicy, StorageType, type JetStreamManager } from 'nats';
import { natsNames } from '@siteops/contracts';

/** The event stream for one test prefix, with a chosen duplicate window. */
export async function createEventStream(jsm: JetStreamManager, prefix: string, duplicateWindowMs: number): Promise<string> {
  const names = natsNames(prefix);
  await jsm.streams.add({
    name: names.eventStream,
    subjects: [names.eventFilter()],
    storage: StorageType.Memory,
    retention: RetentionPolicy.Limits,
    duplicate_window: duplicateWindowMs * 1_000_000,
  });
  return names.eventStream;
}
