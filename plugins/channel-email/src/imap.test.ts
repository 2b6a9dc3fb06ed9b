/**
 * Mailbox mode against a real Dovecot (started by the test on a free port): messages become appeals,
 * and are marked \Seen or moved only after their appeal is committed; a database outage leaves them
 * for the next poll; unparseable ones go to the rejected folder; a rebuilt mailbox (new UIDVALIDITY)
 * is taken again without doubling appeals.
 */
import t from 'tap';
import { ImapFlow } from 'imapflow';
import { Appeal, Interaction, type ChannelHealth } from '@okno/core';
import { needsTools } from '@okno/testkit';
import { startDovecot, type Dovecot } from './test-support/dovecot.js';
import { startEmailApp, type EmailApp } from './test-support/harness.js';
import { rawMessage, baseHeaders, encodeSingleByte, quotedPrintable } from './test-support/fixtures.js';
import type { PollResult } from './inbound/imap-poller.js';
import type { EmailConfig } from './config.js';

const skip = needsTools('dovecot');

async function withImap<T>(d: Dovecot, fn: (c: ImapFlow) => Promise<T>): Promise<T> {
  const c = new ImapFlow({ host: '127.0.0.1', port: d.port, secure: false, auth: { user: d.user, pass: d.password }, logger: false });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.logout();
  }
}

/** UIDs in a mailbox with their flags. */
const listBox = (d: Dovecot, box: string) => withImap(d, async (c) => {
  const lock = await c.getMailboxLock(box);
  try {
    const out: { uid: number; flags: string[]; subject: string }[] = [];
    for await (const m of c.fetch('1:*', { uid: true, flags: true, envelope: true })) out.push({ uid: m.uid, flags: [...(m.flags ?? [])], subject: m.envelope?.subject ?? '' });
    return out;
  } catch {
    return [];
  } finally {
    lock.release();
  }
});

const mail = (subject: string, id: string, text = 'Текст письма из ящика') => rawMessage({ ...baseHeaders(subject, id), 'Content-Type': 'text/plain; charset=utf-8' }, text);

function imapConfig(d: Dovecot, over: Partial<EmailConfig['imap']>): { imap: Partial<EmailConfig['imap']> } {
  return { imap: { enabled: true, host: '127.0.0.1', port: d.port, secure: false, user: d.user, password: d.password, pollSeconds: 3600, rejectUnauthorized: false, ...over } };
}

const poll = (e: EmailApp) => e.app.app.broker.call<PollResult>('channel.email.pollNow');
/** Polls until `check` holds (a poll already running when the test appended may not see the new mail). */
async function pollUntil(e: EmailApp, what: string, check: (r: PollResult) => boolean | Promise<boolean>): Promise<PollResult> {
  for (let i = 0; i < 20; i++) {
    const r = await poll(e);
    if (await check(r)) return r;
  }
  throw new Error(`polling never reached: ${what}`);
}
const appealBy = (e: EmailApp, subject: string) => e.app.app.db.read((em) => em.findOneBy(Appeal, { subject }));

t.test('mailbox mode with a processed folder', { skip }, async (t) => {
  const d = await startDovecot();
  t.teardown(() => d.stop());
  await withImap(d, (c) => c.mailboxCreate('Appeals'));
  const e = await startEmailApp({ config: imapConfig(d, { mailbox: 'Appeals', processedFolder: 'Processed' }) });
  t.teardown(() => e.stop());

  await t.test('a message becomes an appeal and is then moved', async (t) => {
    const koi = encodeSingleByte('Прошу починить фонарь у дома 7', 'koi8-r');
    await withImap(d, (c) => c.append('Appeals', rawMessage({ ...baseHeaders('Фонарь', '<imap-1@example.ru>'), 'Content-Type': 'text/plain; charset=koi8-r', 'Content-Transfer-Encoding': 'quoted-printable' }, quotedPrintable(koi))));
    await pollUntil(e, 'the appeal', async () => Boolean(await appealBy(e, 'Фонарь')));
    const appeal = (await appealBy(e, 'Фонарь'))!;
    t.equal(appeal.channel, 'email');
    t.ok(appeal.regNumber);
    const inter = await e.app.app.db.read((em) => em.findOneByOrFail(Interaction, { appealId: appeal.id }));
    t.equal(inter.body, 'Прошу починить фонарь у дома 7');
    t.same((inter.meta as { via: string }).via, 'imap');
    t.same(await listBox(d, 'Appeals'), [], 'nothing left in the mailbox');
    t.same((await listBox(d, 'Processed')).map((m) => m.subject), ['Фонарь']);
  });

  await t.test('while the database is down the message stays; the next poll takes it', async (t) => {
    // The first poll (at start) is long over and the next is an hour away: only this test polls now.
    await e.app.app.db.close();
    let r: PollResult;
    try {
      await withImap(d, (c) => c.append('Appeals', mail('Во время аварии', '<imap-2@example.ru>')));
      r = await poll(e);
    } finally {
      await e.app.app.db.open();
    }
    t.equal(r.deferred, 1, 'left for the next poll');
    t.equal(r.accepted, 0);
    const left = await listBox(d, 'Appeals');
    t.equal(left.length, 1, 'still in the mailbox');
    t.notOk(left[0]!.flags.includes('\\Seen'), 'not marked as read');
    t.equal(await appealBy(e, 'Во время аварии'), null);
    await pollUntil(e, 'taken after the outage', async () => Boolean(await appealBy(e, 'Во время аварии')));
    t.same(await listBox(d, 'Appeals'), []);
  });

  await t.test('a message that can never be an appeal goes to the rejected folder, flagged', async (t) => {
    await withImap(d, (c) => c.append('Appeals', rawMessage({ ...baseHeaders('Огромный', '<imap-huge@example.ru>'), 'X-Junk': 'z'.repeat(1024 * 1024 + 1) }, 'x')));
    await pollUntil(e, 'the message rejected', async (r) => r.rejected === 1);
    const rejected = await listBox(d, 'Okno-Rejected');
    t.equal(rejected.length, 1);
    t.ok(rejected[0]!.flags.includes('\\Flagged'));
    t.same(await listBox(d, 'Appeals'), []);
  });

  await t.test('a rebuilt mailbox (new UIDVALIDITY) is taken again, one appeal per message', async (t) => {
    const before = (await poll(e)).uidValidity;
    await withImap(d, async (c) => {
      await c.mailboxDelete('Appeals');
      await c.mailboxCreate('Appeals');
      await c.append('Appeals', mail('Фонарь', '<imap-1@example.ru>')); // the same message again
      await c.append('Appeals', mail('После перестройки', '<imap-3@example.ru>'));
    });
    const r = await pollUntil(e, 'both taken', async (x) => x.accepted > 0 && (await listBox(d, 'Appeals')).length === 0);
    t.not(r.uidValidity, before, 'the UIDVALIDITY changed');
    t.ok(await appealBy(e, 'После перестройки'));
    t.equal(await e.app.app.db.read((em) => em.countBy(Appeal, { subject: 'Фонарь' })), 1, 'the known message is still one appeal');
  });

  await t.test('health shows the last poll; an unreachable server makes the channel degraded', async (t) => {
    const ok = await e.app.app.broker.call<ChannelHealth>('channel.email.health');
    t.equal(ok.status, 'ok');
    t.match(ok.details, { imap: { ok: true } });
    await d.stop();
    const r = await poll(e);
    t.equal(r.ok, false);
    const h = await e.app.app.broker.call<ChannelHealth>('channel.email.health');
    t.equal(h.status, 'degraded');
    t.match(h.details, { imap: { ok: false }, smtp: { listening: true } });
  });
});

t.test('mailbox mode marking \\Seen', { skip }, async (t) => {
  const d = await startDovecot();
  t.teardown(() => d.stop());
  const e = await startEmailApp({ config: imapConfig(d, { mailbox: 'INBOX', processedFolder: null }) });
  t.teardown(() => e.stop());
  await withImap(d, (c) => c.append('INBOX', mail('Отмеченное', '<seen-1@example.ru>')));
  await pollUntil(e, 'the appeal', async () => Boolean(await appealBy(e, 'Отмеченное')));
  const box = await listBox(d, 'INBOX');
  t.equal(box.length, 1, 'the message stays in the mailbox');
  t.ok(box[0]!.flags.includes('\\Seen'), 'marked \\Seen after the commit');
  const again = await poll(e);
  t.equal(again.found, 0, 'a seen message is not taken again');
  t.notOk(JSON.stringify(await e.app.app.broker.call('channel.email.health')).includes(d.password), 'the password is never shown');
});
