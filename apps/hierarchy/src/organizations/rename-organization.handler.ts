import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { streams, type CommandData, type WriteResult } from '@siteops/contracts';
import { CommandRunner, appendContext, checkPrecondition, loadAggregate, unchanged, written } from '@siteops/event-store';
import { CommandRpcContext } from '@siteops/messaging';
import { lockNode, nameTaken, nameTakenError, notFoundError, renameNode } from '../shared/hierarchy-nodes';
import { organizationDecider } from './organization.decider';

@Controller()
export class RenameOrganizationHandler {
  constructor(@Inject(CommandRunner) private readonly runner: CommandRunner) {}

  @MessagePattern('RenameOrganization')
  handle(@Payload() data: CommandData<'RenameOrganization'>, @Ctx() context: CommandRpcContext): Promise<WriteResult> {
    const command = { type: 'RenameOrganization' as const, data, metadata: context.getMetadata() };
    const { organizationId: id, name, expectedVersion } = data;
    const stream = streams.organization(id);
    const store = this.runner.store;
    return this.runner.run(
      async (tx) => {
        const node = await lockNode(tx, 'organization', id, 'no key update');
        if (!node) throw notFoundError('organization', id);
        const organization = await loadAggregate(tx, store, stream, organizationDecider);
        checkPrecondition(stream, expectedVersion, organization.version);
        const events = organizationDecider.decide(command, organization.state);
        if (events.length === 0) return unchanged(tx, store, id, organization);
        if (await nameTaken(tx, node, name)) throw nameTakenError('organization', name);
        await renameNode(tx, id, name);
        return written(id, await store.append(tx, stream, organization.version, events, appendContext(command.metadata)));
      },
      { stream, expectedVersion },
    );
  }
}
