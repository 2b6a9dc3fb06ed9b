/**
 * Serial port discovery. serialport's `SerialPort.list()` runs `udevadm info -e` on Linux, which
 * fails in containers without udev (reference section 4); then we fall back to globbing the usual
 * device names and the /dev/serial/by-id links.
 */
import { readdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { SerialPort } from 'serialport';

export interface SerialPortCandidate {
  path: string;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
  /** Stable /dev/serial/by-id name, when there is one. */
  byId?: string;
  /** Where it was found. */
  source: 'udev' | 'glob';
}

export interface ListSerialPortsOptions {
  /** Defaults to serialport's SerialPort.list. */
  list?: () => Promise<Array<{ path: string; manufacturer?: string; serialNumber?: string; vendorId?: string; productId?: string; pnpId?: string }>>;
  /** Defaults to /dev. */
  devDir?: string;
}

const DEVICE_NAME = /^tty(S|USB|ACM)\d+$/;

async function byIdLinks(devDir: string): Promise<Map<string, string>> {
  const links = new Map<string, string>();
  const dir = join(devDir, 'serial', 'by-id');
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return links;
  }
  for (const n of names) {
    try {
      links.set(await realpath(join(dir, n)), join(dir, n));
    } catch {
      // dangling link
    }
  }
  return links;
}

async function globPorts(devDir: string): Promise<SerialPortCandidate[]> {
  const links = await byIdLinks(devDir);
  const names = await readdir(devDir).catch(() => [] as string[]);
  const paths = new Set(names.filter((n) => DEVICE_NAME.test(n)).map((n) => join(devDir, n)));
  for (const target of links.keys()) paths.add(target);
  return [...paths].sort(naturalCompare).map((path) => {
    const byId = links.get(path);
    return byId ? { path, byId, source: 'glob' as const } : { path, source: 'glob' as const };
  });
}

function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** Lists serial ports: udev's view when available, else the device-name glob. */
export async function listSerialPorts(opts: ListSerialPortsOptions = {}): Promise<SerialPortCandidate[]> {
  const devDir = opts.devDir ?? '/dev';
  try {
    const ports = await (opts.list ?? (() => SerialPort.list()))();
    const links = await byIdLinks(devDir);
    return ports.map((p) => {
      const c: SerialPortCandidate = { path: p.path, source: 'udev' };
      if (p.manufacturer) c.manufacturer = p.manufacturer;
      if (p.serialNumber) c.serialNumber = p.serialNumber;
      if (p.vendorId) c.vendorId = p.vendorId;
      if (p.productId) c.productId = p.productId;
      const byId = links.get(p.path) ?? (p.pnpId ? join(devDir, 'serial', 'by-id', p.pnpId) : undefined);
      if (byId) c.byId = byId;
      return c;
    });
  } catch {
    return globPorts(devDir);
  }
}
