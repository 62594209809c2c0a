import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { DomainError, streams, type CommandData, type WriteResult } from '@siteops/contracts';
import { CommandRunner, appendContext, written } from '@siteops/event-store';
import { CommandRpcContext } from '@siteops/messaging';
import { decideCreate } from '../shared/command-runner';
import { insertNode, lockNode, nameTakenError } from '../shared/hierarchy-nodes';
import { siteDecider } from './site.decider';

/** Creates a site with its first compose revision. */
@Controller()
export class CreateSiteHandler {
  constructor(@Inject(CommandRunner) private readonly runner: CommandRunner) {}

  @MessagePattern('CreateSite')
  handle(@Payload() data: CommandData<'CreateSite'>, @Ctx() context: CommandRpcContext): Promise<WriteResult> {
    const { siteId: id, projectId, name } = data;
    const stream = streams.site(id);
    const store = this.runner.store;
    return this.runner.run(async (tx) => {
      // Held until commit: the project cannot be deleted under the new site.
      const parent = await lockNode(tx, 'project', projectId, 'key share');
      if (!parent) {
        throw new DomainError('not_found', `Project ${projectId} does not exist`, [{ field: 'projectId', message: 'no such project' }]);
      }
      const organizationId = parent.organization_id;
      const command = { type: 'CreateSite' as const, data: { ...data, organizationId }, metadata: context.getMetadata() };
      const events = decideCreate(siteDecider, command);
      const inserted = await insertNode(tx, { id, level: 'site', parentId: projectId, organizationId, name });
      if (inserted === 'name_taken') throw nameTakenError('site', name);
      if (inserted === 'id_taken') throw new DomainError('already_exists', `Site ${id} already exists`);
      return written(id, await store.append(tx, stream, 'no_stream', events, appendContext(command.metadata)));
    });
  }
}
