/**
 * The pure core of an aggregate, Emmett style: `decide` turns a command and
 * the current state into new events (or throws a `DomainError`), `evolve`
 * folds one event into the state, and the state of a stream is
 * `events.reduce(evolve, initialState())`. No I/O, no clock or id generator
 * of its own: whatever a decider needs of those is injected when it is built.
 */
export interface Decider<TCommand, TEvent, TState> {
  decide(command: TCommand, state: TState): TEvent[];
  evolve(state: TState, event: TEvent): TState;
  initialState(): TState;
}
