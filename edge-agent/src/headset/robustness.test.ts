import t from 'tap';
import { DescriptorError } from './descriptor/items.js';
import { parseDescriptor } from './descriptor/parser.js';
import { describeHeadset } from './describe.js';
import { decodeInput, fieldValues } from './report-codec.js';
import { buildTelephonyModel } from './telephony-model.js';
import { allFixtures, blackwire3220Interface, fixtureBytes } from './test-support/descriptors.js';

/** Deterministic PRNG (mulberry32) so a failure can be reproduced. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

t.test('mutated and truncated real descriptors either parse or throw DescriptorError, never anything else', async (t) => {
  const rand = rng(20240611);
  const bases = [...allFixtures.map(fixtureBytes), blackwire3220Interface()];
  let parsed = 0;
  let rejected = 0;
  let withCallControl = 0;
  for (let i = 0; i < 3000; i++) {
    const base = bases[i % bases.length] as Uint8Array;
    let bytes = Uint8Array.from(base);
    const mutations = 1 + Math.floor(rand() * 4);
    for (let m = 0; m < mutations; m++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
    if (rand() < 0.3) bytes = bytes.slice(0, Math.floor(rand() * bytes.length));
    try {
      const p = parseDescriptor(bytes);
      parsed++;
      const model = buildTelephonyModel(p);
      describeHeadset(bytes);
      // Feed every input report random bytes of the right and wrong lengths.
      for (const r of p.reports.filter((x) => x.kind === 'input').slice(0, 4)) {
        for (const len of [r.byteLength + 1, r.byteLength, 0]) {
          const data = Uint8Array.from({ length: Math.min(len, 64) }, () => Math.floor(rand() * 256));
          if (p.usesReportIds && data.length > 0) data[0] = r.id;
          const d = decodeInput(p, data);
          if (d.ok) fieldValues(d.report, d.payload);
        }
      }
      if (model.callControl) withCallControl++;
    } catch (err) {
      if (!(err instanceof DescriptorError)) {
        t.fail(`unexpected ${String(err)} for ${Buffer.from(bytes).toString('hex')}`);
        return;
      }
      rejected++;
    }
  }
  t.ok(parsed > 100, `${parsed} mutated descriptors parsed`);
  t.ok(rejected > 100, `${rejected} rejected with DescriptorError`);
  t.ok(withCallControl > 0, `${withCallControl} of them still have call control`);
});
