import t from 'tap';
import { decodeMessage, encodeMessage, makeCommand, okResult, errorResult, ProtocolMessageError } from './codec.js';
import { agentSender, coreSender, envelope } from './schemas/envelope.js';
import { parseCommandArgs, parseCommandResult, commandSupported, isCommandKind } from './schemas/commands.js';
import { sampleInventory, sampleTelemetry } from './test-support/samples.js';
import { PROTOCOL_VERSION } from './version.js';

const agent = agentSender('cao', 'edge-1');
const core = coreSender('node-1');

t.test('every kind round-trips through encode and decode', async (t) => {
  const inv = sampleInventory(envelope(agent));
  t.same(decodeMessage('inventory', encodeMessage('inventory', inv)), inv);
  const tel = sampleTelemetry(envelope(agent));
  t.same(decodeMessage('telemetry', encodeMessage('telemetry', tel)), tel);
  const pres = { ...envelope(agent), state: 'online' as const, reason: 'connect' as const, agentVersion: '0.1.0', startedAt: 1 };
  t.same(decodeMessage('presence', encodeMessage('presence', pres)), pres);
  const ev = { ...envelope(agent), event: { type: 'headset.hook' as const, headsetId: '/dev/hidraw0', offHook: true } };
  t.same(decodeMessage('events', encodeMessage('events', ev)), ev);
  const cmd = makeCommand(core, 'fax.test', {}, { timeoutMs: 5000, now: 1000 });
  t.equal(cmd.deadline, 6000);
  t.same(cmd.args, { mode: 'probe' }, 'defaults applied');
  t.same(decodeMessage('cmd', encodeMessage('cmd', cmd)), cmd);
  const ok = okResult(agent, cmd, { ok: true, checks: [{ name: 'AT', ok: true }] }, { receivedAt: 1100, finishedAt: 1200 });
  t.same(decodeMessage('cmd-result', encodeMessage('cmd-result', ok)), ok);
  t.equal(ok.correlationId, cmd.id);
  t.same(parseCommandResult('fax.test', ok.result), { ok: true, checks: [{ name: 'AT', ok: true }] });
  const bad = errorResult(agent, cmd, 'device-not-found', 'no modem', { receivedAt: 1 });
  t.equal(decodeMessage('cmd-result', encodeMessage('cmd-result', bad)).error?.code, 'device-not-found');
  t.equal(inv.v, PROTOCOL_VERSION);
});

t.test('invalid messages are refused with a readable error naming the field', async (t) => {
  t.throws(() => decodeMessage('telemetry', '{nope'), ProtocolMessageError);
  t.throws(() => decodeMessage('telemetry', '[1]'), /not a JSON object/);
  t.throws(() => decodeMessage('telemetry', '{}'), /no protocol version/);
  const inv = sampleInventory(envelope(agent));
  const broken = { ...inv, modems: [{ ...inv.modems[0], state: 'exploded' }] };
  const err = t.throws(() => decodeMessage('inventory', JSON.stringify(broken))) as ProtocolMessageError;
  t.match(err.message, /modems\[0\]\.state|modems.*state/);
  t.ok(err.issues?.length);
  t.throws(() => decodeMessage('presence', JSON.stringify({ ...envelope(agent), id: 'x', state: 'online', reason: 'connect', agentVersion: '1', startedAt: 1 })), /UUID or a ULID/);
  t.throws(() => encodeMessage('events', { ...envelope(agent), event: { type: 'headset.hook', headsetId: '', offHook: true } }), ProtocolMessageError);
});

t.test('command arguments and support by version', async (t) => {
  t.throws(() => parseCommandArgs('fax.send', { number: '' }));
  t.same(parseCommandArgs('headset.ring', { headsetId: 'h', on: true }), { headsetId: 'h', on: true });
  t.ok(commandSupported('ping', '1.0'));
  t.notOk(commandSupported('headset.ring', '1.0'));
  t.ok(commandSupported('headset.ring', '1.1'));
  t.ok(isCommandKind('spool.flush'));
  t.notOk(isCommandKind('toString'));
});
