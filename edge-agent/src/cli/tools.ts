/**
 * What the CLI needs from the device modules, behind one injected interface (tests pass their
 * own; `defaultTools()` uses the real hardware modules).
 */
import type { Logger } from 'pino';
import type { EdgeConfig } from '../config/config.js';
import { DeviceManager } from '../agent/devices.js';
import { HidHeadsets } from '../agent/headset-devices.js';
import { describeHeadset, HeadsetWatcher, listHeadsets, NodeHidBackend, openHeadset, type HeadsetInventoryEntry } from '../headset/index.js';
import { candidatePorts } from './checks.js';
import { faxTools, type FaxTools } from './fax-tools.js';

export interface HeadsetLine {
  path: string;
  vendorId: number;
  productId: number;
  product?: string;
  summary: string;
}

export interface CliTools extends FaxTools {
  deviceManager(c: EdgeConfig, log: Logger): Promise<DeviceManager>;
  serialPorts(c: EdgeConfig): Promise<string[]>;
  headsets(all: boolean): Promise<HeadsetLine[]>;
  /** Prints headsets and their events until the process is interrupted. */
  watchHeadsets(print: (line: string) => void): Promise<void>;
}

function summary(e: HeadsetInventoryEntry): string {
  if (e.descriptorError) return `descriptor unreadable: ${e.descriptorError}`;
  const cap = e.capabilities;
  if (!cap?.callControl) return 'no call control (no telephony collection)';
  return `call control: ${cap.inputs.map((i) => i.name).join(', ')}; LEDs: ${cap.outputs.map((o) => o.name).join(', ')}`;
}

export function defaultTools(): CliTools {
  const backend = new NodeHidBackend();
  const fax = faxTools();
  return {
    ...fax,
    async deviceManager(c, log) {
      const headsets = c.headsets.enabled ? new HidHeadsets({ backend, logger: log.child({ part: 'headsets' }) }) : undefined;
      const modems = await fax.faxDevices(c, log);
      return new DeviceManager({ ...(headsets ? { headsets } : {}), ...(modems ? { fax: modems } : {}) });
    },
    async serialPorts(c) {
      return candidatePorts(c);
    },
    async headsets(all) {
      return (await listHeadsets(backend, { all })).map((e) => ({ path: e.path, vendorId: e.vendorId, productId: e.productId, ...(e.product ? { product: e.product } : {}), summary: summary(e) }));
    },
    async watchHeadsets(print) {
      const watcher = new HeadsetWatcher({ enumerate: (paths) => listHeadsets(backend, { paths }) });
      const open = new Map<string, { close(): Promise<void> }>();
      watcher.on('added', (e) => {
        print(`+ ${e.path} ${e.product ?? ''} (${e.vendorId.toString(16)}:${e.productId.toString(16)}) ${summary(e)}`);
        if (!e.capabilities?.callControl) return;
        void backend
          .readDescriptor(e.path)
          .then((d) => print(describeHeadset(d)))
          .catch(() => undefined);
        void openHeadset(backend, e.path)
          .then((c) => {
            open.set(e.path, c);
            c.on('event', (ev) => print(`  ${e.path}: ${JSON.stringify(ev)}`));
          })
          .catch((err: Error) => print(`  ${e.path}: cannot open: ${err.message}`));
      });
      watcher.on('removed', (e) => {
        print(`- ${e.path}`);
        void open.get(e.path)?.close();
        open.delete(e.path);
      });
      await watcher.start();
      print('watching headsets; press Ctrl-C to stop');
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
      watcher.stop();
      for (const c of open.values()) await c.close().catch(() => undefined);
    },
  };
}
