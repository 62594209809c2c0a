import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { DomainError, streams, type CommandData, type WriteResult } from '@siteops/contracts';
import { CommandRunner, appendContext, written } from '@siteops/event-store';
import { CommandRpcContext } from '@siteops/messaging';
import { decideCreate } from '../shared/command-runner';
import { insertNode, nameTakenError } from '../shared/hierarchy-nodes';
import { foundingOwnerGrant } from './founding-owner';
import { organizationDecider } from './organization.decider';

@Controller()
export class CreateOrganizationHandler {
  constructor(@Inject(CommandRunner) private readonly runner: CommandRunner) {}

  @MessagePattern('CreateOrganization')
  handle(@Payload() data: CommandData<'CreateOrganization'>, @Ctx() context: CommandRpcContext): Promise<WriteResult> {
    const command = { type: 'CreateOrganization' as const, data, metadata: context.getMetadata() };
    const { organizationId: id, name } = data;
    const store = this.runner.store;
    return this.runner.run(async (tx) => {
      const events = decideCreate(organizationDecider, command);
      const inserted = await insertNode(tx, { id, level: 'organization', parentId: null, organizationId: id, name });
      if (inserted === 'name_taken') throw nameTakenError('organization', name);
      if (inserted === 'id_taken') throw new DomainError('already_exists', `Organization ${id} already exists`);
      // The organization and its founding owner in one append: an organization
      // never exists without an owner (see founding-owner.ts).
      const results = await store.appendMany(
        tx,
        [
          { streamId: streams.organization(id), expectedVersion: 'no_stream', events },
          { streamId: streams.members('organization', id), expectedVersion: 'no_stream', events: [foundingOwnerGrant(id, command.metadata.actor)] },
        ],
        appendContext(command.metadata),
      );
      const [created] = results;
      if (!created) throw new Error('appendMany returned no result for the organization');
      return written(id, created, results);
    });
  }
}
