import t from 'tap';
import { hexToBytes } from './items.js';
import { collectionFields, elementUsage, findReport, parseDescriptor, usageAt, usageCount, type ReportField } from './parser.js';
import {
  blackwire3220Interface,
  blackwire3220Telephony,
  evolve2LikeTelephony,
  fixtureBytes,
  jabraStyleTelephony,
  logitechH540Consumer,
} from '../test-support/descriptors.js';

/** [bitOffset, size, count, rawFlags, usages as "PP:UU" or "PP:UU-UU"] for compact comparison. */
function shape(fields: ReportField[]): Array<[number, number, number, number, string]> {
  const hx = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');
  return fields.map((f) => [
    f.bitOffset,
    f.size,
    f.count,
    f.rawFlags,
    f.usages.map((u) => (u.min === u.max ? `${hx(u.page)}:${hx(u.min)}` : `${hx(u.page)}:${hx(u.min)}-${hx(u.max)}`)).join(' '),
  ]);
}

t.test('Blackwire 3220 telephony: report 8 input and one 1-byte output report per LED', async (t) => {
  const p = parseDescriptor(fixtureBytes(blackwire3220Telephony));
  t.equal(p.items.length, 55, "54 two-byte items and End Collection");
  t.same(p.warnings, []);
  t.equal(p.usesReportIds, true);
  t.equal(p.collections.length, 1);
  t.match(p.collections[0], { type: 1, typeName: 'Application', usagePage: 0x0b, usage: 0x05, depth: 0 });
  const input = findReport(p, 'input', 8);
  t.ok(input);
  t.equal(input?.byteLength, 1);
  t.same(shape(input?.fields ?? []), [
    [0, 1, 1, 0x06, '0B:2F'],
    [1, 1, 2, 0x22, '0B:20 0B:21'],
    [3, 1, 5, 0x01, ''],
  ]);
  t.match(input?.fields[0]?.flags, { constant: false, variable: true, relative: true, noPreferred: false, nullState: false });
  t.match(input?.fields[1]?.flags, { constant: false, variable: true, relative: false, noPreferred: true });
  t.equal(input?.fields[2]?.isPadding, true);
  const outputs = p.reports.filter((r) => r.kind === 'output');
  t.same(outputs.map((r) => r.id), [0x09, 0x17, 0x18, 0x1e, 0x20, 0x2a]);
  for (const r of outputs) {
    t.equal(r.byteLength, 1);
    t.same(shape(r.fields), [
      [0, 1, 1, 0x22, `08:${r.id.toString(16).toUpperCase().padStart(2, '0')}`],
      [1, 1, 7, 0x01, ''],
    ]);
  }
  for (const f of [...(input?.fields ?? []), ...outputs.flatMap((r) => r.fields)]) {
    t.equal(f.logicalMin, 0);
    t.equal(f.logicalMax, 1);
    t.equal(f.collection, p.collections[0]);
  }
});

t.test('Jabra-style telephony: bit layout as nondebug/jabra-webhid-demo documents it', async (t) => {
  const p = parseDescriptor(fixtureBytes(jabraStyleTelephony));
  t.same(p.warnings, []);
  const input = findReport(p, 'input', 2);
  t.equal(input?.byteLength, 2);
  t.same(shape(input?.fields ?? []), [
    [0, 1, 2, 0x22, '0B:20 0B:97'],
    [2, 1, 4, 0x06, '0B:2F 0B:21 0B:24 0B:50'],
    // `09 07 05 09 ... 81 02`: the Usage Page that follows the usage applies at the Main item.
    [6, 1, 1, 0x02, '09:07'],
    [7, 4, 1, 0x00, '0B:B0-BB'],
    [11, 1, 5, 0x01, ''],
  ]);
  const keypad = input?.fields[3];
  t.equal(keypad?.flags.variable, false);
  t.equal(keypad?.logicalMax, 11);
  t.match(keypad?.collection, { type: 2, typeName: 'Logical', usagePage: 0x0b, usage: 0x06, depth: 1 });
  t.equal(keypad?.collection?.parent, p.collections[0]);
  const output = findReport(p, 'output', 2);
  t.equal(output?.byteLength, 2);
  t.same(shape(output?.fields ?? []), [
    [0, 1, 5, 0x22, '08:17 08:09 08:18 08:20 08:21'],
    [5, 1, 1, 0x22, '0B:9E'],
    [6, 1, 10, 0x01, ''],
  ]);
  t.equal(collectionFields(p.collections[0]!).length, 8);
});

t.test('Constant fields that carry usages are kept, not treated as padding', async (t) => {
  const p = parseDescriptor(fixtureBytes(evolve2LikeTelephony));
  const input = findReport(p, 'input', 2);
  t.same(shape(input?.fields ?? []), [
    [0, 1, 3, 0x23, '0B:20 0B:97 0B:2A'],
    [3, 1, 4, 0x07, '0B:2F 0B:21 0B:24 0B:50'],
    [7, 4, 1, 0x00, '0B:B0-BB'],
    [11, 1, 1, 0x03, '0B:07'],
    [12, 1, 4, 0x01, ''],
  ]);
  t.equal(input?.fields[0]?.flags.constant, true);
  t.equal(input?.fields[0]?.isPadding, false);
  t.equal(input?.fields[1]?.isPadding, false);
  t.equal(input?.fields[4]?.isPadding, true);
});

t.test('Logitech H540: arrays with null state, nested logical collection, large vendor reports', async (t) => {
  const p = parseDescriptor(fixtureBytes(logitechH540Consumer));
  t.same(p.warnings, []);
  t.match(p.collections[0], { usagePage: 0x0c, usage: 0x01 });
  const r1 = findReport(p, 'input', 1);
  t.same(shape(r1?.fields ?? []), [
    [0, 1, 2, 0x02, '0C:E9 0C:EA'],
    [2, 1, 1, 0x06, '0C:E2'],
    [3, 1, 2, 0x03, '0C:00'],
    [5, 2, 1, 0x40, '09:01-02'],
    [7, 1, 1, 0x03, '0C:00'],
  ]);
  t.equal(r1?.byteLength, 1);
  t.equal(r1?.fields[2]?.isPadding, false, 'constant but it names a usage (Unassigned)');
  const buttons = r1?.fields[3];
  t.match(buttons?.flags, { variable: false, nullState: true });
  t.equal(buttons?.logicalMin, 1);
  t.equal(buttons?.logicalMax, 2);
  t.match(buttons?.collection, { typeName: 'Logical', usagePage: 0x0c, usage: 0x36 });
  t.same(
    p.reports.map((r) => [r.kind, r.id, r.byteLength]),
    [
      ['input', 1, 1],
      ['input', 2, 2],
      ['output', 3, 2],
      ['output', 4, 36],
      ['input', 5, 32],
      ['output', 6, 36],
      ['input', 7, 32],
    ],
  );
});

t.test('the Linux sysfs view (whole interface) holds both top-level collections', async (t) => {
  const p = parseDescriptor(blackwire3220Interface());
  t.same(p.collections.map((c) => [c.usagePage, c.usage]), [[0x0c, 0x01], [0x0b, 0x05]]);
  t.equal(findReport(p, 'input', 1)?.fields[0]?.collection, p.collections[0]);
  t.equal(findReport(p, 'input', 8)?.fields[0]?.collection, p.collections[1]);
});

t.test('usage helpers expand ranges and repeat the last usage for extra elements', async (t) => {
  const p = parseDescriptor(fixtureBytes(jabraStyleTelephony));
  const keypad = findReport(p, 'input', 2)!.fields[3]!;
  t.equal(usageCount(keypad), 12);
  t.same(usageAt(keypad, 11), { page: 0x0b, id: 0xbb });
  t.equal(usageAt(keypad, 12), undefined);
  const q = parseDescriptor(hexToBytes('05 08 A1 01 15 00 25 01 75 01 95 03 09 17 09 18 91 02 C0'));
  const leds = findReport(q, 'output', 0)!.fields[0]!;
  t.same(elementUsage(leds, 0), { page: 8, id: 0x17 });
  t.same(elementUsage(leds, 2), { page: 8, id: 0x18 });
  t.equal(q.usesReportIds, false);
});

t.test('4-byte usages keep their own page; delimiters keep the first usage; push/pop restore globals', async (t) => {
  const p = parseDescriptor(
    hexToBytes('05 01 A1 01 15 00 25 01 75 01 95 01 0B 2F 00 0B 00 81 02 A9 01 09 01 09 02 A9 00 81 02 A4 05 08 75 02 B4 09 30 81 02 C0'),
  );
  const f = findReport(p, 'input', 0)!.fields;
  t.same(shape(f), [
    [0, 1, 1, 0x02, '0B:2F'],
    [1, 1, 1, 0x02, '01:01'],
    [2, 1, 1, 0x02, '01:30'],
  ]);
});

t.test('logical ranges: signed only when the minimum is negative; unit exponent nibble', async (t) => {
  const p = parseDescriptor(hexToBytes('05 0B A1 01 15 FF 25 01 75 02 95 01 09 2F 81 06 15 00 25 FF 75 08 55 0E 09 20 81 02 C0'));
  const [a, b] = findReport(p, 'input', 0)!.fields;
  t.equal(a?.logicalMin, -1);
  t.equal(a?.logicalMax, 1);
  t.equal(b?.logicalMin, 0);
  t.equal(b?.logicalMax, 255);
  t.equal(b?.unitExponent, -2);
});

t.test('long items and odd fields are skipped with warnings, not errors', async (t) => {
  const p = parseDescriptor(hexToBytes('05 0B 09 05 A1 01 FE 02 10 AA BB 75 01 95 00 81 02 29 05 95 01 09 20 81 02 C0 81 02'));
  t.equal(findReport(p, 'input', 0)?.fields.length, 2);
  t.match(p.warnings, [/long item/, /Report Size 1 x Count 0/, /Usage Maximum without Usage Minimum/, /outside any collection/]);
});

t.test('structurally bad descriptors throw DescriptorError with a reason', async (t) => {
  const bad: Array<[string, RegExp]> = [
    ['C0', /End Collection without an open collection \(at byte 0\)/],
    ['05 0B 09 05 A1 01 09 20', /1 collection\(s\) not closed/],
    ['B4', /Pop without a matching Push/],
    ['85 00', /Report ID 0 is reserved/],
    ['86 00 01', /Report ID 256/],
    ['97 FF FF FF 7F', /Report Count \d+ is too large/],
    ['A1 01 75 20 96 00 10 81 02 81 02 C0', /input report 0 grows beyond 16384 bytes/],
    ['05 0B 09 05 A1 01 85', /truncated item 0x85/],
  ];
  for (const [hex, message] of bad) t.throws(() => parseDescriptor(hexToBytes(hex)), { name: 'DescriptorError', message }, hex);
});
