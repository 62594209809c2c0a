import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { streams, type CommandData, type CommandResults } from '@siteops/contracts';
import { CommandRunner, appendContext, checkPrecondition, loadAggregate, unchanged, written } from '@siteops/event-store';
import { CommandRpcContext } from '@siteops/messaging';
import { lockNode, notFoundError } from '../shared/hierarchy-nodes';
import { siteDecider } from './site.decider';

/** A new compose revision; the same text again answers with the current revision. */
@Controller()
export class ReviseSiteComposeHandler {
  constructor(@Inject(CommandRunner) private readonly runner: CommandRunner) {}

  @MessagePattern('ReviseSiteCompose')
  handle(@Payload() data: CommandData<'ReviseSiteCompose'>, @Ctx() context: CommandRpcContext): Promise<CommandResults['ReviseSiteCompose']> {
    const command = { type: 'ReviseSiteCompose' as const, data, metadata: context.getMetadata() };
    const { siteId: id, expectedVersion } = data;
    const stream = streams.site(id);
    const store = this.runner.store;
    return this.runner.run(
      async (tx) => {
        if (!(await lockNode(tx, 'site', id, 'no key update'))) throw notFoundError('site', id);
        const site = await loadAggregate(tx, store, stream, siteDecider);
        checkPrecondition(stream, expectedVersion, site.version);
        const events = siteDecider.decide(command, site.state);
        const after = events.reduce((state, event) => siteDecider.evolve(state, event), site.state);
        const revision = after.status === 'none' ? 0 : after.composeRevision;
        if (events.length === 0) return { ...(await unchanged(tx, store, id, site)), revision };
        const result = await store.append(tx, stream, site.version, events, appendContext(command.metadata));
        return { ...written(id, result), revision };
      },
      { stream, expectedVersion },
    );
  }
}
