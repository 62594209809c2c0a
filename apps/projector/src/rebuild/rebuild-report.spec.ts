import type { RebuildResult } from '../read-models/read-models.rebuild';
import { formatRebuildReport, parseRebuildArgs, rebuildMatchesLive, UsageError } from './rebuild-report';

const snapshot = (hash: string, users: number) => ({ hash, rows: { rm_users: users, rm_grants: users * 2 } });

function result(overrides: Partial<RebuildResult> = {}): RebuildResult {
  return {
    events: 1234,
    position: '900.1234',
    seq: '77',
    durationMs: 1500,
    previousPosition: '900.1234',
    before: snapshot('a'.repeat(64), 3),
    atPreviousPosition: snapshot('a'.repeat(64), 3),
    after: snapshot('a'.repeat(64), 3),
    ...overrides,
  };
}

describe('parseRebuildArgs', () => {
  it('reads --verify, --help and --batch-size', () => {
    expect(parseRebuildArgs([])).toEqual({ verify: false, help: false, batchSize: undefined });
    expect(parseRebuildArgs(['--verify', '--batch-size', '250'])).toEqual({ verify: true, help: false, batchSize: 250 });
    expect(parseRebuildArgs(['-h']).help).toBe(true);
  });

  it('rejects unknown arguments and bad batch sizes', () => {
    expect(() => parseRebuildArgs(['--verfy'])).toThrow(new UsageError('unknown argument --verfy'));
    expect(() => parseRebuildArgs(['--batch-size'])).toThrow(UsageError);
    expect(() => parseRebuildArgs(['--batch-size', '0'])).toThrow(UsageError);
    expect(() => parseRebuildArgs(['--batch-size', '2.5'])).toThrow(UsageError);
  });
});

describe('rebuildMatchesLive', () => {
  it('compares the live tables with the replay stopped at the live checkpoint, not with the end state', () => {
    const moved = result({ position: '950.1300', after: snapshot('c'.repeat(64), 4) });
    expect(rebuildMatchesLive(moved)).toBe(true);
    expect(rebuildMatchesLive(result({ atPreviousPosition: snapshot('b'.repeat(64), 3) }))).toBe(false);
    expect(rebuildMatchesLive(result({ before: undefined }))).toBe(false);
  });
});

describe('formatRebuildReport', () => {
  it('prints row counts before and after, both hashes and the verdict', () => {
    const text = formatRebuildReport(result({ after: snapshot('c'.repeat(64), 4) }), true);
    expect(text).toContain('1234 events replayed in 1.50 s');
    expect(text).toMatch(/^rm_users\s+3\s+4$/m);
    expect(text).toMatch(/^rm_grants\s+6\s+8$/m);
    expect(text).toContain(`hash before   ${'a'.repeat(64)}  (live tables, checkpoint 900.1234)`);
    expect(text).toContain(`hash after    ${'c'.repeat(64)}  (rebuilt tables, checkpoint 900.1234)`);
    expect(text).not.toContain('hash rebuilt');
    expect(text).toMatch(/^verify: OK/m);
  });

  it('shows the replay at the old checkpoint when events arrived during the rebuild', () => {
    const text = formatRebuildReport(
      result({ position: '950.1300', atPreviousPosition: snapshot('b'.repeat(64), 3) }),
      true,
    );
    expect(text).toContain(`hash rebuilt  ${'b'.repeat(64)}  (replay stopped at checkpoint 900.1234)`);
    expect(text).toMatch(/^verify: MISMATCH/m);
  });

  it('leaves the verdict out without --verify', () => {
    expect(formatRebuildReport(result(), false)).not.toMatch(/verify:/);
  });
});
