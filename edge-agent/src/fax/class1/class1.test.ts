/**
 * Class 1: our T.30 sender and receiver against the simulated Class 1 modem and its remote fax,
 * over a real socat PTY pair, through the same FaxModem the agent uses.
 */
import t, { type Test } from 'tap';
import { needsTools } from '@okno/testkit';
import { driverOnSimulator, testFaxPage, rowMatch, decodePage, type DriverFixture, type SimFixture } from '../test-support/sim-fixture.js';
import type { FaxModemConfig, ReceivedFax } from '../modem/fax-modem.js';
import type { ModemSimulatorOptions } from '../simulator/modem-simulator.js';
import type { PageProgress } from '../class2/send-session.js';
import { readTiffF, pageForWire } from '../tiff/tiff-f.js';

const FAST: ModemSimulatorOptions = { classes: '0,1', speedFactor: 200, minPageMs: 20, connectDelayMs: 20, ringIntervalMs: 100, class1RemoteWaitMs: 800 };
const QUICK: FaxModemConfig['timeouts'] = {
  command: 1000,
  dial: 3000,
  answer: 3000,
  pageStart: 3000,
  xoff: 3000,
  pageDone: 5000,
  rxDataIdle: 2000,
  rxPageDone: 3000,
  hangupGrace: 300,
  t1: 4000,
  t2: 1500,
  t4: 600,
  hdlc: 3000,
};

function setup(t: Test, sim: ModemSimulatorOptions = {}, cfg: FaxModemConfig = {}): Promise<DriverFixture> {
  return driverOnSimulator(t, { ...FAST, ...sim }, { timeouts: QUICK, ...cfg });
}

const dte = (fx: SimFixture) => fx.sim.transcript.filter((l) => l.startsWith("DTE> 'AT")).map((l) => l.slice(6, -1));
const skip = needsTools('socat');

t.test('a modem with only Class 1 is probed and used in Class 1, with its modulations', { skip }, async (t) => {
  const { modem } = await setup(t, { classes: '0,1', class1Modulations: '24,48,72,96' });
  const info = await modem.open();
  t.match(info, { fclass: '0,1', classes: { class1: true, class2: false, class20: false }, class1: { transmit: [24, 48, 72, 96], receive: [24, 48, 72, 96], maxBr: 3 }, preferredClass: '1' });
  t.equal(modem.faxClass, '1');
  t.equal(modem.state, 'idle');
});

t.test('Class 2.0 > 2 > 1 by default; faxClass: 1 overrides', { skip }, async (t) => {
  const { modem } = await setup(t, { classes: '0,1,2,2.0' });
  t.match(await modem.open(), { preferredClass: '2.0', class1: { maxBr: 5 } });
  t.equal(modem.faxClass, '2.0');
  const { fx, modem: m1 } = await setup(t, { classes: '0,1,2,2.0' }, { faxClass: '1' });
  await m1.open();
  t.equal(m1.faxClass, '1');
  t.ok(dte(fx).includes('AT+FCLASS=1') && dte(fx).includes('AT+FLO=1'), 'selected Class 1 with XON/XOFF flow control');
});

t.test('sends a 2-page fax in Class 1, training down from 14400 to what the line carries', { skip }, async (t) => {
  const { fx, modem, pages } = await setup(t, { lineBr: 3, remoteId: 'REMOTE C1' });
  await modem.open();
  const a = testFaxPage(1, { fillOrder: 1, height: 300 });
  const b = testFaxPage(2, { fillOrder: 2, height: 300 });
  const progress: PageProgress[] = [];
  const ended = new Promise<{ hangup: string }>((resolve) => fx.sim.once('callEnded', resolve));
  const r = await modem.send({ number: '555-1234', pages: [a.page, b.page], onPage: (p) => progress.push(p) });
  t.match(r, { ok: true, pages: 2, retransmits: 0, remoteId: 'REMOTE C1', hangup: { code: '0', faxClass: '1', normal: true }, bitRate: 9600 });
  t.same(progress.map((p) => [p.page, p.attempt, p.ppr, p.accepted, p.bitRate]), [[1, 1, 'MCF', true, 9600], [2, 1, 'MCF', true, 9600]]);
  t.same(pages.map((p) => [p.page, p.ppm, p.rows, p.badRows, p.faxClass, p.params.br]), [[1, 'MPS', 300, 0, '1', 3], [2, 'EOP', 300, 0, '1', 3]]);
  t.equal(rowMatch(a.bitmap, decodePage(pages[0]!.data, 2, 1728, 300)), 1, 'page 1 arrived pixel for pixel (MSB-first file reversed onto the wire)');
  t.equal(rowMatch(b.bitmap, decodePage(pages[1]!.data, 2, 1728, 300)), 1, 'page 2 arrived pixel for pixel');
  const cmds = dte(fx);
  t.same(cmds.filter((c) => /^AT\+FTM=\d/.test(c)), ['AT+FTM=145', 'AT+FTM=121', 'AT+FTM=96', 'AT+FTM=96', 'AT+FTM=96'], 'TCF at 14400 and 12000 (FTT), 9600 (CFR), then two pages');
  t.ok(fx.sim.transcript.some((l) => l.startsWith('DTE> frame DCN')), 'DCN at the end');
  t.same(await ended, { direction: 'out', hangup: '0' });
  t.equal(modem.stats.pagesSent, 2);
  t.equal(modem.state, 'idle');
});

t.test('a refused page (RTN) is sent again after retraining one speed lower', { skip }, async (t) => {
  const { modem, pages } = await setup(t, { lineBr: 5, pageResponse: (p) => (p.attempt === 1 ? 'RTN' : 'MCF') });
  await modem.open();
  const a = testFaxPage(1, { height: 120 });
  const r = await modem.send({ number: '1', pages: [a.page] });
  t.match(r, { ok: true, retransmits: 1 });
  t.same(pages.map((p) => [p.attempt, p.response, p.params.br]), [[1, 'RTN', 5], [2, 'MCF', 4]]);
  t.equal(modem.stats.retransmits, 1);
});

t.test('FTT at every speed ends the call with a clear failure (hangup 27)', { skip }, async (t) => {
  const { fx, modem } = await setup(t, { class1Faults: { ftt: () => true } });
  await modem.open();
  const r = await modem.send({ number: '1', pages: [testFaxPage(1, { height: 50 }).page] });
  t.match(r, { ok: false, reason: 'hangup', hangup: { code: '27', faxClass: '1', meaning: 'Failure to train at 2400 bps or +FMINSP value' }, pagesSent: 0 });
  t.same(dte(fx).filter((c) => /^AT\+FTM=\d/.test(c)), ['AT+FTM=145', 'AT+FTM=121', 'AT+FTM=96', 'AT+FTM=72', 'AT+FTM=48', 'AT+FTM=24']);
  t.ok(fx.sim.transcript.some((l) => l.startsWith('DTE> frame DCN')), 'we said DCN before hanging up');
  t.equal(modem.state, 'idle', 'the modem is re-initialised');
  t.equal(modem.stats.failures['hangup:1:27'], 1);
});

t.test('bad FCS (ERROR) and garbage frames are survived: DCS and the post-page message are repeated', { skip }, async (t) => {
  const { fx, modem, pages } = await setup(t, {
    lineBr: 5,
    class1Faults: { badFcs: (name, n) => (name === 'CFR' || name === 'MCF') && n === 1, garbageBefore: (name) => name === 'DIS' || name === 'CFR' },
  });
  await modem.open();
  const r = await modem.send({ number: '1', pages: [testFaxPage(1, { height: 80 }).page] });
  t.match(r, { ok: true, pages: 1 });
  t.equal(pages.length, 1, 'one page judged; the repeated EOP got MCF again');
  t.ok(fx.sim.transcript.filter((l) => l.startsWith('DTE> frame EOP')).length >= 2, 'EOP repeated after the MCF with the bad FCS');
  t.ok(fx.sim.transcript.some((l) => l.includes('(bad FCS)')));
  t.ok(fx.sim.transcript.some((l) => l.includes('garbage')));
  t.ok(dte(fx).filter((c) => c.startsWith('AT+FTM=145')).length >= 2, 'DCS + TCF repeated after the lost CFR');
});

t.test('the remote disconnects (DCN) instead of confirming the page: hangup 51', { skip }, async (t) => {
  const { modem } = await setup(t, { lineBr: 5, class1Faults: { dcnInsteadOf: 'MCF' } });
  await modem.open();
  const r = await modem.send({ number: '1', pages: [testFaxPage(1, { height: 60 }).page] });
  t.match(r, { ok: false, reason: 'hangup', hangup: { code: '51', faxClass: '1' }, retryable: true });
  t.match(r, { message: /DCN/ });
});

t.test('busy and no carrier at dial map as in Class 2', { skip }, async (t) => {
  const { modem } = await setup(t, { dial: (_n, attempt) => (attempt === 1 ? 'busy' : 'no-carrier') });
  await modem.open();
  const page = testFaxPage(1, { height: 20 }).page;
  t.match(await modem.send({ number: '1', pages: [page] }), { ok: false, reason: 'busy', retryable: true });
  t.match(await modem.send({ number: '1', pages: [page] }), { ok: false, reason: 'no-carrier' });
});

t.test('answers after 2 rings and receives a fax in Class 1 (normal then fine: EOM, DIS again)', { skip }, async (t) => {
  const { fx, modem } = await setup(t, { lineBr: 5 }, { answerAfterRings: 2 });
  await modem.open();
  const a = testFaxPage(1, { height: 250 });
  const b = testFaxPage(2, { height: 250 });
  const c = testFaxPage(3, { height: 250, yResolution: 196 });
  const got = new Promise<ReceivedFax>((resolve) => modem.once('fax', resolve));
  const call = await fx.sim.placeCall({ pages: [a.page, b.page, c.page], callerId: 'CITY HALL' });
  const fax = await got;
  t.same(call, { answered: true, accepted: [1, 2, 3], rejected: [], end: 'completed' });
  t.match(fax, { pages: 3, remoteId: 'CITY HALL', rejectedPages: 0, badRows: 0, hangup: { code: '0', faxClass: '1', normal: true } });
  const tiffPages = readTiffF(fax.tiff);
  t.same(tiffPages.map((p) => [p.rows, p.width, p.yResolution, p.fillOrder]), [[250, 1728, 98, 2], [250, 1728, 98, 2], [250, 1728, 196, 2]], 'Class 1 data is LSB first');
  for (const [i, src] of [a, b, c].entries()) t.equal(rowMatch(src.bitmap, decodePage(pageForWire(tiffPages[i]!), 2, 1728, 250)), 1, `page ${i + 1} stored pixel for pixel`);
  const cmds = dte(fx);
  t.ok(cmds.includes('ATA') && cmds.includes('AT+FRM=145') && cmds.includes('AT+FRM=146'), 'TCF at V.17 14400 long train, pages with short train');
  t.equal(fx.sim.transcript.filter((l) => l.startsWith('DTE> frame DIS')).length, 2, 'DIS again after EOM');
  t.equal(modem.stats.callsInOk, 1);
  t.equal(modem.stats.pagesReceived, 3);
});

t.test('a damaged page is refused (RTN) and the caller sends it again', { skip }, async (t) => {
  const { fx, modem } = await setup(t, { lineBr: 3 });
  await modem.open();
  const good = testFaxPage(1, { height: 200 });
  const damaged = { ...good.page, data: Buffer.from(good.page.data) };
  for (let i = 200; i < damaged.data.length - 100; i += 37) damaged.data[i] = 0xff;
  const call = fx.sim.placeCall({ pages: [damaged], silent: true, resendRejected: 1 });
  const fax = await modem.receive();
  t.same(await call, { answered: true, accepted: [], rejected: [1, 1], end: 'completed' });
  t.equal(fax, null, 'no page taken: the call counts as failed');
  t.equal(modem.stats.pagesRejected, 2);
});

t.test('the caller hangs up (DCN) instead of sending the page: receiveFailed with hangup 71', { skip }, async (t) => {
  const { fx, modem } = await setup(t, { lineBr: 3, class1Faults: { dcnInsteadOf: 'page' } });
  await modem.open();
  const failed = new Promise<{ reason: string; hangup?: { code: string } }>((resolve) => modem.once('receiveFailed', resolve));
  const call = fx.sim.placeCall({ pages: [testFaxPage(1, { height: 40 }).page], silent: true });
  await modem.receive();
  t.match(await failed, { reason: 'hangup', hangup: { code: '71', faxClass: '1' } });
  t.match(await call, { answered: true, end: 'hung-up' });
  t.equal(modem.state, 'idle');
});
