import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { DomainError, streams, type CommandData, type WriteResult } from '@siteops/contracts';
import { CommandRunner, appendContext, written } from '@siteops/event-store';
import { CommandRpcContext } from '@siteops/messaging';
import { decideCreate } from '../shared/command-runner';
import { insertNode, lockNode, nameTakenError } from '../shared/hierarchy-nodes';
import { projectDecider } from './project.decider';

@Controller()
export class CreateProjectHandler {
  constructor(@Inject(CommandRunner) private readonly runner: CommandRunner) {}

  @MessagePattern('CreateProject')
  handle(@Payload() data: CommandData<'CreateProject'>, @Ctx() context: CommandRpcContext): Promise<WriteResult> {
    const command = { type: 'CreateProject' as const, data, metadata: context.getMetadata() };
    const { projectId: id, organizationId, name } = data;
    const stream = streams.project(id);
    const store = this.runner.store;
    return this.runner.run(async (tx) => {
      // Held until commit: the organization cannot be deleted under the new project.
      const parent = await lockNode(tx, 'organization', organizationId, 'key share');
      if (!parent) {
        throw new DomainError('not_found', `Organization ${organizationId} does not exist`, [{ field: 'organizationId', message: 'no such organization' }]);
      }
      const events = decideCreate(projectDecider, command);
      const inserted = await insertNode(tx, { id, level: 'project', parentId: organizationId, organizationId, name });
      if (inserted === 'name_taken') throw nameTakenError('project', name);
      if (inserted === 'id_taken') throw new DomainError('already_exists', `Project ${id} already exists`);
      return written(id, await store.append(tx, stream, 'no_stream', events, appendContext(command.metadata)));
    });
  }
}
