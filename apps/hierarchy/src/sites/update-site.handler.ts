import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { streams, type CommandData, type WriteResult } from '@siteops/contracts';
import { CommandRunner, appendContext, checkPrecondition, loadAggregate, unchanged, written } from '@siteops/event-store';
import { CommandRpcContext } from '@siteops/messaging';
import { lockNode, nameTaken, nameTakenError, notFoundError, renameNode } from '../shared/hierarchy-nodes';
import { siteDecider } from './site.decider';

@Controller()
export class UpdateSiteHandler {
  constructor(@Inject(CommandRunner) private readonly runner: CommandRunner) {}

  @MessagePattern('UpdateSite')
  handle(@Payload() data: CommandData<'UpdateSite'>, @Ctx() context: CommandRpcContext): Promise<WriteResult> {
    const command = { type: 'UpdateSite' as const, data, metadata: context.getMetadata() };
    const { siteId: id, name, expectedVersion } = data;
    const stream = streams.site(id);
    const store = this.runner.store;
    return this.runner.run(
      async (tx) => {
        const node = await lockNode(tx, 'site', id, 'no key update');
        if (!node) throw notFoundError('site', id);
        const site = await loadAggregate(tx, store, stream, siteDecider);
        checkPrecondition(stream, expectedVersion, site.version);
        const events = siteDecider.decide(command, site.state);
        if (events.length === 0) return unchanged(tx, store, id, site);
        if (name !== undefined && name !== node.name) {
          if (await nameTaken(tx, node, name)) throw nameTakenError('site', name);
          await renameNode(tx, id, name);
        }
        return written(id, await store.append(tx, stream, site.version, events, appendContext(command.metadata)));
      },
      { stream, expectedVersion },
    );
  }
}
