import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { DomainError, streams, type CommandData, type WriteResult } from '@siteops/contracts';
import { CommandRunner, appendContext, expectedFrom, loadAggregate, written } from '@siteops/event-store';
import { CommandRpcContext } from '@siteops/messaging';
import { claimEmail } from './user-emails';
import { userDecider } from './user.decider';

@Controller()
export class RegisterUserHandler {
  constructor(@Inject(CommandRunner) private readonly runner: CommandRunner) {}

  @MessagePattern('RegisterUser')
  handle(@Payload() data: CommandData<'RegisterUser'>, @Ctx() context: CommandRpcContext): Promise<WriteResult> {
    const command = { type: 'RegisterUser' as const, data, metadata: context.getMetadata() };
    const stream = streams.user(data.userId);
    return this.runner.run(async (tx) => {
      const user = await loadAggregate(tx, this.runner.store, stream, userDecider);
      const events = userDecider.decide(command, user.state);
      // The address is claimed in the transaction of the append: both happen or neither.
      const claim = await claimEmail(tx, data.email, data.userId);
      if (claim === 'email_taken') {
        throw new DomainError('already_exists', `A user with the e-mail address ${data.email} already exists`, [
          { field: 'email', message: 'is already registered (addresses are compared case-insensitively)' },
        ]);
      }
      if (claim === 'user_taken') throw new DomainError('already_exists', `User ${data.userId} already exists`);
      const result = await this.runner.store.append(tx, stream, expectedFrom(user.version), events, appendContext(command.metadata));
      return written(data.userId, result);
    });
  }
}
