import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { streams, type CommandData, type WriteResult } from '@siteops/contracts';
import { CommandRunner, appendContext, lockStream, loadAggregate, written } from '@siteops/event-store';
import { CommandRpcContext } from '@siteops/messaging';
import { membersDecider } from './members.decider';

/**
 * Removes a user's direct role on one resource. The resource itself is not
 * checked: a grant left on a deleted resource may still be cleaned up.
 */
@Controller()
export class RevokeRoleHandler {
  constructor(@Inject(CommandRunner) private readonly runner: CommandRunner) {}

  @MessagePattern('RevokeRole')
  handle(@Payload() data: CommandData<'RevokeRole'>, @Ctx() context: CommandRpcContext): Promise<WriteResult> {
    const command = { type: 'RevokeRole' as const, data, metadata: context.getMetadata() };
    const { resource, userId } = data;
    const stream = streams.members(resource.level, resource.id);
    const store = this.runner.store;
    return this.runner.run(async (tx) => {
      await lockStream(tx, stream);
      const members = await loadAggregate(tx, store, stream, membersDecider);
      // Throws not_found when there is no direct grant, so there is always an event to append.
      const events = membersDecider.decide(command, members.state);
      const result = await store.append(tx, stream, members.version, events, appendContext(command.metadata));
      return written(userId, result);
    });
  }
}
