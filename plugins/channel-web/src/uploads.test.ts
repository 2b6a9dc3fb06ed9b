import t from 'tap';
import { mkdirSync, existsSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@okno/testkit';
import { removeStaleUploads, uploadsDir } from './form.js';

t.test('uploads left by a crash are removed once old; fresh ones (maybe in flight) stay', async (t) => {
  const d = tempDir();
  t.teardown(d.cleanup);
  const core = { config: { dataDir: d.dir } } as Parameters<typeof uploadsDir>[0];
  t.equal(await removeStaleUploads(core), 0, 'no folder yet: nothing to do');
  const root = uploadsDir(core);
  for (const n of ['u-old', 'u-new']) {
    mkdirSync(join(root, n), { recursive: true });
    writeFileSync(join(root, n, 'f0'), 'x');
  }
  const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
  utimesSync(join(root, 'u-old'), twoHoursAgo, twoHoursAgo);
  t.equal(await removeStaleUploads(core), 1);
  t.notOk(existsSync(join(root, 'u-old')));
  t.ok(existsSync(join(root, 'u-new', 'f0')));
});
