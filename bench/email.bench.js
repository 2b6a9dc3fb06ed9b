// E-mail intake throughput: mails per second accepted end to end over SMTP (nodemailer pool with
// several connections -> our smtp-server -> mailparser -> `appeals.intake` -> 250 after commit)
// against the raw `appeals.intake` rate (broker.call in a loop) in the same core, same run, SQLite.
// The channel's outbound relay is a real SMTP server here too, so the "received" notices go out in
// both phases alike. The senders run in a worker thread, as other machines would: their CPU is not
// taken from the core's event loop. Two ratios: "accepted" (until the last 250 / intake return) and
// "with notices sent" (until the phase's notices are delivered as well). The raw phase is so fast
// that its notices go out after it; the SMTP phase pays for its own deliveries inside its window, so
// only the second ratio compares like with like.
//   node bench/email.bench.js [--n 1000] [--concurrency 4]
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { OknoApp, loadConfig, systemActor } from '@okno/core';
import emailPlugin from '@okno/channel-email';
import { freePort } from '@okno/testkit';
import { throughput, table, fmt } from './lib.js';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const N = Number(arg('n', 1000));
const C = Number(arg('concurrency', 4));
const CITY = 'obrashchenie@city.test';

/** The outbound relay: a real SMTP server that takes every notice and drops it. */
async function startRelay() {
  const port = await freePort();
  const server = new SMTPServer({ authOptional: true, disabledCommands: ['AUTH', 'STARTTLS'], disableReverseLookup: true, logger: false, onData(stream, _s, cb) { stream.on('end', () => cb()); stream.resume(); } });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, stop: () => new Promise((resolve) => server.close(resolve)) };
}

/** The sending side (in a worker thread): a nodemailer pool with C connections; resolves with mails/s. */
async function sender({ port, tag, n, c, to }) {
  const client = nodemailer.createTransport({ pool: true, maxConnections: c, maxMessages: Infinity, host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  const rate = await throughput(n, c, (i) => client.sendMail({
    from: { name: `Заявитель ${i}`, address: `a${i % 500}@example.ru` }, to, subject: `Письмо ${tag} ${i}`, text: body(i), messageId: `<mail-${tag}-${i}@example.ru>`,
  }));
  client.close();
  return rate;
}

const sendFromWorker = (args) => new Promise((resolve, reject) => {
  const w = new Worker(new URL(import.meta.url), { workerData: args });
  w.once('message', resolve);
  w.once('error', reject);
});

if (!isMainThread) {
  parentPort.postMessage(await sender(workerData));
  process.exit(0);
}

function body(i) {
  return `Здравствуйте! Во дворе дома ${i} по улице Ленина третью неделю не вывозят мусор. Прошу принять меры.\n\nС уважением, житель.`;
}

const dir = mkdtempSync(join(tmpdir(), 'okno-bench-email-'));
const relay = await startRelay();
const smtpPort = await freePort();
let app;
try {
  const config = loadConfig({
    env: {}, cwd: dir, overrides: {
      dataDir: dir, db: { url: `sqlite:${join(dir, 'okno.sqlite')}` }, http: { port: await freePort(), host: '127.0.0.1' }, log: { level: 'warn' }, console: { enabled: false }, demo: false,
      plugins: [{ name: 'email', config: { addresses: [CITY], smtp: { host: '127.0.0.1', port: smtpPort }, outbound: { from: 'centre@city.test', host: '127.0.0.1', port: relay.port, secure: false } } }],
    },
  });
  // A short delivery poll: with the default (1 s, 20 per pass) draining the notices would measure the poll.
  app = await OknoApp.start({ config, plugins: { email: emailPlugin }, deliveryPollMs: 20 });
  const { saveSite } = await import('../core/dist/domain/sites.js');
  await saveSite(app.db, systemActor('bench'), { code: 'msk', name: 'Москва', kind: 'city' });

  const intake = (tag) => (i) => app.broker.call('appeals.intake', {
    channel: 'email', messageId: `<bench-${tag}-${i}@example.ru>`, applicant: { fullName: `Заявитель ${i}`, contacts: [{ kind: 'email', value: `a${i % 500}@example.ru` }] },
    subject: `Обращение ${tag} ${i}`, body: body(i), replyTo: { channel: 'email', address: `a${i % 500}@example.ru` },
  });
  const smtp = (tag, n) => sendFromWorker({ port: smtpPort, tag, n, c: C, to: CITY });

  // Warm up both paths (JIT, connections, statement caches).
  for (let i = 0; i < 30; i++) await intake('warm')(i);
  await smtp('warm', 60);

  // Each phase starts with the notices of the one before delivered, so neither pays for the other's.
  const drained = async () => {
    for (;;) {
      const [row] = await app.db.read((em) => em.query("SELECT COUNT(*) AS n FROM notices WHERE status IN ('pending', 'sending')"));
      if (Number(row.n) === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  // A phase is timed twice: until the last mail is acknowledged (250 / intake returned), and until the
  // "received" notices of its appeals are delivered too. Deliveries overlap the faster phase less, so
  // only the second ratio compares like with like.
  const phase = async (run) => {
    await drained();
    const t0 = performance.now();
    await run();
    const accepted = performance.now() - t0;
    await drained();
    return { accepted: (N / accepted) * 1000, withNotices: (N / (performance.now() - t0)) * 1000 };
  };
  process.stdout.write(`raw appeals.intake (${N}, concurrency ${C})… `);
  const raw = await phase(() => throughput(N, C, intake('raw')));
  process.stdout.write(`${fmt(raw.accepted)}/s; over SMTP (${N}, ${C} pooled connections)… `);
  const mail = await phase(() => smtp('smtp', N));
  console.log(`${fmt(mail.accepted)}/s`);
  const taken = await app.db.read((em) => em.query("SELECT COUNT(*) AS n FROM appeals WHERE subject LIKE 'Письмо smtp %'"));
  if (Number(taken[0].n) !== N) throw new Error(`expected ${N} appeals from SMTP, found ${taken[0].n}`);
  console.log(`\nE-mails accepted end to end vs raw intake (same core, same run, SQLite)\n${table([
    { path: 'appeals.intake (broker.call)', 'accepted/s': fmt(raw.accepted), ratio: '1.00', 'with notices sent/s': fmt(raw.withNotices), 'ratio ': '1.00' },
    { path: `SMTP (${C} nodemailer connections -> 250 after commit)`, 'accepted/s': fmt(mail.accepted), ratio: fmt(mail.accepted / raw.accepted, 2), 'with notices sent/s': fmt(mail.withNotices), 'ratio ': fmt(mail.withNotices / raw.withNotices, 2) },
  ])}`);
} finally {
  await app?.stop();
  await relay.stop();
  rmSync(dir, { recursive: true, force: true });
}
