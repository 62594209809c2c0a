import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { DomainError, streams, type CommandData, type WriteResult } from '@siteops/contracts';
import { CommandRunner, appendContext, lockStream, expectedFrom, loadAggregate, unchanged, written } from '@siteops/event-store';
import { CommandRpcContext } from '@siteops/messaging';
import { resourceIsLive } from '../shared/hierarchy-resources';
import { membersDecider } from './members.decider';

/** Grants or changes a user's direct role on one resource. */
@Controller()
export class GrantRoleHandler {
  constructor(@Inject(CommandRunner) private readonly runner: CommandRunner) {}

  @MessagePattern('GrantRole')
  handle(@Payload() data: CommandData<'GrantRole'>, @Ctx() context: CommandRpcContext): Promise<WriteResult> {
    const command = { type: 'GrantRole' as const, data, metadata: context.getMetadata() };
    const { resource, userId } = data;
    const stream = streams.members(resource.level, resource.id);
    const store = this.runner.store;
    return this.runner.run(async (tx) => {
      if ((await store.streamVersion(tx, streams.user(userId))) === 0) {
        throw new DomainError('not_found', `User ${userId} does not exist`, [{ field: 'userId', message: 'no such user' }]);
      }
      if (!(await resourceIsLive(tx, store, resource))) {
        throw new DomainError('not_found', `The ${resource.level} ${resource.id} does not exist`);
      }
      await lockStream(tx, stream);
      const members = await loadAggregate(tx, store, stream, membersDecider);
      const events = membersDecider.decide(command, members.state);
      if (events.length === 0) return unchanged(tx, store, userId, members);
      const result = await store.append(tx, stream, expectedFrom(members.version), events, appendContext(command.metadata));
      return written(userId, result);
    });
  }
}
