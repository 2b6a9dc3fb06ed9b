/**
 * The database goes away while mail arrives: the sender is told 451 4.3.0 (try again later), nothing
 * half-done is kept, and the same mail sent again once the database is back is one appeal.
 * On SQLite the database is closed under the running core; on MariaDB the network path to it is cut.
 */
import t, { type Test } from 'tap';
import { Appeal, Interaction, InteractionAttachment } from '@okno/core';
import { needsMysql, scratchMysqlDatabase, mysqlTestUrl } from '@okno/testkit';
import { startEmailApp, CITY_ADDRESS, type EmailApp } from './test-support/harness.js';
import { TcpProxy } from './test-support/tcp-proxy.js';

const mail = (tag: string) => ({
  from: 'outage@example.ru', to: CITY_ADDRESS, subject: `Во время аварии ${tag}`, text: 'Письмо пришло, когда база недоступна',
  messageId: `<outage-${tag}@example.ru>`, attachments: [{ filename: 'акт.txt', content: Buffer.from('акт осмотра') }],
});

async function outageThenRetry(t: Test, e: EmailApp, tag: string, down: () => Promise<void>, up: () => Promise<void>) {
  await down();
  const err = await e.send(mail(tag)).then(() => null, (x: { responseCode?: number; response?: string }) => x);
  t.equal(err?.responseCode, 451, 'a temporary failure');
  t.match(err?.response, /^451 4\.3\.0 /);
  await up();
  const ok = await e.send(mail(tag));
  t.match(ok.response, /^250 /, 'the retry is taken');
  const appeals = await e.app.app.db.read((em) => em.findBy(Appeal, { subject: `Во время аварии ${tag}` }));
  t.equal(appeals.length, 1, 'one appeal');
  const inter = await e.app.app.db.read((em) => em.findOneByOrFail(Interaction, { appealId: appeals[0]!.id }));
  const links = await e.app.app.db.read((em) => em.findBy(InteractionAttachment, { interactionId: inter.id }));
  t.equal(links.length, 1, 'with its attachment');
  t.same((await e.app.app.core.attachments.read(links[0]!.attachmentId)).content, Buffer.from('акт осмотра'));
}

t.test('SQLite: the database closed under the running core', async (t) => {
  const e = await startEmailApp();
  t.teardown(() => e.stop());
  const db = e.app.app.db;
  await outageThenRetry(t, e, 'sqlite', () => db.close(), async () => void (await db.open()));
});

t.test('MariaDB: the connection to the database cut', { skip: await needsMysql() }, async (t) => {
  const scratch = await scratchMysqlDatabase('okno_email');
  t.teardown(() => scratch.drop());
  const server = new URL(mysqlTestUrl);
  const proxy = await TcpProxy.start({ host: server.hostname, port: Number(server.port || 3306) });
  t.teardown(() => proxy.cut());
  const url = new URL(scratch.url);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  const e = await startEmailApp({ dbUrl: url.toString() });
  t.teardown(() => e.stop());
  await outageThenRetry(t, e, 'mysql', () => proxy.cut(), () => proxy.restore());
});
