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
  b.apply(ev('appeal.registered', { appealId: 20, channel: 'email' }));
  t.same(b.apply(ev('appeal.message_received', { appealId: 20, channel: 'email' })), [], 'still waiting: the open contact covers it');
  b.apply(ev('contact.answered', { contactId: 'appeal-20', operatorId: '8', appealId: 20, nodeId: 'n1' }, { aggregateType: 'contact', aggregateId: 'appeal-20' }));
  b.apply(ev('appeal.answered', { appealId: 20 }));
  const msg = ev('appeal.message_received', { appealId: 20, channel: 'email' });
  const [f] = b.apply(msg);
  t.match(f, { kind: 'enqueue', contact: { id: `appeal-20-${msg.seq}`, preferredOperator: { operatorId: '8', until: Date.parse(msg.at) + 86_400_000 } } });
});

t.test('a follow-up on an appeal nobody handled through routing waits for anyone, in the queue of its service', async (t) => {
  const b = book();
  t.same(b.apply(ev('appeal.registered', { appealId: 21, channel: 'phone', serviceId: 7 })), [], 'registered during a call: no appeal contact');
  const msg = ev('appeal.message_received', { appealId: 21, channel: 'email' });
  const [f] = b.apply(msg);
  t.match(f, { kind: 'enqueue', contact: { id: `appeal-21-${msg.seq}`, channel: 'email', queueId: 'city', priority: 4 } }, 'routed by what the book knows of the appeal');
  t.notOk(f?.kind === 'enqueue' && f.contact.preferredOperator, 'no preferred operator');
  t.same(b.apply(ev('appeal.message_received', { appealId: 21, channel: 'email' })), [], 'a second message while it waits is covered by it');
  t.equal(b.apply(ev('appeal.message_received', { appealId: 23, channel: 'email' })).length, 1, 'a message before its appeal\'s registration event opens a contact');
  t.same(b.apply(ev('appeal.registered', { appealId: 23, channel: 'email' })), [], 'and the registration does not open a second one');
  t.same(b.apply(ev('appeal.message_received', { appealId: 24, channel: 'phone' })), [], 'calls come through routing.enqueue');
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

// ---- memory bounds: what the book forgets, and when (journal time)

const DAY = 86_400_000;
const T0 = Date.parse('2027-03-01T09:00:00.000Z');
const at = (ms: number) => ({ at: new Date(T0 + ms).toISOString() });
const windowed = (followUpDays = 10, staleDays?: number) =>
  new ContactBook({ nodeId: 'n1', route: () => ({ queueId: 'city' }), siteChain: () => [], followUpMs: followUpDays * DAY, ...(staleDays ? { staleMs: staleDays * DAY } : {}) });
const answered = (appealId: number, operatorId: string, ms: number) =>
  ev('contact.answered', { contactId: `appeal-${appealId}`, operatorId, appealId, nodeId: 'n1' }, { aggregateType: 'contact', aggregateId: `appeal-${appealId}`, ...at(ms) });
/** An e-mail appeal registered at `ms`, answered through routing by `operatorId` an hour later and closed two hours later. */
const handled = (b: ContactBook, appealId: number, operatorId: string, ms: number) => {
  b.apply(ev('appeal.registered', { appealId, channel: 'email', serviceId: 7 }, at(ms)));
  b.apply(answered(appealId, operatorId, ms + 3_600_000));
  b.apply(ev('appeal.answered', { appealId }, at(ms + 7_200_000)));
};
const followUp = (appealId: number, ms: number) => ev('appeal.message_received', { appealId, channel: 'email' }, at(ms));

t.test('a follow-up within the window after the answer goes to the last handler; later the appeal is forgotten', async (t) => {
  const b = windowed(10);
  handled(b, 40, '8', 0);
  handled(b, 41, '9', 0);
  handled(b, 43, '7', 0);
  const settledAt = 7_200_000;
  const [f] = b.apply(followUp(40, settledAt + 10 * DAY));
  t.match(f, { kind: 'enqueue', contact: { id: /^appeal-40-/, preferredOperator: { operatorId: '8', until: T0 + settledAt + 20 * DAY } } }, 'on the last day of the window: for the operator who answered');
  const [late] = b.apply(followUp(41, settledAt + 10 * DAY + 1));
  t.match(late, { kind: 'enqueue', contact: { id: /^appeal-41-/ } }, 'a millisecond after it: the follow-up still waits…');
  t.notOk(late?.kind === 'enqueue' && late.contact.preferredOperator, '…for anyone: nobody is remembered');
  t.equal(b.size().appeals, 2, 'asked for past its time, appeal 41 is dropped at once');
  b.apply(ev('appeal.closed', { appealId: 42 }, at(settledAt + 11 * DAY)));
  t.equal(b.size().appeals, 2, 'one not asked for stays until a sweep a day past its time');
  b.apply(ev('appeal.closed', { appealId: 42 }, at(settledAt + 12 * DAY)));
  t.equal(b.size().appeals, 1, 'then the sweep drops it; appeal 40 (its follow-up counts from its own time) stays');
  b.apply(ev('appeal.closed', { appealId: 42 }, at(settledAt + 22 * DAY)));
  t.same(b.size(), { entries: 2, waiting: 2, appeals: 0, settledAppeals: 0 }, 'then 40 goes as well; the follow-ups of 40 and 41 still wait');
});

t.test('every event about a remembered appeal restarts its window; an assignment makes it active again', async (t) => {
  const b = windowed(10, 100);
  handled(b, 50, '8', 0);
  b.apply(ev('appeal.note_added', { appealId: 50 }, { aggregateType: 'appeal', aggregateId: '50', ...at(9 * DAY) }));
  t.equal(b.apply(followUp(50, 18 * DAY)).length, 1, 'nine days after the note: still remembered');
  b.apply(ev('contact.completed', { contactId: `appeal-50-${seq}`, nodeId: 'n1' }, { aggregateType: 'contact', aggregateId: `appeal-50-${seq}`, ...at(18 * DAY + 1000) }));
  b.apply(ev('appeal.assigned', { appealId: 50, userId: 12 }, at(19 * DAY)));
  t.match(b.apply(followUp(50, 19 * DAY + 99 * DAY)), [{ contact: { preferredOperator: { operatorId: '12' } } }], 'assigned and not answered again: remembered for the stale time (100 days), the new assignee preferred');
  b.apply(ev('contact.completed', { contactId: `appeal-50-${seq}`, nodeId: 'n1' }, { aggregateType: 'contact', aggregateId: `appeal-50-${seq}`, ...at(119 * DAY) }));
  const [late] = b.apply(followUp(50, 119 * DAY + 100 * DAY + 1));
  t.notOk(late?.kind === 'enqueue' && late.contact.preferredOperator, 'past the stale time an appeal nobody closed is forgotten too: the follow-up waits for anyone');
});

t.test('a fax received and registered much later is still one contact while it is open', async (t) => {
  const b = windowed(10);
  t.equal(b.apply(ev('appeal.received', { appealId: 60, channel: 'fax' }, at(0))).length, 1);
  b.apply(ev('contact.retired', { contactId: 'appeal-60', nodeId: 'n1' }, { aggregateType: 'contact', aggregateId: 'appeal-60', ...at(DAY) }));
  b.apply(ev('appeal.closed', { appealId: 61 }, at(200 * DAY)));
  t.same(b.apply(ev('appeal.registered', { appealId: 60, channel: 'fax' }, at(200 * DAY + 1))), [], 'not settled: its first contact is remembered for the stale time');
});

t.test('over a long journal the book holds the open contacts and the appeals of the last window only', async (t) => {
  const b = windowed(10);
  const every = 5 * 3_600_000;
  let peak = 0;
  for (let i = 0; i < 2_000; i++) {
    handled(b, 1000 + i, String(i % 30), i * every);
    if (i % 3 === 0) b.apply(followUp(1000 + i, i * every + 3 * DAY));
    b.apply(ev('contact.retired', { contactId: `appeal-${1000 + i}-${seq}`, nodeId: 'n1' }, { aggregateType: 'contact', aggregateId: `appeal-${1000 + i}-${seq}`, ...at(i * every + 3 * DAY) }));
    peak = Math.max(peak, b.size().appeals);
  }
  const window = Math.ceil((13 * DAY + 2 * 3_600_000) / every) + 1; // follow-up 3 days + window 10 + slack 1 + sweep 1 h
  t.ok(peak <= window + 1, `at most the appeals of the last window are remembered (peak ${peak}, window ${window}, ${2_000} appeals over ${Math.round((2_000 * every) / DAY)} days)`);
  t.ok(peak >= (10 * DAY) / every, 'and those are kept');
  t.equal(b.size().entries, b.size().waiting, 'no answered contact is left open');
});

t.test('the book as JSON: restored, it goes on exactly as the book it came from', async (t) => {
  const events: JournalEvent[] = [];
  for (let i = 0; i < 300; i++) {
    const ms = i * 3 * 3_600_000;
    events.push(ev('appeal.registered', { appealId: 2000 + i, channel: ['email', 'fax', 'portal'][i % 3], serviceId: 7 }, at(ms)));
    if (i % 4 === 0) events.push(ev('chat.opened', { appealId: 5000 + i, chatId: `k${i}`, siteId: 3 }, at(ms + 1)));
    if (i % 2 === 0) events.push(answered(2000 + i, String(i % 7), ms + 60_000));
    if (i % 2 === 0 && i % 8 !== 0) events.push(ev('appeal.closed', { appealId: 2000 + i }, at(ms + 120_000)));
    if (i > 20 && i % 5 === 0) events.push(followUp(2000 + i - 20, ms + 1000));
    if (i % 6 === 0) events.push(ev('contact.queued', { contactId: `call-${i}`, channel: 'voice', queueId: 'city', enqueuedAt: new Date(T0 + ms).toISOString(), origin: 'enqueue', nodeId: 'n2', skills: { housing: 2 } }, { aggregateType: 'contact', aggregateId: `call-${i}`, ...at(ms) }));
    if (i % 12 === 0) events.push(ev('contact.escalated', { contactId: `call-${i}`, queueId: 'vip', priority: 3, nodeId: 'n2' }, { aggregateType: 'contact', aggregateId: `call-${i}`, ...at(ms + 5000) }));
  }
  const whole = windowed(10);
  const intents = (b: ContactBook, list: JournalEvent[]) => list.map((e) => b.apply(e));
  const half = Math.floor(events.length / 2);
  intents(whole, events.slice(0, half));
  const restored = windowed(10);
  restored.restoreState(JSON.parse(JSON.stringify(whole.exportState())));
  t.same(restored.exportState(), whole.exportState(), 'the same state after the round trip');
  t.same(intents(restored, events.slice(half)), intents(whole, events.slice(half)), 'the same intents for the rest of the journal');
  t.same(restored.exportState(), whole.exportState(), 'and the same state at the end');
  t.same(restored.waiting(), whole.waiting(), 'the same contacts waiting');
  t.ok(whole.waiting().some((c) => c.preferredOperator), 'follow-ups among them');

  const before = JSON.stringify(restored.exportState());
  const bad = JSON.parse(before);
  bad.entries[0][1].input.enqueuedAt = 'yesterday';
  t.throws(() => restored.restoreState(bad), /entries/, 'a damaged state is refused');
  t.throws(() => restored.restoreState({ ...JSON.parse(before), appeals: { active: [[1, { at: 'x' }]], settled: [] } }), /appeals\.active/);
  t.throws(() => restored.restoreState(null as never), /not an object/);
  t.equal(JSON.stringify(restored.exportState()), before, 'and leaves the book as it was');
});
