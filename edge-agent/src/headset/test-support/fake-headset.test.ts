import t from 'tap';
import { FakeClock } from './fake-clock.js';
import { FakeHeadset, type FakeModel } from './fake-headset.js';
import { blackwire3220Telephony, evolve2LikeTelephony, fixtureBytes, jabraStyleTelephony, type DescriptorFixture } from './descriptors.js';

function setup(fixture: DescriptorFixture, model: FakeModel) {
  const clock = new FakeClock();
  const dev = new FakeHeadset({ descriptor: fixtureBytes(fixture), model, clock });
  const seen: number[][] = [];
  dev.on('data', (d) => seen.push([...d]));
  return { clock, dev, seen };
}

t.test('Blackwire: hook request reverts after ~50 ms without the host acknowledging it', async (t) => {
  const { clock, dev, seen } = setup(blackwire3220Telephony, 'blackwire');
  dev.pressCallButton();
  await dev.settle();
  t.same(seen, [[0x08, 0x02]], 'hook bit 1 set');
  clock.advance(49);
  await dev.settle();
  t.equal(dev.reverts, 0);
  clock.advance(1);
  await dev.settle();
  t.same(seen, [[0x08, 0x02], [0x08, 0x00]], 'reverted to on-hook');
  t.equal(dev.reverts, 1);
  t.equal(dev.hook, 0);
});

t.test('Blackwire: an Off-Hook write acknowledges the request; wrong-length writes are another report', async (t) => {
  const { clock, dev, seen } = setup(blackwire3220Telephony, 'blackwire');
  dev.pressCallButton();
  t.equal(await dev.write(Uint8Array.of(0x17, 0x01, 0x00)), 3, 'hidraw takes the bytes');
  t.equal(dev.led('offHook'), 0, 'but the firmware ignores a 3-byte Off-Hook report');
  t.equal(await dev.write(Uint8Array.of(0x17, 0x01)), 2);
  t.equal(dev.led('offHook'), 1);
  t.equal(await dev.write(Uint8Array.of(0x08, 0x01)), 2);
  t.same(dev.writes.map((w) => w.accepted), [false, true, false], 'report 8 is an input, not an output');
  clock.advance(100);
  await dev.settle();
  t.same(seen, [[0x08, 0x02]]);
  t.equal(dev.reverts, 0);
});

t.test('Blackwire: mute is a pulse on every press, in any state; flash is a level press and release', async (t) => {
  const { dev, seen } = setup(blackwire3220Telephony, 'blackwire');
  dev.pressMute();
  dev.pressMute();
  dev.pressFlash();
  await dev.settle();
  t.same(seen, [[0x08, 0x01], [0x08, 0x00], [0x08, 0x01], [0x08, 0x00], [0x08, 0x04], [0x08, 0x00]]);
  t.equal(dev.missedPresses, 0);
  t.throws(() => dev.pressRedial(), /no redial control/);
});

t.test('host Off-Hook writes make the headset follow and report its hook level', async (t) => {
  const { dev, seen } = setup(jabraStyleTelephony, 'jabra');
  await dev.write(Uint8Array.of(0x02, 0x01, 0x00));
  await dev.settle();
  t.same(seen, [[0x02, 0x01, 0x00]]);
  await dev.write(Uint8Array.of(0x02, 0x00, 0x00));
  await dev.settle();
  t.same(seen, [[0x02, 0x01, 0x00], [0x02, 0x00, 0x00]]);
});

t.test('Jabra: hook request waits ~2 s for the ack, then reverts', async (t) => {
  const { clock, dev, seen } = setup(jabraStyleTelephony, 'jabra');
  dev.pressCallButton();
  clock.advance(1999);
  await dev.settle();
  t.same(seen, [[0x02, 0x01, 0x00]]);
  clock.advance(1);
  await dev.settle();
  t.same(seen, [[0x02, 0x01, 0x00], [0x02, 0x00, 0x00]]);
  t.equal(dev.reverts, 1);
});

t.test('Jabra: mute only off-hook and only when the host Mute LED matches; unacknowledged pulses are re-sent', async (t) => {
  const { clock, dev, seen } = setup(jabraStyleTelephony, 'jabra');
  dev.pressMute();
  t.equal(dev.missedPresses, 1, 'on-hook: nothing');
  await dev.write(Uint8Array.of(0x02, 0x01, 0x00));
  await dev.settle();
  seen.length = 0;
  dev.pressMute();
  await dev.settle();
  t.same(seen, [[0x02, 0x05, 0x00], [0x02, 0x01, 0x00]], 'mute pulse at bit 2, hook stays 1');
  t.equal(dev.muted, true);
  dev.pressMute();
  t.equal(dev.missedPresses, 2, 'host did not sync the Mute LED: the second press is missed');
  clock.advance(860);
  await dev.settle();
  t.equal(dev.muteResends, 1);
  t.same(seen.slice(2), [[0x02, 0x05, 0x00], [0x02, 0x01, 0x00]], 're-sent');
  await dev.write(Uint8Array.of(0x02, 0x03, 0x00)); // Off-Hook + Mute
  clock.advance(5000);
  await dev.settle();
  t.equal(dev.muteResends, 1, 'acknowledged: no more re-sends');
  dev.pressMute();
  await dev.settle();
  t.equal(dev.muted, false);
  t.equal(dev.missedPresses, 2);
});

t.test('Jabra: re-sends stop after five attempts', async (t) => {
  const { clock, dev } = setup(jabraStyleTelephony, 'jabra');
  await dev.write(Uint8Array.of(0x02, 0x01, 0x00));
  dev.pressMute();
  clock.advance(860 * 10);
  await dev.settle();
  t.equal(dev.muteResends, 5);
});

t.test('Evolve2-like: the call button is silent until the host declares off-hook', async (t) => {
  const { dev, seen } = setup(evolve2LikeTelephony, 'evolve2');
  dev.pressCallButton();
  await dev.settle();
  t.same(seen, []);
  t.equal(dev.missedPresses, 1);
  await dev.write(Uint8Array.of(0x02, 0x01, 0x00));
  await dev.settle();
  t.same(seen, [[0x02, 0x01, 0x00]], 'echo of the host off-hook');
  dev.pressCallButton();
  await dev.settle();
  t.same(seen, [[0x02, 0x01, 0x00], [0x02, 0x00, 0x00]], 'awake: the press asks for on-hook');
});

t.test('keypad keys, raw reports, unplug and close', async (t) => {
  const { dev, seen } = setup(jabraStyleTelephony, 'jabra');
  dev.pressKey('#');
  dev.sendRaw([0x07, 0x00]);
  await dev.settle();
  t.same(seen, [[0x02, 0x80, 0x05], [0x02, 0x00, 0x00], [0x07, 0x00]], '# is value 11 at bits 7..10');
  t.throws(() => dev.pressKey('A'), /no key "A"/);
  const errors: string[] = [];
  dev.on('error', (e) => errors.push(e.message));
  dev.unplug();
  t.same(errors, ['could not read from HID device']);
  await t.rejects(dev.write(Uint8Array.of(0x02, 0, 0)), /Cannot write/);
  await dev.close();
  t.equal(dev.isClosed, true);
  await t.rejects(dev.write(Uint8Array.of(0x02, 0, 0)), /closed/);
});
