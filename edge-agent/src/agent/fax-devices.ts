/**
 * FaxDevices over the fax module's public API: one FaxModem + FaxJobQueue per serial port,
 * modems appearing and vanishing (re-scan, 'gone') reflected in the inventory, fax events
 * (page, sent, failed with hangup code and meaning, received) turned into protocol events.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { CommandArgs, CommandResultData, HangupInfo as ProtoHangup, ModemInfo as ProtoModemInfo, ModemLineStats, ModemState as ProtoModemState } from '@okno/protocol';
import {
  FaxJobQueue,
  FaxModem,
  listSerialPorts,
  openSerialLink,
  readTiffF,
  type FaxModemConfig,
  type HangupInfo,
  type ModemInfo,
  type ModemState,
  type RetryPolicy,
  type SerialLink,
} from '../fax/index.js';
import { DeviceNotFoundError, type FaxEvents, type FaxDevices, type FaxJob } from './devices.js';
import { probeOne } from '../cli/fax-tools.js';

export interface FaxModemsOptions {
  /** Fixed ports; when absent, every serial port found is tried. */
  ports?: string[];
  modem?: FaxModemConfig;
  retry?: Partial<RetryPolicy>;
  /** How often to look for ports that appeared (ms, default 30 s; 0 = never). */
  rescanMs?: number;
  logger: Logger;
  /** Opens a port (tests pass a PTY's path through the same function). */
  open?: (path: string) => Promise<SerialLink>;
}

interface Slot {
  port: string;
  modem: FaxModem;
  queue: FaxJobQueue;
  info: ModemInfo;
}

const STATE: Record<ModemState, ProtoModemState> = {
  closed: 'offline',
  initializing: 'probing',
  idle: 'idle',
  ringing: 'ringing',
  sending: 'sending',
  receiving: 'receiving',
  recovering: 'probing',
  failed: 'error',
};

export function protoHangup(h: HangupInfo): ProtoHangup {
  return { code: h.code, fclass: h.faxClass, meaning: h.meaning };
}

export class FaxModems extends EventEmitter<FaxEvents> implements FaxDevices {
  private readonly slots = new Map<string, Slot>();
  private readonly failedPorts = new Set<string>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private scanning: Promise<void> | undefined;

  constructor(private readonly o: FaxModemsOptions) {
    super();
  }

  async start(): Promise<void> {
    await this.scan();
    const every = this.o.rescanMs ?? 30_000;
    if (every > 0) {
      this.timer = setInterval(() => void this.scan(), every);
      this.timer.unref();
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.scanning;
    for (const s of this.slots.values()) {
      s.queue.stop();
      const t0 = Date.now();
      await s.modem.close().catch(() => undefined);
      this.o.logger.debug({ port: s.port, ms: Date.now() - t0 }, 'modem closed');
    }
    this.slots.clear();
  }

  /** Opens modems on ports not yet in use (the configured ones, or all found). */
  scan(): Promise<void> {
    this.scanning ??= (async () => {
      try {
        const ports = this.o.ports ?? (await listSerialPorts()).map((p) => p.byId ?? p.path);
        for (const p of ports) if (!this.slots.has(p) && !this.failedPorts.has(p)) await this.add(p);
      } catch (err) {
        this.o.logger.warn({ err: (err as Error).message }, 'serial port scan failed');
      } finally {
        this.scanning = undefined;
      }
    })();
    return this.scanning;
  }

  private async add(port: string): Promise<void> {
    let modem: FaxModem | undefined;
    try {
      const link = await (this.o.open ?? ((path: string) => openSerialLink({ path })))(port);
      modem = new FaxModem(link, this.o.modem ?? {}, { logger: this.o.logger.child({ modem: port }) });
      const info = await modem.open();
      const queue = new FaxJobQueue(modem, { retry: this.o.retry ?? {} });
      const slot: Slot = { port, modem, queue, info };
      this.slots.set(port, slot);
      modem.on('state', () => this.emit('change'));
      modem.on('gone', (err) => void this.remove(port, err.message));
      modem.on('fax', (f) =>
        this.emit('received', {
          modemId: port,
          data: f.tiff,
          fileName: `fax-${f.startedAt.toISOString().replace(/[:.]/g, '-')}.tif`,
          pages: f.pages,
          ...(f.remoteId ? { remoteId: f.remoteId } : {}),
          durationMs: f.durationMs,
          badLines: f.badRows,
          ...(f.incomplete ? { incomplete: f.incomplete.message } : {}),
        }),
      );
      modem.on('receiveFailed', (r) =>
        this.emit('event', { type: 'error', component: 'fax', code: `receive-${r.reason}`, message: `${r.message}${r.hangup ? ` (hangup ${r.hangup.code}: ${r.hangup.meaning})` : ''}`, deviceId: port }),
      );
      modem.on('receivePage', (p) => this.emit('event', { type: 'fax.page', modemId: port, direction: 'receive', page: p.page, accepted: p.accepted }));
      this.emit('event', { type: 'device.added', device: { kind: 'modem', id: port, label: [info.manufacturer, info.model].filter(Boolean).join(' ') || port } });
      this.emit('change');
    } catch (err) {
      this.failedPorts.add(port);
      await modem?.close(true).catch(() => undefined);
      this.o.logger.warn({ port, err: (err as Error).message }, 'no usable fax modem on this port');
      if (this.o.ports) this.emit('event', { type: 'error', component: 'fax', code: 'modem-unusable', message: (err as Error).message, deviceId: port });
    }
  }

  private async remove(port: string, why: string): Promise<void> {
    const s = this.slots.get(port);
    if (!s) return;
    this.slots.delete(port);
    s.queue.stop();
    await s.modem.close(true).catch(() => undefined);
    this.emit('event', { type: 'device.removed', device: { kind: 'modem', id: port } });
    this.emit('event', { type: 'error', component: 'fax', code: 'modem-gone', message: why, deviceId: port });
    this.emit('change');
  }

  list(): ProtoModemInfo[] {
    return [...this.slots.values()].map(({ port, modem, info }) => {
      const id = info.class20 ?? info.class2;
      return {
        id: port,
        port,
        state: STATE[modem.state],
        ...(info.manufacturer ?? id?.manufacturer ? { manufacturer: (info.manufacturer ?? id?.manufacturer)! } : {}),
        ...(info.model ?? id?.model ? { model: (info.model ?? id?.model)! } : {}),
        ...(info.revision ?? id?.revision ? { revision: (info.revision ?? id?.revision)! } : {}),
        classes: info.fclass.replace(/[()]/g, '').split(',').map((s) => s.trim()).filter(Boolean),
        ...(modem.faxClass ? { faxClass: modem.faxClass } : {}),
        ...(id?.capabilities ? { capabilities: JSON.stringify(id.capabilities) } : {}),
        ...(modem.stats.lastError ? { lastError: modem.stats.lastError.message } : {}),
      };
    });
  }

  lineStats(): { id: string; state: ProtoModemState; line: ModemLineStats }[] {
    return [...this.slots.values()].map(({ port, modem }) => {
      const s = modem.stats;
      return {
        id: port,
        state: STATE[modem.state],
        line: { callsIn: s.callsIn, callsOut: s.callsOut, pagesIn: s.pagesReceived, pagesOut: s.pagesSent, failures: Object.values(s.failures).reduce((a, b) => a + b, 0) },
      };
    });
  }

  private slot(modemId?: string): Slot {
    const s = modemId ? this.slots.get(modemId) : [...this.slots.values()].sort((a, b) => a.queue.length - b.queue.length)[0];
    if (!s) throw new DeviceNotFoundError('modem', modemId ?? '(any)');
    return s;
  }

  async probe(modemId?: string): Promise<ProtoModemInfo[]> {
    if (modemId) this.slot(modemId);
    this.failedPorts.clear();
    await this.scan();
    return this.list().filter((m) => !modemId || m.id === modemId);
  }

  async send(job: FaxJob): Promise<CommandResultData<'fax.send'>> {
    const s = this.slot(job.modemId);
    const pages = readTiffF(readFileSync(job.file));
    const ahead = s.queue.length;
    const { id, done } = s.queue.submit({
      number: job.number,
      pages,
      onPage: (p) => this.emit('event', { type: 'fax.page', modemId: s.port, jobId: id, direction: 'send', page: p.page, pages: p.pages, accepted: p.accepted }),
      onAttempt: (a) => {
        if (a.result.ok || a.nextTryInMs === null) return;
        this.emit('event', {
          type: 'fax.failed', jobId: id, modemId: s.port, number: job.number, attempts: a.attemptNo, willRetry: true, reason: a.result.message,
          ...(a.result.hangup ? { hangup: protoHangup(a.result.hangup) } : {}),
        });
      },
    });
    void done.then(({ attempts, result }) => {
      if (result.ok) this.emit('event', { type: 'fax.sent', jobId: id, modemId: s.port, number: job.number, pages: result.pages, attempts, durationMs: result.durationMs });
      else this.emit('event', { type: 'fax.failed', jobId: id, modemId: s.port, number: job.number, attempts, willRetry: false, reason: result.message, ...(result.hangup ? { hangup: protoHangup(result.hangup) } : {}) });
    });
    return { jobId: id, modemId: s.port, queuePosition: ahead };
  }

  async test(args: CommandArgs<'fax.test'>): Promise<CommandResultData<'fax.test'>> {
    const s = this.slot(args.modemId);
    if (args.mode === 'loopback') return { ok: false, checks: [{ name: 'loopback', ok: false, detail: 'a loopback needs a second line; use `okno-edge fax test` on site for the simulator loopback' }] };
    // a live modem is busy with its port: report what the open driver knows
    const st = s.modem.state;
    const r = st === 'closed' ? await probeOne(s.port) : { ok: st !== 'failed', summary: `driver state ${st}; ${s.info.fclass}` };
    return { ok: r.ok, checks: [{ name: `modem on ${s.port}`, ok: r.ok, detail: r.summary }] };
  }
}
