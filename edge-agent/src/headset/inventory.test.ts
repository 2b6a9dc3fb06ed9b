import t from 'tap';
import { HeadsetError } from './controller.js';
import { hexToBytes } from './descriptor/items.js';
import { listHeadsets, openHeadset } from './inventory.js';
import { FakeClock } from './test-support/fake-clock.js';
import { FakeHidBackend } from './test-support/fake-backend.js';
import { blackwire3220Interface, fixtureBytes, jabraStyleTelephony, logitechH540Consumer } from './test-support/descriptors.js';

function site() {
  const clock = new FakeClock();
  const backend = new FakeHidBackend(clock);
  backend.plug('/dev/hidraw0', hexToBytes('05 01 09 06 A1 01 05 07 19 E0 29 E7 15 00 25 01 75 01 95 08 81 02 C0'), [[0x01, 0x06]], { vendorId: 0x046d, productId: 0xc31c, product: 'Keyboard' });
  backend.plug('/dev/hidraw2', blackwire3220Interface(), [[0x0c, 0x01], [0x0b, 0x05], [0xffa0, 0x03]], {
    vendorId: 0x047f, productId: 0xc056, product: 'Plantronics Blackwire 3220 Series', manufacturer: 'Plantronics', serialNumber: 'A1B2', interface: 3,
  });
  backend.plug('/dev/hidraw4', fixtureBytes(logitechH540Consumer), [[0x0c, 0x01]], { vendorId: 0x046d, productId: 0x0a37, product: 'Logitech USB Headset H540' });
  backend.plug('/dev/hidraw5', fixtureBytes(jabraStyleTelephony).slice(0, 40), [[0x0b, 0x05]], { vendorId: 0x0b0e, productId: 0x1017, product: 'Broken' });
  return { clock, backend };
}

t.test('telephony devices are listed once per path with capabilities from the descriptor', async (t) => {
  const { backend } = site();
  const list = await listHeadsets(backend);
  t.same(list.map((e) => e.path), ['/dev/hidraw2', '/dev/hidraw5']);
  const bw = list[0]!;
  t.match(bw, { vendorId: 0x047f, productId: 0xc056, product: 'Plantronics Blackwire 3220 Series', serialNumber: 'A1B2', interface: 3, descriptorError: undefined });
  t.same(bw.collections, ['0x0C:0x01', '0x0B:0x05', '0xFFA0:0x03']);
  t.equal(bw.capabilities?.callControl, true);
  t.same(bw.capabilities?.inputs.map((i) => `${i.name}:${i.behaviour}`), ['phoneMute:toggle-button', 'hookSwitch:toggle-switch', 'flash:toggle-switch']);
  t.same(bw.capabilities?.outputs.map((o) => o.name), ['mute', 'offHook', 'ring', 'speaker', 'hold', 'onLine']);
  t.same(bw.capabilities?.consumer.map((c) => c.name), ['volumeUp', 'volumeDown']);
  t.equal(list[1]?.capabilities, undefined);
  t.match(list[1]?.descriptorError, /HID report descriptor: .*not closed|truncated/);
});

t.test('with all: a headset without call control is listed with what it has', async (t) => {
  const { backend } = site();
  const list = await listHeadsets(backend, { all: true });
  t.equal(list.length, 4);
  const h540 = list.find((e) => e.path === '/dev/hidraw4');
  t.equal(h540?.capabilities?.callControl, false);
  t.same(h540?.capabilities?.consumer.map((c) => `${c.name}:${c.behaviour}`), ['volumeUp:undefined', 'volumeDown:undefined', 'mute:toggle-button']);
  t.same((await listHeadsets(backend, { all: true, paths: ['/dev/hidraw0'] })).map((e) => e.path), ['/dev/hidraw0']);
});

t.test('openHeadset: controller over the device, LEDs synced once at open', async (t) => {
  const { backend } = site();
  const ctl = await openHeadset(backend, '/dev/hidraw2');
  const dev = backend.opened[0]!;
  t.same(dev.writes.map((w) => w.data), [[0x09, 0], [0x17, 0], [0x18, 0], [0x1e, 0], [0x20, 0], [0x2a, 0]]);
  await ctl.ring(true);
  t.equal(dev.led('ring'), 1);
  await ctl.close();
  t.equal(dev.isClosed, true);
  const quiet = await openHeadset(backend, '/dev/hidraw2', { initialSync: false });
  t.same(backend.opened[1]?.writes, []);
  await quiet.close();
});

t.test('openHeadset refuses a headset without call control and closes it; unknown paths fail', async (t) => {
  const { backend } = site();
  await t.rejects(openHeadset(backend, '/dev/hidraw4'), HeadsetError);
  t.equal(backend.opened[0]?.isClosed, true);
  await t.rejects(openHeadset(backend, '/dev/hidraw9'), /ENOENT/);
});
