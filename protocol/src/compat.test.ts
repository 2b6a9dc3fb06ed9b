import t from 'tap';
import { decodeMessage, makeCommand, encodeMessage } from './codec.js';
import { coreSender, envelope, agentSender } from './schemas/envelope.js';
import { commandSupported, parseCommandResult } from './schemas/commands.js';
import { ProtocolVersionError, PROTOCOL_VERSION, checkCompatible, compareVersions } from './version.js';
import { decodeFileMessage } from './files/messages.js';
import { AgentV10 } from './test-support/agent-v1-0.js';
import { sampleInventory } from './test-support/samples.js';

const dec = new TextDecoder();

t.test('this side is 1.1 and accepts 1.0 peers', async (t) => {
  t.equal(PROTOCOL_VERSION, '1.1');
  t.same(checkCompatible('1.0'), { peer: { major: 1, minor: 0 }, newer: false, older: true });
  t.ok(compareVersions('1.10', '1.9') > 0);
});

t.test('an agent at 1.0 keeps working against the core at 1.1', async (t) => {
  const old = new AgentV10('cao', 'edge-old');
  const pres = decodeMessage('presence', old.presence());
  t.equal(pres.state, 'online');
  const inv = decodeMessage('inventory', old.inventory());
  t.same(inv.headsets, [], 'inventory upgraded: no headsets');
  t.equal(inv.modems[0]!.faxClass, '2');
  const tel = decodeMessage('telemetry', old.telemetry());
  t.same(tel.headsets, []);
  const ev = decodeMessage('events', old.faxFailed());
  t.equal(ev.event.type, 'fax.failed');

  // the core sends a 1.0 command to the old agent; it understands and answers
  const ping = makeCommand(coreSender(), 'ping', {}, { timeoutMs: 1000 });
  const res = decodeMessage('cmd-result', old.onCommand(dec.decode(encodeMessage('cmd', ping))));
  t.equal(res.status, 'ok');
  t.equal(res.correlationId, ping.id);
  t.equal(parseCommandResult('ping', res.result).agentVersion, '0.9.0');

  // a 1.1 command: the core knows not to send it ...
  t.notOk(commandSupported('headset.ring', pres.v));
  // ... and if it does anyway, the old agent answers with a clear error instead of dropping it
  const ring = makeCommand(coreSender(), 'headset.ring', { headsetId: 'h', on: true }, { timeoutMs: 1000 });
  const res2 = decodeMessage('cmd-result', old.onCommand(dec.decode(encodeMessage('cmd', ring))));
  t.equal(res2.status, 'error');
  t.equal(res2.error?.code, 'unknown-command');
});

t.test('messages from a newer minor are accepted; unknown fields and event types are ignored', async (t) => {
  const inv = { ...sampleInventory(envelope(agentSender('cao', 'edge-new'))), v: '1.2', battery: 80 };
  (inv.modems[0] as Record<string, unknown>).signalQuality = 'good';
  const out = decodeMessage('inventory', JSON.stringify(inv));
  t.equal(out.v, '1.2');
  t.notOk('battery' in out);
  t.notOk('signalQuality' in out.modems[0]!);
  const ev = decodeMessage('events', JSON.stringify({ ...envelope(agentSender('cao', 'edge-new')), v: '1.2', event: { type: 'headset.battery', headsetId: 'h', level: 10 } }));
  t.same(ev.event, { type: 'unknown', originalType: 'headset.battery', data: { headsetId: 'h', level: 10 } });
  // a bad body of a KNOWN type from a newer minor is still an error
  t.throws(() => decodeMessage('events', JSON.stringify({ ...envelope(agentSender('cao', 'x')), v: '1.2', event: { type: 'headset.hook' } })));
  // an unknown event type from the same minor is an error, not silently ignored
  t.throws(() => decodeMessage('events', JSON.stringify({ ...envelope(agentSender('cao', 'x')), event: { type: 'nope' } })));
});

t.test('a major mismatch or a too-old minor is rejected with a clear error', async (t) => {
  const inv = { ...sampleInventory(envelope(agentSender('cao', 'x'))), v: '2.0' };
  const err = t.throws(() => decodeMessage('inventory', JSON.stringify(inv))) as ProtocolVersionError;
  t.ok(err instanceof ProtocolVersionError);
  t.equal(err.code, 'major-mismatch');
  t.match(err.message, /major version mismatch: the message speaks 2\.0, this side speaks 1\.1.*upgrade the core/);
  const old = t.throws(() => checkCompatible('0.9')) as ProtocolVersionError;
  t.equal(old.code, 'major-mismatch');
  t.match(old.message, /upgrade the edge agent/);
  const tooOld = t.throws(() => checkCompatible('1.0', { major: 1, minor: 2 })) as ProtocolVersionError;
  t.equal(tooOld.code, 'minor-too-old');
  t.match(tooOld.message, /accepts 1\.1 or newer/);
  t.throws(() => checkCompatible('1'), /not MAJOR\.MINOR/);
  t.throws(() => decodeFileMessage(new TextEncoder().encode(JSON.stringify({ ...envelope(coreSender()), v: '2.0', type: 'abort', transferId: inv.id, reason: 'x' }))), ProtocolVersionError);
});
