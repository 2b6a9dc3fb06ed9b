import t from 'tap';
import { callIdOfContact, choiceOf, contactTrails, type ContactEvent } from './durable.js';

const ev = (type: string, aggregateId: string, data: Record<string, unknown> = {}): ContactEvent => ({ type, aggregateId, data });

t.test("a call's latest contact and its first enqueue time, from routing's journal events", async (t) => {
  const events = [
    ev('contact.queued', 'call-1.1', { enqueuedAt: '2025-03-05T10:00:00.000Z' }),
    ev('contact.queued', 'call-1.12', { enqueuedAt: '2025-03-05T10:00:30.000Z' }), // another call whose id starts the same
    ev('contact.answered', 'call-1.1', { operatorId: '3' }),
    ev('contact.completed', 'call-1.1'),
    ev('contact.queued', 'call-1.1-r1', { enqueuedAt: '2025-03-05T10:00:00.000Z' }),
    ev('contact.answered', 'call-1.1-r1', { operatorId: '4' }),
    ev('contact.answered', 'call-1.12', { operatorId: '5' }),
  ];
  t.same(contactTrails(events, '1.1'), {
    call: { contactId: 'call-1.1-r1', attempt: 1, state: 'answered', operatorId: '4', enqueuedAt: new Date('2025-03-05T10:00:00.000Z') },
    callback: null,
  });
  t.match(contactTrails(events, '1.12').call, { contactId: 'call-1.12', state: 'answered', operatorId: '5' });
  t.equal(contactTrails(events, '2.1').call, null);
});

t.test('requeued by routing, ended, and a callback', async (t) => {
  const events = [
    ev('contact.queued', 'call-7', { enqueuedAt: '2025-03-05T10:00:00.000Z' }),
    ev('contact.answered', 'call-7', { operatorId: 3 }),
    ev('contact.requeued', 'call-7'),
    ev('contact.retired', 'call-7'),
    ev('contact.queued', 'cb-7', { enqueuedAt: '2025-03-05T10:00:00.000Z' }),
  ];
  const { call, callback } = contactTrails(events, '7');
  t.match(call, { contactId: 'call-7', state: 'ended', operatorId: null });
  t.match(callback, { contactId: 'cb-7', state: 'waiting', attempt: 0 });
  t.same(contactTrails(events.slice(0, 3), '7').call?.state, 'waiting', 'requeued by routing: waiting again');
});

t.test('contact ids and menu choices', async (t) => {
  t.equal(callIdOfContact('call-1712.5-r2'), '1712.5');
  t.equal(callIdOfContact('call-1712.5'), '1712.5');
  t.equal(callIdOfContact('cb-1712.5'), null);
  const ivr = { menu: { '1': { label: 'ЖКХ' }, '2': { label: 'Справки', priority: 5 } }, defaultChoice: { label: 'Общие вопросы' } };
  t.same(choiceOf(ivr, '2', null), { label: 'Справки', priority: 5 });
  t.same(choiceOf(ivr, null, 'ЖКХ'), { label: 'ЖКХ' });
  t.same(choiceOf(ivr, '7', 'нет такого'), { label: 'Общие вопросы' });
});
