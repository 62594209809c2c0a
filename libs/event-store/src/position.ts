/**
 * The read cursor of the event store: the pair (transaction id, global
 * position), ARCHITECTURE.md rule 3. Readers order by this pair, so the pair —
 * never the global position alone — says how far a reader got.
 *
 * Outside the process it travels as an opaque token `<txId>.<globalPosition>`.
 */
export class Position {
  static readonly start = new Position(0n, 0n);

  private constructor(
    readonly txId: bigint,
    readonly globalPosition: bigint,
  ) {}

  static of(txId: bigint | string, globalPosition: bigint | string): Position {
    return new Position(BigInt(txId), BigInt(globalPosition));
  }

  /** Parses a token; returns undefined when it is not one (callers turn that into a 400). */
  static parse(token: string): Position | undefined {
    const match = /^(\d{1,20})\.(\d{1,20})$/.exec(token);
    if (!match?.[1] || !match[2]) return undefined;
    return new Position(BigInt(match[1]), BigInt(match[2]));
  }

  compare(other: Position): -1 | 0 | 1 {
    if (this.txId !== other.txId) return this.txId < other.txId ? -1 : 1;
    if (this.globalPosition !== other.globalPosition) return this.globalPosition < other.globalPosition ? -1 : 1;
    return 0;
  }

  isAfter(other: Position): boolean {
    return this.compare(other) > 0;
  }

  /** True when a reader at this cursor has seen the event at `other`. */
  covers(other: Position): boolean {
    return this.compare(other) >= 0;
  }

  toString(): string {
    return `${this.txId}.${this.globalPosition}`;
  }
}
