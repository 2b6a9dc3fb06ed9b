import t from 'tap';
import { parseAriMessage } from './messages.js';

const channel = { id: '1741172820.7', protocol_id: '', name: 'PJSIP/city-trunk-00000007', state: 'Up', caller: { name: '', number: '+74951234567' }, connected: { name: '', number: '' }, accountcode: '', dialplan: { context: 'from-city', exten: '122', priority: 1, app_name: 'Stasis', app_data: 'okno' }, creationtime: '2025-03-05T11:07:00.000+0300', language: 'ru' };
const base = { application: 'okno', timestamp: '2025-03-05T11:07:01.000+0300' };

t.test('events the channel uses are checked for the fields it reads', async (t) => {
  t.match(parseAriMessage(JSON.stringify({ type: 'ChannelDtmfReceived', digit: '1', duration_ms: 100, channel, ...base })), { kind: 'event', event: { type: 'ChannelDtmfReceived', digit: '1' } });
  t.match(parseAriMessage(JSON.stringify({ type: 'StasisStart', args: ['operator', 'x'], channel, ...base })), { kind: 'event' });
  t.same(parseAriMessage(JSON.stringify({ type: 'ChannelDtmfReceived', digit: 'x', duration_ms: 100, channel, ...base })), { kind: 'invalid', error: 'ChannelDtmfReceived: digit "x" is not a DTMF digit' });
  t.same(parseAriMessage(JSON.stringify({ type: 'StasisEnd', channel: { ...channel, state: 'Sleeping' }, ...base })), { kind: 'invalid', error: 'StasisEnd: channel.state "Sleeping" is not a channel state' });
  t.same(parseAriMessage(JSON.stringify({ type: 'ChannelDestroyed', channel, ...base })), { kind: 'invalid', error: 'ChannelDestroyed: cause is not a number' });
  t.same(parseAriMessage(JSON.stringify({ type: 'StasisStart', args: [], channel })), { kind: 'invalid', error: 'StasisStart: application or timestamp is missing' });
  t.same(parseAriMessage(JSON.stringify({ type: 'PlaybackFinished', playback: { id: 'p' }, ...base })), { kind: 'invalid', error: 'PlaybackFinished: playback is not a Playback' });
});

t.test('other messages are passed over; what is not a message is an error', async (t) => {
  t.same(parseAriMessage(JSON.stringify({ type: 'ChannelVarset', variable: 'X', value: '1', ...base })), { kind: 'ignored', type: 'ChannelVarset' });
  t.same(parseAriMessage(JSON.stringify({ type: 'MissingParams', params: ['app'] })), { kind: 'ignored', type: 'MissingParams' });
  t.same(parseAriMessage(JSON.stringify({ type: 'toString', ...base })), { kind: 'ignored', type: 'toString' }, 'no prototype lookups');
  t.same(parseAriMessage('{"type":'), { kind: 'invalid', error: 'not JSON (SyntaxError)' });
  t.same(parseAriMessage('null'), { kind: 'invalid', error: 'not a JSON object' });
  t.same(parseAriMessage('{"application":"okno"}'), { kind: 'invalid', error: 'no "type"' });
});

t.test('reasons quote nothing of the input but the error type and position, and are short', async (t) => {
  const bad = '{"type": "StasisStart", "channel": {"caller": {"number": "+79161234567"}}, oops';
  const r = parseAriMessage(bad);
  t.same(r, { kind: 'invalid', error: 'not JSON (SyntaxError at position 75)' });
  t.notMatch(JSON.stringify(r), /7916/, "no caller's number");
  const long = parseAriMessage(JSON.stringify({ type: 'StasisEnd', channel: { ...channel, state: 'x'.repeat(10_000) }, ...base }));
  t.equal(long.kind, 'invalid');
  t.ok((long as { error: string }).error.length <= 100, 'cut to 100 characters');
  t.match((long as { error: string }).error, /^StasisEnd: channel\.state "xxx.*… is not a channel state$/);
  const digit = parseAriMessage(JSON.stringify({ type: 'ChannelDtmfReceived', digit: '9'.repeat(5000), duration_ms: 1, channel, ...base }));
  t.ok((digit as { error: string }).error.length <= 100);
});
