import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { streams, type CommandData, type WriteResult } from '@siteops/contracts';
import { CommandRunner } from '@siteops/event-store';
import { CommandRpcContext } from '@siteops/messaging';
import { deleteResource } from '../deletion/delete-resource';

/** Deletes a site. Its containers, networks and edge block go when the deployer sees SiteDeleted. */
@Controller()
export class DeleteSiteHandler {
  constructor(@Inject(CommandRunner) private readonly runner: CommandRunner) {}

  @MessagePattern('DeleteSite')
  async handle(@Payload() data: CommandData<'DeleteSite'>, @Ctx() context: CommandRpcContext): Promise<WriteResult> {
    const { siteId: id, purgeVolumes, expectedVersion } = data;
    const { deleted: _deleted, ...result } = await this.runner.run(
      (tx) => deleteResource(tx, this.runner.store, { level: 'site', id, cascade: false, expectedVersion, purgeVolumes }, context.getMetadata()),
      { stream: streams.site(id), expectedVersion },
    );
    return result;
  }
}
