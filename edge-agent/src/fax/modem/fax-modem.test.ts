/**
 * Our driver against the simulated modem over a real socat PTY pair.
 */
import t, { type Test } from 'tap';
import UTIF from 'utif';
import { needsTools } from '@okno/testkit';
import { driverOnSimulator, testFaxPage, rowMatch, decodePage, type DriverFixture } from '../test-support/sim-fixture.js';
import type { FaxModemConfig, ReceivedFax } from './fax-modem.js';
import type { ModemSimulatorOptions } from '../simulator/modem-simulator.js';
import type { PageProgress } from '../class2/send-session.js';
import { readTiffF, pageForWire, type FaxPage } from '../tiff/tiff-f.js';
import { analyzeG3Page } from '../codec/g3.js';

const FAST: ModemSimulatorOptions = { speedFactor: 200, minPageMs: 20, connectDelayMs: 20, xonDelayMs: 10, ringIntervalMs: 100 };
const QUICK: FaxModemConfig['timeouts'] = { command: 1000, dial: 3000, answer: 3000, pageStart: 3000, xon: 1000, xoff: 3000, pageDone: 5000, postPage: 3000, pageReceive: 3000, rxDataIdle: 2000, rxPageDone: 3000, hangupGrace: 300 };

function setup(t: Test, sim: ModemSimulatorOptions = {}, cfg: FaxModemConfig = {}): Promise<DriverFixture> {
  return driverOnSimulator(t, { ...FAST, ...sim }, { timeouts: QUICK, ...cfg });
}

const skip = needsTools('socat');

t.test('probe reports identity, classes and capabilities', { skip }, async (t) => {
  const { modem } = await setup(t, { classes: '(0,1,1.0,2,2.0,2.1,8)' });
  const info = await modem.open();
  t.match(info, {
    ati3: 'OknoSim 1.0 (simulated Class 2/2.0 fax modem)',
    manufacturer: 'OKNO',
    model: 'SIMFAX-2000',
    fclass: '(0,1,1.0,2,2.0,2.1,8)',
    classes: { class1: true, class10: true, class2: true, class20: true, class21: true, voice: true },
    class20: { manufacturer: 'OKNO', model: 'SIMFAX-2000', revision: '1.0', maxBr: 5 },
    class2: { manufacturer: 'OKNO', model: 'SIMFAX-2000', maxBr: 5 },
    preferredClass: '2.0',
  });
  t.equal(modem.faxClass, '2.0');
  t.equal(modem.state, 'idle');
});

for (const cls of ['2.0', '2'] as const) {
  t.test(`sends a 2-page fax in Class ${cls}`, { skip }, async (t) => {
    const { fx, modem, pages } = await setup(t, {}, { faxClass: cls });
    await modem.open();
    const a = testFaxPage(1, { fillOrder: 1, height: 300 });
    const b = testFaxPage(2, { fillOrder: 2, height: 300, yResolution: 196 });
    const progress: PageProgress[] = [];
    const r = await modem.send({ number: '555-1234', pages: [a.page, b.page], onPage: (p) => progress.push(p) });
    t.match(r, { ok: true, pages: 2, retransmits: 0, remoteId: 'REMOTE SIM', hangup: { code: '0', normal: true } });
    t.same(progress.map((p) => [p.page, p.attempt, p.ppr, p.accepted]), [[1, 1, 'MCF', true], [2, 1, 'MCF', true]]);
    t.same(pages.map((p) => [p.page, p.ppm, p.rows, p.badRows, p.params.vr]), [[1, 'MPS', 300, 0, 0], [2, 'EOP', 300, 0, 1]]);
    t.equal(rowMatch(a.bitmap, decodePage(pages[0]!.data, 2, 1728, 300)), 1, 'page 1 arrived pixel for pixel (MSB-first file reversed onto the wire)');
    t.equal(rowMatch(b.bitmap, decodePage(pages[1]!.data, 2, 1728, 300)), 1, 'page 2 arrived pixel for pixel');
    const dte = fx.sim.transcript.filter((l) => l.startsWith('DTE>'));
    if (cls === '2.0') {
      t.ok(dte.includes("DTE> 'AT+FLO=1'") && dte.includes("DTE> 'AT+FBO=0'") && !dte.some((l) => l.includes('+FET')));
    } else {
      t.ok(dte.includes("DTE> 'AT+FET=0'") && dte.includes("DTE> 'AT+FET=2'") && dte.includes("DTE> 'AT+FBOR=0'"));
    }
    t.equal(modem.stats.pagesSent, 2);
    t.equal(modem.stats.callsOutOk, 1);
    t.equal(modem.state, 'idle');
  });
}

t.test('honours XOFF from the modem (user-space flow control) so nothing overflows', { skip }, async (t) => {
  // The page (about 20 kB) is much larger than the modem's 6 kB buffer, which drains at 9600 bytes/s:
  // without heeding XOFF the driver would overrun it. A PTY has no baud rate, so the driver paces its
  // writes at 115200 bit/s as a serial port would.
  const { fx, modem, pages } = await setup(t, { speedFactor: 8, bufferBytes: 6000, xoffAtBytes: 1000, xonAtBytes: 300 }, { pace: 115200 });
  await modem.open();
  const a = testFaxPage(1, { height: 3200 });
  t.ok(a.page.data.length > 6000 * 3, `page of ${a.page.data.length} bytes`);
  const r = await modem.send({ number: '1', pages: [a.page] });
  t.match(r, { ok: true });
  t.equal(pages[0]!.overflowBytes, 0);
  t.ok(fx.sim.transcript.filter((l) => l === 'DCE> flow XOFF').length >= 2, 'the modem had to say XOFF several times');
});

for (const cls of ['2.0', '2'] as const) {
  t.test(`answers after 2 rings and receives a 2-page fax in Class ${cls}`, { skip }, async (t) => {
    const { fx, modem } = await setup(t, { rxUseDleSub: cls === '2.0' }, { faxClass: cls, answerAfterRings: 2 });
    await modem.open();
    const a = testFaxPage(1, { height: 250 });
    const b = testFaxPage(2, { height: 250, yResolution: 196 });
    const rings: number[] = [];
    modem.on('ring', (n) => rings.push(n));
    const got = new Promise<ReceivedFax>((resolve) => modem.once('fax', resolve));
    const call = await fx.sim.placeCall({ pages: [a.page, b.page], callerId: 'CITY HALL' });
    const fax = await got;
    t.same(call, { answered: true, accepted: [1, 2], rejected: [], end: 'completed' });
    t.same(rings, [1, 2]);
    t.match(fax, { pages: 2, remoteId: 'CITY HALL', rejectedPages: 0, badRows: 0, hangup: { normal: true } });
    const tiffPages = readTiffF(fax.tiff);
    t.same(tiffPages.map((p) => [p.rows, p.width, p.yResolution, p.fillOrder]), [[250, 1728, 98, cls === '2' ? 1 : 2], [250, 1728, 196, cls === '2' ? 1 : 2]], 'FillOrder as received: MSB first from Class 2 (Rockwell)');
    const ifds = UTIF.decode(fax.tiff);
    UTIF.decodeImage(fax.tiff, ifds[0]!);
    t.equal(ifds[0]!.height, 250);
    t.equal(rowMatch(a.bitmap, decodePage(pageForWire(tiffPages[0]!), 2, 1728, 250)), 1, 'page 1 stored pixel for pixel');
    t.equal(rowMatch(b.bitmap, decodePage(pageForWire(tiffPages[1]!), 2, 1728, 250)), 1, 'page 2 stored pixel for pixel');
    t.equal(modem.stats.callsInOk, 1);
    t.equal(modem.stats.pagesReceived, 2);
    if (cls === '2.0') t.ok(fx.sim.transcript.includes('DTE> trigger 0x12 (DC2)'));
  });
}

t.test('rings that come while the answer waits its turn are the same call, not a second one', { skip }, async (t) => {
  const { fx, modem } = await setup(t, { ringIntervalMs: 40 }, { answerAfterRings: 2 });
  await modem.open();
  // Hold the modem (as a job finishing its hangup would) so that more RINGs arrive before the answer runs.
  let release!: () => void;
  const held = (modem as unknown as { exclusive(fn: () => Promise<void>): Promise<void> }).exclusive(() => new Promise<void>((r) => (release = r)));
  const rings: number[] = [];
  modem.on('ring', (n) => rings.push(n));
  const faxes: ReceivedFax[] = [];
  modem.on('fax', (f) => faxes.push(f));
  const got = new Promise((resolve) => modem.once('fax', resolve));
  const call = fx.sim.placeCall({ pages: [testFaxPage(1, { height: 60 }).page], maxRings: 20 });
  while (rings.length < 2) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 200)); // about five more RINGs while held
  release();
  await held;
  t.match(await call, { answered: true, end: 'completed' });
  await got;
  await new Promise((r) => setTimeout(r, 300)); // a second answer, were one queued, would have started by now
  t.same(rings, [1, 2], 'counted once, answered once');
  t.equal(faxes.length, 1);
  t.equal(modem.stats.callsIn, 1, 'no second answer after the call');
  t.equal(modem.state, 'idle');
});

t.test('Class 2 with an LSB-first modem: receive bit order is configurable', { skip }, async (t) => {
  const { fx, modem } = await setup(t, { class2RxBitOrder: 'lsb-first' }, { faxClass: '2', class2ReceiveBitOrder: 'lsb-first', receiveTrigger: 'DC1' });
  await modem.open();
  const a = testFaxPage(1, { height: 120 });
  const call = fx.sim.placeCall({ pages: [a.page], silent: true });
  const fax = await modem.receive();
  await call;
  t.ok(fax);
  t.equal(readTiffF(fax!.tiff)[0]!.fillOrder, 2);
  t.equal(fax!.badRows, 0);
  t.ok(fx.sim.transcript.includes('DTE> trigger 0x11 (DC1)'), 'DC1 trigger accepted');
});

t.test('RTN: the page is sent again at a lower rate, at most 3 times', { skip }, async (t) => {
  const { modem, pages } = await setup(t, { lineBr: 5, pageResponse: ({ page, attempt }) => (page === 2 && attempt <= 2 ? 'RTN' : 'MCF') });
  await modem.open();
  const r = await modem.send({ number: '1', pages: [testFaxPage(1, { height: 100 }).page, testFaxPage(2, { height: 100 }).page] });
  t.match(r, { ok: true, pages: 2, retransmits: 2 });
  t.same(pages.map((p) => [p.page, p.attempt, p.params.br, p.response]), [[1, 1, 5, 'MCF'], [2, 1, 5, 'RTN'], [2, 2, 4, 'RTN'], [2, 3, 3, 'MCF']]);
  t.equal(modem.stats.retransmits, 2);

  const { modem: m2, pages: p2 } = await setup(t, { pageResponse: () => 'RTN' }, { faxClass: '2' });
  await m2.open();
  const r2 = await m2.send({ number: '1', pages: [testFaxPage(1, { height: 100 }).page] });
  t.match(r2, { ok: false, reason: 'rtn', retryable: true });
  t.equal(p2.length, 4, 'first try plus 3 retransmissions');
  t.equal(m2.state, 'idle', 're-initialised after the failure');
});

t.test('busy, no answer and hangup codes are reported with their meaning', { skip }, async (t) => {
  const outcomes = ['busy', 'no-answer', 'no-dialtone', { hangup: '11' }] as const;
  const { modem } = await setup(t, { dial: (_n, attempt) => outcomes[attempt - 1] ?? 'answer' });
  await modem.open();
  const page = testFaxPage(1, { height: 50 }).page;
  t.match(await modem.send({ number: '1', pages: [page] }), { ok: false, reason: 'busy', retryable: true });
  t.match(await modem.send({ number: '1', pages: [page] }), { ok: false, reason: 'no-answer', retryable: true });
  t.match(await modem.send({ number: '1', pages: [page] }), { ok: false, reason: 'no-dialtone', retryable: false });
  t.match(await modem.send({ number: '1', pages: [page] }), {
    ok: false,
    reason: 'hangup',
    hangup: { code: '11', faxClass: '2.0', meaning: 'No answer (T.30 T1 timeout)', category: 'no-fax' },
    retryable: true,
  });
  t.match(await modem.send({ number: '1', pages: [page] }), { ok: true });
  t.same(modem.stats.failures, { busy: 1, 'no-answer': 1, 'no-dialtone': 1, 'hangup:2.0:11': 1 });

  const { modem: m2 } = await setup(t, { pageResponse: ({ page: p }) => (p === 2 ? { hangup: 'A0' } : 'MCF') });
  await m2.open();
  const r = await m2.send({ number: '1', pages: [page, page] });
  t.match(r, { ok: false, reason: 'hangup', pagesSent: 1, hangup: { code: 'A0', value: 0xa0, meaning: 'Unspecified receive Phase D error' } });

  const { modem: m3 } = await setup(t, { pageResponse: () => ({ hangup: '54' }) }, { faxClass: '2' });
  await m3.open();
  t.match(await m3.send({ number: '1', pages: [page] }), { ok: false, hangup: { code: '54', faxClass: '2', meaning: 'No response to EOP repeated 3 times' } });
});

t.test('garbage from the modem: a clear error, no crash, the modem is re-initialised', { skip }, async (t) => {
  const { fx, modem } = await setup(t, { garbage: { command: /^ATD/, bytes: Buffer.from([0x00, 0xff, 0x13, 0x41, 0x54, 0x0d, 0x80, 0x7f, 0x10, 0x03, 0x99]) } });
  await modem.open();
  const page = testFaxPage(1, { height: 50 }).page;
  const r = await modem.send({ number: '1', pages: [page] });
  t.match(r, { ok: false, reason: 'timeout', message: /ATD1/ });
  t.equal(modem.state, 'idle');
  t.ok(modem.channel.junkBytes > 0, 'junk bytes were counted and dropped');
  t.match(await modem.send({ number: '1', pages: [page] }), { ok: true }, 'the next job works');
  t.ok(fx.sim.transcript.filter((l) => l === "DTE> 'AT+FCLASS=2.0'").length >= 3, 'init ran again after the failure');
  t.match(modem.stats.lastError, { reason: 'timeout' });
});

t.test('the modem vanishing mid-page fails the job with a reason', { skip }, async (t) => {
  const { fx, modem } = await setup(t, { speedFactor: 2 });
  await modem.open();
  let pulled = false;
  fx.sim.on('progress', (bytes) => {
    if (bytes > 2000 && !pulled) {
      pulled = true;
      void fx.pair.close();
    }
  });
  const gone = new Promise<Error>((resolve) => modem.once('gone', resolve));
  const r = await modem.send({ number: '1', pages: [testFaxPage(1, { height: 600 }).page] });
  t.match(r, { ok: false, reason: 'modem-gone', retryable: false }, JSON.stringify(r));
  t.match(await gone, { name: 'ModemGoneError' });
  t.equal(modem.state, 'closed');
  t.match(await modem.send({ number: '1', pages: [testFaxPage(1, { height: 10 }).page] }), { ok: false, reason: 'modem-gone' });
});

t.test('a bad received page is refused (AT+FPS=2) and the retransmission accepted', { skip }, async (t) => {
  const { fx, modem } = await setup(t);
  await modem.open();
  const good = testFaxPage(1, { height: 200 });
  // A page whose first transmission is damaged: the simulator sends pages[i] in order, so give it
  // a corrupted copy first; after the refusal the remote "resends" the same bytes, which we model by
  // swapping in the good data on the second request.
  const damaged = Buffer.from(good.page.data);
  for (let i = 100; i < damaged.length - 100; i += 5) damaged[i] = damaged[i]! ^ 0x24;
  const bad = { ...good.page, data: damaged };
  const check = analyzeG3Page(damaged, 2, 1728);
  t.ok(check.badRows > check.rows / 10 + 30, `the damaged copy is bad (${check.badRows} of ${check.rows} rows)`);
  const pagesToSend: FaxPage[] = [bad];
  fx.sim.on('transcript', (l) => {
    if (l === "DTE> 'AT+FPS=2'") pagesToSend[0] = good.page;
  });
  const call = fx.sim.placeCall({ pages: pagesToSend, silent: true });
  const fax = await modem.receive();
  t.same(await call, { answered: true, accepted: [1], rejected: [1], end: 'completed' });
  t.match(fax, { pages: 1, rejectedPages: 1, badRows: 0 });
  t.equal(modem.stats.pagesRejected, 1);
});
