/**
 * Sending a document to an agent for faxing (`edge.sendFax`): the TIFF goes down in checksummed
 * chunks on files/down/<id>, then `fax.send` names it; and `okno mqtt-config` writes the Mosquitto
 * files from the database.
 */
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, tempDir, waitFor } from '@okno/testkit';
import { Database } from '../persistence/database.js';
import { coreEntities } from '../persistence/entities/index.js';
import { coreMigrations } from '../persistence/migrations/index.js';
import { systemActor } from '../domain/actor.js';
import type { CommandView } from './commands.js';
import { FleetStore } from './fleet-store.js';
import { edgeRig } from './test-support/rig.js';

t.test('edge.sendFax: the document arrives intact, then fax.send names it', async (t) => {
  const rig = await edgeRig(t);
  const { password } = await rig.register('cao', 'faxer');
  // the simulated agent's own fax.send answer: accepted only once the document has arrived
  const sim = rig.agent('cao', 'faxer', password);
  await sim.connect();
  await waitFor('online', async () => (await rig.rt.store.find('cao', 'faxer')).online);
  const tiff = randomBytes(150 * 1024 + 7);
  const att = await rig.app.app.core.attachments.put(tiff, { filename: 'reply.tif', mime: 'image/tiff' });
  const r = await rig.app.app.broker.call<{ transferId: string; command: CommandView }, object>('edge.sendFax', { site: 'cao', agent: 'faxer', number: '+7 495 765-43-21', attachmentId: att.id, localId: 'OKNO' });
  t.match(r.command, { kind: 'fax.send', status: 'ok', result: { jobId: String, modemId: 'ttyUSB0', queuePosition: 0 }, args: { number: '+7 495 765-43-21', transferId: r.transferId, localId: 'OKNO' } });
  const got = sim.receivedFile(r.transferId);
  t.ok(got && Buffer.from(got.data).equals(tiff), 'the agent has the exact file');
  t.equal(got!.offer.contentType, 'image/tiff');

  const pdf = await rig.app.app.core.attachments.put(Buffer.from('%PDF-1.4'), { filename: 'x.pdf', mime: 'application/pdf' });
  await t.rejects(rig.app.app.broker.call('edge.sendFax', { site: 'cao', agent: 'faxer', number: '1', attachmentId: pdf.id }), { code: 422 }, 'only TIFF is faxed');
  await sim.stop();
  await waitFor('offline', async () => !(await rig.rt.store.find('cao', 'faxer')).online);
  await t.rejects(rig.app.app.broker.call('edge.sendFax', { site: 'cao', agent: 'faxer', number: '1', attachmentId: att.id }), { code: 409 }, 'not to an offline agent');
});

t.test('okno mqtt-config writes password_file, acl_file and a conf excerpt from the database', async (t) => {
  const { dir, cleanup } = tempDir('okno-mqttcfg-');
  t.teardown(cleanup);
  const db = await new Database({ url: `sqlite:${join(dir, 'okno.sqlite')}`, entities: coreEntities, migrations: coreMigrations }).open();
  await db.migrate();
  const store = new FleetStore(db);
  const on = await store.create({ site: 'cao', agent: 'a1' }, systemActor('test'));
  const off = await store.create({ site: 'cao', agent: 'a2' }, systemActor('test'));
  await store.update(off.record.id, { enabled: false }, systemActor('test'));
  await db.close();
  const bin = fileURLToPath(new URL('../bin/okno.js', import.meta.url));
  const out = join(dir, 'mosquitto');
  writeFileSync(join(dir, 'okno.config.json'), JSON.stringify({ dataDir: '.' }));
  const said = run(process.execPath, [bin, 'mqtt-config', '--config', join(dir, 'okno.config.json'), '--out', out], { cwd: dir });
  t.match(said, /1 enabled agents of 2/);
  const passwd = readFileSync(join(out, 'okno.passwd'), 'utf8');
  t.match(passwd, /^okno-core:\$7\$/m);
  t.ok(passwd.includes(`cao.a1:${on.record.passwordHash}\n`), 'the stored hash, as is');
  t.notMatch(passwd, /^cao\.a2:/m, 'not the disabled agent');
  t.equal(statSync(join(out, 'okno.passwd')).mode & 0o777, 0o600, 'the password file is private');
  t.match(readFileSync(join(out, 'okno.acl'), 'utf8'), /^user cao\.a1\n(topic (write|read) okno\/v1\/cao\/a1\/\S+\n)+/m);
  t.match(readFileSync(join(out, 'mosquitto-okno.conf'), 'utf8'), new RegExp(`password_file ${out}/okno.passwd`));
});
