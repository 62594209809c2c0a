import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { streams, type CommandData, type WriteResult } from '@siteops/contracts';
import { CommandRunner, appendContext, loadAggregate, unchanged, written } from '@siteops/event-store';
import { CommandRpcContext } from '@siteops/messaging';
import { apiKeyDecider } from './api-key.decider';

@Controller()
export class RevokeApiKeyHandler {
  private readonly decider = apiKeyDecider({ now: () => new Date() });

  constructor(@Inject(CommandRunner) private readonly runner: CommandRunner) {}

  @MessagePattern('RevokeApiKey')
  handle(@Payload() data: CommandData<'RevokeApiKey'>, @Ctx() context: CommandRpcContext): Promise<WriteResult> {
    const command = { type: 'RevokeApiKey' as const, data, metadata: context.getMetadata() };
    const stream = streams.apiKey(data.keyId);
    return this.runner.run(async (tx) => {
      const key = await loadAggregate(tx, this.runner.store, stream, this.decider);
      const events = this.decider.decide(command, key.state);
      // Revoking a revoked key changes nothing and says where the stream is.
      if (events.length === 0) return unchanged(tx, this.runner.store, data.keyId, key);
      const result = await this.runner.store.append(tx, stream, key.version, events, appendContext(command.metadata));
      return written(data.keyId, result);
    });
  }
}
