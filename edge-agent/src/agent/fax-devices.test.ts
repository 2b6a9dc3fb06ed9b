import t from 'tap';
import pino from 'pino';
import { needsTools, tempDir, waitFor } from '@okno/testkit';
import { coreSender, encodeFileMessage, envelope, fileTopic, FileSender, newId, decodeFileMessage, type ReceiverMessage } from '@okno/protocol';
import { encodeMh, makeTestPage, ModemSimulator, openPtyPair, openSerialLink, readTiffF, writeTiffF, type FaxPage } from '../fax/index.js';
import { FaxModems } from './fax-devices.js';
import { DeviceManager } from './devices.js';
import { startAedes } from './test-support/broker.js';
import { CoreObserver } from './test-support/core-observer.js';
import { testAgent } from './test-support/agent-rig.js';

async function need<T>(what: string, check: () => T | undefined, timeoutMs?: number): Promise<T> {
  return (await waitFor(what, check, timeoutMs))!;
}

const page = (n: number): FaxPage => ({ data: encodeMh(makeTestPage({ height: 200, pageNo: n }), { fillOrder: 2 }), fillOrder: 2, width: 1728, rows: 200, yResolution: 98, twoD: false });

t.test('fax modem on a simulated line: inventory, fax.send from the core with page events, an incoming fax uploaded in chunks', { skip: needsTools('socat') }, async (t) => {
  const pair = await openPtyPair();
  const simLink = await openSerialLink({ path: pair.modemPath, uucpLock: 'off', livenessIntervalMs: 0 });
  const sim = new ModemSimulator(simLink, { speedFactor: 50, minPageMs: 20, connectDelayMs: 20, xonDelayMs: 10, ringIntervalMs: 100 });
  const broker = await startAedes();
  const core = await CoreObserver.connect(broker.url);
  const spool = tempDir('okno-fax-agent-');
  const addr = { site: 'cao', agent: 'fax-1' };
  const fax = new FaxModems({
    ports: [pair.dtePath],
    modem: { localId: 'OKNO TEST', commandDelayMs: 0, answerAfterRings: 1, timeouts: { xoff: 3000, pageDone: 5000, postPage: 3000, hangupGrace: 300 } },
    rescanMs: 0,
    logger: pino({ level: 'silent' }),
    open: (path) => openSerialLink({ path, uucpLock: 'off', livenessIntervalMs: 200 }),
  });
  const agent = testAgent({ url: broker.url, ...addr, spoolDir: spool.dir, devices: new DeviceManager({ fax }) });
  t.teardown(async () => {
    await agent.stop();
    await core.close();
    await broker.close();
    sim.shutdown();
    await simLink.close().catch(() => undefined);
    await pair.close();
    spool.cleanup();
  });
  await agent.start();
  const inv = await need('inventory with the modem', () => core.of('inventory', addr).find((s) => s.msg.modems.length === 1));
  t.match(inv.msg.modems[0], { id: pair.dtePath, manufacturer: 'OKNO', model: 'SIMFAX-2000', faxClass: '2.0' });
  t.ok(inv.msg.modems[0]!.classes.includes('2.0'));

  // the core sends the document down in chunks, then asks for it to be faxed
  const doc = writeTiffF([page(1), page(2)]);
  const transferId = newId();
  const sender = new FileSender({
    transferId,
    data: doc,
    name: 'reply.tif',
    contentType: 'image/tiff',
    chunkSize: 2048,
    ackTimeoutMs: 1000,
    envelope: () => envelope(coreSender('test-core')),
    send: (m) => core.client.publishAsync(fileTopic(addr, 'down', transferId), Buffer.from(encodeFileMessage(m)), { qos: 1 }).then(() => undefined),
  });
  core.client.on('message', (topic, payload) => {
    if (topic === fileTopic(addr, 'up', transferId)) sender.handle(decodeFileMessage(payload) as ReceiverMessage);
  });
  sender.start();
  t.ok((await sender.done).ok, 'document downloaded by the agent');
  const sent = await core.result((await core.command(addr, 'fax.send', { number: '5551234', transferId }, 10_000)).id);
  t.equal(sent.status, 'ok', JSON.stringify(sent.error));
  t.match(sent.result, { modemId: pair.dtePath });
  const done = await need('fax.sent', () => core.of('events', addr).find((s) => s.msg.event.type === 'fax.sent'), 30_000);
  t.match(done.msg.event, { type: 'fax.sent', number: '5551234', pages: 2, attempts: 1 });
  t.equal(core.of('events', addr).filter((s) => s.msg.event.type === 'fax.page' && s.msg.event.direction === 'send').length, 2, 'one fax.page event per page');

  // an incoming call: answered, received, uploaded to the core
  const call = await sim.placeCall({ pages: [page(1)], callerId: '+7 495 111 2233' });
  t.equal(call.answered, true);
  const rx = await need('fax.received', () => core.of('events', addr).find((s) => s.msg.event.type === 'fax.received'), 30_000);
  const file = await need('uploaded file', () => core.files[0], 30_000);
  t.equal(rx.msg.event.type === 'fax.received' && rx.msg.event.transferId, file.offer.transferId);
  t.equal(readTiffF(file.data).length, 1, 'the core got a one-page TIFF Class F');
  // A telemetry report may fall between the answer (callsIn) and the end of the call (pagesIn): wait
  // for one that has both; a page never counted times out here.
  const tel = await need('telemetry with line stats', () => core.of('telemetry', addr).find((s) => s.msg.modems[0]?.line.callsIn === 1 && s.msg.modems[0]?.line.pagesIn > 0));
  t.match(tel.msg.modems[0]!.line, { callsOut: 1, pagesOut: 2, pagesIn: 1 });
});
