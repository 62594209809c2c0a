import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { CommandExceptionFilter, NatsCommandTransport } from '@siteops/messaging';
import { NestPinoLogger, connectInfrastructure, startHealthServer, startRelay, type SiteopsApp } from '@siteops/runtime';
import { bootstrapPlatform } from './bootstrap/platform-bootstrap';
import { IdentityModule } from './identity.module';
import { identityMigrations } from './identity.migrations';
import { CommandRunner } from './shared/command-runner';

/**
 * The identity service: users, API keys and role grants. Started alone by
 * main.ts or next to the other apps by the all-in-one launcher.
 */
export const app: SiteopsApp = {
  name: 'identity',
  async start(config, options) {
    const infra = await connectInfrastructure(config, { service: 'identity', migrations: identityMigrations, health: options.health });
    // What has been started, so that close() — or a failed start — stops it in reverse.
    const stops: (() => Promise<unknown>)[] = [() => infra.close()];
    const close = async () => {
      for (const stop of stops.splice(0).reverse()) await stop();
    };
    try {
      await bootstrapPlatform({
        em: infra.em,
        store: infra.store,
        logger: infra.logger,
        adminEmail: config.adminEmail,
        dataDir: config.dataDir,
        print: options.print ?? ((text) => process.stdout.write(text)),
      });
      const runner = new CommandRunner(infra.em, infra.store);
      // Nest types its options bag as a class, but only ever reads its fields.
      // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
      const nest = await NestFactory.createMicroservice<MicroserviceOptions>(IdentityModule.withRunner(runner), {
        strategy: new NatsCommandTransport({ connection: infra.nc, names: infra.names, service: 'identity', queue: 'identity' }),
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
      infra.logger.info('identity service started');
      return { close };
    } catch (error) {
      await close().catch((closeError: unknown) => {
        infra.logger.error({ err: closeError }, 'cleanup after a failed start failed');
      });
      throw error;
    }
  },
};
