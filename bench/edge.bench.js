// The edge fleet at scale: 1,000 simulated agents (mqtt.js clients speaking @okno/protocol exactly
// as the edge agent does: per-agent credentials, persistent sessions, retained presence with a last
// will, inventory, telemetry every 5 s, command results, chunked uploads) on one core with the
// embedded aedes broker, SQLite. The agents run in worker threads (as other machines would: their
// CPU is not taken from the core's event loop; this machine has few cores, so it is shared anyway).
//   - command round trip (ping) via `edge.command`: record, publish, the agent answers, the result
//     is recorded and reaches the caller; p50 / p99 under the telemetry load;
//   - file transfer (FileSender -> the core's FileReceiver: per-chunk hashes, chunks synced to disk
//     for resumability, the attachment store and its journal row before `done ok`) against raw MQTT
//     publish throughput of the same bytes (QoS 1, the same window of 8 in flight) from the same
//     agent to the same core, in the same run.
//   node bench/edge.bench.js [--agents 1000] [--workers 2] [--pings 2000] [--concurrency 16] [--file-mib 4] [--rounds 3]
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import {
  agentSender, decodeFileMessage, decodeMessage, encodeFileMessage, encodeMessage, envelope, fileFilter, fileTopic, FileSender, newId, okResult, parseTopic, topicFor,
} from '@okno/protocol';
import { nodeSha256 } from '@okno/protocol/node';
import { percentile, table, fmt, now } from './lib.js';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};

// ---------------------------------------------------------------------------------------------
// The agents (worker threads)
// ---------------------------------------------------------------------------------------------
function inventory(a, startedAt) {
  return encodeMessage('inventory', {
    ...envelope(a.sender), host: { hostname: `h-${a.agent}`, os: 'linux', arch: 'x64', nodeVersion: process.version, agentVersion: 'bench-1', startedAt },
    modems: [{ id: 'ttyUSB0', port: '/dev/ttyUSB0', state: 'idle', classes: ['2.0'], faxClass: '2.0' }],
    headsets: [{ id: 'hidraw0', path: '/dev/hidraw0', vendorId: 2830, productId: 9310, controls: { hookSwitch: 'toggle', phoneMute: 'toggle', flash: 'absent', redial: 'absent' }, leds: { offHook: true, ring: true, mute: true, hold: false, microphone: false }, ringer: true }],
  });
}

function telemetry(a, n) {
  return encodeMessage('telemetry', {
    ...envelope(a.sender), intervalMs: 5000,
    host: { load1: 0.2, cpuPercent: 3, rssBytes: 60e6, memFreeBytes: 1e9, memTotalBytes: 2e9, uptimeSec: n * 5 },
    spool: { depth: 0, bytes: 0, files: 0, fileBytes: 0, droppedTelemetry: 0, refused: 0 }, link: { reconnects: 0 },
    modems: [{ id: 'ttyUSB0', state: 'idle', line: { callsIn: n, callsOut: 0, pagesIn: n * 2, pagesOut: 0, failures: 0 } }],
    headsets: [{ id: 'hidraw0', offHook: false, muted: false, ringing: false }],
  });
}

async function startAgent(url, a, stats) {
  const startedAt = Date.now();
  a.sender = agentSender(a.site, a.agent);
  const presence = (state, reason) => encodeMessage('presence', { ...envelope(a.sender), state, reason, agentVersion: 'bench-1', startedAt });
  const c = await mqtt.connectAsync(url, {
    protocolVersion: 4, clientId: `okno-edge-${a.site}.${a.agent}`, username: `${a.site}.${a.agent}`, password: a.password, clean: false, keepalive: 60,
    reconnectPeriod: 1000, connectTimeout: 30_000, will: { topic: topicFor(a, 'presence'), payload: Buffer.from(presence('offline', 'will')), qos: 1, retain: true },
  });
  a.client = c;
  a.uploads = new Map();
  c.on('message', (topic, payload) => {
    const t = parseTopic(topic);
    if (t?.kind === 'cmd') {
      const cmd = decodeMessage('cmd', payload);
      const receivedAt = Date.now();
      const r = okResult(a.sender, cmd, { agentTs: Date.now(), uptimeSec: 1, agentVersion: 'bench-1' }, { receivedAt });
      stats.commands++;
      c.publish(topicFor(a, 'cmd-result'), Buffer.from(encodeMessage('cmd-result', r)), { qos: 1 });
    } else if (t?.kind === 'files-down') {
      const m = decodeFileMessage(payload);
      a.uploads.get(m.transferId)?.handle(m);
    }
  });
  await c.subscribeAsync([topicFor(a, 'cmd'), fileFilter(a, 'down')], { qos: 1 });
  await c.publishAsync(topicFor(a, 'presence'), Buffer.from(presence('online', 'connect')), { qos: 1, retain: true });
  await c.publishAsync(topicFor(a, 'inventory'), Buffer.from(inventory(a, startedAt)), { qos: 1, retain: true });
  let n = 0;
  const tick = () => {
    c.publish(topicFor(a, 'telemetry'), Buffer.from(telemetry(a, ++n)), { qos: 1 });
    stats.telemetry++;
  };
  // spread over the interval, as agents started at different times are
  a.timer = setTimeout(() => {
    tick();
    a.timer = setInterval(tick, 5000);
  }, Math.random() * 5000);
}

/** Uploads `bytes` with the protocol's FileSender; resolves with the ms it took until done ok. */
async function upload(a, bytes, window = 8) {
  const data = randomBytes(bytes);
  const transferId = newId();
  const s = new FileSender({
    transferId, data, name: 'bench.tif', contentType: 'image/tiff', meta: { bench: true }, chunkSize: 64 * 1024, window, ackTimeoutMs: 10_000, sha256: nodeSha256,
    envelope: () => envelope(a.sender),
    send: (m) => a.client.publishAsync(fileTopic(a, 'up', transferId), Buffer.from(encodeFileMessage(m)), { qos: 1 }),
  });
  a.uploads.set(transferId, s);
  const t0 = now();
  s.start();
  const out = await s.done;
  a.uploads.delete(transferId);
  if (!out.ok) throw new Error(`upload failed: ${out.reason}`);
  return { ms: now() - t0, chunksSent: out.chunksSent };
}

/** Publishes the same number of bytes as 64 KiB QoS 1 messages, 8 in flight, to the same core. */
async function rawPublish(a, bytes) {
  const chunk = 64 * 1024;
  const count = Math.ceil(bytes / chunk);
  const payload = randomBytes(chunk);
  const topic = fileTopic(a, 'up', newId());
  let next = 0;
  const t0 = now();
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < count) {
      next++;
      await a.client.publishAsync(topic, payload, { qos: 1 });
    }
  }));
  return { ms: now() - t0 };
}

if (!isMainThread) {
  const { url, agents } = workerData;
  const stats = { telemetry: 0, commands: 0 };
  for (let i = 0; i < agents.length; i += 50) {
    await Promise.all(agents.slice(i, i + 50).map((a) => startAgent(url, a, stats)));
  }
  parentPort.postMessage({ type: 'ready' });
  parentPort.on('message', async (m) => {
    try {
      if (m.type === 'upload') parentPort.postMessage({ type: 'result', value: await upload(agents[0], m.bytes, m.window) });
      else if (m.type === 'raw') parentPort.postMessage({ type: 'result', value: await rawPublish(agents[0], m.bytes) });
      else if (m.type === 'stats') parentPort.postMessage({ type: 'result', value: { ...stats } });
      else if (m.type === 'stop') {
        for (const a of agents) {
          clearTimeout(a.timer);
          clearInterval(a.timer);
          await a.client.endAsync(true);
        }
        parentPort.postMessage({ type: 'result', value: null });
        process.exit(0);
      }
    } catch (err) {
      parentPort.postMessage({ type: 'error', message: String(err?.stack ?? err) });
    }
  });
} else {
  await main();
}

// ---------------------------------------------------------------------------------------------
// The core (main thread)
// ---------------------------------------------------------------------------------------------
async function main() {
  const { startTestApp } = await import('@okno/core/testing');
  const { EdgeAgentRecord, edgeRuntime } = await import('@okno/core');
  const AGENTS = Number(arg('agents', 1000));
  const WORKERS = Number(arg('workers', 2));
  const PINGS = Number(arg('pings', 2000));
  const C = Number(arg('concurrency', 16));
  const FILE = Number(arg('file-mib', 4)) * 1024 * 1024;
  const ROUNDS = Number(arg('rounds', 3));

  const app = await startTestApp({ demo: false, config: { log: { level: 'error' } } });
  const workers = [];
  try {
    const rt = edgeRuntime(app.app.broker);
    const { url } = await app.app.broker.call('edge.brokerInfo');
    process.stdout.write(`registering ${AGENTS} agents… `);
    const t0 = now();
    const agents = [];
    for (let i = 0; i < AGENTS; i++) {
      const site = `s${String(i % 20).padStart(2, '0')}`;
      const agent = `a${String(i).padStart(4, '0')}`;
      const r = await app.app.broker.call('edge.register', { site, agent });
      agents.push({ site, agent, password: r.password, id: r.agent.id });
    }
    process.stdout.write(`${fmt((now() - t0) / 1000)} s; connecting them from ${WORKERS} worker threads… `);
    const t1 = now();
    const per = Math.ceil(AGENTS / WORKERS);
    for (let w = 0; w < WORKERS; w++) {
      const slice = agents.slice(w * per, (w + 1) * per).map(({ site, agent, password }) => ({ site, agent, password }));
      const worker = new Worker(new URL(import.meta.url), { workerData: { url, agents: slice } });
      const inbox = [];
      let wake;
      worker.on('message', (m) => {
        inbox.push(m);
        wake?.();
      });
      worker.on('error', (e) => {
        inbox.push({ type: 'error', message: String(e?.stack ?? e) });
        wake?.();
      });
      const next = async () => {
        while (!inbox.length) await new Promise((r) => (wake = r));
        const m = inbox.shift();
        if (m.type === 'error') throw new Error(`worker: ${m.message}`);
        return m;
      };
      workers.push({ worker, next, ask: async (msg) => (worker.postMessage(msg), (await next()).value) });
    }
    for (const w of workers) await w.next();
    const online = async () => app.app.db.read((em) => em.countBy(EdgeAgentRecord, { online: true }));
    while ((await online()) < AGENTS) await new Promise((r) => setTimeout(r, 200));
    console.log(`${fmt((now() - t1) / 1000)} s, all ${AGENTS} online`);

    // Telemetry keeps flowing from here on. Warm up (JIT, statement caches), then measure.
    for (let i = 0; i < 50; i++) await app.app.broker.call('edge.command', { agentRowId: agents[i % AGENTS].id, kind: 'ping' });
    await new Promise((r) => setTimeout(r, 5000));
    const c0 = { ...rt.consumer.counters };
    const tm0 = now();

    process.stdout.write(`${PINGS} pings, ${C} at a time… `);
    const lat = [];
    let next = 0;
    let failed = 0;
    const tp = now();
    await Promise.all(Array.from({ length: C }, async () => {
      while (next < PINGS) {
        const a = agents[Math.floor(Math.random() * AGENTS)];
        next++;
        const s = now();
        const r = await app.app.broker.call('edge.command', { agentRowId: a.id, kind: 'ping' });
        if (r.status !== 'ok') failed++;
        lat.push(now() - s);
      }
    }));
    const pingSecs = (now() - tp) / 1000;
    lat.sort((x, y) => x - y);
    console.log(`done (${failed} not ok)`);

    process.stdout.write(`${ROUNDS} rounds of ${FILE / 1048576} MiB: raw QoS 1 publish, then the same bytes as file transfers (window 8, 32)… `);
    const rawMs = [];
    const fileMs = [];
    const wideMs = [];
    let chunksSent = 0;
    for (let r = 0; r < ROUNDS; r++) {
      rawMs.push((await workers[0].ask({ type: 'raw', bytes: FILE })).ms);
      const u = await workers[0].ask({ type: 'upload', bytes: FILE, window: 8 });
      fileMs.push(u.ms);
      chunksSent += u.chunksSent;
      wideMs.push((await workers[0].ask({ type: 'upload', bytes: FILE, window: 32 })).ms);
    }
    console.log('done');
    const secs = (now() - tm0) / 1000;
    const c1 = rt.consumer.counters;
    const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
    const mib = FILE / 1048576;
    const rawRate = mib / (median(rawMs) / 1000);
    const fileRate = mib / (median(fileMs) / 1000);
    const wideRate = mib / (median(wideMs) / 1000);
    const stored = rt.uploads.stored;
    if (stored < 2 * ROUNDS) throw new Error(`expected ${2 * ROUNDS} stored files, found ${stored}`);

    console.log(`\nEdge fleet: ${AGENTS} simulated agents (telemetry every 5 s) on one core, embedded aedes, SQLite\n${table([
      { measure: 'agents online', value: String(await online()), unit: '' },
      { measure: 'messages consumed during the measurement', value: fmt((c1.processed - c0.processed) / secs), unit: 'msg/s' },
      { measure: 'ping round trip p50', value: fmt(percentile(lat, 50), 2), unit: 'ms' },
      { measure: 'ping round trip p99', value: fmt(percentile(lat, 99), 2), unit: 'ms' },
      { measure: 'ping round trip max', value: fmt(lat.at(-1), 2), unit: 'ms' },
      { measure: `pings (${C} concurrent)`, value: fmt(PINGS / pingSecs), unit: '/s' },
    ])}\n\nFile transfer vs raw MQTT publish of the same bytes (${mib} MiB, 64 KiB messages, 8 in flight, QoS 1, median of ${ROUNDS})\n${table([
      { path: 'raw MQTT publish (PUBACK from the broker)', 'MiB/s': fmt(rawRate, 2), ratio: '1.00' },
      { path: 'file transfer (hashes, chunks synced, attachment + journal, done ok)', 'MiB/s': fmt(fileRate, 2), ratio: fmt(fileRate / rawRate, 2) },
      { path: 'the same with a window of 32 chunks (agent transfer.window)', 'MiB/s': fmt(wideRate, 2), ratio: fmt(wideRate / rawRate, 2) },
    ])}\n(chunks sent per file: ${fmt(chunksSent / ROUNDS, 0)} for ${Math.ceil(FILE / 65536)}; refused messages: ${c1.malformed - c0.malformed} malformed — the raw phase's payloads, as expected)`);
  } finally {
    for (const w of workers) await w.ask({ type: 'stop' }).catch(() => undefined);
    await app.stop();
  }
}
