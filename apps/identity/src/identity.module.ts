import { Module, type DynamicModule } from '@nestjs/common';
import { CommandRunner } from '@siteops/event-store';
import { IssueApiKeyHandler } from './api-keys/issue-api-key.handler';
import { RevokeApiKeyHandler } from './api-keys/revoke-api-key.handler';
import { GrantRoleHandler } from './members/grant-role.handler';
import { RevokeRoleHandler } from './members/revoke-role.handler';
import { RegisterUserHandler } from './users/register-user.handler';

/** The identity command handlers, over the runner built from the app's connections. */
@Module({})
export class IdentityModule {
  static withRunner(runner: CommandRunner): DynamicModule {
    return {
      module: IdentityModule,
      controllers: [RegisterUserHandler, IssueApiKeyHandler, RevokeApiKeyHandler, GrantRoleHandler, RevokeRoleHandler],
      providers: [{ provide: CommandRunner, useValue: runner }],
    };
  }
}
