/**
 * The portal's tables on both databases: the migration makes what the entities describe, and the
 * portal works end to end on MariaDB as on SQLite (submit with files, a repeat, status, a chat).
 */
import t from 'tap';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Database, coreEntities, coreMigrations, Appeal } from '@okno/core';
import { needsMysql, scratchMysqlDatabase, tempDir } from '@okno/testkit';
import { portalEntities, portalMigrations } from './entities.js';
import { chatSocket, newSubmissionId, startPortal, submitMultipart } from './test-support/portal-app.js';

const PORTAL_TABLES = ['portal_submissions', 'portal_messages', 'portal_chats'];

const matrix: { name: string; skip: false | string; make: () => Promise<{ url: string; dispose: () => Promise<void> }> }[] = [
  {
    name: 'SQLite', skip: false,
    make: async () => {
      const d = tempDir();
      return { url: `sqlite:${join(d.dir, 'portal.sqlite')}`, dispose: async () => d.cleanup() };
    },
  },
  {
    name: 'MariaDB', skip: await needsMysql(),
    make: async () => {
      const s = await scratchMysqlDatabase('okno_portal');
      return { url: s.url, dispose: s.drop };
    },
  },
];

for (const m of matrix) {
  t.test(`the portal's migration agrees with its entities on ${m.name}`, { skip: m.skip }, async (t) => {
    const tdb = await m.make();
    t.teardown(tdb.dispose);
    const db = await new Database({ url: tdb.url, entities: [...coreEntities, ...portalEntities], migrations: [...coreMigrations, ...portalMigrations] }).open();
    t.teardown(() => db.close());
    const applied = await db.migrate();
    t.equal(applied.at(-1), 'PortalInitial1765000000000', 'applied after the core\'s');
    const qr = db.dataSource.createQueryRunner();
    for (const name of PORTAL_TABLES) {
      const meta = db.dataSource.getMetadata(name);
      const table = await qr.getTable(name);
      t.ok(table, `table ${name}`);
      t.same(meta.columns.map((c) => c.databaseName).sort(), table!.columns.map((c) => c.name).sort(), `${name}: the same columns`);
      for (const idx of meta.indices) {
        const found = table!.indices.find((i) => i.name === idx.name);
        t.ok(found, `${name}: index ${idx.name}`);
        t.equal(Boolean(found?.isUnique), Boolean(idx.isUnique), `${name}: ${idx.name} uniqueness`);
      }
    }
    await qr.release();
    await db.dataSource.undoLastMigration();
    const qr2 = db.dataSource.createQueryRunner();
    for (const name of PORTAL_TABLES) t.notOk(await qr2.hasTable(name), `${name} removed by the down migration`);
    t.ok(await qr2.hasTable('appeals'), 'the core\'s tables stay');
    await qr2.release();
  });

  t.test(`the portal end to end on ${m.name}`, { skip: m.skip }, async (t) => {
    const tdb = await m.make();
    t.teardown(tdb.dispose);
    const app = await startPortal({ replyByEmail: false }, { dbUrl: tdb.url });
    t.teardown(() => app.stop());
    const fields = { submissionId: newSubmissionId(), fullName: 'Базова Дарья', email: 'daria@example.ru', text: 'Текст «в кавычках» и ё' };
    const files = [{ name: 'скан.pdf', type: 'application/pdf', content: randomBytes(50_000) }];
    const [a, b] = await Promise.all([submitMultipart(app, fields, files), submitMultipart(app, fields, files)]);
    t.same([a.status, b.status].sort(), [200, 201], 'a double submit at once is one appeal');
    t.equal(a.body.statusSecret, b.body.statusSecret);
    const status = await app.req('POST', '/api/portal/status', { body: { regNumber: a.body.regNumber, secret: a.body.statusSecret } });
    t.equal(status.status, 200);
    const appeal = await app.app.db.read((em) => em.findOneByOrFail(Appeal, { regNumber: a.body.regNumber }));
    t.equal(appeal.channel, 'portal');

    const s = await chatSocket(app);
    t.teardown(() => s.close());
    s.send({ type: 'open', chatId: randomUUID(), resumeToken: randomBytes(24).toString('base64url'), name: 'Дарья', text: 'Вопрос в чат' });
    const opened = await s.waitFor((f) => f.type === 'opened' || f.type === 'error');
    t.equal(opened.type, 'opened', JSON.stringify(opened));
    s.send({ type: 'message', text: 'ещё', clientMsgId: 'm1' });
    s.send({ type: 'message', text: 'ещё', clientMsgId: 'm1' });
    const acks = [await s.waitFor((f) => f.type === 'ack'), await s.waitFor((f) => f.type === 'ack' && s.frames.filter((x) => x.type === 'ack').length === 2)];
    t.equal(acks.length, 2);
    const all = s.frames.filter((f) => f.type === 'ack').map((f) => f.seq);
    t.equal(all[0], all[1], 'the same message twice is one line');
  });
}
