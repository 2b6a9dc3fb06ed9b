import t from 'tap';
import { describeHeadset } from './describe.js';
import { hexToBytes } from './descriptor/items.js';
import { blackwire3220Telephony, evolve2LikeTelephony, fixtureBytes, jabraStyleTelephony, logitechH540Consumer } from './test-support/descriptors.js';

t.test('Blackwire 3220: one line per bit, control kinds and the call-control summary', async (t) => {
  const text = describeHeadset(fixtureBytes(blackwire3220Telephony));
  const lines = text.split('\n');
  t.equal(lines[0], 'Report descriptor: 109 bytes, 1 top-level collection(s): 0x0B:0x05 Telephony Headset');
  t.equal(lines[1], '  input report 8 (0x08), 1 byte + ID byte - Application Telephony Headset');
  t.match(lines[2], /^ {4}bit 0 +Telephony Phone Mute \(0x0B:0x2F\)\s+0\.\.1\s+Data,Var,Rel {2}toggle-button$/);
  t.match(lines[3], /^ {4}bit 1 +Telephony Hook Switch \(0x0B:0x20\)\s+0\.\.1\s+Data,Var,Abs,NoPref {2}toggle-switch$/);
  t.match(lines[5], /^ {4}bits 3-7 +padding$/);
  t.match(text, /LED Mute \(0x08:0x09\)\s+0\.\.1\s+Data,Var,Abs,NoPref$/m, 'outputs have no control kind');
  t.match(text, /output report 23 \(0x17\), 1 byte \+ ID byte/);
  t.match(text, /LED Off-Hook \(0x08:0x17\)/);
  t.match(text, /Call control: Telephony Headset\n {2}in {3}phoneMute\s+report 8 bit 0\s+toggle-button\n {2}in {3}hookSwitch\s+report 8 bit 1\s+toggle-switch/);
  t.match(text, /out {2}offHook\s+report 23 bit 0/);
});

t.test('Jabra-style: the keypad array, nested collection and ringer', async (t) => {
  const text = describeHeadset(fixtureBytes(jabraStyleTelephony));
  t.match(text, /bits 7-10 +array x1 of 4 bits: Telephony Phone Key 0 \.\. Telephony Phone Key # {2}0\.\.11 {2}Data,Array,Abs {2}\[in Logical Telephony Telephony Key Pad\]/);
  t.match(text, /input report 2 \(0x02\), 2 bytes \+ ID byte - Application Telephony Headset\n/);
  t.match(text, /bit 6 +Button 7 \(0x09:0x07\)/);
  t.match(text, /in {3}keypad\s+report 2 bit 7/);
  t.match(text, /out {2}ringer\s+report 2 bit 5/);
});

t.test('Constant-flagged controls are marked; a headset without call control says what it has', async (t) => {
  t.match(describeHeadset(fixtureBytes(evolve2LikeTelephony)), /hookSwitch\s+report 2 bit 0\s+toggle-switch \(Constant-flagged\)/);
  const h540 = describeHeadset(fixtureBytes(logitechH540Consumer));
  t.match(h540, /Call control: none \(no Telephony collection with a Hook Switch\); it has volumeUp \(undefined\), volumeDown \(undefined\), mute \(toggle-button\)/);
  t.match(h540, /output report 4 \(0x04\), 36 bytes \+ ID byte/);
  t.match(h540, /bits 5-6 +array x1 of 2 bits: Button 1 \.\. Button 2 {2}1\.\.2 {2}Data,Array,Abs,Null/);
});

t.test('descriptors without report IDs, warnings, and bad descriptors', async (t) => {
  const text = describeHeadset(hexToBytes('05 0B 09 05 A1 01 FE 01 00 00 15 00 25 01 75 01 95 01 09 20 81 22 95 07 81 01 C0'));
  t.match(text, /input report \(no ID\), 1 byte - Application/);
  t.match(text, /Warning: long item/);
  t.throws(() => describeHeadset(hexToBytes('05 0B 09')), { name: 'DescriptorError' });
});
