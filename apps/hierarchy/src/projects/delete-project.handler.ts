import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { streams, type CommandData, type CommandResults } from '@siteops/contracts';
import { CommandRunner } from '@siteops/event-store';
import { CommandRpcContext } from '@siteops/messaging';
import { deleteResource } from '../deletion/delete-resource';

/** Deletes a project; with `cascade`, its sites first (see deleteResource). */
@Controller()
export class DeleteProjectHandler {
  constructor(@Inject(CommandRunner) private readonly runner: CommandRunner) {}

  @MessagePattern('DeleteProject')
  handle(@Payload() data: CommandData<'DeleteProject'>, @Ctx() context: CommandRpcContext): Promise<CommandResults['DeleteProject']> {
    const { projectId: id, cascade, expectedVersion } = data;
    return this.runner.run(
      (tx) => deleteResource(tx, this.runner.store, { level: 'project', id, cascade, expectedVersion, purgeVolumes: false }, context.getMetadata()),
      { stream: streams.project(id), expectedVersion },
    );
  }
}
