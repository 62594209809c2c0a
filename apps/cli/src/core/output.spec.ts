import { CapturedOutput, NOW } from '../testing/run-cli';
import type { CliIo } from './cli-io';
import {
  chooseFormat,
  formatAge,
  renderTable,
  writeDetails,
  writeList,
  type Column,
} from './output';

interface Item {
  name: string;
  count: number;
}

const columns: Column<Item>[] = [
  { header: 'name', value: (i) => i.name },
  { header: 'count', value: (i) => String(i.count) },
];

function io(): { io: CliIo; stdout: CapturedOutput; stderr: CapturedOutput } {
  const stdout = new CapturedOutput(true);
  const stderr = new CapturedOutput(true);
  return {
    stdout,
    stderr,
    io: { stdin: process.stdin, stdout, stderr, env: {}, cwd: '/', now: () => NOW, fetch },
  };
}

describe('chooseFormat', () => {
  it('defaults to a table on a terminal and JSON anywhere else', () => {
    expect(chooseFormat(undefined, new CapturedOutput(true))).toBe('table');
    expect(chooseFormat(undefined, new CapturedOutput(false))).toBe('json');
  });

  it('lets -o win either way', () => {
    expect(chooseFormat('yaml', new CapturedOutput(true))).toBe('yaml');
    expect(chooseFormat('table', new CapturedOutput(false))).toBe('table');
  });
});

describe('writeList', () => {
  const items: Item[] = [
    { name: 'alpha', count: 1 },
    { name: 'a-much-longer-name', count: 12345 },
  ];

  it('aligns a borderless table with upper-case headers', async () => {
    const t = io();
    await writeList(t.io, 'table', items, columns, 'items');
    expect(t.stdout.text).toBe(
      [
        'NAME                 COUNT',
        'alpha                1',
        'a-much-longer-name   12345',
        '',
      ].join('\n'),
    );
  });

  it('prints the items as JSON and YAML', async () => {
    const json = io();
    await writeList(json.io, 'json', items, columns, 'items');
    expect(JSON.parse(json.stdout.text)).toEqual(items);
    const yaml = io();
    await writeList(yaml.io, 'yaml', items, columns, 'items');
    expect(yaml.stdout.text).toBe(
      '- name: alpha\n  count: 1\n- name: a-much-longer-name\n  count: 12345\n',
    );
  });

  it('prints the given data instead of the rows when asked', async () => {
    const t = io();
    await writeList(t.io, 'json', items, columns, 'items', ['plain']);
    expect(JSON.parse(t.stdout.text)).toEqual(['plain']);
  });

  it('says so on stderr when a table would be empty, and prints [] as JSON', async () => {
    const table = io();
    await writeList(table.io, 'table', [], columns, 'items');
    expect(table.stdout.text).toBe('');
    expect(table.stderr.text).toBe('No items found.\n');
    const json = io();
    await writeList(json.io, 'json', [], columns, 'items');
    expect(json.stdout.text).toBe('[]\n');
  });
});

describe('writeDetails', () => {
  it('prints field/value pairs as a table, the data as JSON', async () => {
    const table = io();
    await writeDetails(table.io, 'table', { a: 1 }, [
      ['User', 'Ada'],
      ['Platform admin', 'no'],
    ]);
    expect(table.stdout.text).toBe('User             Ada\nPlatform admin   no\n');
    const json = io();
    await writeDetails(json.io, 'json', { a: 1 }, [['User', 'Ada']]);
    expect(json.stdout.text).toBe('{\n  "a": 1\n}\n');
  });
});

describe('renderTable', () => {
  it('keeps cell text whole (no wrapping, no colour codes)', async () => {
    const text = await renderTable(['x'], [['a value with spaces and ünïcödé']]);
    expect(text).toBe('X\na value with spaces and ünïcödé\n');
  });
});

describe('formatAge', () => {
  it.each([
    ['2030-01-15T11:59:30Z', '30s'],
    ['2030-01-15T11:00:00Z', '60m'],
    ['2030-01-14T12:00:00Z', '24h'],
    ['2030-01-01T12:00:00Z', '14d'],
    ['2030-01-15T12:00:05Z', '0s'],
  ])('shows %s as %s', (iso, age) => {
    expect(formatAge(iso, NOW)).toBe(age);
  });

  it('shows - for a missing or unreadable time', () => {
    expect(formatAge(null, NOW)).toBe('-');
    expect(formatAge('yesterday', NOW)).toBe('-');
  });
});
