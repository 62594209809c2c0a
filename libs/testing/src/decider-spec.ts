import { DomainError, type Command, type CommandMetadata, type Decider, type ErrorCode } from '@siteops/contracts';

/** The actor of every command built by `command(...)` unless the metadata names another. */
export const COMMAND_ACTOR = '6f1c2a8e-3b0d-4e4b-9a57-1f2d3c4b5a69';

/** A command as the transport hands it to a decider, with fixed metadata. */
export function command<TType extends string, TData>(type: TType, data: TData, metadata: Partial<CommandMetadata> = {}): Command<TType, TData> {
  return {
    type,
    data,
    metadata: { commandId: 'cmd-1', correlationId: 'corr-1', causationId: 'req-1', actor: COMMAND_ACTOR, at: '2030-01-01T00:00:00.000Z', ...metadata },
  };
}

/**
 * Given events / when command / then events, with Jest's strict equality.
 * (Emmett's DeciderSpecification matches events as subsets and mishandles
 * `null` fields, so an extra or wrong field could pass unnoticed.)
 */
export function specFor<TCommand, TEvent, TState>(decider: Decider<TCommand, TEvent, TState>) {
  return (given: TEvent[]) => ({
    when(command: TCommand) {
      const decide = () => decider.decide(command, given.reduce((state, event) => decider.evolve(state, event), decider.initialState()));
      return {
        then(expected: TEvent[]): void {
          expect(decide()).toEqual(expected);
        },
        thenNothingHappened(): void {
          expect(decide()).toEqual([]);
        },
        thenThrows(code: ErrorCode, fields?: string[]): DomainError {
          let thrown: unknown;
          try {
            decide();
          } catch (error) {
            thrown = error;
          }
          expect(thrown).toBeInstanceOf(DomainError);
          const error = thrown as DomainError;
          expect(error.code).toBe(code);
          if (fields) expect(error.errors?.map((e) => e.field)).toEqual(fields);
          return error;
        },
      };
    },
  });
}
