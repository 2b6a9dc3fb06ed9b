import fc from 'fast-check';
import t from 'tap';
import { IndexedHeap } from './heap.js';

interface Item {
  v: number;
  id: number;
  heapPos: number;
}
const before = (a: Item, b: Item) => a.v < b.v || (a.v === b.v && a.id < b.id);
const sorted = (items: Item[]) => [...items].sort((a, b) => a.v - b.v || a.id - b.id).map((i) => i.id);

t.test('pop, remove from the middle and the ordered walk all give the heap order', async (t) => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 200 }), fc.array(fc.nat(), { maxLength: 60 }), (values, removals) => {
      const heap = new IndexedHeap<Item>(before);
      const items = values.map((v, id) => ({ v, id, heapPos: -1 }));
      for (const i of items) heap.push(i);
      const removed = new Set<number>();
      for (const r of removals) {
        const item = items[r % Math.max(1, items.length)];
        if (item && heap.remove(item)) removed.add(item.id);
      }
      const left = items.filter((i) => !removed.has(i.id));
      const walked = [...heap.ordered()].map((i) => i.id);
      const popped: number[] = [];
      for (let i = heap.pop(); i; i = heap.pop()) popped.push(i.id);
      return JSON.stringify(walked) === JSON.stringify(sorted(left)) && JSON.stringify(popped) === JSON.stringify(sorted(left)) && items.every((i) => i.heapPos === -1);
    }),
    { numRuns: 300 },
  );
  t.pass('heap order holds');
});

t.test('an item can be in one heap at a time, and removing a stranger does nothing', async (t) => {
  const a = new IndexedHeap<Item>(before);
  const b = new IndexedHeap<Item>(before);
  const x = { v: 1, id: 1, heapPos: -1 };
  a.push(x);
  t.throws(() => b.push(x), /already in a heap/);
  t.equal(b.remove(x), false);
  t.equal(a.remove(x), true);
  t.equal(a.size, 0);
});
