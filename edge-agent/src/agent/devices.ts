/**
 * Device integration points. The fax and headset modules are injected through these small
 * interfaces (adapters in fax-devices.ts / headset-devices.ts), so the daemon, the CLI and the
 * tests can run with real hardware, a simulator, or none.
 */
import { EventEmitter } from 'node:events';
import type { CommandArgs, CommandResultData, EventBody, HeadsetInfo, HeadsetState, ModemInfo, ModemLineStats, ModemState } from '@okno/protocol';

export interface ReceivedFax {
  modemId: string;
  /** TIFF Class F. */
  data: Uint8Array;
  fileName: string;
  pages: number;
  remoteId?: string;
  durationMs: number;
  badLines?: number;
  /** The call was cut short by a receive limit (a hostile or broken remote): the pages accepted before, and why. */
  incomplete?: string;
}

export interface FaxJob {
  number: string;
  /** Path of the TIFF Class F document. */
  file: string;
  modemId?: string;
  localId?: string;
  maxAttempts?: number;
}

export interface DeviceEvents {
  /** The device list or a device's description changed (inventory must be re-sent). */
  change: [];
  event: [EventBody];
}
export interface FaxEvents extends DeviceEvents {
  received: [ReceivedFax];
}

export interface FaxDevices extends EventEmitter<FaxEvents> {
  start(): Promise<void>;
  close(): Promise<void>;
  list(): ModemInfo[];
  lineStats(): { id: string; state: ModemState; line: ModemLineStats }[];
  probe(modemId?: string): Promise<ModemInfo[]>;
  send(job: FaxJob): Promise<CommandResultData<'fax.send'>>;
  test(args: CommandArgs<'fax.test'>): Promise<CommandResultData<'fax.test'>>;
}

export interface HeadsetDevices extends EventEmitter<DeviceEvents> {
  start(): Promise<void>;
  close(): Promise<void>;
  list(): HeadsetInfo[];
  states(): (HeadsetState & { id: string })[];
  ring(id: string, on: boolean): Promise<HeadsetState>;
  offHook(id: string, offHook: boolean): Promise<HeadsetState>;
  muteLed(id: string, muted: boolean): Promise<HeadsetState>;
}

/** Thrown when a command needs a device module this agent runs without. */
export class DeviceUnavailableError extends Error {
  constructor(what: string) {
    super(`${what} are not enabled on this agent`);
    this.name = 'DeviceUnavailableError';
  }
}

/** Thrown by adapters for an unknown device id. */
export class DeviceNotFoundError extends Error {
  constructor(kind: string, id: string) {
    super(`no ${kind} "${id}" on this agent`);
    this.name = 'DeviceNotFoundError';
  }
}

export type DeviceManagerEvents = FaxEvents;

/** Gathers the injected device modules: inventory, telemetry, events and commands. */
export class DeviceManager extends EventEmitter<DeviceManagerEvents> {
  constructor(private readonly parts: { fax?: FaxDevices; headsets?: HeadsetDevices } = {}) {
    super();
    for (const p of [parts.fax, parts.headsets]) {
      p?.on('change', () => this.emit('change'));
      p?.on('event', (e) => this.emit('event', e));
    }
    parts.fax?.on('received', (f) => this.emit('received', f));
  }

  async start(): Promise<void> {
    await this.parts.fax?.start();
    await this.parts.headsets?.start();
  }

  async close(): Promise<void> {
    await this.parts.headsets?.close();
    await this.parts.fax?.close();
  }

  get fax(): FaxDevices {
    if (!this.parts.fax) throw new DeviceUnavailableError('fax modems');
    return this.parts.fax;
  }

  get headsets(): HeadsetDevices {
    if (!this.parts.headsets) throw new DeviceUnavailableError('headsets');
    return this.parts.headsets;
  }

  inventory(): { modems: ModemInfo[]; headsets: HeadsetInfo[] } {
    return { modems: this.parts.fax?.list() ?? [], headsets: this.parts.headsets?.list() ?? [] };
  }

  telemetry(): { modems: ReturnType<FaxDevices['lineStats']>; headsets: ReturnType<HeadsetDevices['states']> } {
    return { modems: this.parts.fax?.lineStats() ?? [], headsets: this.parts.headsets?.states() ?? [] };
  }
}
