/**
 * The live chat with real WebSocket and HTTP clients against a started core: a citizen's browser on
 * /api/portal/chat, operators through the API and their console stream.
 */
import t from 'tap';
import { randomBytes, randomUUID } from 'node:crypto';
import { Appeal, Interaction, JournalEntry } from '@okno/core';
import { PortalChat, PortalSubmission } from '../entities.js';
import { chatSocket, consoleStream, startPortal, type FrameSocket } from '../test-support/portal-app.js';

let offsetMs = 0;
// The clock is moved forward in the last test to let a chat be abandoned without waiting.
const app = await startPortal(
  { replyByEmail: true, rateLimits: { chatOpen: { limit: 4, windowSeconds: 600 } }, chat: { resumeWindowSeconds: 10 }, resubmitWindowHours: 0.01 },
  { clock: () => new Date(Date.now() + offsetMs) },
);
t.teardown(() => app.stop());

const db = app.app.db;
const token = () => randomBytes(24).toString('base64url');

async function openChat(fields: Record<string, unknown> = {}): Promise<{ s: FrameSocket; chatId: string; resumeToken: string; opened: any }> {
  const s = await chatSocket(app);
  const chatId = randomUUID();
  const resumeToken = token();
  s.send({ type: 'open', chatId, resumeToken, name: 'Мария Соколова', email: 'maria@example.ru', text: 'Когда включат горячую воду?', ...fields });
  const opened = await s.waitFor((f) => f.type === 'opened' || f.type === 'error', 'opened');
  return { s, chatId, resumeToken, opened };
}

const apiAs = async (login: string) => {
  const tk = await app.token(login);
  return (method: string, path: string, body?: unknown) => app.req(method, `/api/portal${path}`, { token: tk, ...(body === undefined ? {} : { body }) });
};

t.test('a whole chat: open, queue, join, both ways live, transcript on the appeal, reconnect and resume, close', async (t) => {
  const desk = await consoleStream(app, 'operator');
  const desk2 = await consoleStream(app, 'operator2');
  t.teardown(() => {
    desk.close();
    desk2.close();
  });
  const { s, chatId, resumeToken, opened } = await openChat();
  t.equal(opened.type, 'opened', JSON.stringify(opened));
  t.match(opened.regNumber, /^\d{2}-\d{6}-\d$/);
  t.match(opened.statusSecret, /^[A-Z2-9]{5}-[A-Z2-9]{5}$/, 'the citizen can check the status later');
  const first = await s.waitFor((f) => f.type === 'message' && f.from === 'citizen');
  t.equal(first.text, 'Когда включат горячую воду?');

  // The chat is an appeal of channel "chat", queued like any contact.
  const appeal = await db.read((em) => em.findOneByOrFail(Appeal, { regNumber: opened.regNumber }));
  t.equal(appeal.channel, 'chat');
  t.equal(appeal.type, 'electronic');
  t.equal(appeal.status, 'registered');
  const journal = await db.read((em) => em.findBy(JournalEntry, { aggregateId: String(appeal.id) }));
  t.ok(journal.some((j) => j.type === 'appeal.registered' && j.data.channel === 'chat' && j.data.kind === 'chat'), 'routing sees appeal.registered for a chat');
  t.ok(journal.some((j) => j.type === 'chat.opened' && j.data.chatId === chatId));
  const waiting = await desk.waitFor((f) => f.type === 'portal.chat.waiting' && f.chatId === chatId, 'the waiting chat on the console');
  t.equal(waiting.appealId, appeal.id);
  const listed = await (await apiAs('operator'))('GET', '/chats');
  t.equal(listed.status, 200);
  t.ok(listed.body.some((c: any) => c.chatId === chatId && c.status === 'waiting' && c.regNumber === opened.regNumber), 'listed as waiting');

  // An operator joins: the chat and the appeal are theirs.
  const op = await apiAs('operator');
  const join = await op('POST', `/chats/${chatId}/join`);
  t.equal(join.status, 200, JSON.stringify(join.body));
  t.equal(join.body.citizenName, 'Мария Соколова');
  t.same(join.body.lines.map((l: any) => l.text), ['Когда включат горячую воду?']);
  const joined = await s.waitFor((f) => f.type === 'joined');
  t.equal(joined.operatorName, 'Анна', 'the citizen sees the operator\'s given name only');
  const assigned = await db.read((em) => em.findOneByOrFail(Appeal, { id: appeal.id }));
  t.equal(assigned.status, 'in_progress');
  t.ok(assigned.assignedUserId, 'the appeal is assigned to the operator');
  const op2 = await apiAs('operator2');
  t.equal((await op2('POST', `/chats/${chatId}/join`)).status, 409, 'a second operator cannot take it');
  t.equal((await op2('POST', `/chats/${chatId}/messages`, { text: 'вмешаюсь' })).status, 403, 'nor write in it');

  // Messages both ways, live.
  const said = await op('POST', `/chats/${chatId}/messages`, { text: 'Здравствуйте! По графику — 15 июля.', clientMsgId: 'op-1' });
  t.equal(said.status, 200);
  const fromOp = await s.waitFor((f) => f.type === 'message' && f.from === 'operator');
  t.equal(fromOp.text, 'Здравствуйте! По графику — 15 июля.');
  t.equal(fromOp.seq, said.body.seq);
  await op('POST', `/chats/${chatId}/typing`);
  await s.waitFor((f) => f.type === 'typing' && f.from === 'operator', 'the operator typing');
  s.send({ type: 'typing' });
  await desk.waitFor((f) => f.type === 'portal.chat.typing' && f.chatId === chatId, 'the citizen typing on the console');
  s.send({ type: 'message', text: 'Спасибо! А <b>почему</b> так долго?', clientMsgId: 'c-1' });
  const ack = await s.waitFor((f) => f.type === 'ack' && f.clientMsgId === 'c-1');
  const onDesk = await desk.waitFor((f) => f.type === 'portal.chat.message' && f.from === 'citizen' && f.chatId === chatId, 'the citizen\'s message on the console');
  t.equal(onDesk.text, 'Спасибо! А <b>почему</b> так долго?');
  t.equal(onDesk.seq, ack.seq);
  t.notOk(desk2.frames.some((f) => f.type === 'portal.chat.message'), 'other operators do not get the conversation');

  // The citizen loses the connection; the operator writes meanwhile; the browser reconnects and resumes.
  const lastSeen = Math.max(...s.frames.filter((f) => f.type === 'message').map((f) => f.seq));
  s.close();
  await desk.waitFor((f) => f.type === 'portal.chat.presence' && f.chatId === chatId && f.online === false, 'the operator sees the citizen leave');
  const missed1 = await op('POST', `/chats/${chatId}/messages`, { text: 'Ремонт магистрали.' });
  const missed2 = await op('POST', `/chats/${chatId}/messages`, { text: 'Вы на связи?' });
  const bad = await chatSocket(app);
  bad.send({ type: 'resume', chatId, resumeToken: token(), afterSeq: 0 });
  t.equal(await bad.closed(), 4404, 'a wrong resume token is refused');
  const back = await chatSocket(app);
  back.send({ type: 'resume', chatId, resumeToken, afterSeq: lastSeen });
  const resumed = await back.waitFor((f) => f.type === 'resumed');
  t.equal(resumed.status, 'active');
  t.equal(resumed.operatorName, 'Анна');
  t.same(back.frames.filter((f) => f.type === 'message').map((f) => f.seq), [missed1.body.seq, missed2.body.seq], 'exactly what was missed, in order');
  await desk.waitFor((f) => f.type === 'portal.chat.presence' && f.chatId === chatId && f.online === true, 'and come back');
  back.send({ type: 'message', text: 'Спасибо! А <b>почему</b> так долго?', clientMsgId: 'c-1' });
  const again = await back.waitFor((f) => f.type === 'ack' && f.clientMsgId === 'c-1');
  t.equal(again.seq, ack.seq, 'a message sent again after a reconnect is the same message');
  back.send({ type: 'message', text: 'Да, я здесь.', clientMsgId: 'c-2' });
  await back.waitFor((f) => f.type === 'ack' && f.clientMsgId === 'c-2');

  // The transcript is on the appeal.
  const lines = await db.read((em) => em.find(Interaction, { where: { appealId: appeal.id, kind: 'chat' }, order: { id: 'ASC' } }));
  t.same(lines.map((l) => [l.direction, l.body]), [
    ['in', 'Когда включат горячую воду?'], ['out', 'Здравствуйте! По графику — 15 июля.'], ['in', 'Спасибо! А <b>почему</b> так долго?'],
    ['out', 'Ремонт магистрали.'], ['out', 'Вы на связи?'], ['in', 'Да, я здесь.'],
  ]);
  t.ok(lines.filter((l) => l.direction === 'out').every((l) => l.authorUserId === assigned.assignedUserId), 'operator lines carry their author');
  const view = await op('GET', `/chats/${chatId}`);
  t.equal(view.body.lines.length, 6);

  // The operator ends the chat.
  const closed = await op('POST', `/chats/${chatId}/close`);
  t.equal(closed.status, 200);
  t.equal(closed.body.closedNow, true);
  const end = await back.waitFor((f) => f.type === 'closed');
  t.equal(end.by, 'operator');
  back.send({ type: 'message', text: 'ещё вопрос', clientMsgId: 'c-3' });
  const refused = await back.waitFor((f) => f.type === 'error' && f.code === 'CHAT_CLOSED');
  t.equal(refused.message, 'Чат завершён');
  t.equal((await op('POST', `/chats/${chatId}/messages`, { text: 'поздно' })).status, 409);
  const row = await db.read((em) => em.findOneByOrFail(PortalChat, { chatId }));
  t.same([row.status, row.closedBy], ['closed', 'operator']);
  t.ok(await db.read((em) => em.findOneBy(JournalEntry, { type: 'chat.closed', aggregateId: String(appeal.id) })), 'the close is in the journal');
  t.notOk((await op('GET', '/chats')).body.some((c: any) => c.chatId === chatId), 'no longer listed');
  back.close();
});

t.test('opening again with the same chat id and token is the same chat; another token is refused', async (t) => {
  const { s, chatId, resumeToken, opened } = await openChat({ email: undefined });
  s.close();
  const again = await chatSocket(app);
  again.send({ type: 'open', chatId, resumeToken, name: 'Мария Соколова', text: 'Когда включат горячую воду?' });
  const same = await again.waitFor((f) => f.type === 'opened');
  t.equal(same.regNumber, opened.regNumber);
  t.equal(same.statusSecret, opened.statusSecret, 'the secret survives a lost answer');
  again.close();
  const thief = await chatSocket(app);
  thief.send({ type: 'open', chatId, resumeToken: token(), name: 'Злоумышленник', text: 'дай' });
  t.equal(await thief.closed(), 4404);
  const appeal = await db.read((em) => em.findOneByOrFail(Appeal, { regNumber: opened.regNumber }));
  t.same([appeal.replyChannel, appeal.replyAddress], ['portal', `chat:${chatId}`], 'without an e-mail, answers go to the portal box');
});

t.test('a written answer to a chat appeal reaches the open chat and the portal box', async (t) => {
  const { s, opened, chatId } = await openChat({ email: undefined });
  const appeal = await db.read((em) => em.findOneByOrFail(Appeal, { regNumber: opened.regNumber }));
  const op = await apiAs('operator');
  await op('POST', `/chats/${chatId}/join`);
  const reply = await app.req('POST', `/api/appeals/${appeal.id}/reply`, { token: await app.token('operator'), body: { body: 'Письменный ответ по существу.', final: true } });
  t.equal(reply.status, 200);
  const notice = await s.waitFor((f) => f.type === 'notice' && f.text === 'Письменный ответ по существу.', 'the answer in the chat');
  t.equal(notice.kind, 'reply');
  const status = await app.req('POST', '/api/portal/status', { body: { regNumber: opened.regNumber, secret: opened.statusSecret } });
  t.ok(status.body.messages.some((m: any) => m.text === 'Письменный ответ по существу.'), 'and on the status page');
  s.send({ type: 'close' });
  const closed = await s.waitFor((f) => f.type === 'closed');
  t.equal(closed.by, 'citizen');
  s.close();
});

t.test('bad frames and bad fields get clear errors; the socket survives them', async (t) => {
  const s = await chatSocket(app, '?lang=en');
  s.send({ type: 'message', text: 'hi', clientMsgId: 'x' });
  t.equal((await s.waitFor((f) => f.type === 'error')).code, 'NO_CHAT');
  s.ws.send('not json');
  await s.waitFor((f) => f.code === 'BAD_FRAME');
  s.send({ type: 'dance' });
  await s.waitFor((f) => f.code === 'UNKNOWN_TYPE');
  s.send({ type: 'open', chatId: 'nope', resumeToken: 'short', name: '', text: 'x'.repeat(5000), email: 'bad' });
  const err = await s.waitFor((f) => f.code === 'VALIDATION_ERROR');
  t.same(err.fields.map((f: any) => `${f.field}:${f.type}`).sort(), ['chatId:badId', 'email:email', 'name:required', 'resumeToken:badId', 'text:tooLong']);
  t.equal(err.fields.find((f: any) => f.field === 'name').message, 'This field is required', 'in the language the page asked for');
  s.send({ type: 'ping' });
  await s.waitFor((f) => f.type === 'pong');
  s.close();
});

t.test('opening chats is rate limited per client', async (t) => {
  const outcomes: string[] = [];
  for (let i = 0; i < 4; i++) {
    const { s, opened } = await openChat();
    outcomes.push(opened.type === 'opened' ? 'opened' : opened.code);
    if (opened.code === 'RATE_LIMITED') t.ok(opened.retryAfter > 0, `retry after ${opened.retryAfter} s`);
    s.close();
  }
  // Four new chats per window: the tests above opened three (a repeated open and a refused one do not count).
  t.same(outcomes, ['opened', 'RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']);
});

t.test('a chat whose citizen is gone longer than the resume window is closed as abandoned', async (t) => {
  const before = await db.read((em) => em.findBy(PortalChat, { status: 'waiting' }));
  t.ok(before.length >= 1, 'a waiting chat from the tests above');
  const desk = await consoleStream(app, 'supervisor');
  offsetMs = 60_000;
  const end = Date.now() + 15_000;
  let left = before.length;
  while (left && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    left = await db.read((em) => em.countBy(PortalChat, { status: 'waiting' }));
  }
  t.equal(left, 0, 'no waiting chat is left');
  const row = await db.read((em) => em.findOneByOrFail(PortalChat, { chatId: before[0]!.chatId }));
  t.same([row.status, row.closedBy], ['closed', 'timeout']);
  await desk.waitFor((f) => f.type === 'portal.chat.closed' && f.by === 'timeout', 'supervisors see it');
  desk.close();
  let kept = 1;
  for (let i = 0; i < 100 && kept; i++) {
    kept = await db.read((em) => em.count(PortalSubmission));
    if (kept) await new Promise((r) => setTimeout(r, 100));
  }
  t.equal(kept, 0, 'sealed secrets older than resubmitWindowHours are dropped');
});
