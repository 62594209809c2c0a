import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CommandBus } from '@siteops/messaging';
import { ApiKeyGuard } from './auth/api-key.guard';
import { Authenticator } from './auth/authenticator';
import { WriteCommands } from './commands/write.commands';
import { API_CONTROLLERS } from './gateway.routes';
import { ReadModelCache } from './read-models/read-model.cache';

/** What the module is built from: objects made (and closed) by gateway.app.ts and gateway.server.ts. */
export interface GatewayModuleDependencies {
  cache: ReadModelCache;
  bus: CommandBus;
  authenticator: Authenticator;
}

@Module({})
export class GatewayModule {
  static with(deps: GatewayModuleDependencies): DynamicModule {
    return {
      module: GatewayModule,
      controllers: [...API_CONTROLLERS],
      providers: [
        { provide: ReadModelCache, useValue: deps.cache },
        { provide: CommandBus, useValue: deps.bus },
        { provide: Authenticator, useValue: deps.authenticator },
        WriteCommands,
        // Every controller route needs a key; health, metrics and docs are plain Fastify routes outside Nest.
        { provide: APP_GUARD, useClass: ApiKeyGuard },
      ],
    };
  }
}
