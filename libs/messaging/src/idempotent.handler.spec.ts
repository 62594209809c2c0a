import type { RecordedEvent } from '@siteops/contracts';
import type { JsMsg } from 'nats';
import { idempotent } from './idempotent.handler';
import { InMemoryIdempotencyGuard, type MemoryTx } from './test/in-memory-idempotency.guard';
import { recordedEvent } from './test/nats.fixture';

// The handler never touches the message in these specs; identity is enough to
// check it is passed through.
const msg = { seq: 7 } as JsMsg;

function projector(guard: InMemoryIdempotencyGuard, fail: (event: RecordedEvent) => boolean = () => false) {
  const seenMsgs: JsMsg[] = [];
  const duplicates: string[] = [];
  const handle = idempotent(
    guard,
    'projector',
    async (event: RecordedEvent, tx: MemoryTx, m: JsMsg) => {
      seenMsgs.push(m);
      tx.write(event.globalPosition);
      await Promise.resolve();
      if (fail(event)) throw new Error('projection write failed');
    },
    { onDuplicate: (event) => duplicates.push(event.globalPosition) },
  );
  return { handle, seenMsgs, duplicates };
}

describe('idempotent', () => {
  it('applies a redelivered event once and reports the duplicate', async () => {
    const guard = new InMemoryIdempotencyGuard();
    const { handle, duplicates, seenMsgs } = projector(guard);
    const event = recordedEvent({ globalPosition: '42' });

    await handle(event, msg);
    await handle(event, msg);

    expect(guard.committed).toEqual(['42']);
    expect(duplicates).toEqual(['42']);
    expect(seenMsgs).toEqual([msg]);
  });

  it('handles events whose positions arrive out of order (no "below the last one" shortcut)', async () => {
    const guard = new InMemoryIdempotencyGuard();
    const { handle } = projector(guard);

    for (const position of ['10', '8', '9', '8']) await handle(recordedEvent({ globalPosition: position }), msg);

    expect(guard.committed).toEqual(['10', '8', '9']);
  });

  it('keeps nothing of a failed effect, so the retry applies it', async () => {
    const guard = new InMemoryIdempotencyGuard();
    let attempts = 0;
    const { handle } = projector(guard, () => ++attempts === 1);
    const event = recordedEvent({ globalPosition: '5' });

    await expect(handle(event, msg)).rejects.toThrow('projection write failed');
    expect(guard.committed).toEqual([]);

    await handle(event, msg);
    expect(guard.committed).toEqual(['5']);
  });

  it('runs the effect once when two replicas get the same event at the same time', async () => {
    const guard = new InMemoryIdempotencyGuard();
    const { handle, duplicates } = projector(guard);
    const event = recordedEvent({ globalPosition: '77' });

    await Promise.all([handle(event, msg), handle(event, msg), handle(event, msg)]);

    expect(guard.committed).toEqual(['77']);
    expect(duplicates).toHaveLength(2);
  });

  it('keeps keys per consumer', async () => {
    const guard = new InMemoryIdempotencyGuard();
    const event = recordedEvent({ globalPosition: '3' });
    const write = (name: string) =>
      idempotent(guard, name, (_e: RecordedEvent, tx: MemoryTx) => {
        tx.write(name);
        return Promise.resolve();
      });

    await write('projector')(event, msg);
    await write('deployer')(event, msg);

    expect(guard.committed).toEqual(['projector', 'deployer']);
  });
});
