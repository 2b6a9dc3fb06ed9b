/**
 * The fax channel with the core's real edge service and its embedded MQTT broker, and an edge agent
 * speaking the protocol over MQTT (`SimEdgeAgent` of @okno/core/testing): health follows the agents online with
 * modems; a fax uploaded in chunks becomes an appeal (the remote fax id read from the edge service,
 * not the journal); replies are refused as "by post or e-mail"; a TIFF-F document goes down to the
 * agent with a `fax.send` command, and the agent's final `fax.failed` is recorded on the reply.
 */
import t from 'tap';
import { Appeal, Interaction, JournalEntry, Notice, type ChannelHealth, type OutboundMessage, type SendResult } from '@okno/core';
import { SAMPLE_MODEM, SimEdgeAgent } from '@okno/core/testing';
import { waitFor } from '@okno/testkit';
import { startFaxApp } from './test-support/fax-app.js';
import { tiffF, testPage } from './test-support/tiff-f.js';
import { REPLIES_NOT_SUPPORTED } from './outbound/fax-sender.js';

/** waitFor for a value that is there in the end. */
const settled = async <T>(what: string, fn: () => Promise<T | null | undefined>): Promise<T> => (await waitFor(what, fn, 20_000))!;

const fax = tiffF([testPage(40, 98, 1), testPage(30, 196, 2)], { fillOrder: 2, eolAligned: true });

t.test('fax channel with an edge agent over MQTT', async (t) => {
  const f = await startFaxApp({ deliveryPollMs: 100, fax: { defaultAgent: 'cao-arbat/arbat-1' } });
  t.teardown(() => f.stop());
  const call = <R>(action: string, params: object = {}) => f.app.app.broker.call<R, object>(action, params);
  const health = () => call<ChannelHealth>('channel.fax.health');
  const { agentUrl } = await call<{ agentUrl: string }>('edge.brokerInfo');
  const reg = await call<{ password: string }>('edge.register', { site: 'cao-arbat', agent: 'arbat-1' });
  const operator = await f.app.token('operator');

  await t.test('health is degraded while no agent with a modem is online', async (t) => {
    const h = await health();
    t.equal(h.status, 'degraded');
    t.equal(h.details?.reason, 'no edge agent has a fax modem', 'registered, but never online: no inventory yet');
  });

  const agent = new SimEdgeAgent({ url: agentUrl, site: 'cao-arbat', agent: 'arbat-1', password: reg.password });
  t.teardown(() => agent.stop());
  await agent.connect();

  await t.test('health is ok once an agent with a fax modem is online', async (t) => {
    const h = await settled('the agent online', async () => {
      const x = await health();
      return x.status === 'ok' ? x : null;
    });
    t.same(h.details?.agentsOnline, ['cao-arbat/arbat-1']);
  });

  let appealId = 0;
  let tiffId = 0;
  await t.test('a fax uploaded by the agent becomes an appeal with the sender\'s number', async (t) => {
    // Received ten minutes ago, while the site's link was down; uploaded now.
    const at = Date.now() - 10 * 60_000;
    const out = await agent.receiveFax(fax, { pages: 2, remoteId: '+7 495 765-43-21', at });
    t.ok(out.ok, 'the core answered done');
    const inter = await f.interactionOf(out.transferId);
    appealId = inter.appealId;
    const appeal = (await f.core.db.read((em) => em.findOneBy(Appeal, { id: appealId })))!;
    t.equal(appeal.receivedAt.getTime(), at, 'received when the agent\'s modem took it, not when the core got the file');
    t.match(inter.body, /^Входящий факс от \+7 495 765-43-21, 2 стр\., принят .* \(Район Арбат, агент arbat-1, модем ttyUSB0\)/);
    const row = await f.core.db.read((em) => em.findOneBy(JournalEntry, { type: 'edge.file_received' }));
    t.notOk((row!.data.meta as Record<string, unknown>).remoteId, 'the journal row does not carry the fax number');
    t.equal((await f.core.db.read((em) => em.findOneBy(Appeal, { id: appealId })))!.status, 'received');
    tiffId = Number(row!.data.attachmentId);
  });

  await t.test('registered with a fax reply address, its "received" notice fails by design: answer by post or e-mail', async (t) => {
    const r = await f.app.req('POST', `/api/appeals/${appealId}/register`, { token: operator, body: { applicant: { fullName: 'Иванов Иван Иванович' }, replyTo: { channel: 'fax', address: '+7 495 765-43-21' } } });
    t.equal(r.status, 200, 'registered');
    const notice = await settled('the notice settled', () => f.core.db.read((em) => em.findOneBy(Notice, { appealId, kind: 'received', status: 'failed' })));
    t.match(notice.lastError, REPLIES_NOT_SUPPORTED);
  });

  const reply = async (body: Record<string, unknown>) => {
    const r = await f.app.req('POST', `/api/appeals/${appealId}/reply`, { token: operator, body });
    if (r.status !== 200) throw new Error(`reply refused: ${r.status} ${JSON.stringify(r.body)}`);
    return settled('the reply delivered or refused', () => f.core.db.read(async (em) => {
      const i = await em.findOneBy(Interaction, { id: r.body.interactionId });
      return i && i.deliveryStatus !== 'pending' && i.deliveryStatus !== 'sending' ? i : i?.deliveryError ? i : null;
    }));
  };

  await t.test('a written reply is refused for good, saying what to do instead', async (t) => {
    const i = await reply({ body: 'Ответ по существу' });
    t.equal(i.deliveryStatus, 'failed');
    t.match(i.deliveryError, /^replies by fax are not supported; answer by post or e-mail \(only a document that is already a fax/);
  });

  await t.test('a reply with a file that is not a fax document is refused for good', async (t) => {
    const pdf = await f.core.attachments.put(Buffer.from('%PDF-1.4\n%%EOF\n'), { filename: 'answer.pdf', mime: 'application/pdf' });
    const i = await reply({ body: 'см. вложение', attachmentIds: [pdf.id] });
    t.equal(i.deliveryStatus, 'failed');
    t.match(i.deliveryError, /"answer\.pdf" is application\/pdf, not a TIFF Class F fax document/);
    const notFax = await f.core.attachments.put(tiffF([testPage(10, 300, 1, 2000)]), { filename: 'scan.tif', mime: 'image/tiff' });
    const j = await reply({ body: 'см. вложение', attachmentIds: [notFax.id] });
    t.match(j.deliveryError, /is not a TIFF Class F fax document: page 1 is 2000 pixels wide.*vertical resolution of 300 lpi/);
  });

  await t.test('a TIFF-F document goes to the agent of the appeal\'s site with a fax.send command', async (t) => {
    const i = await reply({ body: 'Документ по факсу', attachmentIds: [tiffId] });
    t.equal(i.deliveryStatus, 'sent', i.deliveryError ?? '');
    t.match(i.externalId, /^fax-job:cao-arbat\/arbat-1\/[0-9a-f-]{36}$/);
    const cmd = agent.commands.find((c) => c.kind === 'fax.send')!;
    t.equal(cmd.args.number, '+7 495 765-43-21');
    const doc = agent.receivedFile(String(cmd.args.transferId));
    t.ok(doc && Buffer.from(doc.data).equals(fax), 'the agent got the document byte for byte');
    t.equal(doc?.offer.contentType, 'image/tiff');

    // The line stays busy; after its last attempt the agent gives up.
    const jobId = i.externalId!.split('/').at(-1)!;
    await agent.event({ type: 'fax.failed', jobId, modemId: SAMPLE_MODEM.id, number: '+7 495 765-43-21', attempts: 1, willRetry: true, reason: 'busy' });
    await agent.event({ type: 'fax.failed', jobId, modemId: SAMPLE_MODEM.id, number: '+7 495 765-43-21', attempts: 3, willRetry: false, reason: 'no answer', hangup: { code: 'B', fclass: '2.0', meaning: 'No answer (T.30 T1 timeout)' } });
    const failed = await settled('the final failure recorded', () => f.core.db.read((em) => em.findOneBy(Interaction, { id: i.id, deliveryStatus: 'failed' })));
    t.equal(failed.deliveryError, 'the fax to +7 495 765-43-21 failed after 3 attempt(s): no answer; hangup B (No answer (T.30 T1 timeout))');
    const journal = await f.core.db.read((em) => em.findBy(JournalEntry, { type: 'interaction.failed', aggregateId: String(appealId) }));
    t.ok(journal.some((j) => j.data.interactionId === i.id), 'interaction.failed in the journal');
  });

  await t.test('an agent that refuses the job leaves the reply to be retried', async (t) => {
    agent.handle('fax.send', async () => ({ error: 'busy', message: 'all modems are busy' }));
    const i = await reply({ body: 'Документ по факсу', attachmentIds: [tiffId] });
    t.equal(i.deliveryStatus, 'pending');
    t.match(i.deliveryError, /did not take the fax: all modems are busy/);
    agent.handle('fax.send');
  });

  await t.test('the default agent sends for a site without an agent of its own', async (t) => {
    const sao = await call<{ appealId: number }>('appeals.intake', { channel: 'fax', messageId: 'fax:sao-test', siteCode: 'sao', body: 'x', applicant: {}, register: false });
    const r = await call<SendResult>('channel.fax.send', outbound(sao.appealId));
    t.ok(r.ok, 'sent through the default agent');
    t.match((r as { externalId: string }).externalId, /^fax-job:cao-arbat\/arbat-1\//);
  });

  await t.test('with the agent gone, health is degraded and faxes wait', async (t) => {
    await agent.stop();
    const h = await settled('the agent offline', async () => {
      const x = await health();
      return x.status === 'degraded' ? x : null;
    });
    t.same(h.details?.agentsOffline, [{ agent: 'cao-arbat/arbat-1', lastSeen: (h.details?.agentsOffline as { lastSeen: string }[])[0]!.lastSeen }]);
    const sao = (await f.core.db.read((em) => em.findOneBy(Interaction, { externalId: 'fax:sao-test' })))!;
    const r = await call<SendResult>('channel.fax.send', outbound(sao.appealId));
    t.same(r, { ok: false, error: 'no edge agent with a fax modem is online for site sao nor the default agent cao-arbat/arbat-1', permanent: false });
  });

  function outbound(id: number): OutboundMessage {
    return {
      kind: 'reply', appealId: id, regNumber: null, interactionId: null, to: '+7 499 111-22-33', subject: '', text: '', lang: 'ru',
      attachments: [{ attachmentId: tiffId, filename: 'fax.tif', mime: 'image/tiff', size: fax.length }], threadKeys: [], deliveryId: `test-${id}`,
    };
  }
});
