import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { streams, type CommandData, type WriteResult } from '@siteops/contracts';
import { CommandRunner, appendContext, checkPrecondition, loadAggregate, unchanged, written } from '@siteops/event-store';
import { CommandRpcContext } from '@siteops/messaging';
import { lockNode, nameTaken, nameTakenError, notFoundError, renameNode } from '../shared/hierarchy-nodes';
import { projectDecider } from './project.decider';

@Controller()
export class UpdateProjectHandler {
  constructor(@Inject(CommandRunner) private readonly runner: CommandRunner) {}

  @MessagePattern('UpdateProject')
  handle(@Payload() data: CommandData<'UpdateProject'>, @Ctx() context: CommandRpcContext): Promise<WriteResult> {
    const command = { type: 'UpdateProject' as const, data, metadata: context.getMetadata() };
    const { projectId: id, name, expectedVersion } = data;
    const stream = streams.project(id);
    const store = this.runner.store;
    return this.runner.run(
      async (tx) => {
        const node = await lockNode(tx, 'project', id, 'no key update');
        if (!node) throw notFoundError('project', id);
        const project = await loadAggregate(tx, store, stream, projectDecider);
        checkPrecondition(stream, expectedVersion, project.version);
        const events = projectDecider.decide(command, project.state);
        if (events.length === 0) return unchanged(tx, store, id, project);
        if (name !== undefined && name !== node.name) {
          if (await nameTaken(tx, node, name)) throw nameTakenError('project', name);
          await renameNode(tx, id, name);
        }
        return written(id, await store.append(tx, stream, project.version, events, appendContext(command.metadata)));
      },
      { stream, expectedVersion },
    );
  }
}
