import type { MigrationObject } from '@mikro-orm/core';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import type { ServiceName } from '@siteops/contracts';
import { CommandExceptionFilter, NatsCommandTransport } from '@siteops/messaging';
import type { AppStartOptions, SiteopsApp } from './app';
import { startHealthServer } from './health-server';
import { connectInfrastructure, type Infrastructure } from './infrastructure';
import { NestPinoLogger } from './logger';
import { startRelay } from './relay';

export interface CommandServiceDefinition {
  readonly name: ServiceName;
  /** The service's own migrations (its write-side tables). */
  readonly migrations: MigrationObject[];
  /**
   * Does what must happen before the service takes commands, then returns
   * the Nest module of its command handlers, built on the connections.
   */
  handlers(infra: Infrastructure, options: AppStartOptions): Promise<DynamicModule> | DynamicModule;
}

/**
 * A service that answers commands over NATS (a queue group named after it,
 * so replicas share the load) with Nest handlers; started alone by its
 * main.ts or next to the other apps by the all-in-one launcher.
 */
export function commandService(definition: CommandServiceDefinition): SiteopsApp {
  const { name: service } = definition;
  return {
    name: service,
    async start(config, options) {
      const infra = await connectInfrastructure(config, { service, migrations: definition.migrations, health: options.health });
      // What has been started, so that close() — or a failed start — stops it in reverse.
      const stops: (() => Promise<unknown>)[] = [() => infra.close()];
      const close = async () => {
        for (const stop of stops.splice(0).reverse()) await stop();
      };
      try {
        const handlers = await definition.handlers(infra, options);
        // Nest types its options bag as a class, but only ever reads its fields.
        // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
        const nest = await NestFactory.createMicroservice<MicroserviceOptions>(handlers, {
          strategy: new NatsCommandTransport({ connection: infra.nc, names: infra.names, service, queue: service }),
          logger: new NestPinoLogger(infra.logger),
        });
        stops.push(() => nest.close());
        nest.useGlobalFilters(new CommandExceptionFilter());
        await nest.listen();
        if (options.standalone) {
          const relay = await startRelay(infra);
          stops.push(() => relay.stop());
          const health = await startHealthServer(options.health, config.host, config.port);
          stops.push(() => health.close());
        }
        infra.logger.info(`${service} service started`);
        return { close };
      } catch (error) {
        await close().catch((closeError: unknown) => {
          infra.logger.error({ err: closeError }, 'cleanup after a failed start failed');
        });
        throw error;
      }
    },
  };
}
