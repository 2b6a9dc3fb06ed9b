import t from 'tap';
import { EventEmitter } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { needs, tempDir } from '@okno/testkit';
import { NodeHidBackend, type NodeHidAsync, type NodeHidDeviceInfo, type NodeHidModule } from './node-hid-backend.js';
import { blackwire3220Interface } from './test-support/descriptors.js';

async function nodeHidLoads(): Promise<boolean> {
  try {
    const hid = await import('node-hid');
    hid.getHidapiVersion();
    return true;
  } catch {
    return false;
  }
}

t.test('the descriptor comes from /sys/class/hidraw/<node>/device/report_descriptor', async (t) => {
  const { dir, cleanup } = tempDir('okno-sysfs-');
  t.teardown(cleanup);
  const devDir = join(dir, 'class', 'hidraw', 'hidraw5', 'device');
  mkdirSync(devDir, { recursive: true });
  writeFileSync(join(devDir, 'report_descriptor'), blackwire3220Interface());
  const backend = new NodeHidBackend({ sysfsRoot: dir });
  t.same([...(await backend.readDescriptor('/dev/hidraw5'))], [...blackwire3220Interface()]);
  await t.rejects(backend.readDescriptor('/dev/hidraw6'), /cannot read the report descriptor of \/dev\/hidraw6 from .*hidraw6\/device\/report_descriptor: ENOENT/);
  await t.rejects(backend.readDescriptor('\\\\?\\hid#vid_047f&pid_c056'), /only \/dev\/hidrawN devices/);
});

t.test('real node-hid: enumeration works here and opening a missing device fails cleanly', { skip: needs('node-hid with libusb-1.0-0', await nodeHidLoads(), 'apt-get install libusb-1.0-0') }, async (t) => {
  const backend = new NodeHidBackend();
  const list = await backend.enumerate();
  t.ok(Array.isArray(list));
  for (const d of list) t.type(d.path, 'string');
  await t.rejects(backend.open('/dev/hidraw-does-not-exist'));
});

t.test('a node-hid that cannot load gives an error naming the package to install', async (t) => {
  const backend = new NodeHidBackend({
    load: async () => {
      throw new Error('libusb-1.0.so.0: cannot open shared object file');
    },
  });
  await t.rejects(backend.enumerate(), /libusb-1.0.so.0/);
});

// The adapter's mapping of HIDAsync (a stand-in with node-hid's shape; no device can be attached here).
class StandInHidAsync extends EventEmitter implements NodeHidAsync {
  written: Buffer[] = [];
  closed = false;
  async write(values: number[] | Buffer): Promise<number> {
    this.written.push(Buffer.from(values));
    return Buffer.from(values).length;
  }
  async close(): Promise<void> {
    this.closed = true;
    this.removeAllListeners();
  }
  async getDeviceInfo(): Promise<NodeHidDeviceInfo> {
    return { vendorId: 0x047f, productId: 0xc056, product: 'Blackwire', release: 0x0200, interface: 3 };
  }
}

t.test('adapter: enumeration without paths is dropped; data, writes, errors and close map through', async (t) => {
  const handle = new StandInHidAsync();
  const mod: NodeHidModule = {
    devicesAsync: async () => [
      { vendorId: 0x047f, productId: 0xc056, path: '/dev/hidraw2', release: 0x200, interface: 3, usagePage: 0x0b, usage: 0x05 },
      { vendorId: 1, productId: 2, release: 0, interface: 0 },
    ],
    HIDAsync: { open: async () => handle },
  };
  const backend = new NodeHidBackend({ load: async () => mod });
  t.same((await backend.enumerate()).map((d) => [d.path, d.usagePage]), [['/dev/hidraw2', 0x0b]]);
  const dev = await backend.open('/dev/hidraw2');
  t.match(dev.info, { path: '/dev/hidraw2', vendorId: 0x047f, productId: 0xc056, interface: 3 });
  const got: number[][] = [];
  const errors: string[] = [];
  dev.on('data', (d) => got.push([...d]));
  dev.on('error', (e) => errors.push(e.message));
  const buf = Buffer.from([0x08, 0x02]);
  handle.emit('data', buf);
  buf[1] = 0xff; // the binding reusing its buffer must not change what was delivered
  handle.emit('error', 'could not read from HID device');
  t.same(got, [[0x08, 0x02]]);
  t.same(errors, ['could not read from HID device']);
  t.equal(await dev.write(Uint8Array.of(0x17, 0x01)), 2);
  t.same(handle.written.map((b) => [...b]), [[0x17, 0x01]]);
  await dev.close();
  t.equal(handle.closed, true);
});
