/**
 * The engine's timers (offer timeouts, wrap-up ends, relaxation and overflow thresholds, opening
 * hours): a heap of due times on the injected clock. Nothing here waits; the engine fires what is
 * due whenever it is asked to settle, and tells its host when it next needs to be woken.
 */
import { IndexedHeap, type HeapItem } from './heap.js';

export interface Timer extends HeapItem {
  readonly at: number;
  readonly seq: number;
  readonly fire: () => void;
}

export class TimerQueue {
  private readonly heap = new IndexedHeap<Timer>((a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq));
  private seq = 0;

  get size(): number {
    return this.heap.size;
  }

  schedule(at: number, fire: () => void): Timer {
    const timer: Timer = { at, seq: this.seq++, fire, heapPos: -1 };
    this.heap.push(timer);
    return timer;
  }

  cancel(timer: Timer | undefined): void {
    if (timer) this.heap.remove(timer);
  }

  /** When the earliest timer is due, if any. */
  nextAt(): number | undefined {
    return this.heap.peek()?.at;
  }

  /** Takes the earliest timer due at or before `now`, if any. */
  takeDue(now: number): Timer | undefined {
    const top = this.heap.peek();
    if (top === undefined || top.at > now) return undefined;
    return this.heap.pop();
  }
}
