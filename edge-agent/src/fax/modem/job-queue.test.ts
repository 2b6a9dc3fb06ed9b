import t, { type Test } from 'tap';
import { needsTools } from '@okno/testkit';
import { simulatorOnPty, testFaxPage } from '../test-support/sim-fixture.js';
import { openSerialLink } from '../serial/serial-link.js';
import { FaxModem } from './fax-modem.js';
import { FaxJobQueue, backoffDelay, DEFAULT_RETRY } from './job-queue.js';
import type { DialOutcome, ModemSimulatorOptions } from '../simulator/modem-simulator.js';

const FAST: ModemSimulatorOptions = { speedFactor: 200, minPageMs: 20, connectDelayMs: 20, xonDelayMs: 10, ringIntervalMs: 60 };

async function setup(t: Test, sim: ModemSimulatorOptions) {
  const fx = await simulatorOnPty({ ...FAST, ...sim });
  const link = await openSerialLink({ path: fx.pair.dtePath, uucpLock: 'off' });
  const modem = new FaxModem(link, { commandDelayMs: 0, answerAfterRings: 2, timeouts: { command: 1000, hangupGrace: 300 } });
  t.teardown(async () => {
    await modem.close(true).catch(() => undefined);
    await fx.close();
  });
  await modem.open();
  return { fx, modem };
}

t.test('back-off grows by the factor up to the cap', async (t) => {
  t.same([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(DEFAULT_RETRY, n)), [60_000, 120_000, 240_000, 480_000, 900_000, 900_000]);
});

t.test('busy and no answer are retried with back-off until the call goes through', { skip: needsTools('socat') }, async (t) => {
  const plan: DialOutcome[] = ['busy', 'no-answer', 'answer'];
  const { modem } = await setup(t, { dial: (_n, attempt) => plan[attempt - 1] ?? 'answer' });
  const q = new FaxJobQueue(modem, { retry: { baseDelayMs: 30, factor: 2, maxAttempts: 3 }, pollMs: 10 });
  const attempts: Array<[number, boolean, string, number | null]> = [];
  q.on('attempt', (a) => attempts.push([a.attemptNo, a.result.ok, a.result.ok ? 'ok' : a.result.reason, a.nextTryInMs]));
  const { done } = q.submit({ number: '1', pages: [testFaxPage(1, { height: 50 }).page] });
  const r = await done;
  t.match(r, { attempts: 3, result: { ok: true } });
  t.same(attempts, [[1, false, 'busy', 30], [2, false, 'no-answer', 60], [3, true, 'ok', null]]);
});

t.test('gives up after maxAttempts, and at once on failures not worth retrying', { skip: needsTools('socat') }, async (t) => {
  const { modem } = await setup(t, { dial: (n) => (n === '1' ? 'busy' : 'no-dialtone') });
  const q = new FaxJobQueue(modem, { retry: { baseDelayMs: 5, maxAttempts: 2 }, pollMs: 5 });
  const a = q.submit({ number: '1', pages: [testFaxPage(1, { height: 20 }).page] });
  const b = q.submit({ number: '2', pages: [testFaxPage(1, { height: 20 }).page] });
  t.match(await a.done, { attempts: 2, result: { ok: false, reason: 'busy' } });
  t.match(await b.done, { attempts: 1, result: { ok: false, reason: 'no-dialtone', retryable: false } });
  t.equal(modem.stats.callsOut, 3);
});

t.test('a ringing line comes first: the incoming fax is received before the queued send dials', { skip: needsTools('socat') }, async (t) => {
  const { fx, modem } = await setup(t, {});
  const order: string[] = [];
  modem.on('fax', () => order.push('received'));
  const call = fx.sim.placeCall({ pages: [testFaxPage(1, { height: 40 }).page] });
  await new Promise<void>((r) => modem.once('ring', () => r()));
  const q = new FaxJobQueue(modem, { pollMs: 5 });
  const job = q.submit({ number: '1', pages: [testFaxPage(1, { height: 40 }).page] });
  const r = await job.done;
  order.push('sent');
  t.match(r.result, { ok: true });
  t.match(await call, { answered: true, end: 'completed' });
  t.same(order, ['received', 'sent']);
});

t.test('stop fails the waiting jobs', { skip: needsTools('socat') }, async (t) => {
  const { modem } = await setup(t, { connectDelayMs: 300 });
  const q = new FaxJobQueue(modem, { pollMs: 5 });
  const first = q.submit({ number: '1', pages: [testFaxPage(1, { height: 20 }).page] });
  const second = q.submit({ number: '2', pages: [testFaxPage(1, { height: 20 }).page] });
  await new Promise((r) => setTimeout(r, 50)); // the first one is dialling
  q.stop();
  t.match(await second.done, { attempts: 0, result: { ok: false, reason: 'aborted' } });
  t.match(await first.done, { attempts: 1, result: { ok: true } }, 'the call in progress finishes');
});
