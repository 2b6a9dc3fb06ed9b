import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as headset from './index.js';
import { FakeClock } from './test-support/fake-clock.js';
import { FakeHidBackend } from './test-support/fake-backend.js';
import { fixtureBytes, jabraStyleTelephony } from './test-support/descriptors.js';

t.test('the public API does not reach into test-support', async (t) => {
  const src = readFileSync(fileURLToPath(new URL('./index.js', import.meta.url)), 'utf8');
  t.notMatch(src, /test-support/);
  for (const name of ['NodeHidBackend', 'listHeadsets', 'openHeadset', 'HeadsetController', 'HeadsetWatcher', 'describeHeadset', 'parseDescriptor']) {
    t.type((headset as Record<string, unknown>)[name], 'function', name);
  }
});

t.test('the daemon flow: list for inventory, open, subscribe, command, read counters', async (t) => {
  const clock = new FakeClock();
  const backend = new FakeHidBackend(clock);
  backend.plug('/dev/hidraw3', fixtureBytes(jabraStyleTelephony), [[0x0b, 0x05]], { vendorId: 0x0b0e, productId: 0x0422, product: 'Jabra EVOLVE LINK' }, 'jabra');
  const [entry] = await headset.listHeadsets(backend);
  t.match(entry, { path: '/dev/hidraw3', product: 'Jabra EVOLVE LINK', capabilities: { callControl: true } });
  const ctl = await headset.openHeadset(backend, entry!.path, { clock });
  const events: headset.HeadsetEvent[] = [];
  ctl.on('event', (e) => events.push(e));
  await ctl.ring(true);
  const dev = backend.opened[0]!;
  dev.pressCallButton();
  dev.sendRaw([0x09, 0x00]);
  await dev.settle();
  t.same(events.filter((e) => e.type !== 'state').map((e) => e.type), ['hook', 'answer', 'unknown-report']);
  t.equal(ctl.counters().unknownReports, 1);
  await ctl.close();
});
