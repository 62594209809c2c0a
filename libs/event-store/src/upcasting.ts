/**
 * Event schemas evolve by upcasting on read; stored events are never
 * rewritten (ARCHITECTURE.md rule 6). An upcaster turns one stored shape of a
 * type into the next; chains run until no upcaster matches the result.
 */
export interface StoredShape {
  type: string;
  data: unknown;
  metadata: unknown;
}

export type Upcaster = (event: StoredShape) => { type: string; data: unknown };

export class Upcasters {
  private readonly byType = new Map<string, Upcaster[]>();

  /** Registers an upcaster for events stored with `type`. */
  register(type: string, upcaster: Upcaster): this {
    const list = this.byType.get(type) ?? [];
    list.push(upcaster);
    this.byType.set(type, list);
    return this;
  }

  apply(event: StoredShape): { type: string; data: unknown } {
    let current: { type: string; data: unknown } = { type: event.type, data: event.data };
    const visited = new Set<string>();
    // Each type's list runs once, in registration order; an upcaster that
    // renames the type hands over to the new type's list.
    while (!visited.has(current.type)) {
      const type = current.type;
      visited.add(type);
      for (const upcaster of this.byType.get(type) ?? []) {
        current = upcaster({ type: current.type, data: current.data, metadata: event.metadata });
        if (current.type !== type) break;
      }
      if (current.type === type) return current;
    }
    throw new Error(`Upcasters for ${event.type} form a cycle`);
  }
}
