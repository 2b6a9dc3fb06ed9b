import t from 'tap';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { tempDir, waitFor } from '@okno/testkit';
import { FakeHidBackend } from '../headset/test-support/fake-backend.js';
import { FakeClock } from '../headset/test-support/fake-clock.js';
import { blackwire3220Interface } from '../headset/test-support/descriptors.js';
import { HidHeadsets } from './headset-devices.js';
import { DeviceManager } from './devices.js';
import { startAedes } from './test-support/broker.js';
import { CoreObserver } from './test-support/core-observer.js';
import { testAgent } from './test-support/agent-rig.js';

async function need<T>(what: string, check: () => T | undefined, timeoutMs?: number): Promise<T> {
  return (await waitFor(what, check, timeoutMs))!;
}

t.test('a headset plugged in appears in the inventory, takes commands from the core, reports its buttons, and leaves on unplug', async (t) => {
  const dev = tempDir('okno-dev-');
  const spool = tempDir('okno-agent-');
  const broker = await startAedes();
  const core = await CoreObserver.connect(broker.url);
  const backend = new FakeHidBackend(new FakeClock());
  const headsets = new HidHeadsets({ backend, logger: pino({ level: 'silent' }), watcher: { devDir: dev.dir, settleMs: 20, rescanMs: 3_600_000 } });
  const addr = { site: 'cao', agent: 'hs-1' };
  const agent = testAgent({ url: broker.url, ...addr, spoolDir: spool.dir, devices: new DeviceManager({ headsets }) });
  t.teardown(async () => {
    await agent.stop();
    await core.close();
    await broker.close();
    dev.cleanup();
    spool.cleanup();
  });
  await agent.start();
  await need('empty inventory', () => core.of('inventory', addr).find((s) => s.msg.headsets.length === 0));

  const path = join(dev.dir, 'hidraw4');
  backend.plug(path, blackwire3220Interface(), [[0x0c, 0x01], [0x0b, 0x05], [0xffa0, 0x03]], { vendorId: 0x047f, productId: 0xc056, product: 'Plantronics Blackwire 3220 Series', manufacturer: 'Plantronics' }, 'blackwire');
  writeFileSync(path, '');
  const inv = await need('inventory with the headset', () => core.of('inventory', addr).find((s) => s.msg.headsets.length === 1));
  const h = inv.msg.headsets[0]!;
  t.equal(h.id, path);
  t.equal(h.vendorId, 0x047f);
  t.same(h.controls, { hookSwitch: 'level', phoneMute: 'toggle', flash: 'level', redial: 'absent' });
  t.same(h.leds, { offHook: true, ring: true, mute: true, hold: true, microphone: false });
  await need('device.added event', () => core.of('events', addr).find((s) => s.msg.event.type === 'device.added'));

  const ring = await core.result((await core.command(addr, 'headset.ring', { headsetId: path, on: true })).id);
  t.same(ring.result, { offHook: false, muted: false, ringing: true }, 'ringing');
  const fake = backend.opened.at(-1)!;
  fake.pressCallButton();
  const hook = await need('hook event', () => core.of('events', addr).find((s) => s.msg.event.type === 'headset.hook'));
  t.same(hook.msg.event, { type: 'headset.hook', headsetId: path, offHook: true });
  const missing = await core.result((await core.command(addr, 'headset.muteLed', { headsetId: '/dev/hidraw99', muted: true })).id);
  t.equal(missing.error?.code, 'device-not-found');

  backend.unplug(path);
  rmSync(path);
  await need('device.removed event', () => core.of('events', addr).find((s) => s.msg.event.type === 'device.removed'));
  await need('inventory without it', () => core.of('inventory', addr).filter((s) => s.msg.headsets.length === 0).length >= 2);
  t.pass('hot-plug reflected in the inventory');
});
