import { CommandRunner } from '@siteops/event-store';
import { commandService, type SiteopsApp } from '@siteops/runtime';
import { bootstrapPlatform } from './bootstrap/platform-bootstrap';
import { IdentityModule } from './identity.module';
import { identityMigrations } from './identity.migrations';

/**
 * The identity service: users, API keys and role grants. Started alone by
 * main.ts or next to the other apps by the all-in-one launcher.
 */
export const app: SiteopsApp = commandService({
  name: 'identity',
  migrations: identityMigrations,
  async handlers(infra, options) {
    await bootstrapPlatform({
      em: infra.em,
      store: infra.store,
      logger: infra.logger,
      adminEmail: infra.config.adminEmail,
      dataDir: infra.config.dataDir,
      print: options.print ?? ((text) => process.stdout.write(text)),
    });
    return IdentityModule.withRunner(new CommandRunner(infra.em, infra.store));
  },
});
