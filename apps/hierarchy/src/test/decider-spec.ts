import { DomainError, type Decider, type ErrorCode } from '@siteops/contracts';

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
