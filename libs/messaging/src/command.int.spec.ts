import { DomainError, type Command, type CommandData, type WriteResult } from '@siteops/contracts';
import { randomUUID } from 'node:crypto';
import type { Msg } from 'nats';
import { CommandBus } from './command.bus';
import { COMMAND_HEADERS, type CommandContext } from './command.envelope';
import { serveCommands, type CommandServer } from './command.server';
import type { MessagingLogger } from './messaging.logger';
import { delay, natsFixture, type NatsFixture } from './test/nats.fixture';

const ctx: CommandContext = { correlationId: 'req-42', causationId: 'req-42', actor: 'user-7' };

function written(id: string): WriteResult {
  return { id, version: 1, position: '1:1' };
}

function captureLogger(): MessagingLogger & { errors: string[] } {
  const errors: string[] = [];
  return { errors, warn: () => undefined, error: (message, ...context) => errors.push([message, ...context].join(' ')) };
}

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}

describe('command request/reply', () => {
  let f: NatsFixture;
  let bus: CommandBus;
  const servers: CommandServer[] = [];

  beforeAll(async () => {
    f = await natsFixture('messaging_commands');
    bus = new CommandBus(f.nc, f.names, { timeoutMs: 2_000 });
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.drain()));
  });

  afterAll(async () => {
    await f.cleanup();
  });

  it('round-trips a command and the handler sees its metadata and parsed data', async () => {
    const seen: Command[] = [];
    servers.push(
      serveCommands(f.nc, f.names, 'hierarchy', {
        CreateProject: async (data, command) => {
          seen.push(command);
          return Promise.resolve(written(data.projectId));
        },
      }),
    );
    const projectId = randomUUID();

    const result = await bus.send('CreateProject', { projectId, organizationId: randomUUID(), name: 'Repository' }, ctx);

    expect(result).toEqual(written(projectId));
    expect(seen).toHaveLength(1);
    const [command] = seen;
    expect(command?.metadata).toMatchObject({ correlationId: 'req-42', causationId: 'req-42', actor: 'user-7' });
    expect(command?.metadata.commandId).toMatch(/^[0-9a-f-]{36}$/);
    expect(command?.data).toMatchObject({ projectId, description: '' });
  });

  it('puts the correlation, causation and actor in NATS headers', async () => {
    const subject = f.names.command('hierarchy', 'RenameOrganization');
    const received = new Promise<Msg>((resolve) => {
      const sub = f.nc.subscribe(subject, {
        max: 1,
        callback: (_err, msg) => {
          resolve(msg);
          msg.respond(new TextEncoder().encode(JSON.stringify({ ok: true, value: written('x') })));
          sub.unsubscribe();
        },
      });
    });

    await bus.send('RenameOrganization', { organizationId: randomUUID(), name: 'Acme' }, ctx);
    const msg = await received;

    expect(msg.headers?.get(COMMAND_HEADERS.correlationId)).toBe('req-42');
    expect(msg.headers?.get(COMMAND_HEADERS.causationId)).toBe('req-42');
    expect(msg.headers?.get(COMMAND_HEADERS.actor)).toBe('user-7');
  });

  it('answers invalid data with validation_failed and field paths, without running the handler', async () => {
    let ran = false;
    servers.push(
      serveCommands(f.nc, f.names, 'hierarchy', {
        CreateOrganization: async (data) => {
          ran = true;
          return Promise.resolve(written(data.organizationId));
        },
      }),
    );

    const error = await rejection(bus.send('CreateOrganization', { organizationId: 'not-a-uuid', name: '' }, ctx));

    expect(error.code).toBe('validation_failed');
    expect([...new Set(error.errors?.map((e) => e.field))].sort()).toEqual(['name', 'organizationId']);
    expect(ran).toBe(false);
  });

  it('passes a DomainError from the handler through with its code, message and field errors', async () => {
    servers.push(
      serveCommands(f.nc, f.names, 'hierarchy', {
        CreateOrganization: () =>
          Promise.reject(new DomainError('already_exists', 'An organization named Acme exists', [{ field: 'name', message: 'taken' }])),
      }),
    );

    const error = await rejection(bus.send('CreateOrganization', { organizationId: randomUUID(), name: 'Acme' }, ctx));

    expect(error.toBody()).toEqual({
      code: 'already_exists',
      message: 'An organization named Acme exists',
      errors: [{ field: 'name', message: 'taken' }],
    });
  });

  it('answers an unexpected error as internal with a generic message and logs the real one', async () => {
    const logger = captureLogger();
    servers.push(
      serveCommands(
        f.nc,
        f.names,
        'hierarchy',
        { DeleteSite: () => Promise.reject(new Error('connection to 10.0.0.5 refused, password=hunter2')) },
        { logger },
      ),
    );

    const error = await rejection(bus.send('DeleteSite', { siteId: randomUUID() }, ctx));

    expect(error.code).toBe('internal');
    expect(error.message).not.toContain('hunter2');
    expect(logger.errors.join('\n')).toContain('connection to 10.0.0.5 refused');
    expect(logger.errors.join('\n')).toContain('req-42');
  });

  it('fails fast with unavailable when no service handles the command', async () => {
    const started = Date.now();

    const error = await rejection(bus.send('RevokeApiKey', { keyId: 'k1' }, ctx, { timeoutMs: 5_000 }));

    expect(error.code).toBe('unavailable');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('gives up with unavailable when the handler does not answer in time', async () => {
    let release: () => void = () => undefined;
    servers.push(
      serveCommands(f.nc, f.names, 'hierarchy', {
        UpdateSite: async (data) => {
          await new Promise<void>((resolve) => (release = resolve));
          return written(data.siteId);
        },
      }),
    );
    const started = Date.now();

    const error = await rejection(bus.send('UpdateSite', { siteId: randomUUID() }, ctx, { timeoutMs: 200 }));

    expect(error.code).toBe('unavailable');
    expect(Date.now() - started).toBeLessThan(1_000);
    release();
  });

  it('answers a body that is not JSON with validation_failed', async () => {
    servers.push(serveCommands(f.nc, f.names, 'hierarchy', { DeleteProject: (data) => Promise.resolve({ ...written(data.projectId), deleted: [] }) }));

    const reply = await f.nc.request(f.names.command('hierarchy', 'DeleteProject'), new TextEncoder().encode('{oops'), { timeout: 1_000 });

    expect(JSON.parse(new TextDecoder().decode(reply.data))).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
  });

  it('shares commands between replicas in one queue group and answers each once', async () => {
    const handledBy: Record<string, string[]> = { a: [], b: [] };
    const replica = async (name: 'a' | 'b') => {
      const nc = await f.connectAgain();
      return serveCommands(nc, f.names, 'hierarchy', {
        CreateSite: async (data: CommandData<'CreateSite'>) => {
          handledBy[name]?.push(data.siteId);
          await delay(5);
          return written(data.siteId);
        },
      });
    };
    servers.push(await replica('a'), await replica('b'));
    const siteIds = Array.from({ length: 40 }, () => randomUUID());

    const results = await Promise.all(
      siteIds.map((siteId) => bus.send('CreateSite', { siteId, projectId: randomUUID(), name: 'prod', compose: 'services: {}' }, ctx)),
    );

    expect(results.map((r) => r.id)).toEqual(siteIds);
    expect(handledBy['a']?.length).toBeGreaterThan(0);
    expect(handledBy['b']?.length).toBeGreaterThan(0);
    expect([...(handledBy['a'] ?? []), ...(handledBy['b'] ?? [])].sort()).toEqual([...siteIds].sort());
  });

  it('drain() waits for a command in progress and still delivers its reply', async () => {
    let entered: () => void = () => undefined;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    const server = serveCommands(f.nc, f.names, 'hierarchy', {
      ReviseSiteCompose: async (data) => {
        entered();
        await delay(300);
        return { ...written(data.siteId), revision: 2 };
      },
    });
    const siteId = randomUUID();

    const reply = bus.send('ReviseSiteCompose', { siteId, compose: 'services: {}' }, ctx);
    await inHandler;
    await server.drain();

    await expect(reply).resolves.toEqual({ ...written(siteId), revision: 2 });
    const after = await rejection(bus.send('ReviseSiteCompose', { siteId, compose: 'services: {}' }, ctx));
    expect(after.code).toBe('unavailable');
  });

  it('refuses to serve a command owned by another service', () => {
    expect(() =>
      serveCommands(f.nc, f.names, 'identity', { CreateOrganization: () => Promise.resolve(written('x')) }),
    ).toThrow('CreateOrganization is handled by the hierarchy service, not identity');
  });
});
