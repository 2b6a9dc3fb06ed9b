/**
 * Headset inventory and opening, over any HidBackend.
 *
 * - listHeadsets: one entry per device path (enumeration lists a path once per top-level collection),
 *   telephony devices (a collection on usage page 0x0B) by default, each with its capabilities from the
 *   report descriptor. A descriptor that cannot be read or parsed leaves `capabilities` out and says why.
 * - openHeadset: descriptor + device + HeadsetController, with every output report written once so the
 *   headset's LEDs start from the host's (idle) state.
 */
import type { Clock } from './clock.js';
import { HeadsetController } from './controller.js';
import { parseDescriptor } from './descriptor/parser.js';
import type { HidBackend, HidDeviceInfo } from './device.js';
import { defaultLogger, type HeadsetLogger } from './logger.js';
import { buildTelephonyModel, capabilitiesOf, type HeadsetCapabilities } from './telephony-model.js';
import { Page, usageCode } from './usages.js';

export interface HeadsetInventoryEntry {
  path: string;
  vendorId: number;
  productId: number;
  product: string | undefined;
  manufacturer: string | undefined;
  serialNumber: string | undefined;
  interface: number | undefined;
  /** Top-level collections as enumeration lists them, e.g. ["0x0B:0x05", "0x0C:0x01"]. */
  collections: string[];
  capabilities: HeadsetCapabilities | undefined;
  /** Why capabilities are missing. */
  descriptorError: string | undefined;
}

export interface ListHeadsetsOptions {
  /** Every HID device, not only those with a telephony collection. */
  all?: boolean;
  /** Only these paths (the hot-plug watcher asks about new nodes). */
  paths?: string[];
  logger?: HeadsetLogger;
}

/** Enumeration entries grouped by path, in first-seen order. */
export function groupByPath(infos: HidDeviceInfo[]): Map<string, HidDeviceInfo[]> {
  const byPath = new Map<string, HidDeviceInfo[]>();
  for (const info of infos) {
    const list = byPath.get(info.path);
    if (list) list.push(info);
    else byPath.set(info.path, [info]);
  }
  return byPath;
}

export async function listHeadsets(backend: HidBackend, opts: ListHeadsetsOptions = {}): Promise<HeadsetInventoryEntry[]> {
  const log = opts.logger ?? defaultLogger();
  const wanted = opts.paths ? new Set(opts.paths) : undefined;
  const out: HeadsetInventoryEntry[] = [];
  for (const [path, infos] of groupByPath(await backend.enumerate())) {
    if (wanted && !wanted.has(path)) continue;
    if (!opts.all && !infos.some((i) => i.usagePage === Page.Telephony)) continue;
    const first = infos[0] as HidDeviceInfo;
    let capabilities: HeadsetCapabilities | undefined;
    let descriptorError: string | undefined;
    try {
      capabilities = capabilitiesOf(buildTelephonyModel(parseDescriptor(await backend.readDescriptor(path))));
    } catch (err) {
      descriptorError = err instanceof Error ? err.message : String(err);
      log.warn({ path, err: descriptorError }, 'headset descriptor unavailable');
    }
    out.push({
      path,
      vendorId: first.vendorId,
      productId: first.productId,
      product: first.product,
      manufacturer: first.manufacturer,
      serialNumber: first.serialNumber,
      interface: first.interface,
      collections: infos.filter((i) => i.usagePage !== undefined).map((i) => usageCode(i.usagePage ?? 0, i.usage ?? 0)),
      capabilities,
      descriptorError,
    });
  }
  return out;
}

export interface OpenHeadsetOptions {
  clock?: Clock;
  logger?: HeadsetLogger;
  echoWindowMs?: number;
  debounceMs?: number;
  /** Write every output report once after opening (default true). */
  initialSync?: boolean;
}

/** Opens the headset at `path` and returns its controller; the device is closed again if that fails. */
export async function openHeadset(backend: HidBackend, path: string, opts: OpenHeadsetOptions = {}): Promise<HeadsetController> {
  const descriptor = parseDescriptor(await backend.readDescriptor(path));
  const device = await backend.open(path);
  let controller: HeadsetController;
  try {
    controller = new HeadsetController({ ...opts, device, descriptor });
  } catch (err) {
    await device.close();
    throw err;
  }
  if (opts.initialSync ?? true) await controller.resync();
  return controller;
}
