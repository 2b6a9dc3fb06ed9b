/**
 * Call limits against a hostile remote fax (call-limits.ts): our driver against the simulator over a
 * real socat PTY pair, the simulated remote playing the fault (endless carrier, endless page,
 * endless retraining, endless pages), in Class 2.0 / 2 and in Class 1.
 */
import t, { type Test } from 'tap';
import { needsTools } from '@okno/testkit';
import { driverOnSimulator, testFaxPage, type DriverFixture, type SimFixture } from '../test-support/sim-fixture.js';
import type { FaxModemConfig, ReceivedFax } from './fax-modem.js';
import type { IncomingCall, IncomingCallResult, ModemSimulatorOptions } from '../simulator/modem-simulator.js';
import { DEFAULT_LIMITS, resolveLimits } from '../call-limits.js';
import type { FailureReason } from '../class2/call-error.js';
import type { HangupInfo } from '../class2/hangup-codes.js';

const skip = needsTools('socat');

const C2_SIM: ModemSimulatorOptions = { speedFactor: 200, minPageMs: 20, connectDelayMs: 20, xonDelayMs: 10, ringIntervalMs: 100 };
const C2_TIMEOUTS: FaxModemConfig['timeouts'] = { command: 1000, dial: 3000, answer: 3000, pageStart: 3000, xon: 1000, xoff: 3000, pageDone: 5000, postPage: 3000, pageReceive: 3000, rxDataIdle: 2000, rxPageDone: 3000, hangupGrace: 300 };
const C1_SIM: ModemSimulatorOptions = { classes: '0,1', lineBr: 3, speedFactor: 200, minPageMs: 20, connectDelayMs: 20, ringIntervalMs: 100, class1RemoteWaitMs: 800 };
const C1_TIMEOUTS: FaxModemConfig['timeouts'] = { ...C2_TIMEOUTS, t1: 4000, t2: 1500, t4: 600, hdlc: 3000 };

type Cls = '2.0' | '2' | '1';

function setup(t: Test, cls: Cls, sim: ModemSimulatorOptions, cfg: FaxModemConfig): Promise<DriverFixture> {
  const c1 = cls === '1';
  return driverOnSimulator(t, { ...(c1 ? C1_SIM : C2_SIM), ...sim }, { faxClass: cls, timeouts: c1 ? C1_TIMEOUTS : C2_TIMEOUTS, ...cfg });
}

interface Failed {
  reason: FailureReason;
  message: string;
  hangup?: HangupInfo;
  pages: number;
}

/** Places the call, receives it; what the driver reported and what the simulated caller saw. */
async function receive(fx: SimFixture, modem: DriverFixture['modem'], call: IncomingCall): Promise<{ fax: ReceivedFax | null; failed: Failed | null; call: IncomingCallResult }> {
  let failed: Failed | null = null;
  modem.once('receiveFailed', (f) => (failed = f));
  const placed = fx.sim.placeCall({ silent: true, ...call });
  const fax = await modem.receive();
  return { fax, failed, call: await placed };
}

const count = (fx: SimFixture, line: string) => fx.sim.transcript.filter((l) => l === line).length;
const small = (n: number) => testFaxPage(n, { height: 60 }).page;

t.test('limits: defaults and validation of fax.modem.limits', async (t) => {
  t.same(resolveLimits(), { maxPageBytes: 4 * 1024 * 1024, maxPagesPerCall: 100, maxCallMs: 1_800_000, maxRetrainSteps: 3 });
  t.same(resolveLimits({ maxPagesPerCall: 5 }), { ...DEFAULT_LIMITS, maxPagesPerCall: 5 });
  t.throws(() => resolveLimits({ maxPageBytes: 0 }), /fax\.modem\.limits\.maxPageBytes must be a positive integer/);
  t.throws(() => resolveLimits({ maxCallMs: 1.5 }), /maxCallMs/);
  t.throws(() => resolveLimits({ maxRetrainSteps: '3' as unknown as number }), /maxRetrainSteps/);
});

// ------------------------------------------------------------------------------ Class 2.0 / 2

for (const cls of ['2.0', '2'] as const) {
  t.test(`Class ${cls}: an endless page is stopped at maxPageBytes (CAN), the pages before it are kept`, { skip }, async (t) => {
    const { fx, modem } = await setup(t, cls, {}, { limits: { maxPageBytes: 50_000 } });
    await modem.open();
    const r = await receive(fx, modem, { pages: [small(1), small(2)], endlessPage: 2 });
    t.match(r.fax, { pages: 1, hangup: { category: 'aborted' }, incomplete: { reason: 'protocol', limit: 'page-bytes', message: /page longer than 50000 bytes/ } });
    t.match(r.failed, { reason: 'protocol', message: /page longer than 50000 bytes/, pages: 1 });
    t.match(r.call, { answered: true, accepted: [1], end: 'aborted' });
    t.equal(count(fx, 'DTE> CAN'), 1, 'the page was aborted with CAN');
    t.same(modem.stats.failures, { 'rx:limit:page-bytes': 1 });
    t.equal(modem.stats.pagesReceived, 1);
    t.equal(modem.state, 'idle');
  });
}

t.test('Class 2.0: more pages than maxPagesPerCall: AT+FKS after the last one allowed, those kept', { skip }, async (t) => {
  const { fx, modem } = await setup(t, '2.0', {}, { limits: { maxPagesPerCall: 3 } });
  await modem.open();
  const r = await receive(fx, modem, { pages: [small(1), small(2)], endlessPages: true });
  t.match(r.fax, { pages: 3, incomplete: { reason: 'protocol', limit: 'pages', message: /more than 3 pages/ } });
  t.match(r.failed, { reason: 'protocol', pages: 3 });
  t.equal(count(fx, "DTE> 'AT+FKS'"), 1, 'the session was aborted');
  t.match(r.call, { end: 'aborted' });
  t.same(modem.stats.failures, { 'rx:limit:pages': 1 });
  t.equal(modem.stats.pagesReceived, 3);
});

t.test('Class 2: a page refused again and again: AT+FK after maxRetrainSteps refusals', { skip }, async (t) => {
  const { fx, modem } = await setup(t, '2', { class2RxBitOrder: 'lsb-first' }, { class2ReceiveBitOrder: 'lsb-first', limits: { maxRetrainSteps: 3 } });
  await modem.open();
  const good = testFaxPage(1, { height: 200 }).page;
  const damaged = Buffer.from(good.data);
  for (let i = 100; i < damaged.length - 100; i += 5) damaged[i] = damaged[i]! ^ 0x24;
  const r = await receive(fx, modem, { pages: [{ ...good, data: damaged }], resendRejected: 1000 });
  t.equal(r.fax, null, 'no page accepted');
  t.match(r.failed, { reason: 'protocol', message: /4 bad pages in a row \(limits\.maxRetrainSteps 3\)/, pages: 0 });
  t.equal(count(fx, "DTE> 'AT+FPTS=2'"), 3, 'three refusals (RTN), then the call is ended');
  t.equal(count(fx, "DTE> 'AT+FK'"), 1);
  t.match(r.call, { rejected: [1, 1, 1], end: 'aborted' });
  t.same(modem.stats.failures, { 'rx:limit:retrain': 1 });
});

t.test('Class 2.0: the call deadline stops page data that never ends', { skip }, async (t) => {
  const { fx, modem } = await setup(t, '2.0', {}, { limits: { maxCallMs: 1500 } });
  await modem.open();
  const r = await receive(fx, modem, { pages: [small(1)], endlessPage: 1 });
  t.equal(r.fax, null);
  t.match(r.failed, { reason: 'protocol', message: /call longer than 1\.5 s \(limits\.maxCallMs\)/, hangup: { category: 'aborted' } });
  t.equal(count(fx, 'DTE> CAN'), 1);
  t.same(modem.stats.failures, { 'rx:limit:call-time': 1 });
});

t.test('Class 2.0 send: the call deadline ends a call the remote keeps refusing', { skip }, async (t) => {
  // every page refused and retransmissions unlimited: only the deadline ends it
  // (at most 6 tries, 14400 down to 2400, each >= 600 ms: the deadline comes before the last)
  const { fx, modem, pages } = await setup(t, '2.0', { lineBr: 5, minPageMs: 600, pageResponse: () => 'RTN' }, { maxRetransmits: 1000, limits: { maxCallMs: 1500 } });
  await modem.open();
  const r = await modem.send({ number: '1', pages: [small(1)] });
  t.match(r, { ok: false, reason: 'protocol', retryable: false, message: /call longer than 1\.5 s/ });
  t.ok(pages.length >= 2 && pages.length < 6, `${pages.length} tries before the deadline`);
  t.equal(count(fx, "DTE> 'AT+FKS'"), 1, 'the session was aborted');
  t.same(modem.stats.failures, { 'limit:call-time': 1 });
});

// ------------------------------------------------------------------------------ Class 1

t.test('Class 1: an endless TCF is stopped at twice 1.5 s (CAN), then DCN', { skip }, async (t) => {
  const { fx, modem } = await setup(t, '1', { class1Faults: { endlessTcf: true } }, {});
  await modem.open();
  const r = await receive(fx, modem, { pages: [small(1)] });
  t.equal(r.fax, null);
  t.match(r.failed, { reason: 'protocol', message: /TCF longer than 3600 bytes \(twice 1\.5 s at V\.29 9600/, hangup: { code: '2', faxClass: '1' } });
  t.equal(count(fx, 'DTE> CAN'), 1);
  t.ok(fx.sim.transcript.includes('DTE> frame DCN'), 'DCN sent');
  t.match(r.call, { end: 'hung-up' });
  t.same(modem.stats.failures, { 'rx:limit:tcf-bytes': 1 });
  t.equal(modem.state, 'idle');
});

t.test('Class 1: an endless page is stopped at maxPageBytes, DCN, the page before it kept', { skip }, async (t) => {
  const { fx, modem } = await setup(t, '1', {}, { limits: { maxPageBytes: 50_000 } });
  await modem.open();
  const r = await receive(fx, modem, { pages: [small(1), small(2)], endlessPage: 2 });
  t.match(r.fax, { pages: 1, hangup: { code: '2', faxClass: '1' }, incomplete: { reason: 'protocol', limit: 'page-bytes', message: /page longer than 50000 bytes/ } });
  t.equal(count(fx, 'DTE> CAN'), 1);
  t.ok(fx.sim.transcript.includes('DTE> frame DCN'), 'DCN sent');
  t.match(r.call, { accepted: [1], end: 'hung-up' });
  t.same(modem.stats.failures, { 'rx:limit:page-bytes': 1 });
  t.equal(modem.stats.pagesReceived, 1);
});

t.test('Class 1: a caller retraining at the same rate gets FTT maxRetrainSteps times, then DCN', { skip }, async (t) => {
  const { fx, modem } = await setup(t, '1', { class1Faults: { endlessRetrain: true } }, { limits: { maxRetrainSteps: 3 } });
  await modem.open();
  const r = await receive(fx, modem, { pages: [small(1)] });
  t.equal(r.fax, null);
  t.match(r.failed, { reason: 'protocol', message: /4 steps in a row without an accepted page \(limits\.maxRetrainSteps 3\)/ });
  t.equal(count(fx, 'DTE> frame FTT'), 3);
  t.ok(fx.sim.transcript.includes('DTE> frame DCN'), 'DCN sent');
  t.same(modem.stats.failures, { 'rx:limit:retrain': 1 });
});

t.test('Class 1: training down to a lower rate after FTT (the T.30 fall-back) does not count against maxRetrainSteps', { skip }, async (t) => {
  // the line garbles TCF above 4800: the caller steps down 14400, 12000, 9600, 7200 (4 FTTs) to 4800
  const { fx, modem } = await setup(t, '1', { lineBr: 5, class1Faults: { badTcfAbove: 4800 } }, { limits: { maxRetrainSteps: 1 } });
  await modem.open();
  const r = await receive(fx, modem, { pages: [small(1)] });
  t.match(r.fax, { pages: 1, hangup: { normal: true } });
  t.equal(r.fax?.incomplete, undefined);
  t.equal(count(fx, 'DTE> frame FTT'), 4);
  t.same(modem.stats.failures, {});
});

t.test('Class 1: more pages than maxPagesPerCall: MCF to the last one allowed, then DCN', { skip }, async (t) => {
  const { fx, modem } = await setup(t, '1', {}, { limits: { maxPagesPerCall: 3 } });
  await modem.open();
  const r = await receive(fx, modem, { pages: [small(1), small(2)], endlessPages: true });
  t.match(r.fax, { pages: 3, incomplete: { reason: 'protocol', limit: 'pages', message: /more than 3 pages/ } });
  t.equal(count(fx, 'DTE> frame MCF'), 3);
  t.ok(fx.sim.transcript.includes('DTE> frame DCN'), 'DCN sent');
  t.match(r.call, { accepted: [1, 2, 3], end: 'hung-up' });
  t.same(modem.stats.failures, { 'rx:limit:pages': 1 });
});

t.test('Class 1: the call deadline ends endless retraining between T.30 steps', { skip }, async (t) => {
  const { fx, modem } = await setup(t, '1', { class1Faults: { endlessRetrain: true } }, { limits: { maxRetrainSteps: 1000, maxCallMs: 2000 } });
  await modem.open();
  const r = await receive(fx, modem, { pages: [small(1)] });
  t.match(r.failed, { reason: 'protocol', message: /call longer than 2 s/ });
  t.ok(count(fx, 'DTE> frame FTT') > 3, 'more FTTs than the retrain limit would have allowed');
  t.ok(fx.sim.transcript.includes('DTE> frame DCN'), 'DCN sent');
  t.same(modem.stats.failures, { 'rx:limit:call-time': 1 });
});

t.test('Class 1 send: the call deadline ends a call the remote keeps refusing (RTN)', { skip }, async (t) => {
  const { fx, modem, pages } = await setup(t, '1', { minPageMs: 300, pageResponse: () => 'RTN' }, { maxRetransmits: 1000, limits: { maxCallMs: 1500 } });
  await modem.open();
  const r = await modem.send({ number: '1', pages: [small(1)] });
  t.match(r, { ok: false, reason: 'protocol', retryable: false, message: /call longer than 1\.5 s/ });
  t.ok(pages.length >= 2 && pages.length < 6, `${pages.length} tries before the deadline`);
  t.ok(fx.sim.transcript.includes('DTE> frame DCN'), 'DCN sent');
  t.same(modem.stats.failures, { 'limit:call-time': 1 });
});
