import t from 'tap';
import { readBits, writeBits } from './bits.js';

t.test('reads single bits LSB first', async (t) => {
  const p = Uint8Array.of(0b0000_0110);
  t.equal(readBits(p, 0, 1), 0);
  t.equal(readBits(p, 1, 1), 1);
  t.equal(readBits(p, 2, 1), 1);
  t.equal(readBits(p, 3, 1), 0);
});

t.test('reads a value that crosses a byte boundary', async (t) => {
  // Jabra keypad: 4 bits at bit 7 -> bit 7 of byte 0 and bits 0..2 of byte 1.
  const p = new Uint8Array(2);
  writeBits(p, 7, 4, 0b1011);
  t.same([...p], [0x80, 0x05]);
  t.equal(readBits(p, 7, 4), 11);
});

t.test('signed values and 32-bit values', async (t) => {
  const p = new Uint8Array(5);
  writeBits(p, 2, 2, -1);
  t.equal(readBits(p, 2, 2, true), -1);
  t.equal(readBits(p, 2, 2, false), 3);
  writeBits(p, 8, 32, 0xdeadbeef);
  t.equal(readBits(p, 8, 32), 0xdeadbeef);
  t.equal(readBits(p, 8, 32, true), 0xdeadbeef - 2 ** 32);
});

t.test('writing clears bits that were set', async (t) => {
  const p = Uint8Array.of(0xff);
  writeBits(p, 1, 2, 0);
  t.equal(p[0], 0b1111_1001);
});

t.test('out of range access', async (t) => {
  t.equal(readBits(new Uint8Array(1), 4, 8), undefined);
  t.throws(() => writeBits(new Uint8Array(1), 4, 8, 1), RangeError);
  t.throws(() => readBits(new Uint8Array(8), 0, 33), RangeError);
});
