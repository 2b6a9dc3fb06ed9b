import t from 'tap';
import { parseDescriptor } from './descriptor/parser.js';
import { hexToBytes } from './descriptor/items.js';
import { buildTelephonyModel, capabilitiesOf, classifyControl, findInput, findOutput, type TelephonyModel } from './telephony-model.js';
import {
  blackwire3220Interface,
  blackwire3220Telephony,
  evolve2LikeTelephony,
  fixtureBytes,
  jabraStyleTelephony,
  logitechH540Consumer,
  type DescriptorFixture,
} from './test-support/descriptors.js';

const model = (f: DescriptorFixture): TelephonyModel => buildTelephonyModel(parseDescriptor(fixtureBytes(f)));
const inputsAt = (m: TelephonyModel) => m.inputs.map((i) => [i.name, i.location.reportId, i.location.bitOffset, i.behaviour]);
const outputsAt = (m: TelephonyModel) => m.outputs.map((o) => [o.name, o.location.reportId, o.location.bitOffset]);

t.test('classification follows the libhidtelephony table', async (t) => {
  const f = (raw: number, logicalMin: number, logicalMax: number) =>
    classifyControl({ flags: { relative: (raw & 4) !== 0, noPreferred: (raw & 0x20) !== 0 } as never, logicalMin, logicalMax });
  t.equal(f(0x06, 0, 1), 'toggle-button');
  t.equal(f(0x07, 0, 1), 'toggle-button', 'constant bit does not change it');
  t.equal(f(0x22, 0, 1), 'toggle-switch');
  t.equal(f(0x23, 0, 1), 'toggle-switch');
  t.equal(f(0x26, -1, 1), 'on-off-buttons');
  t.equal(f(0x02, 0, 1), 'undefined');
  t.equal(f(0x06, 0, 3), 'undefined');
});

t.test('Blackwire 3220: mute toggle button, hook and flash levels, one LED per report', async (t) => {
  const m = model(blackwire3220Telephony);
  t.equal(m.callControl, true);
  t.match(m.collection, { usagePage: 0x0b, usage: 0x05, name: 'Telephony Headset' });
  t.same(inputsAt(m), [
    ['phoneMute', 8, 0, 'toggle-button'],
    ['hookSwitch', 8, 1, 'toggle-switch'],
    ['flash', 8, 2, 'toggle-switch'],
  ]);
  t.same(outputsAt(m), [
    ['mute', 0x09, 0],
    ['offHook', 0x17, 0],
    ['ring', 0x18, 0],
    ['speaker', 0x1e, 0],
    ['hold', 0x20, 0],
    ['onLine', 0x2a, 0],
  ]);
  t.equal(findOutput(m, 'microphone'), undefined);
  t.equal(findOutput(m, 'ringer'), undefined);
  t.same(m.consumer, []);
});

t.test('Jabra-style: levels, toggle buttons, reject button, keypad, LEDs and ringer in one report', async (t) => {
  const m = model(jabraStyleTelephony);
  t.equal(m.callControl, true);
  t.same(inputsAt(m), [
    ['hookSwitch', 2, 0, 'toggle-switch'],
    ['lineBusyTone', 2, 1, 'toggle-switch'],
    ['phoneMute', 2, 2, 'toggle-button'],
    ['flash', 2, 3, 'toggle-button'],
    ['redial', 2, 4, 'toggle-button'],
    ['speedDial', 2, 5, 'toggle-button'],
    ['reject', 2, 6, 'undefined'],
  ]);
  t.equal(findInput(m, 'reject')?.label, 'Button 7');
  t.equal(m.keypads.length, 1);
  t.match(m.keypads[0], { location: { reportId: 2, bitOffset: 7, bitSize: 4 }, logicalMin: 0, logicalMax: 11, nullState: false });
  t.same(m.keypads[0]?.keys, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#']);
  t.same(outputsAt(m), [
    ['offHook', 2, 0],
    ['mute', 2, 1],
    ['ring', 2, 2],
    ['hold', 2, 3],
    ['microphone', 2, 4],
    ['ringer', 2, 5],
  ]);
});

t.test('Evolve2-like: Constant-flagged controls are found with their behaviour', async (t) => {
  const m = model(evolve2LikeTelephony);
  t.same(inputsAt(m), [
    ['hookSwitch', 2, 0, 'toggle-switch'],
    ['lineBusyTone', 2, 1, 'toggle-switch'],
    ['line', 2, 2, 'toggle-switch'],
    ['phoneMute', 2, 3, 'toggle-button'],
    ['flash', 2, 4, 'toggle-button'],
    ['redial', 2, 5, 'toggle-button'],
    ['speedDial', 2, 6, 'toggle-button'],
    ['programmableButton', 2, 11, 'undefined'],
  ]);
  t.ok(m.inputs.every((i) => i.constant));
});

t.test('Logitech H540: no call control, but consumer volume and mute', async (t) => {
  const m = model(logitechH540Consumer);
  t.equal(m.callControl, false);
  t.equal(m.collection, undefined);
  t.same(m.inputs, []);
  t.same(m.outputs, []);
  t.same(m.consumer.map((c) => [c.name, c.location.reportId, c.location.bitOffset, c.behaviour]), [
    ['volumeUp', 1, 0, 'undefined'],
    ['volumeDown', 1, 1, 'undefined'],
    ['mute', 1, 2, 'toggle-button'],
  ]);
  const caps = capabilitiesOf(m);
  t.equal(caps.callControl, false);
  t.same(caps.collections, ['0x0C:0x01 Consumer Consumer Control']);
});

t.test('whole-interface descriptor: telephony and consumer controls together; capabilities are plain JSON', async (t) => {
  const m = buildTelephonyModel(parseDescriptor(blackwire3220Interface()));
  t.equal(m.callControl, true);
  t.same(m.consumer.map((c) => [c.name, c.behaviour]), [['volumeUp', 'toggle-button'], ['volumeDown', 'toggle-button']]);
  const caps = capabilitiesOf(m);
  t.same(JSON.parse(JSON.stringify(caps)), caps);
  t.equal(caps.telephonyCollection, '0x0B:0x05 Telephony Headset');
  t.match(caps.inputs[1], { name: 'hookSwitch', usage: '0x0B:0x20', behaviour: 'toggle-switch', reportId: 8, bit: 1, constant: false });
});

t.test('a Phone collection counts; without Hook Switch there is no call control', async (t) => {
  const phone = buildTelephonyModel(parseDescriptor(hexToBytes('05 0B 09 01 A1 01 15 00 25 01 75 01 95 01 09 20 81 22 95 07 81 01 C0')));
  t.equal(phone.callControl, true);
  t.match(phone.collection, { usage: 0x01, name: 'Telephony Phone' });
  const muteOnly = buildTelephonyModel(parseDescriptor(hexToBytes('05 0B 09 05 A1 01 15 00 25 01 75 01 95 01 09 2F 81 06 95 07 81 01 C0')));
  t.equal(muteOnly.callControl, false);
  t.equal(findInput(muteOnly, 'phoneMute')?.behaviour, 'toggle-button');
});
