/**
 * HidBackend over node-hid 3 (HIDAsync) on Linux hidraw (edge-hardware.md §3).
 *
 * - node-hid is imported on first use, so loading the agent never fails on a machine without libusb; the
 *   error then says what to install (its prebuilt binding links libudev.so.1 and libusb-1.0.so.0).
 * - node-hid has no call for the report descriptor. On Linux it is read from
 *   /sys/class/hidraw/<hidrawN>/device/report_descriptor (the whole interface: every top-level collection).
 * - Enumeration lists one entry per top-level collection, so one /dev/hidrawN path can appear several times
 *   with different usagePage/usage. Enumeration walks the bus: do not poll it (see hotplug.ts).
 */
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { HidBackend, HidDevice, HidDeviceEvents, HidDeviceInfo } from './device.js';

/** The part of node-hid this backend uses (its module namespace satisfies it). */
export interface NodeHidModule {
  devicesAsync(): Promise<NodeHidDeviceInfo[]>;
  HIDAsync: { open(path: string): Promise<NodeHidAsync> };
}

export interface NodeHidDeviceInfo {
  vendorId: number;
  productId: number;
  path?: string | undefined;
  serialNumber?: string | undefined;
  manufacturer?: string | undefined;
  product?: string | undefined;
  release: number;
  interface: number;
  usagePage?: number | undefined;
  usage?: number | undefined;
}

export interface NodeHidAsync {
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  on(event: 'error', listener: (err: unknown) => void): unknown;
  write(values: number[] | Buffer): Promise<number>;
  close(): Promise<void>;
  getDeviceInfo(): Promise<NodeHidDeviceInfo>;
}

export interface NodeHidBackendOptions {
  /** Root of sysfs (tests point it at a temporary folder). */
  sysfsRoot?: string;
  /** Loads node-hid; injectable for tests of the adapter. */
  load?: () => Promise<NodeHidModule>;
}

export function toDeviceInfo(d: NodeHidDeviceInfo, path: string): HidDeviceInfo {
  return {
    path,
    vendorId: d.vendorId,
    productId: d.productId,
    product: d.product,
    manufacturer: d.manufacturer,
    serialNumber: d.serialNumber,
    release: d.release,
    interface: d.interface,
    usagePage: d.usagePage,
    usage: d.usage,
  };
}

/** One open node-hid device as a HidDevice. */
export class NodeHidDevice extends EventEmitter<HidDeviceEvents> implements HidDevice {
  constructor(
    private readonly hid: NodeHidAsync,
    readonly info: HidDeviceInfo,
  ) {
    super();
    // Copy: the binding may reuse its buffer.
    hid.on('data', (data: Buffer) => this.emit('data', Uint8Array.from(data)));
    hid.on('error', (err: unknown) => {
      const error = err instanceof Error ? err : new Error(String(err));
      if (this.listenerCount('error') > 0) this.emit('error', error);
    });
  }

  write(data: Uint8Array): Promise<number> {
    return this.hid.write(Buffer.from(data));
  }

  /** node-hid's close stops the read thread and drops its listeners. */
  async close(): Promise<void> {
    await this.hid.close();
  }
}

async function loadNodeHid(): Promise<NodeHidModule> {
  try {
    return (await import('node-hid')) as unknown as NodeHidModule;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`node-hid cannot be loaded (${why}); on Debian install libusb-1.0-0 and libudev1`, { cause: err });
  }
}

export class NodeHidBackend implements HidBackend {
  private readonly sysfsRoot: string;
  private readonly load: () => Promise<NodeHidModule>;
  private module: Promise<NodeHidModule> | undefined;

  constructor(opts: NodeHidBackendOptions = {}) {
    this.sysfsRoot = opts.sysfsRoot ?? '/sys';
    this.load = opts.load ?? loadNodeHid;
  }

  private hid(): Promise<NodeHidModule> {
    this.module ??= this.load();
    return this.module;
  }

  async enumerate(): Promise<HidDeviceInfo[]> {
    const hid = await this.hid();
    const list = await hid.devicesAsync();
    return list.filter((d): d is NodeHidDeviceInfo & { path: string } => typeof d.path === 'string').map((d) => toDeviceInfo(d, d.path));
  }

  async open(path: string): Promise<HidDevice> {
    const hid = await this.hid();
    const handle = await hid.HIDAsync.open(path);
    const info = await handle.getDeviceInfo().catch(() => undefined);
    return new NodeHidDevice(handle, info ? toDeviceInfo(info, path) : { path, vendorId: 0, productId: 0 });
  }

  /** The descriptor from sysfs; `path` must be a /dev/hidrawN path (Linux hidraw driver). */
  async readDescriptor(path: string): Promise<Uint8Array> {
    const node = basename(path);
    if (!/^hidraw\d+$/.test(node)) {
      throw new Error(`cannot read the report descriptor of ${path}: only /dev/hidrawN devices (Linux hidraw) expose it`);
    }
    const file = join(this.sysfsRoot, 'class', 'hidraw', node, 'device', 'report_descriptor');
    try {
      return new Uint8Array(await readFile(file));
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new Error(`cannot read the report descriptor of ${path} from ${file}: ${why}`, { cause: err });
    }
  }
}
