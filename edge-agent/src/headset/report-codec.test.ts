import t from 'tap';
import { parseDescriptor } from './descriptor/parser.js';
import { hexToBytes } from './descriptor/items.js';
import { decodeInput, fieldValues, OutputShadow, readLocation } from './report-codec.js';
import { buildTelephonyModel, findInput, findOutput } from './telephony-model.js';
import { blackwire3220Telephony, fixtureBytes, jabraStyleTelephony, logitechH540Consumer } from './test-support/descriptors.js';

const blackwire = parseDescriptor(fixtureBytes(blackwire3220Telephony));
const jabra = parseDescriptor(fixtureBytes(jabraStyleTelephony));

t.test('input reports: the first byte is the report ID when the descriptor declares IDs', async (t) => {
  const m = buildTelephonyModel(blackwire);
  const d = decodeInput(blackwire, Uint8Array.of(0x08, 0b010));
  t.equal(d.ok, true);
  if (!d.ok) return;
  t.equal(d.reportId, 8);
  t.equal(readLocation(d, findInput(m, 'hookSwitch')!.location), 1);
  t.equal(readLocation(d, findInput(m, 'phoneMute')!.location), 0);
  t.equal(readLocation(d, { reportId: 9, bitOffset: 0, bitSize: 1, signed: false }), undefined, 'another report');
});

t.test('unknown report IDs, wrong lengths and empty reports are reported, not thrown', async (t) => {
  t.same(decodeInput(blackwire, Uint8Array.of(0x03, 0x00)), { ok: false, reason: 'unknown-report-id', reportId: 3, length: 2, expectedLength: undefined });
  t.same(decodeInput(blackwire, Uint8Array.of(0x09, 0x01)), { ok: false, reason: 'unknown-report-id', reportId: 9, length: 2, expectedLength: undefined }, 'an output ID is not an input');
  t.same(decodeInput(blackwire, Uint8Array.of(0x08)), { ok: false, reason: 'wrong-length', reportId: 8, length: 1, expectedLength: 2 });
  t.same(decodeInput(jabra, Uint8Array.of(0x02, 0, 0, 0)), { ok: false, reason: 'wrong-length', reportId: 2, length: 4, expectedLength: 3 });
  t.same(decodeInput(jabra, new Uint8Array()), { ok: false, reason: 'empty', reportId: undefined, length: 0, expectedLength: undefined });
});

t.test('descriptors without report IDs: the whole buffer is report 0', async (t) => {
  const p = parseDescriptor(hexToBytes('05 0B 09 05 A1 01 15 00 25 01 75 01 95 01 09 20 81 22 95 07 81 01 05 08 09 17 95 01 91 22 95 07 91 01 C0'));
  const d = decodeInput(p, Uint8Array.of(0x01));
  t.match(d, { ok: true, reportId: 0 });
  const shadow = new OutputShadow(p);
  shadow.set(findOutput(buildTelephonyModel(p), 'offHook')!.location, 1);
  t.same([...shadow.encode(0)], [0x00, 0x01], 'hidapi wants a 0x00 report ID byte first');
});

t.test('Jabra output report 2: full length, every LED bit re-sent from the shadow', async (t) => {
  const m = buildTelephonyModel(jabra);
  const shadow = new OutputShadow(jabra);
  t.same(shadow.reportIds(), [2]);
  t.equal(shadow.set(findOutput(m, 'ring')!.location, 1), true);
  t.equal(shadow.set(findOutput(m, 'ringer')!.location, 1), true);
  t.same([...shadow.encode(2)], [0x02, 0b0010_0100, 0x00]);
  t.equal(shadow.set(findOutput(m, 'offHook')!.location, 1), true);
  t.equal(shadow.set(findOutput(m, 'ring')!.location, 0), true);
  t.equal(shadow.set(findOutput(m, 'ring')!.location, 0), false, 'no change');
  t.same([...shadow.encode(2)], [0x02, 0b0010_0001, 0x00], 'ringer stays on because it was not cleared');
  t.equal(shadow.get(findOutput(m, 'offHook')!.location), 1);
});

t.test('Blackwire outputs: each LED is its own 2-byte report', async (t) => {
  const m = buildTelephonyModel(blackwire);
  const shadow = new OutputShadow(blackwire);
  shadow.set(findOutput(m, 'mute')!.location, 1);
  t.same([...shadow.encode(0x09)], [0x09, 0x01]);
  t.same([...shadow.encode(0x17)], [0x17, 0x00]);
  t.throws(() => shadow.encode(0x08), /no output report 8/);
  t.throws(() => shadow.set({ reportId: 0x33, bitOffset: 0, bitSize: 1, signed: false }, 1), /no output report 51/);
});

t.test('fieldValues names every element, including array entries and constant fields with usages', async (t) => {
  const d = decodeInput(jabra, Uint8Array.of(0x02, 0b1000_0101, 0b0000_0001));
  t.ok(d.ok);
  if (!d.ok) return;
  const v = fieldValues(d.report, d.payload);
  t.same(v.map((x) => [x.label, x.value]), [
    ['Telephony Hook Switch', 1],
    ['Telephony Line Busy Tone', 0],
    ['Telephony Phone Mute', 1],
    ['Telephony Flash', 0],
    ['Telephony Redial', 0],
    ['Telephony Speed Dial', 0],
    ['Button 7', 0],
    ['Telephony Phone Key 3', 3],
  ]);
  const lp = parseDescriptor(fixtureBytes(logitechH540Consumer));
  const ld = decodeInput(lp, Uint8Array.of(0x01, 0b0100_0100));
  t.ok(ld.ok);
  if (!ld.ok) return;
  t.same(fieldValues(ld.report, ld.payload).map((x) => [x.label, x.value]), [
    ['Consumer Volume Increment', 0],
    ['Consumer Volume Decrement', 0],
    ['Consumer Mute', 1],
    ['Consumer Unassigned', 0],
    ['Consumer Unassigned', 0],
    ['Button 2', 2],
    ['Consumer Unassigned', 0],
  ]);
  const none = decodeInput(lp, Uint8Array.of(0x01, 0));
  t.equal(none.ok && fieldValues(none.report, none.payload)[5]?.label, '(none)', 'null state of the array');
});
