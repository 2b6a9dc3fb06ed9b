import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allFixtures, fixtureBytes } from './descriptors.js';

// edge-agent/dist/headset/test-support -> repository root is four levels up; the reference sits beside it.
const here = dirname(fileURLToPath(import.meta.url));
const referenceDir = process.env.OKNO_REFERENCE_DIR
  ? join(process.env.OKNO_REFERENCE_DIR, 'hid')
  : resolve(here, '../../../../../shared/reference/hid');

t.test('fixtures that copy a reference file match it byte for byte', { skip: existsSync(referenceDir) ? false : `reference folder ${referenceDir} is not here (set OKNO_REFERENCE_DIR)` }, async (t) => {
  const withFile = allFixtures.filter((f) => f.referenceFile);
  t.equal(withFile.length, 3);
  for (const f of withFile) {
    const text = readFileSync(join(referenceDir, `${f.referenceFile}.hex`), 'utf8');
    t.same([...fixtureBytes(f)], text.trim().split(/\s+/).map((b) => parseInt(b, 16)), f.name);
  }
});

t.test('fixture lengths are those the reference states', async (t) => {
  const lengths = Object.fromEntries(allFixtures.map((f) => [f.name, fixtureBytes(f).length]));
  t.equal(lengths['Plantronics Blackwire 3220 telephony'], 109);
  t.equal(lengths['Plantronics Blackwire 3220 consumer'], 71);
  t.equal(lengths['Logitech H540 consumer'], 120);
});
