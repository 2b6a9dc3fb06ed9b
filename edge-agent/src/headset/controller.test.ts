import t from 'tap';
import { pino } from 'pino';
import { HeadsetController, HeadsetError, type HeadsetEvent } from './controller.js';
import { hexToBytes } from './descriptor/items.js';
import { FakeClock } from './test-support/fake-clock.js';
import { FakeHeadset, type FakeModel } from './test-support/fake-headset.js';
import {
  blackwire3220Interface,
  blackwire3220Telephony,
  evolve2LikeTelephony,
  fixtureBytes,
  jabraStyleTelephony,
  logitechH540Consumer,
} from './test-support/descriptors.js';

function setup(descriptor: Uint8Array, model: FakeModel) {
  const clock = new FakeClock();
  const dev = new FakeHeadset({ descriptor, model, clock, info: { path: '/dev/hidraw7' } });
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const ctl = new HeadsetController({ device: dev, descriptor, clock, logger });
  const events: HeadsetEvent[] = [];
  ctl.on('event', (e) => events.push(e));
  /** Event types other than state changes, in order, then cleared. */
  const took = () => events.splice(0).filter((e) => e.type !== 'state').map((e) => ('muted' in e ? `mute:${e.muted}` : 'offHook' in e ? `hook:${e.offHook}` : e.type));
  const writes = () => dev.writes.splice(0).map((w) => w.data);
  return { clock, dev, ctl, events, took, writes, logs };
}

t.test('Blackwire: ring, answer by hook, mute with LED sync, hang up', async (t) => {
  const { clock, dev, ctl, took, writes } = setup(fixtureBytes(blackwire3220Telephony), 'blackwire');
  await ctl.ring(true);
  t.equal(ctl.state, 'ringing');
  t.same(writes(), [[0x18, 0x01]], 'Ring LED, its own 2-byte report; the Blackwire has no Ringer');
  t.equal(dev.led('ring'), 1);

  dev.pressCallButton();
  await dev.settle();
  t.same(took(), ['hook:true', 'answer']);
  t.equal(ctl.state, 'off-hook');
  t.same(writes(), [[0x17, 0x01], [0x18, 0x00]], 'Off-Hook acknowledged, Ring off');
  clock.advance(100);
  await dev.settle();
  t.equal(dev.reverts, 0, 'acknowledged in time: the headset keeps the call');

  dev.pressMute();
  await dev.settle();
  t.same(took(), ['mute:true']);
  t.equal(ctl.state, 'muted');
  t.same(writes(), [[0x09, 0x01]], 'Mute LED; no Microphone LED on this device');

  clock.advance(500);
  dev.pressMute();
  await dev.settle();
  t.same(took(), [], 'a second pulse within 1.2 s is a repeat');
  t.equal(ctl.counters().muteRepeats, 1);
  t.same(writes(), [[0x09, 0x01]], 'the LED is re-sent, unchanged');

  clock.advance(1300);
  dev.pressMute();
  await dev.settle();
  t.same(took(), ['mute:false']);
  t.same(writes(), [[0x09, 0x00]]);

  dev.pressCallButton();
  await dev.settle();
  t.same(took(), ['hook:false', 'hangup']);
  t.equal(ctl.state, 'idle');
  t.same(writes(), [[0x17, 0x00], [0x18, 0x00], [0x09, 0x00], [0x20, 0x00]], 'Off-Hook, Ring, Mute, Hold all re-sent off');
  clock.advance(100);
  await dev.settle();
  t.equal(dev.reverts, 0);
});

t.test('Blackwire: flash while ringing rejects; mute on-hook is ignored; pick up from idle is a dial request', async (t) => {
  const { dev, ctl, took, writes } = setup(fixtureBytes(blackwire3220Telephony), 'blackwire');
  dev.pressMute();
  await dev.settle();
  t.same(took(), []);
  t.equal(ctl.counters().muteIgnoredOnHook, 1);
  t.same(writes(), [], 'no LED flip on-hook');

  await ctl.ring(true);
  writes();
  dev.pressFlash();
  await dev.settle();
  t.same(took(), ['reject']);
  t.equal(ctl.state, 'idle');
  t.same(writes(), [[0x18, 0x00]]);

  dev.pressFlash();
  await dev.settle();
  t.same(took(), ['flash'], 'not ringing: a plain flash');

  dev.pressCallButton();
  await dev.settle();
  t.same(took(), ['hook:true'], 'no answer: nothing was ringing');
  t.equal(ctl.state, 'off-hook');
  t.equal(dev.led('offHook'), 1);
});

t.test('Blackwire on the whole-interface descriptor (Linux sysfs): consumer reports are known, not unknown', async (t) => {
  const { dev, ctl, took } = setup(blackwire3220Interface(), 'blackwire');
  dev.sendRaw([0x01, 0x01]); // Volume Increment on the consumer collection
  dev.pressCallButton();
  await dev.settle();
  t.same(took(), ['hook:true']);
  t.equal(ctl.counters().unknownReports, 0);
  t.equal(ctl.counters().reportsIn, 2);
});

t.test('Jabra-style: one output report for all LEDs, ringer, answer ack, mute sync keeps every press', async (t) => {
  const { clock, dev, ctl, took, writes } = setup(fixtureBytes(jabraStyleTelephony), 'jabra');
  await ctl.ring(true);
  t.same(writes(), [[0x02, 0b0010_0100, 0x00]], 'Ring (bit 2) and Ringer (bit 5) in one full-length report');

  dev.pressCallButton();
  await dev.settle();
  t.same(took(), ['hook:true', 'answer']);
  t.same(writes(), [[0x02, 0b0000_0001, 0x00]], 'Off-Hook on, Ring and Ringer off, in one write');
  clock.advance(2500);
  await dev.settle();
  t.equal(dev.reverts, 0);

  for (const expected of [true, false, true, false]) {
    dev.pressMute();
    await dev.settle();
    t.same(took(), [`mute:${expected}`]);
    t.equal(dev.muted, expected, 'headset and host agree');
    clock.advance(1300);
  }
  t.equal(dev.missedPresses, 0, 'no press is missed because the host syncs the Mute LED');
  t.same(writes(), [
    [0x02, 0b0001_0011, 0x00],
    [0x02, 0b0000_0001, 0x00],
    [0x02, 0b0001_0011, 0x00],
    [0x02, 0b0000_0001, 0x00],
  ], 'Mute (bit 1) and Microphone (bit 4) with Off-Hook kept');
  clock.advance(5000);
  await dev.settle();
  t.equal(dev.muteResends, 0);

  dev.pressRedial();
  dev.pressKey('5');
  dev.pressFlash();
  await dev.settle();
  t.same(took(), ['redial', 'key', 'flash']);

  dev.pressCallButton();
  await dev.settle();
  t.same(took(), ['hook:false', 'hangup']);
  t.same(writes(), [[0x02, 0x00, 0x00]]);
});

t.test('Jabra-style: a lost mute acknowledgement is repaired when the headset re-sends the pulse', async (t) => {
  const { clock, dev, ctl, took, events } = setup(fixtureBytes(jabraStyleTelephony), 'jabra');
  await ctl.offHook(true);
  await dev.settle();
  clock.advance(3000);
  took();
  dev.failNextWrites(1);
  dev.pressMute();
  await dev.settle();
  t.same(took(), ['mute:true', 'error']);
  t.equal(ctl.counters().writeErrors, 1);
  t.equal(dev.led('mute'), 0, 'the headset never got the LED');
  clock.advance(860);
  await dev.settle();
  t.equal(dev.muteResends, 1);
  t.same(took(), [], 'the re-sent pulse is a repeat: no second toggle');
  t.equal(ctl.state, 'muted');
  t.equal(dev.led('mute'), 1, 'but the LED was re-sent and the headset is in sync');
  clock.advance(5000);
  await dev.settle();
  t.equal(dev.muteResends, 1);
  t.same(events, []);
});

t.test('host commands: echoes of host Off-Hook writes are ignored, a real press inside the window is not', async (t) => {
  const { clock, dev, ctl, took } = setup(fixtureBytes(jabraStyleTelephony), 'jabra');
  await ctl.ring(true);
  await ctl.offHook(true); // answered from the console
  await dev.settle();
  t.same(took(), [], 'the headset echoes hook=1; nothing is reported');
  t.equal(ctl.counters().echoesIgnored, 1);
  t.equal(ctl.state, 'off-hook');
  t.equal(await ctl.mute(true), true);
  t.equal(dev.muted, true, 'host mute adopted by the headset');
  t.equal(ctl.state, 'muted');
  dev.pressCallButton(); // user hangs up 0 ms later, still inside the echo window
  await dev.settle();
  t.same(took(), ['hook:false', 'hangup']);
  await ctl.offHook(false);
  clock.advance(3000);
  await dev.settle();
  t.equal(await ctl.mute(true), false, 'mute applies only off-hook');
  t.equal(ctl.state, 'idle');
  await ctl.hold(true);
  t.equal(dev.led('hold'), 1);
});

t.test('host ring off while ringing returns to idle; ring during a call keeps the call', async (t) => {
  const { ctl, dev } = setup(fixtureBytes(jabraStyleTelephony), 'jabra');
  await ctl.ring(true);
  await ctl.ring(false);
  t.equal(ctl.state, 'idle');
  t.equal(dev.led('ring'), 0);
  await ctl.offHook(true);
  await ctl.ring(true);
  t.equal(ctl.state, 'off-hook');
  t.equal(dev.led('ring'), 1);
  await ctl.resync();
  t.same(dev.writes.at(-1)?.data, [0x02, 0b0010_0101, 0x00]);
});

t.test('Jabra-style: Button 7 while ringing rejects; otherwise it is a button', async (t) => {
  const { clock, dev, ctl, took, events } = setup(fixtureBytes(jabraStyleTelephony), 'jabra');
  dev.pressReject();
  await dev.settle();
  t.match(events, [{ type: 'button', name: 'Button 7', usage: '0x09:0x07', value: 1 }]);
  took();
  await ctl.ring(true);
  dev.pressReject(); // Button 7 is `81 02` (undefined kind): de-bounced, so a press this soon is ignored
  await dev.settle();
  t.same(took(), []);
  t.equal(ctl.state, 'ringing');
  clock.advance(1300);
  dev.pressReject();
  await dev.settle();
  t.same(took(), ['reject']);
  t.equal(ctl.state, 'idle');
  t.equal(dev.led('ring'), 0);
  t.equal(dev.led('ringer'), 0);
});

t.test('Evolve2-like: call button asleep until the host answers; Constant-flagged controls work', async (t) => {
  const { clock, dev, ctl, took } = setup(fixtureBytes(evolve2LikeTelephony), 'evolve2');
  await ctl.ring(true);
  dev.pressCallButton();
  await dev.settle();
  t.same(took(), [], 'no report: the headset needs the host to declare off-hook');
  t.equal(ctl.state, 'ringing');
  await ctl.offHook(true); // operator answers in the console
  await dev.settle();
  clock.advance(3000);
  t.same(took(), []);
  dev.pressMute();
  await dev.settle();
  t.same(took(), ['mute:true'], 'Phone Mute at bit 3, flagged Constant (81 07)');
  dev.pressCallButton();
  await dev.settle();
  t.same(took(), ['hook:false', 'hangup']);
  t.equal(dev.led('offHook'), 0);
});

t.test('other telephony controls: buttons report presses, levels report both edges', async (t) => {
  const { clock, dev, events } = setup(fixtureBytes(evolve2LikeTelephony), 'evolve2');
  dev.pressControl('speedDial');
  dev.pressControl('programmableButton');
  dev.sendRaw([0x02, 0b0000_0100, 0x00]); // Line (level) on
  dev.sendRaw([0x02, 0b0000_0110, 0x00]); // Line Busy Tone on
  dev.sendRaw([0x02, 0x00, 0x00]); // both off
  await dev.settle();
  clock.advance(10);
  t.same(
    events.map((e) => (e.type === 'button' ? `${e.name}=${e.value}` : e.type)),
    ['speedDial=1', 'programmableButton=1', 'line=1', 'lineBusyTone=1', 'lineBusyTone=0', 'line=0'],
  );
  t.match(events[0], { type: 'button', usage: '0x0B:0x50' });
});

t.test('unknown report IDs and wrong lengths are counted, logged and reported; the headset keeps working', async (t) => {
  const { dev, ctl, took, events, logs } = setup(fixtureBytes(jabraStyleTelephony), 'jabra');
  dev.sendRaw([0x07, 0x00, 0x00]);
  dev.sendRaw([0x02, 0x01]);
  dev.sendRaw([0x02, 0x01, 0x00, 0x00]);
  await dev.settle();
  t.match(events, [
    { type: 'unknown-report', reason: 'unknown-report-id', reportId: 7, length: 3, count: 1 },
    { type: 'unknown-report', reason: 'wrong-length', reportId: 2, length: 2, expectedLength: 3, count: 2 },
    { type: 'unknown-report', reason: 'wrong-length', reportId: 2, length: 4, expectedLength: 3, count: 3 },
  ]);
  took();
  t.match(ctl.counters(), { reportsIn: 3, unknownReports: 3, unknownByReason: { 'unknown-report-id': 1, 'wrong-length': 2, empty: 0 } });
  t.match(logs.filter((l) => l.msg === 'unknown HID report'), [
    { level: 40, path: '/dev/hidraw7', reason: 'unknown-report-id', reportId: 7 },
    { level: 40, reason: 'wrong-length' },
    { level: 40, reason: 'wrong-length' },
  ]);
  dev.pressCallButton();
  await dev.settle();
  t.same(took(), ['hook:true']);
});

t.test('device errors become events; failed command writes reject and are counted; close releases the device', async (t) => {
  const { dev, ctl, events } = setup(fixtureBytes(jabraStyleTelephony), 'jabra');
  dev.unplug();
  t.match(events, [{ type: 'error', during: 'device', message: 'could not read from HID device' }]);
  await t.rejects(ctl.ring(true), /Cannot write/);
  t.equal(ctl.counters().writeErrors, 1);
  await ctl.close();
  await ctl.close();
  t.equal(dev.isClosed, true);
  t.equal(dev.listenerCount('data'), 0);
  t.equal(dev.listenerCount('error'), 0);
});

t.test('a headset without call control is refused with a clear error', async (t) => {
  const clock = new FakeClock();
  const descriptor = fixtureBytes(logitechH540Consumer);
  const dev = new FakeHeadset({ descriptor, model: 'blackwire', clock, info: { path: '/dev/hidraw3' } });
  t.throws(() => new HeadsetController({ device: dev, descriptor, clock }), HeadsetError);
  t.throws(() => new HeadsetController({ device: dev, descriptor, clock }), /\/dev\/hidraw3: no call control/);
});

// Synthetic layouts for the two other kinds of control the classification table names (not captured devices).
t.test('a toggle-button Hook Switch: each pulse flips the hook', async (t) => {
  const desc = hexToBytes('05 0B 09 05 A1 01 15 00 25 01 75 01 95 01 09 20 81 06 95 07 81 01 05 08 09 17 95 01 91 22 95 07 91 01 C0');
  const { clock, dev, ctl, took } = setup(desc, 'blackwire');
  await ctl.ring(true);
  dev.pressCallButton();
  await dev.settle();
  t.same(took(), ['hook:true', 'answer']);
  clock.advance(10);
  dev.pressCallButton();
  await dev.settle();
  t.same(took(), ['hook:false', 'hangup']);
  await ctl.offHook(true);
  dev.pressCallButton();
  await dev.settle();
  t.same(took(), [], 'a pulse inside the echo window of a host Off-Hook is its echo');
});

t.test('on/off buttons (-1..1): +1 mutes, -1 unmutes', async (t) => {
  const desc = hexToBytes('05 0B 09 05 A1 01 15 00 25 01 75 01 95 01 09 20 81 22 95 01 81 01 15 FF 25 01 75 02 09 2F 81 26 75 04 81 01 05 08 15 00 25 01 75 01 09 17 09 09 95 02 91 22 95 06 91 01 C0');
  const { dev, ctl, took } = setup(desc, 'blackwire');
  await ctl.offHook(true);
  await dev.settle();
  took();
  dev.sendRaw([0b0000_0101]); // hook 1, mute +1
  dev.sendRaw([0b0000_0001]);
  dev.sendRaw([0b0000_1101]); // mute -1
  await dev.settle();
  t.same(took(), ['mute:true', 'mute:false']);
  t.equal(ctl.counters().muteRepeats, 0);
});
