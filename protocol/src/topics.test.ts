import t from 'tap';
import { topicFor, parseTopic, fileTopic, fileFilter, filterFor, topicMajor, MESSAGE_KINDS } from './topics.js';
import { newId, isSiteId, isAgentId } from './ids.js';

t.test('topics are built and parsed back for every kind', async (t) => {
  const a = { site: 'cao-arbat', agent: 'edge_01' };
  for (const kind of MESSAGE_KINDS) {
    const topic = topicFor(a, kind);
    t.equal(topic, `okno/v1/cao-arbat/edge_01/${kind}`);
    t.same(parseTopic(topic), { ...a, kind });
  }
  const id = newId();
  t.same(parseTopic(fileTopic(a, 'up', id)), { ...a, kind: 'files-up', transferId: id });
  t.same(parseTopic(fileTopic(a, 'down', id)), { ...a, kind: 'files-down', transferId: id });
  t.equal(fileFilter(a, 'down'), 'okno/v1/cao-arbat/edge_01/files/down/+');
});

t.test('unsafe site and agent ids are refused when building', async (t) => {
  for (const bad of ['', 'A', 'a/b', 'a+b', 'a#', 'a.b', ' a', '-a', '$sys', 'x'.repeat(33)]) {
    t.throws(() => topicFor({ site: bad, agent: 'ok' }, 'events'), /invalid site id/, `site ${JSON.stringify(bad)}`);
  }
  t.throws(() => topicFor({ site: 'ok', agent: 'a/b' }, 'events'), /invalid agent id/);
  t.throws(() => fileTopic({ site: 'ok', agent: 'ok' }, 'up', 'not-an-id'), /invalid transfer id/);
  t.ok(isSiteId('msk') && isAgentId('a'.repeat(64)) && !isAgentId('a'.repeat(65)));
});

t.test('foreign, other-major and malformed topics do not parse', async (t) => {
  for (const bad of [
    'okno/v2/msk/a1/events',
    'other/v1/msk/a1/events',
    'okno/v1/msk/a1/unknown',
    'okno/v1/msk/a1/events/extra',
    'okno/v1/MSK/a1/events',
    'okno/v1/msk/a1/files/sideways/' + newId(),
    'okno/v1/msk/a1/files/up/not-an-id',
    'okno/v1/msk/a1',
  ]) {
    t.equal(parseTopic(bad), undefined, bad);
  }
  t.equal(topicMajor('okno/v2/msk/a1/events'), 2);
  t.equal(topicMajor('x/y'), undefined);
});

t.test('core subscription filters', async (t) => {
  t.equal(filterFor('telemetry'), 'okno/v1/+/+/telemetry');
  t.equal(filterFor('events', { site: 'cao' }), 'okno/v1/cao/+/events');
  t.equal(filterFor('files-up'), 'okno/v1/+/+/files/up/+');
  t.throws(() => filterFor('events', { site: '#' }));
});
