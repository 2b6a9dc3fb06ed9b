import t from 'tap';
import { mkdirSync, writeFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@okno/testkit';
import { listSerialPorts } from './port-discovery.js';

function fakeDev(): { dir: string; cleanup: () => void } {
  const d = tempDir();
  for (const n of ['ttyS0', 'ttyS10', 'ttyS2', 'ttyUSB0', 'ttyACM1', 'tty0', 'null', 'ttyprintk']) writeFileSync(join(d.dir, n), '');
  mkdirSync(join(d.dir, 'serial', 'by-id'), { recursive: true });
  symlinkSync(join(d.dir, 'ttyUSB0'), join(d.dir, 'serial', 'by-id', 'usb-USRobotics_56K_Faxmodem-if00'));
  return d;
}

t.test('without udevadm, falls back to the documented glob and by-id links', async (t) => {
  const { dir, cleanup } = fakeDev();
  t.teardown(cleanup);
  const err = Object.assign(new Error('spawn udevadm ENOENT'), { code: 'ENOENT' });
  const ports = await listSerialPorts({ devDir: dir, list: () => Promise.reject(err) });
  t.same(
    ports.map((p) => p.path.slice(dir.length + 1)),
    ['ttyACM1', 'ttyS0', 'ttyS2', 'ttyS10', 'ttyUSB0'],
  );
  t.ok(ports.every((p) => p.source === 'glob'));
  t.equal(ports.find((p) => p.path.endsWith('ttyUSB0'))?.byId, join(dir, 'serial', 'by-id', 'usb-USRobotics_56K_Faxmodem-if00'));
});

t.test("uses udev's answer when there is one", async (t) => {
  const { dir, cleanup } = fakeDev();
  t.teardown(cleanup);
  const ports = await listSerialPorts({
    devDir: dir,
    list: async () => [{ path: join(dir, 'ttyUSB0'), manufacturer: 'USRobotics', vendorId: '0baf', productId: '0303' }],
  });
  t.same(ports, [
    { path: join(dir, 'ttyUSB0'), source: 'udev', manufacturer: 'USRobotics', vendorId: '0baf', productId: '0303', byId: join(dir, 'serial', 'by-id', 'usb-USRobotics_56K_Faxmodem-if00') },
  ]);
});

t.test('the real call on this machine answers (udev or glob) without throwing', async (t) => {
  const ports = await listSerialPorts();
  t.ok(Array.isArray(ports));
  t.ok(ports.every((p) => p.path.startsWith('/dev/')));
});
