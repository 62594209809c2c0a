import type { Command, CommandMetadata } from '@siteops/contracts';

export const ACTOR = '6f1c2a8e-3b0d-4e4b-9a57-1f2d3c4b5a69';

/** A command as the transport hands it to a decider, with fixed metadata. */
export function command<TType extends string, TData>(type: TType, data: TData, metadata: Partial<CommandMetadata> = {}): Command<TType, TData> {
  return {
    type,
    data,
    metadata: { commandId: 'cmd-1', correlationId: 'corr-1', causationId: 'req-1', actor: ACTOR, at: '2030-01-01T00:00:00.000Z', ...metadata },
  };
}
