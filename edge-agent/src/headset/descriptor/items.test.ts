import t from 'tap';
import { DescriptorError, hexToBytes, tokenize } from './items.js';

t.test('short items: type, tag, size and little-endian data', async (t) => {
  const items = tokenize(hexToBytes('05 0B 26 FF 00 15 FF 97 01 00 00 80 C0'));
  t.same(items.map((i) => [i.offset, i.type, i.tag, i.size]), [
    [0, 'global', 0x0, 1],
    [2, 'global', 0x2, 2],
    [5, 'global', 0x1, 1],
    [7, 'global', 0x9, 4],
    [12, 'main', 0xc, 0],
  ]);
  t.equal(items[1]?.unsigned, 255);
  t.equal(items[1]?.signed, 255);
  t.equal(items[2]?.unsigned, 255);
  t.equal(items[2]?.signed, -1);
  t.equal(items[3]?.unsigned, 0x80000001);
  t.equal(items[3]?.signed, 0x80000001 - 2 ** 32);
});

t.test('a long item is read whole and the next item follows it', async (t) => {
  const items = tokenize(hexToBytes('FE 02 10 AA BB 09 01'));
  t.equal(items.length, 2);
  t.equal(items[0]?.type, 'long');
  t.equal(items[0]?.tag, 0x10);
  t.same([...(items[0]?.data ?? [])], [0xaa, 0xbb]);
  t.equal(items[1]?.offset, 5);
});

t.test('truncated and empty descriptors give a clear error with the offset', async (t) => {
  t.throws(() => tokenize(new Uint8Array()), { name: 'DescriptorError', message: /empty/ });
  const err = (() => {
    try {
      tokenize(hexToBytes('05 0B 09 05 A1 01 26 FF'));
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  t.ok(err instanceof DescriptorError);
  t.equal((err as DescriptorError).offset, 6);
  t.match((err as Error).message, /truncated item 0x26: needs 2 data bytes, 1 left \(at byte 6\)/);
  t.throws(() => tokenize(hexToBytes('FE 05 10 01')), { message: /truncated long item: needs 5 data bytes, 1 left/ });
  t.throws(() => tokenize(hexToBytes('09 01 FE 05')), { message: /truncated long item header/ });
});

t.test('hexToBytes accepts 0x prefixes and commas and rejects junk', async (t) => {
  t.same([...hexToBytes('0x05, 0x0b\n09')], [5, 11, 9]);
  t.throws(() => hexToBytes('05 0G'), /not a hex byte/);
});
