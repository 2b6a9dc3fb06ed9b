/** The contact book: which journal events make, end and refresh contacts — the same on every node. */
import t from 'tap';
import type { JournalEvent } from '@okno/core';
import { ContactBook, type Intent } from './contact-book.js';

let seq = 0;
const ev = (type: string, data: Record<string, unknown>, extra: Partial<JournalEvent> = {}): JournalEvent => ({
  seq: ++seq, at: new Date(1_800_000_000_000 + seq * 1000).toISOString(), type, aggregateType: type.split('.')[0]!, aggregateId: String(data.appealId ?? data.contactId ?? ''), siteId: 3, actorId: null, data, ...extra,
});

const book = (nodeId = 'n1') =>
  new ContactBook({
    nodeId,
    route: (f) => (f.channel === 'fax' && f.siteIds.includes(2) ? { queueId: 'okrug' } : f.serviceId === 99 ? null : { queueId: 'city', ...(f.serviceId === 7 ? { priority: 4, skills: { housing: 2 } } : {}) }),
    siteChain: (s) => (s === 3 ? [3, 2, 1] : s === null ? [] : [s]),
    followUpMs: 86_400_000,
  });
const kinds = (xs: Intent[]) => xs.map((x) => (x.kind === 'enqueue' ? `enqueue ${x.contact.id}` : x.kind === 'end' ? `end ${x.contactId} ${x.reason}` : `refresh ${x.contactId}`));

t.test('appeals by e-mail, fax and portal wait once; phone appeals do not', async (t) => {
  const b = book();
  const reg = ev('appeal.registered', { appealId: 1, channel: 'email', serviceId: 7, organisationId: 2, priority: 0 });
  const [i] = b.apply(reg);
  t.match(i, { kind: 'enqueue', record: true, contact: { id: 'appeal-1', channel: 'email', queueId: 'city', priority: 4, skills: { housing: 2 }, appealId: '1', enqueuedAt: Date.parse(reg.at) } });
  t.same(b.apply(ev('appeal.registered', { appealId: 1, channel: 'email' })), [], 'a second registration is not a second contact');
  t.same(kinds(b.apply(ev('appeal.received', { appealId: 2, channel: 'fax' }))), ['enqueue appeal-2'], 'a fax waits to be registered');
  t.same(b.apply(ev('appeal.registered', { appealId: 2, channel: 'fax' })), [], 'and its registration later is the same contact');
  t.same(b.apply(ev('appeal.registered', { appealId: 3, channel: 'phone' })), [], 'calls come through routing.enqueue');
  t.same(b.apply(ev('appeal.registered', { appealId: 4, channel: 'email', serviceId: 99 })), [], 'no queue takes it: nothing');
  t.same(b.waiting().map((c) => c.id), ['appeal-1', 'appeal-2']);
});

t.test('hand assignment, routing assignment, answer and close', async (t) => {
  const b = book();
  b.apply(ev('appeal.registered', { appealId: 10, channel: 'portal' }));
  b.apply(ev('appeal.registered', { appealId: 11, channel: 'email' }));
  t.same(kinds(b.apply(ev('appeal.assigned', { appealId: 10, userId: 5 }))), ['end appeal-10 taken-by-hand'], 'taken from the work list');
  b.apply(ev('contact.answered', { contactId: 'appeal-11', operatorId: '6', nodeId: 'n1' }, { aggregateType: 'contact', aggregateId: 'appeal-11' }));
  t.same(b.apply(ev('appeal.assigned', { appealId: 11, userId: 6 })), [], 'the assignment routing made is not a hand assignment');
  t.same(b.waiting(), [], 'an answered contact is not restored');
  t.same(kinds(b.apply(ev('appeal.answered', { appealId: 11 }))), ['end appeal-11 handled']);
  t.same(b.apply(ev('appeal.closed', { appealId: 11 })), [], 'ended once');
  b.apply(ev('appeal.registered', { appealId: 12, channel: 'email' }));
  t.same(kinds(b.apply(ev('appeal.redirected', { appealId: 12 }))), ['end appeal-12 handled'], 'redirected to another organisation');
});

t.test('follow-ups prefer the operator who handled the appeal', async (t) => {
  const b = book();
  t.same(b.apply(ev('appeal.message_received', { appealId: 20, channel: 'email' })), [], 'nobody handled it yet: no follow-up');
  b.apply(ev('appeal.registered', { appealId: 20, channel: 'email' }));
  t.same(b.apply(ev('appeal.message_received', { appealId: 20, channel: 'email' })), [], 'still waiting: the open contact covers it');
  b.apply(ev('contact.answered', { contactId: 'appeal-20', operatorId: '8', appealId: 20, nodeId: 'n1' }, { aggregateType: 'contact', aggregateId: 'appeal-20' }));
  b.apply(ev('appeal.answered', { appealId: 20 }));
  const msg = ev('appeal.message_received', { appealId: 20, channel: 'email' });
  const [f] = b.apply(msg);
  t.match(f, { kind: 'enqueue', contact: { id: `appeal-20-${msg.seq}`, preferredOperator: { operatorId: '8', until: Date.parse(msg.at) + 86_400_000 } } });
});

t.test('chats: opened waits, closed while waiting is abandoned, joined by hand ends it', async (t) => {
  const b = book();
  t.same(kinds(b.apply(ev('chat.opened', { appealId: 30, chatId: 'k1', siteId: 3 }))), ['enqueue chat-k1']);
  t.same(kinds(b.apply(ev('chat.closed', { appealId: 30, chatId: 'k1', by: 'citizen' }))), ['end chat-k1 applicant-left']);
  b.apply(ev('chat.opened', { appealId: 31, chatId: 'k2', siteId: 3 }));
  t.same(kinds(b.apply(ev('chat.joined', { appealId: 31, chatId: 'k2', operatorId: 4 }))), ['end chat-k2 taken-by-hand']);
  t.same(b.apply(ev('appeal.registered', { appealId: 32, channel: 'chat' })), [], 'a chat appeal waits as its chat, not as an appeal');
});

t.test('calls and callbacks exist through contact.queued; other nodes changes refresh', async (t) => {
  const b = book('n1');
  const queued = ev('contact.queued', { contactId: 'call-1', channel: 'callback', queueId: 'city', enqueuedAt: '2027-01-01T10:00:00.000Z', priority: 2, origin: 'enqueue', nodeId: 'n2' }, { aggregateType: 'contact', aggregateId: 'call-1' });
  t.match(b.apply(queued), [{ kind: 'enqueue', record: false, contact: { id: 'call-1', channel: 'callback', enqueuedAt: Date.parse('2027-01-01T10:00:00.000Z'), priority: 2 } }], 'the callback keeps the original enqueue time');
  t.same(b.apply(queued), [], 'once');
  t.same(kinds(b.apply(ev('contact.offered', { contactId: 'call-1', nodeId: 'n2' }, { aggregateType: 'contact', aggregateId: 'call-1' }))), ['refresh call-1'], 'another node offered it');
  t.same(b.apply(ev('contact.offered', { contactId: 'call-1', nodeId: 'n1' }, { aggregateType: 'contact', aggregateId: 'call-1' })), [], 'this node knows its own changes');
  b.apply(ev('contact.escalated', { contactId: 'call-1', queueId: 'vip', priority: 5, nodeId: 'n2' }, { aggregateType: 'contact', aggregateId: 'call-1' }));
  t.match(b.waiting(), [{ id: 'call-1', queueId: 'vip', priority: 5 }], 'recovery restores the escalated queue and priority');
  b.apply(ev('contact.abandoned', { contactId: 'call-1', nodeId: 'n2' }, { aggregateType: 'contact', aggregateId: 'call-1' }));
  t.same(b.waiting(), []);
});
