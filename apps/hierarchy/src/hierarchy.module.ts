import { Module, type DynamicModule } from '@nestjs/common';
import { CommandRunner } from '@siteops/event-store';
import { CreateOrganizationHandler } from './organizations/create-organization.handler';
import { DeleteOrganizationHandler } from './organizations/delete-organization.handler';
import { RenameOrganizationHandler } from './organizations/rename-organization.handler';
import { CreateProjectHandler } from './projects/create-project.handler';
import { DeleteProjectHandler } from './projects/delete-project.handler';
import { UpdateProjectHandler } from './projects/update-project.handler';
import { CreateSiteHandler } from './sites/create-site.handler';
import { DeleteSiteHandler } from './sites/delete-site.handler';
import { ReviseSiteComposeHandler } from './sites/revise-site-compose.handler';
import { UpdateSiteHandler } from './sites/update-site.handler';

/** The hierarchy command handlers, over the runner built from the app's connections. */
@Module({})
export class HierarchyModule {
  static withRunner(runner: CommandRunner): DynamicModule {
    return {
      module: HierarchyModule,
      controllers: [
        CreateOrganizationHandler,
        RenameOrganizationHandler,
        DeleteOrganizationHandler,
        CreateProjectHandler,
        UpdateProjectHandler,
        DeleteProjectHandler,
        CreateSiteHandler,
        UpdateSiteHandler,
        ReviseSiteComposeHandler,
        DeleteSiteHandler,
      ],
      providers: [{ provide: CommandRunner, useValue: runner }],
    };
  }
}
