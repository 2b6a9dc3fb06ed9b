/**
 * A binary min-heap whose items know their own position, so an item can be removed in O(log n)
 * (a contact that is offered or abandoned leaves its bucket from anywhere in the heap), and an
 * in-order walk that does not disturb the heap (a freed operator looks past the contacts it was
 * told to skip without popping them).
 *
 * An item belongs to at most one IndexedHeap at a time: `heapPos` is that heap's index of it, -1
 * when it is in none.
 */
export interface HeapItem {
  heapPos: number;
}

export class IndexedHeap<T extends HeapItem> {
  private readonly items: T[] = [];

  /** `before(a, b)`: true when a must come out before b. Must be a strict order. */
  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  has(item: T): boolean {
    return item.heapPos >= 0 && this.items[item.heapPos] === item;
  }

  push(item: T): void {
    if (item.heapPos >= 0) throw new Error('IndexedHeap.push: the item is already in a heap');
    item.heapPos = this.items.length;
    this.items.push(item);
    this.up(item.heapPos);
  }

  pop(): T | undefined {
    const top = this.items[0];
    if (top !== undefined) this.removeAt(0);
    return top;
  }

  /** Removes `item` if it is in this heap; returns whether it was. */
  remove(item: T): boolean {
    if (!this.has(item)) return false;
    this.removeAt(item.heapPos);
    return true;
  }

  /** The items in no particular order (a live view: do not change the heap while reading it). */
  unordered(): readonly T[] {
    return this.items;
  }

  /**
   * The items best first, without changing the heap: a best-first walk of the heap's tree with a
   * small frontier, O(k log k) for the first k items. The heap must not change during the walk.
   */
  *ordered(): Generator<T, void, undefined> {
    const items = this.items;
    if (items.length === 0) return;
    const frontier: number[] = [0];
    const less = (i: number, j: number) => this.before(items[i] as T, items[j] as T);
    while (frontier.length > 0) {
      const i = popIndex(frontier, less);
      yield items[i] as T;
      const l = 2 * i + 1;
      if (l < items.length) pushIndex(frontier, l, less);
      if (l + 1 < items.length) pushIndex(frontier, l + 1, less);
    }
  }

  private removeAt(pos: number): void {
    const items = this.items;
    const gone = items[pos] as T;
    const last = items.pop() as T;
    gone.heapPos = -1;
    if (pos < items.length) {
      items[pos] = last;
      last.heapPos = pos;
      this.down(pos);
      this.up(last.heapPos);
    }
  }

  private up(pos: number): void {
    const items = this.items;
    const item = items[pos] as T;
    while (pos > 0) {
      const parentPos = (pos - 1) >> 1;
      const parent = items[parentPos] as T;
      if (!this.before(item, parent)) break;
      items[pos] = parent;
      parent.heapPos = pos;
      pos = parentPos;
    }
    items[pos] = item;
    item.heapPos = pos;
  }

  private down(pos: number): void {
    const items = this.items;
    const n = items.length;
    const item = items[pos] as T;
    for (;;) {
      const l = 2 * pos + 1;
      if (l >= n) break;
      const r = l + 1;
      let child = l;
      if (r < n && this.before(items[r] as T, items[l] as T)) child = r;
      const c = items[child] as T;
      if (!this.before(c, item)) break;
      items[pos] = c;
      c.heapPos = pos;
      pos = child;
    }
    items[pos] = item;
    item.heapPos = pos;
  }
}

function pushIndex(h: number[], v: number, less: (a: number, b: number) => boolean): void {
  h.push(v);
  let i = h.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!less(h[i] as number, h[p] as number)) break;
    [h[i], h[p]] = [h[p] as number, h[i] as number];
    i = p;
  }
}

function popIndex(h: number[], less: (a: number, b: number) => boolean): number {
  const top = h[0] as number;
  const last = h.pop() as number;
  if (h.length > 0) {
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      let c = l;
      if (l + 1 < h.length && less(h[l + 1] as number, h[l] as number)) c = l + 1;
      if (!less(h[c] as number, h[i] as number)) break;
      [h[i], h[c]] = [h[c] as number, h[i] as number];
      i = c;
    }
  }
  return top;
}
