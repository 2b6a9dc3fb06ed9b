/**
 * A HidBackend over fake headsets, for tests of inventory, opening and hot-plug. It answers like node-hid on
 * Linux: one enumeration entry per top-level collection of a path, and the whole-interface descriptor.
 */
import type { Clock } from '../clock.js';
import type { HidBackend, HidDevice, HidDeviceInfo } from '../device.js';
import { FakeHeadset, type FakeModel } from './fake-headset.js';

export interface PluggedDevice {
  /** One entry per top-level collection (same path). */
  infos: HidDeviceInfo[];
  descriptor: Uint8Array;
  model: FakeModel;
}

export class FakeHidBackend implements HidBackend {
  readonly plugged = new Map<string, PluggedDevice>();
  /** Devices handed out by open(), newest last. */
  readonly opened: FakeHeadset[] = [];
  enumerations = 0;

  constructor(private readonly clock: Clock) {}

  plug(path: string, descriptor: Uint8Array, collections: Array<[number, number]>, base: Omit<HidDeviceInfo, 'path'>, model: FakeModel = 'blackwire'): void {
    const infos = collections.map(([usagePage, usage]) => ({ ...base, path, usagePage, usage }));
    this.plugged.set(path, { infos, descriptor, model });
  }

  unplug(path: string): void {
    this.plugged.delete(path);
    for (const dev of this.opened) if (dev.info.path === path && !dev.isClosed) dev.unplug();
  }

  async enumerate(): Promise<HidDeviceInfo[]> {
    this.enumerations++;
    return [...this.plugged.values()].flatMap((d) => d.infos.map((i) => ({ ...i })));
  }

  async open(path: string): Promise<HidDevice> {
    const d = this.plugged.get(path);
    if (!d) throw new Error(`cannot open device with path ${path}`);
    const dev = new FakeHeadset({ descriptor: d.descriptor, model: d.model, clock: this.clock, info: d.infos.find((i) => i.usagePage === 0x0b) ?? d.infos[0] });
    this.opened.push(dev);
    return dev;
  }

  async readDescriptor(path: string): Promise<Uint8Array> {
    const d = this.plugged.get(path);
    if (!d) throw new Error(`cannot read the report descriptor of ${path}: ENOENT`);
    return d.descriptor;
  }
}
