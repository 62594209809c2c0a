import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Authenticator } from './authenticator';

/** Every Nest route needs an API key (see `Authenticator`). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(@Inject(Authenticator) private readonly authenticator: Authenticator) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const outcome = this.authenticator.authenticate(
      context.switchToHttp().getRequest<FastifyRequest>(),
    );
    return outcome instanceof Promise ? outcome.then(() => true) : true;
  }
}
