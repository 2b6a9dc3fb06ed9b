/** The pickup folder: a sent message is one complete .eml file, read back with mailparser. */
import t from 'tap';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import type { OutboundMessage } from '@okno/core';
import { tempDir } from '@okno/testkit';
import { Mailer } from './mailer.js';
import { createPickupTransport, pickupFileName } from './pickup.js';
import { DEFAULTS, configProblems, type OutboundConfig } from '../config.js';

const tmp = tempDir('okno-pickup-');
t.teardown(tmp.cleanup);
const outbox = join(tmp.dir, 'outbox');
const cfg: OutboundConfig = { ...DEFAULTS.outbound, from: 'centre@city.test', pickupDir: outbox };
const mailer = new Mailer(cfg, async () => Buffer.from('%PDF-1.4'), () => createPickupTransport(outbox));
t.teardown(() => mailer.close());

const msg: OutboundMessage = {
  kind: 'reply', appealId: 1, regNumber: '26-000001-8', interactionId: 5, to: 'maria@example.ru', subject: 'Ответ на ваше обращение', text: 'Яму засыпали.',
  lang: 'ru', attachments: [{ attachmentId: 7, filename: 'Ответ.pdf', mime: 'application/pdf', size: 8 }], threadKeys: ['<first-1@example.ru>'], deliveryId: 'reply-5',
};

t.test('a reply lands as one .eml file with everything an SMTP relay would have got', async (t) => {
  t.equal(mailer.enabled, true);
  t.match(await mailer.verify(), { ok: true, error: null }, 'the folder is made and writable');
  const r = await mailer.send(msg);
  t.same(r, { ok: true, externalId: '<okno.reply-5@city.test>' });
  const files = await readdir(outbox);
  t.equal(files.length, 1, 'no temporary file is left behind');
  t.match(files[0], /^\d{4}-\d\d-\d\dT.*_okno\.reply-5@city\.test\.eml$/);
  const parsed = await simpleParser(await readFile(join(outbox, files[0]!)));
  t.equal(parsed.to && !Array.isArray(parsed.to) ? parsed.to.text : null, 'maria@example.ru');
  t.equal(parsed.subject, 'Ответ на ваше обращение [№ 26-000001-8]');
  t.equal(parsed.text?.trim(), 'Яму засыпали.');
  t.equal(parsed.inReplyTo, '<first-1@example.ru>');
  t.equal(parsed.attachments[0]?.filename, 'Ответ.pdf');
});

t.test('a folder that cannot be written is a temporary failure (the delivery is retried, not lost)', async (t) => {
  const blocked = join(tmp.dir, 'not-a-folder');
  await writeFile(blocked, 'a file where the folder should be');
  const m = new Mailer({ ...cfg, pickupDir: blocked }, async () => Buffer.alloc(0), () => createPickupTransport(blocked));
  t.teardown(() => m.close());
  t.match(await m.send({ ...msg, attachments: [], deliveryId: 'reply-6' }), { ok: false, permanent: false, error: /EEXIST|ENOTDIR/ });
  t.match(await m.verify(), { ok: false, error: /EEXIST|ENOTDIR/ });
});

t.test('file names are safe whatever the Message-ID holds', async (t) => {
  const at = new Date('2026-11-28T10:00:00.123Z');
  t.equal(pickupFileName('<a/../b c@x>', at), '2026-11-28T10-00-00-123Z_a_.._b_c@x.eml');
  t.notMatch(pickupFileName('<../../etc/passwd>', at), /\//);
});

t.test('config: a pickup folder or a relay, not both; either needs "from"', async (t) => {
  const base = { ...DEFAULTS, domains: ['city.test'] };
  t.same(configProblems({ ...base, outbound: cfg }), []);
  t.match(configProblems({ ...base, outbound: { ...cfg, host: 'relay.city.test' } }), [/both "host" and "pickupDir"/]);
  t.match(configProblems({ ...base, outbound: { ...cfg, from: null } }), [/needs both "from"/]);
});
