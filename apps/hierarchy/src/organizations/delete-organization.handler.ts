import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { streams, type CommandData, type CommandResults } from '@siteops/contracts';
import { CommandRunner } from '@siteops/event-store';
import { CommandRpcContext } from '@siteops/messaging';
import { deleteResource } from '../deletion/delete-resource';

/** Deletes an organization; with `cascade`, its projects and sites first (see deleteResource). */
@Controller()
export class DeleteOrganizationHandler {
  constructor(@Inject(CommandRunner) private readonly runner: CommandRunner) {}

  @MessagePattern('DeleteOrganization')
  handle(@Payload() data: CommandData<'DeleteOrganization'>, @Ctx() context: CommandRpcContext): Promise<CommandResults['DeleteOrganization']> {
    const { organizationId: id, cascade, expectedVersion } = data;
    return this.runner.run(
      (tx) => deleteResource(tx, this.runner.store, { level: 'organization', id, cascade, expectedVersion, purgeVolumes: false }, context.getMetadata()),
      { stream: streams.organization(id), expectedVersion },
    );
  }
}
