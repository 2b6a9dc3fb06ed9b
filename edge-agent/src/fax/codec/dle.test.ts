import t from 'tap';
import fc from 'fast-check';
import { DLE, ETX, SUB, SOH, EOT, DleDecoder, DteDataDecoder, dleStuff, pageTerminator } from './dle.js';
import { reverseBits, toFillOrder } from './bit-order.js';

function chunked(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  out.push(buf.subarray(prev));
  return out;
}

t.test('stuffed data with DLE ETX unstuffs to the original however it is chunked', async () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(400), { maxLength: 8 }), (data, cuts) => {
      const wire = Buffer.concat([dleStuff(data), pageTerminator(null), Buffer.from('\r\nOK\r\n')]);
      const dec = new DleDecoder(false);
      const parts: Buffer[] = [];
      let rest: Buffer | null = null;
      for (const c of chunked(wire, cuts)) {
        if (rest) {
          rest = Buffer.concat([rest, c]);
          continue;
        }
        const r = dec.push(c);
        parts.push(r.data);
        if (r.done) rest = r.rest;
      }
      return Buffer.concat(parts).equals(Buffer.from(data)) && rest?.toString() === '\r\nOK\r\n' && dec.invalidEscapes === 0;
    }),
  );
});

t.test('Class 2.0 receive: DLE SUB is two DLEs, debug text is skipped, stray escapes are dropped', async (t) => {
  const dec = new DleDecoder(true);
  const r = dec.push(Buffer.from([1, DLE, SUB, 2, DLE, SOH, 0x41, 0x42, DLE, EOT, 3, DLE, 0x7f, 4, DLE, ETX, 0x0d]));
  t.same([...r.data], [1, DLE, DLE, 2, 3, 4]);
  t.ok(r.done);
  t.same([...r.rest], [0x0d]);
  t.equal(dec.invalidEscapes, 1);
  t.equal(dec.debugBytes, 2);
  const c2 = new DleDecoder(false);
  t.same([...c2.push(Buffer.from([DLE, SUB, 5])).data], [5], 'Class 2 has no DLE SUB');
  t.equal(c2.invalidEscapes, 1);
});

t.test('DCE side decodes Class 2.0 page terminators DLE , ; . and Class 2 DLE ETX', async (t) => {
  for (const [ppm, ch] of [['MPS', 0x2c], ['EOM', 0x3b], ['EOP', 0x2e]] as const) {
    const d = new DteDataDecoder(true);
    const wire = Buffer.concat([dleStuff(Buffer.from([DLE, 9, DLE])), pageTerminator(ppm), Buffer.from('AT')]);
    t.equal(wire.at(-3), ch);
    const r = d.push(wire);
    t.same([...r.data], [DLE, 9, DLE]);
    t.same(r.end, { kind: 'ppm', ppm });
    t.equal(r.rest.toString(), 'AT');
  }
  const d2 = new DteDataDecoder(false);
  const a = d2.push(Buffer.from([7, DLE]));
  t.equal(a.end, null);
  const b = d2.push(Buffer.from([0x2e, DLE, ETX]));
  t.same([...Buffer.concat([a.data, b.data])], [7], "Class 2 treats DLE '.' as an invalid escape");
  t.same(b.end, { kind: 'etx' });
});

t.test('bit reversal', async (t) => {
  t.same([...reverseBits(Buffer.from([0x01, 0x80, 0x0f, 0xa0]))], [0x80, 0x01, 0xf0, 0x05]);
  t.same([...toFillOrder(Buffer.from([0x01]), 2, 2)], [0x01]);
  t.same([...toFillOrder(Buffer.from([0x01]), 1, 2)], [0x80]);
});
