/**
 * HeadsetDevices over the headset module's public API: the hot-plug watcher finds telephony
 * headsets, each gets a HeadsetController, and their events become protocol events.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { EventBody, HeadsetInfo, HeadsetState } from '@okno/protocol';
import {
  HeadsetWatcher,
  listHeadsets,
  openHeadset,
  type HeadsetController,
  type HeadsetEvent,
  type HeadsetInventoryEntry,
  type HidBackend,
  type ControlBehaviour,
  type HeadsetWatcherOptions,
} from '../headset/index.js';
import { DeviceNotFoundError, type DeviceEvents, type HeadsetDevices } from './devices.js';

export interface HidHeadsetOptions {
  backend: HidBackend;
  logger: Logger;
  /** Watcher settings (devDir, rescanMs ...), for tests. */
  watcher?: Partial<Omit<HeadsetWatcherOptions, 'enumerate'>>;
}

function controlKind(entry: HeadsetInventoryEntry, name: string): HeadsetInfo['controls']['hookSwitch'] {
  const input = entry.capabilities?.inputs.find((i) => i.name === name);
  if (!input) return 'absent';
  const map: Record<ControlBehaviour, HeadsetInfo['controls']['hookSwitch']> = { 'toggle-button': 'toggle', 'toggle-switch': 'level', 'on-off-buttons': 'on-off', undefined: 'level' };
  return map[input.behaviour];
}

export function headsetInfo(entry: HeadsetInventoryEntry): HeadsetInfo {
  const out = new Set(entry.capabilities?.outputs.map((o) => o.name) ?? []);
  return {
    id: entry.path,
    path: entry.path,
    vendorId: entry.vendorId,
    productId: entry.productId,
    ...(entry.manufacturer ? { manufacturer: entry.manufacturer } : {}),
    ...(entry.product ? { product: entry.product } : {}),
    ...(entry.serialNumber ? { serialNumber: entry.serialNumber } : {}),
    controls: { hookSwitch: controlKind(entry, 'hookSwitch'), phoneMute: controlKind(entry, 'phoneMute'), flash: controlKind(entry, 'flash'), redial: controlKind(entry, 'redial') },
    leds: { offHook: out.has('offHook'), ring: out.has('ring'), mute: out.has('mute'), hold: out.has('hold'), microphone: out.has('microphone') },
    ringer: out.has('ringer'),
  };
}

export function protocolState(c: HeadsetController): HeadsetState {
  const s = c.state;
  return { offHook: s === 'off-hook' || s === 'muted', muted: s === 'muted', ringing: s === 'ringing' };
}

/** Maps a controller event to a protocol event (undefined for internal ones). */
export function headsetEvent(headsetId: string, e: HeadsetEvent): EventBody | undefined {
  switch (e.type) {
    case 'hook':
      return { type: 'headset.hook', headsetId, offHook: e.offHook };
    case 'mute':
      return { type: 'headset.mute', headsetId, muted: e.muted };
    case 'flash':
    case 'redial':
    case 'reject':
      return { type: 'headset.button', headsetId, button: e.type };
    case 'key':
      return { type: 'headset.button', headsetId, button: 'key', key: e.key };
    case 'error':
      return { type: 'error', component: 'headset', code: `hid-${e.during}`, message: e.message, deviceId: headsetId };
    default:
      return undefined;
  }
}

export class HidHeadsets extends EventEmitter<DeviceEvents> implements HeadsetDevices {
  private readonly watcher: HeadsetWatcher;
  private readonly open = new Map<string, { entry: HeadsetInventoryEntry; controller?: HeadsetController }>();

  constructor(private readonly o: HidHeadsetOptions) {
    super();
    this.watcher = new HeadsetWatcher({ ...o.watcher, enumerate: (paths) => listHeadsets(o.backend, { paths }), logger: o.logger.child({ part: 'headset-watch' }) });
    this.watcher.on('added', (e) => void this.added(e));
    this.watcher.on('removed', (e) => void this.removed(e));
  }

  async start(): Promise<void> {
    await this.watcher.start();
  }

  async close(): Promise<void> {
    this.watcher.stop();
    for (const { controller } of this.open.values()) await controller?.close().catch(() => undefined);
    this.open.clear();
  }

  private async added(entry: HeadsetInventoryEntry): Promise<void> {
    if (!entry.capabilities?.callControl) return; // no telephony collection: nothing to drive
    const slot: { entry: HeadsetInventoryEntry; controller?: HeadsetController } = { entry };
    this.open.set(entry.path, slot);
    try {
      slot.controller = await openHeadset(this.o.backend, entry.path, { logger: this.o.logger.child({ headset: entry.path }) });
      slot.controller.on('event', (e) => {
        const body = headsetEvent(entry.path, e);
        if (body) this.emit('event', body);
      });
    } catch (err) {
      this.emit('event', { type: 'error', component: 'headset', code: 'open-failed', message: (err as Error).message, deviceId: entry.path });
    }
    this.emit('event', { type: 'device.added', device: { kind: 'headset', id: entry.path, ...(entry.product ? { label: entry.product } : {}) } });
    this.emit('change');
  }

  private async removed(entry: HeadsetInventoryEntry): Promise<void> {
    const slot = this.open.get(entry.path);
    if (!slot) return;
    this.open.delete(entry.path);
    await slot.controller?.close().catch(() => undefined);
    this.emit('event', { type: 'device.removed', device: { kind: 'headset', id: entry.path } });
    this.emit('change');
  }

  list(): HeadsetInfo[] {
    return [...this.open.values()].map((s) => headsetInfo(s.entry));
  }

  states(): (HeadsetState & { id: string })[] {
    return [...this.open.entries()].filter(([, s]) => s.controller).map(([id, s]) => ({ id, ...protocolState(s.controller!) }));
  }

  private controller(id: string): HeadsetController {
    const c = this.open.get(id)?.controller;
    if (!c) throw new DeviceNotFoundError('headset', id);
    return c;
  }

  async ring(id: string, on: boolean): Promise<HeadsetState> {
    const c = this.controller(id);
    await c.ring(on);
    return protocolState(c);
  }

  async offHook(id: string, offHook: boolean): Promise<HeadsetState> {
    const c = this.controller(id);
    await c.offHook(offHook);
    return protocolState(c);
  }

  async muteLed(id: string, muted: boolean): Promise<HeadsetState> {
    const c = this.controller(id);
    await c.mute(muted);
    return protocolState(c);
  }
}
