/**
 * Fax work for the CLI, on the fax module: probe a modem, send a TIFF Class F file, and a
 * loopback test that drives our modem driver against the built-in modem simulator on a socat PTY
 * pair, in Class 2.0 and in Class 1 (the same simulator the fax tests check against efax and sendfax).
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { EdgeConfig } from '../config/config.js';
import type { FaxDevices } from '../agent/devices.js';
import { openSerialLink, type FaxModemConfig } from '../fax/index.js';
import { FaxModem } from '../fax/index.js';
import type { ModemInfo } from '../fax/index.js';
import { readTiffF } from '../fax/index.js';
import { ModemSimulator } from '../fax/index.js';
import { openPtyPair } from '../fax/index.js';
import { makeTestPage } from '../fax/index.js';
import { encodeMh } from '../fax/index.js';

export interface ProbeLine {
  ok: boolean;
  summary: string;
  fix?: string;
}
export interface PageLine {
  page: number;
  pages?: number;
  status: string;
}
export interface FaxTestReport {
  ok: boolean;
  checks: { name: string; ok: boolean; detail?: string }[];
}

export interface FaxTools {
  /** The fax module for the daemon, or undefined when no ports are configured. */
  faxDevices(c: EdgeConfig, log: Logger): Promise<FaxDevices | undefined>;
  probeModem(c: EdgeConfig, port: string): Promise<ProbeLine>;
  sendFax(c: EdgeConfig, port: string, number: string, file: string, onPage: (p: PageLine) => void): Promise<ProbeLine>;
  testFax(c: EdgeConfig, port: string | undefined, progress: (line: string) => void): Promise<FaxTestReport>;
}

export function describeModem(i: ModemInfo): string {
  const id = [i.manufacturer, i.model, i.revision].filter(Boolean).join(' ') || i.ati3 || 'unknown modem';
  return `${id}; classes ${i.fclass}; using ${i.preferredClass ? `Class ${i.preferredClass}` : 'none (no fax class)'}${i.quirks.length ? `; quirks: ${i.quirks.join(', ')}` : ''}`;
}

async function withModem<T>(port: string, fn: (m: FaxModem) => Promise<T>): Promise<T> {
  const link = await openSerialLink({ path: port });
  const modem = new FaxModem(link, {});
  try {
    return await fn(modem);
  } finally {
    await modem.close(true).catch(() => undefined);
  }
}

export async function probeOne(port: string): Promise<ProbeLine> {
  try {
    const info = await withModem(port, (m) => m.open());
    return { ok: info.preferredClass !== null, summary: describeModem(info), ...(info.preferredClass ? {} : { fix: 'this modem offers no fax class the agent speaks (AT+FCLASS=? lists none of 1, 2, 2.0)' }) };
  } catch (err) {
    const msg = (err as Error).message;
    return {
      ok: false,
      summary: msg,
      fix: /EACCES|permission/i.test(msg)
        ? 'add the agent user to the dialout group (sudo usermod -aG dialout okno-edge)'
        : /lock|busy/i.test(msg)
          ? 'another program (mgetty, hylafax, efax) holds the port: stop it'
          : 'no answer to AT: check cable, power and the port name',
    };
  }
}

async function loopback(progress: (line: string) => void): Promise<FaxTestReport> {
  const checks: FaxTestReport['checks'] = [];
  const pair = await openPtyPair();
  const simLink = await openSerialLink({ path: pair.modemPath, uucpLock: 'off', livenessIntervalMs: 0 });
  const sim = new ModemSimulator(simLink, { speedFactor: 50, minPageMs: 20, connectDelayMs: 20, xonDelayMs: 10 });
  try {
    // the modem's own choice (Class 2.0), then Class 1, where our driver runs T.30 itself
    for (const faxClass of [undefined, '1' as const]) {
      const link = await openSerialLink({ path: pair.dtePath, uucpLock: 'off' });
      const modem = new FaxModem(link, { localId: 'OKNO LOOPBACK', commandDelayMs: 0, ...(faxClass ? { faxClass } : {}) });
      const received: number[] = [];
      const onSimPage = (p: { rows: number }) => received.push(p.rows);
      sim.on('page', onSimPage);
      try {
        progress(`probing the simulated modem${faxClass ? ` (Class ${faxClass})` : ''} ...`);
        const info = await modem.open();
        const cls = `Class ${modem.faxClass}`;
        if (!faxClass) checks.push({ name: 'modem answers AT and identifies itself', ok: true, detail: describeModem(info) });
        const bitmap = makeTestPage({ height: 400, pageNo: 1 });
        const page = { data: encodeMh(bitmap, { fillOrder: 2 }), fillOrder: 2 as const, width: 1728, rows: 400, yResolution: 98 as const, twoD: false, eolAligned: true };
        const r = await modem.send({ number: '000', pages: [page], onPage: (p) => progress(`page ${p.page}/${p.pages} ${p.ppr}`) });
        checks.push({ name: `test page sent through the simulator (${cls})`, ok: r.ok, detail: r.ok ? `${r.pages} page(s), ${r.bitRate} bps, hangup ${r.hangup.code}` : `${r.reason}: ${r.message}` });
        checks.push({ name: `simulator received the page intact (${cls})`, ok: received[0] === 400, detail: `${received[0] ?? 0} rows of 400` });
      } finally {
        sim.off('page', onSimPage);
        await modem.close(true).catch(() => undefined);
      }
    }
  } catch (err) {
    checks.push({ name: 'loopback', ok: false, detail: (err as Error).message });
  } finally {
    sim.shutdown();
    await simLink.close().catch(() => undefined);
    await pair.close();
  }
  return { ok: checks.every((c) => c.ok), checks };
}

export function faxTools(): FaxTools {
  return {
    async faxDevices(c, log) {
      if (c.fax.ports && c.fax.ports.length === 0) return undefined; // fax.ports: [] turns fax off
      const { FaxModems } = await import('../agent/fax-devices.js');
      return new FaxModems({ ...(c.fax.ports ? { ports: c.fax.ports } : {}), modem: (c.fax.modem ?? {}) as FaxModemConfig, logger: log.child({ part: 'fax' }) });
    },
    probeModem: (_c, port) => probeOne(port),
    async sendFax(_c, port, number, file, onPage) {
      const pages = readTiffF(readFileSync(file));
      return withModem(port, async (m) => {
        await m.open();
        onPage({ page: 0, pages: pages.length, status: `dialling ${number}` });
        const r = await m.send({ number, pages, onPage: (p) => onPage({ page: p.page, pages: p.pages, status: `${p.accepted ? 'accepted' : 'rejected'} (${p.ppr})` }) });
        return r.ok
          ? { ok: true, summary: `sent ${r.pages} page(s) to ${r.remoteId || number} in ${Math.round(r.durationMs / 1000)} s` }
          : { ok: false, summary: `not sent: ${r.message}${r.hangup ? ` (hangup ${r.hangup.code}: ${r.hangup.meaning})` : ''}` };
      });
    },
    async testFax(_c, port, progress) {
      if (!port) return loopback(progress);
      const r = await probeOne(port);
      return { ok: r.ok, checks: [{ name: `modem on ${port} answers AT`, ok: r.ok, detail: r.summary }] };
    },
  };
}
