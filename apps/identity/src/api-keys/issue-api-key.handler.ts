import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { DomainError, streams, type CommandData, type WriteResult } from '@siteops/contracts';
import { CommandRunner, appendContext, expectedFrom, loadAggregate, written } from '@siteops/event-store';
import { CommandRpcContext } from '@siteops/messaging';
import { resourceIsLive } from '../shared/hierarchy-resources';
import { apiKeyDecider } from './api-key.decider';

/**
 * Records a key the gateway generated. Only the SHA-256 of the secret ever
 * reaches this service; the key itself is shown to its user once, by the gateway.
 */
@Controller()
export class IssueApiKeyHandler {
  private readonly decider = apiKeyDecider({ now: () => new Date() });

  constructor(@Inject(CommandRunner) private readonly runner: CommandRunner) {}

  @MessagePattern('IssueApiKey')
  handle(@Payload() data: CommandData<'IssueApiKey'>, @Ctx() context: CommandRpcContext): Promise<WriteResult> {
    const command = { type: 'IssueApiKey' as const, data, metadata: context.getMetadata() };
    const stream = streams.apiKey(data.keyId);
    return this.runner.run(async (tx) => {
      if ((await this.runner.store.streamVersion(tx, streams.user(data.userId))) === 0) {
        throw new DomainError('not_found', `User ${data.userId} does not exist`, [{ field: 'userId', message: 'no such user' }]);
      }
      // The gateway resolved the scope's path to an id; it must still name a live resource.
      if (data.scope && !(await resourceIsLive(tx, this.runner.store, { level: data.scope.level, id: data.scope.resourceId }))) {
        throw new DomainError('not_found', `The ${data.scope.level} of the key's scope does not exist`, [
          { field: 'scope.resourceId', message: `no such ${data.scope.level}` },
        ]);
      }
      const key = await loadAggregate(tx, this.runner.store, stream, this.decider);
      const events = this.decider.decide(command, key.state);
      const result = await this.runner.store.append(tx, stream, expectedFrom(key.version), events, appendContext(command.metadata));
      return written(data.keyId, result);
    });
  }
}
