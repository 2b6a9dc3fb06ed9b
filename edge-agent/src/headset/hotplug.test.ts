import t from 'tap';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, waitFor } from '@okno/testkit';
import { HeadsetWatcher, nodeHotplugFs, type DirEntry, type HotplugFs } from './hotplug.js';
import { listHeadsets, type HeadsetInventoryEntry } from './inventory.js';
import { hexToBytes } from './descriptor/items.js';
import { FakeClock } from './test-support/fake-clock.js';
import { FakeHidBackend } from './test-support/fake-backend.js';
import { fixtureBytes, jabraStyleTelephony } from './test-support/descriptors.js';

const keyboard = hexToBytes('05 01 09 06 A1 01 05 07 19 E0 29 E7 15 00 25 01 75 01 95 08 81 02 C0');

function record(w: HeadsetWatcher) {
  const log: string[] = [];
  w.on('added', (e) => log.push(`+${e.path}:${e.capabilities?.callControl}`));
  w.on('removed', (e) => log.push(`-${e.path}`));
  return log;
}

t.test('a temp dir standing in for /dev: nodes appearing and vanishing are seen through fs.watch', async (t) => {
  const { dir, cleanup } = tempDir('okno-dev-');
  t.teardown(cleanup);
  const backend = new FakeHidBackend(new FakeClock());
  const watcher = new HeadsetWatcher({
    devDir: dir,
    enumerate: (paths) => listHeadsets(backend, { paths }),
    settleMs: 20,
    rescanMs: 3_600_000,
  });
  t.teardown(() => watcher.stop());
  const log = record(watcher);
  await watcher.start();
  t.equal(watcher.stats.watching, true);
  t.same(log, []);

  const jabraPath = join(dir, 'hidraw3');
  backend.plug(jabraPath, fixtureBytes(jabraStyleTelephony), [[0x0b, 0x05], [0xff00, 0x01]], { vendorId: 0x0b0e, productId: 0x0422, product: 'Jabra' }, 'jabra');
  writeFileSync(jabraPath, '');
  const kbdPath = join(dir, 'hidraw0');
  backend.plug(kbdPath, keyboard, [[0x01, 0x06]], { vendorId: 0x046d, productId: 0xc31c });
  writeFileSync(kbdPath, '');
  writeFileSync(join(dir, 'ttyS0'), '');
  await waitFor('the Jabra to be added', () => log.length === 1);
  await watcher.whenIdle();
  t.same(log, [`+${jabraPath}:true`]);
  t.same(watcher.current().map((e) => e.path), [jabraPath]);
  t.match(watcher.current()[0], { vendorId: 0x0b0e, collections: ['0x0B:0x05', '0xFF00:0x01'] });

  backend.unplug(jabraPath);
  rmSync(jabraPath);
  await waitFor('the Jabra to be removed', () => log.length === 2);
  t.same(log, [`+${jabraPath}:true`, `-${jabraPath}`]);
  t.same(watcher.current(), []);
});

/** An in-memory /dev whose watch never fires (or cannot be set up). */
class MemoryDev implements HotplugFs {
  nodes: DirEntry[] = [];
  listFails = false;
  watchThrows = false;
  onError: ((err: Error) => void) | undefined;
  /** Delivers a change event as inotify would. */
  fire: (name: string | undefined) => void = () => undefined;
  async list(): Promise<DirEntry[]> {
    if (this.listFails) throw new Error('EACCES: permission denied, scandir');
    return this.nodes.map((n) => ({ ...n }));
  }
  watch(_dir: string, onEvent: (name: string | undefined) => void, onError: (err: Error) => void) {
    if (this.watchThrows) throw new Error('ENOSPC: System limit for number of file watchers reached');
    this.onError = onError;
    this.fire = onEvent;
    return { close: () => undefined };
  }
}

function entry(path: string): HeadsetInventoryEntry {
  return { path, vendorId: 0x047f, productId: 0xc056, product: 'Blackwire', manufacturer: undefined, serialNumber: undefined, interface: 3, collections: ['0x0B:0x05'], capabilities: undefined, descriptorError: undefined };
}

t.test('without fs events, the periodic re-scan finds changes; enumeration only runs for new nodes', async (t) => {
  const fs = new MemoryDev();
  fs.watchThrows = true;
  const clock = new FakeClock();
  const headsets = new Set<string>();
  let enumerations = 0;
  const watcher = new HeadsetWatcher({
    devDir: '/dev',
    fs,
    clock,
    rescanMs: 30_000,
    enumerate: async (paths) => {
      enumerations++;
      return paths.filter((p) => headsets.has(p)).map(entry);
    },
  });
  const log = record(watcher);
  fs.nodes = [{ name: 'hidraw0', id: '10' }];
  await watcher.start();
  t.equal(watcher.stats.watching, false, 'watching impossible: re-scan only');
  t.equal(enumerations, 1, 'initial scan looked at hidraw0 (a keyboard)');

  for (let i = 0; i < 5; i++) {
    clock.advance(30_000);
    await watcher.whenIdle();
  }
  t.equal(enumerations, 1, 're-scans list the directory but do not enumerate again');
  t.equal(watcher.stats.scans, 6);

  headsets.add('/dev/hidraw2');
  fs.nodes.push({ name: 'hidraw2', id: '20' });
  clock.advance(30_000);
  await watcher.whenIdle();
  t.same(log, ['+/dev/hidraw2:undefined']);
  t.equal(enumerations, 2);

  // hidraw2 unplugged and the number reused by another headset between two scans.
  fs.nodes = [{ name: 'hidraw0', id: '10' }, { name: 'hidraw2', id: '21' }];
  clock.advance(30_000);
  await watcher.whenIdle();
  t.same(log, ['+/dev/hidraw2:undefined', '-/dev/hidraw2', '+/dev/hidraw2:undefined']);

  fs.nodes = [];
  clock.advance(30_000);
  await watcher.whenIdle();
  t.same(log.slice(3), ['-/dev/hidraw2']);
  watcher.stop();
  t.equal(clock.pending(), 0, 'stop leaves no timers');
});

t.test('fs events are coalesced; failures to list or enumerate are counted and retried', async (t) => {
  const fs = new MemoryDev();
  const clock = new FakeClock();
  let fail = true;
  const watcher = new HeadsetWatcher({
    fs,
    clock,
    settleMs: 250,
    enumerate: async (paths) => {
      if (fail) throw new Error('hid_enumerate failed');
      return paths.map(entry);
    },
  });
  const log = record(watcher);
  await watcher.start();
  t.equal(watcher.stats.watching, true);
  fs.nodes = [{ name: 'hidraw4', id: '40' }];
  // Three inotify events for one device (create, attrib, attrib) make one scan.
  fs.fire('hidraw4');
  fs.fire('hidraw4');
  fs.fire('event3');
  fs.fire('hidraw4');
  const scansBefore = watcher.stats.scans;
  clock.advance(250);
  await watcher.whenIdle();
  t.equal(watcher.stats.scans, scansBefore + 1);
  t.equal(watcher.stats.scanErrors, 1, 'enumeration failed');
  t.same(log, []);
  fail = false;
  fs.fire(undefined);
  clock.advance(250);
  await watcher.whenIdle();
  t.same(log, ['+/dev/hidraw4:undefined'], 'retried on the next scan');

  fs.listFails = true;
  clock.advance(30_000);
  await watcher.whenIdle();
  t.equal(watcher.stats.scanErrors, 2);
  t.same(watcher.current().map((e) => e.path), ['/dev/hidraw4'], 'a failed listing removes nothing');

  fs.onError?.(new Error('inotify queue overflow'));
  t.equal(watcher.stats.watching, false, 'falls back to re-scans');
  watcher.stop();
});

t.test('the real fs adapter lists only hidraw nodes with an identity', async (t) => {
  const { dir, cleanup } = tempDir('okno-dev-');
  t.teardown(cleanup);
  writeFileSync(join(dir, 'hidraw1'), '');
  writeFileSync(join(dir, 'hidraw10'), '');
  writeFileSync(join(dir, 'hidrawx'), '');
  writeFileSync(join(dir, 'null'), '');
  const list = await nodeHotplugFs.list(dir);
  t.same(list.map((e) => e.name).sort(), ['hidraw1', 'hidraw10']);
  t.ok(list.every((e) => /^\d+:\d+$/.test(e.id)));
});
