import { Controller, Module, type INestMicroservice, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, MessagePattern, Payload, type CustomStrategy } from '@nestjs/microservices';
import { DomainError, type CommandData, type CommandMetadata, type WriteResult } from '@siteops/contracts';
import { eventually } from '@siteops/testing';
import { randomUUID } from 'node:crypto';
import { CommandBus } from './command.bus';
import type { CommandContext } from './command.envelope';
import { CommandExceptionFilter, CommandRpcContext, NatsCommandTransport } from './nats-command.transport';
import { delay, natsFixture, type NatsFixture } from './test/nats.fixture';

@Controller()
class HierarchyCommandsController {
  readonly seen: { data: CommandData<'CreateProject'>; metadata: CommandMetadata }[] = [];

  @MessagePattern('CreateProject')
  async createProject(@Payload() data: CommandData<'CreateProject'>, @Ctx() ctx: CommandRpcContext): Promise<WriteResult> {
    this.seen.push({ data, metadata: ctx.getMetadata() });
    await delay(100);
    return { id: data.projectId, version: 1, position: '9:9' };
  }

  @MessagePattern('DeleteOrganization')
  deleteOrganization(): never {
    throw new DomainError('has_children', 'The organization still has projects');
  }

  @MessagePattern('RenameOrganization')
  renameOrganization(): never {
    throw new Error('disk full at /var/lib/postgresql');
  }
}

@Module({ controllers: [HierarchyCommandsController] })
class HierarchyCommandsModule {}

@Controller()
class EventListenerController {
  @EventPattern('SiteUpdated')
  onSiteUpdated(): void {
    // Never called: the transport refuses event handlers at startup.
  }
}

@Module({ controllers: [EventListenerController] })
class EventListenerModule {}

const ctx: CommandContext = { correlationId: 'req-nest', causationId: 'req-nest', actor: 'user-9' };

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}

describe('NatsCommandTransport (Nest)', () => {
  let f: NatsFixture;
  let bus: CommandBus;

  beforeAll(async () => {
    f = await natsFixture('messaging_nest');
    bus = new CommandBus(f.nc, f.names, { timeoutMs: 2_000 });
  });

  afterAll(async () => {
    await f.cleanup();
  });

  function microservice(module: Type): Promise<INestMicroservice> {
    const options: CustomStrategy & { logger: false } = {
      strategy: new NatsCommandTransport({ connection: f.nc, names: f.names, service: 'hierarchy' }),
      logger: false,
    };
    // Nest types its options as a class it does not export; a plain object is what its docs pass.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
    return NestFactory.createMicroservice(module, options);
  }

  async function startApp(module: Type, withFilter: boolean): Promise<INestMicroservice> {
    const app = await microservice(module);
    if (withFilter) app.useGlobalFilters(new CommandExceptionFilter());
    await app.listen();
    return app;
  }

  describe('with CommandExceptionFilter', () => {
    let app: INestMicroservice;

    beforeAll(async () => {
      app = await startApp(HierarchyCommandsModule, true);
    });

    afterAll(async () => {
      await app.close();
    });

    it('serves @MessagePattern handlers with the parsed data and the command metadata', async () => {
      const projectId = randomUUID();

      const result = await bus.send('CreateProject', { projectId, organizationId: randomUUID(), name: 'Portal' }, ctx);

      expect(result).toEqual({ id: projectId, version: 1, position: '9:9' });
      const controller = app.get(HierarchyCommandsController);
      const seen = controller.seen.find((s) => s.data.projectId === projectId);
      expect(seen?.data).toMatchObject({ name: 'Portal', description: '' });
      expect(seen?.metadata).toMatchObject({ correlationId: 'req-nest', actor: 'user-9' });
    });

    it('rejects invalid data with field errors before the controller runs', async () => {
      const before = app.get(HierarchyCommandsController).seen.length;

      const error = await rejection(bus.send('CreateProject', { projectId: randomUUID(), organizationId: randomUUID(), name: '!bad' }, ctx));

      expect(error.code).toBe('validation_failed');
      expect(error.errors?.map((e) => e.field)).toEqual(['name']);
      expect(app.get(HierarchyCommandsController).seen).toHaveLength(before);
    });

    it('keeps the code of a DomainError thrown by the controller', async () => {
      const error = await rejection(bus.send('DeleteOrganization', { organizationId: randomUUID(), cascade: false }, ctx));

      expect(error.toBody()).toEqual({ code: 'has_children', message: 'The organization still has projects' });
    });

    it('answers any other error as internal without its details', async () => {
      const error = await rejection(bus.send('RenameOrganization', { organizationId: randomUUID(), name: 'Acme' }, ctx));

      expect(error.code).toBe('internal');
      expect(error.message).not.toContain('/var/lib/postgresql');
    });

    it('answers only for the patterns it has', async () => {
      const error = await rejection(bus.send('CreateSite', { siteId: randomUUID(), projectId: randomUUID(), name: 'prod', compose: 'x' }, ctx));

      expect(error.code).toBe('unavailable');
    });
  });

  it('without the filter, Nest hides DomainError codes and callers get internal', async () => {
    const app = await startApp(HierarchyCommandsModule, false);
    try {
      const error = await rejection(bus.send('DeleteOrganization', { organizationId: randomUUID(), cascade: true }, ctx));
      expect(error.code).toBe('internal');
    } finally {
      await app.close();
    }
  });

  it('close() finishes the command in progress and stops answering', async () => {
    const app = await startApp(HierarchyCommandsModule, true);
    const controller = app.get(HierarchyCommandsController);
    const projectId = randomUUID();
    const inFlight = bus.send('CreateProject', { projectId, organizationId: randomUUID(), name: 'Slow' }, ctx);
    await eventually(() => controller.seen.some((s) => s.data.projectId === projectId));

    await app.close();

    await expect(inFlight).resolves.toMatchObject({ id: projectId });
    expect((await rejection(bus.send('CreateProject', { projectId, organizationId: randomUUID(), name: 'Late' }, ctx))).code).toBe('unavailable');
  });

  it('refuses to start with an @EventPattern handler', async () => {
    const app = await microservice(EventListenerModule);

    await expect(app.listen()).rejects.toThrow('consume events with startEventConsumer');
    await app.close();
  });
});
