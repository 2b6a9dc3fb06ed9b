/**
 * The ids seen lately, to drop QoS 1 redeliveries: a bounded set that forgets the oldest first.
 * (Effects that must never happen twice are also guarded in the database: unique event ids,
 * conditional updates of commands and timestamps of presence, inventory and telemetry.)
 */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity: number) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      // a Set iterates in insertion order: the first is the oldest
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
  }

  get size(): number {
    return this.ids.size;
  }
}
