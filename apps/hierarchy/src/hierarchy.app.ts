import { commandService, type SiteopsApp } from '@siteops/runtime';
import { HierarchyModule } from './hierarchy.module';
import { hierarchyMigrations } from './hierarchy.migrations';
import { hierarchyCommandRunner } from './shared/command-runner';

/**
 * The hierarchy service: organizations, projects and sites. Started alone by
 * main.ts or next to the other apps by the all-in-one launcher.
 */
export const app: SiteopsApp = commandService({
  name: 'hierarchy',
  migrations: hierarchyMigrations,
  handlers: (infra) => HierarchyModule.withRunner(hierarchyCommandRunner(infra.em, infra.store)),
});
