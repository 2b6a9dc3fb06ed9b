/**
 * Hot-plug of headsets: notices /dev/hidraw* nodes appearing and vanishing and reports headsets `added`
 * (with their inventory entry and capabilities) and `removed`.
 *
 * - The directory is watched (fs.watch on /dev: inotify on Linux). Events are coalesced for `settleMs` so
 *   udev can finish creating the node and setting its permissions.
 * - A re-scan every `rescanMs` (30 s) lists the directory again, in case an event was missed or watching is
 *   impossible. Listing /dev is cheap; the enumerator (node-hid, which walks the bus) is called only when a
 *   hidraw node appears that has not been looked at, never on a timer by itself.
 * - A node is known by its name and inode, so a number reused by another device between scans is seen as
 *   removed-then-added. Nodes that are not headsets are remembered and not enumerated again until they
 *   change; any event on a node (e.g. udev changing its permissions) makes it be looked at again.
 */
import { EventEmitter } from 'node:events';
import { watch as fsWatch } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import type { HeadsetInventoryEntry } from './inventory.js';
import { defaultLogger, type HeadsetLogger } from './logger.js';

export interface DirEntry {
  name: string;
  /** Changes when the node is re-created (inode). */
  id: string;
}

/** The filesystem the watcher needs, injectable for tests. */
export interface HotplugFs {
  list(dir: string): Promise<DirEntry[]>;
  /** Calls onEvent(name) on changes in dir; returns a closer. May throw when watching is impossible. */
  watch(dir: string, onEvent: (name: string | undefined) => void, onError: (err: Error) => void): { close(): void };
}

const HIDRAW = /^hidraw\d+$/;

export const nodeHotplugFs: HotplugFs = {
  async list(dir) {
    const names = (await readdir(dir)).filter((n) => HIDRAW.test(n));
    const out: DirEntry[] = [];
    for (const name of names) {
      try {
        const s = await stat(join(dir, name));
        out.push({ name, id: `${s.ino}:${s.rdev}` });
      } catch {
        // Vanished between readdir and stat.
      }
    }
    return out;
  },
  watch(dir, onEvent, onError) {
    const w = fsWatch(dir, { persistent: false }, (_type, filename) => onEvent(filename ? String(filename) : undefined));
    w.on('error', onError);
    return w;
  },
};

export interface HeadsetWatcherOptions {
  /** Lists headsets (e.g. `(paths) => listHeadsets(backend, { paths })`); asked only about new nodes. */
  enumerate: (paths: string[]) => Promise<HeadsetInventoryEntry[]>;
  devDir?: string;
  fs?: HotplugFs;
  clock?: Clock;
  rescanMs?: number;
  settleMs?: number;
  logger?: HeadsetLogger;
}

export interface HeadsetWatcherEvents {
  added: [HeadsetInventoryEntry];
  removed: [HeadsetInventoryEntry];
}

export class HeadsetWatcher extends EventEmitter<HeadsetWatcherEvents> {
  private readonly enumerate: (paths: string[]) => Promise<HeadsetInventoryEntry[]>;
  private readonly devDir: string;
  private readonly fs: HotplugFs;
  private readonly clock: Clock;
  private readonly rescanMs: number;
  private readonly settleMs: number;
  private readonly log: HeadsetLogger;
  /** path -> node id and its entry. */
  private readonly headsets = new Map<string, { id: string; entry: HeadsetInventoryEntry }>();
  /** path -> node id of hidraw nodes that are not headsets. */
  private readonly others = new Map<string, string>();
  private watcher: { close(): void } | undefined;
  private rescanTimer: TimerHandle | undefined;
  private settleTimer: TimerHandle | undefined;
  private scanning: Promise<void> = Promise.resolve();
  private running = false;
  /** Number of directory scans and of enumerator calls, for tests and diagnostics. */
  readonly stats = { scans: 0, enumerations: 0, scanErrors: 0, watching: false };

  constructor(opts: HeadsetWatcherOptions) {
    super();
    this.enumerate = opts.enumerate;
    this.devDir = opts.devDir ?? '/dev';
    this.fs = opts.fs ?? nodeHotplugFs;
    this.clock = opts.clock ?? systemClock;
    this.rescanMs = opts.rescanMs ?? 30_000;
    this.settleMs = opts.settleMs ?? 250;
    this.log = opts.logger ?? defaultLogger();
  }

  /** Headsets present now. */
  current(): HeadsetInventoryEntry[] {
    return [...this.headsets.values()].map((h) => h.entry);
  }

  /** Scans once (reporting what is there as `added`), then watches. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      this.watcher = this.fs.watch(
        this.devDir,
        (name) => this.onEvent(name),
        (err) => {
          this.log.warn({ dir: this.devDir, err: err.message }, 'watching for hidraw devices failed; re-scanning only');
          this.stopWatching();
        },
      );
      this.stats.watching = true;
    } catch (err) {
      this.log.warn({ dir: this.devDir, err: err instanceof Error ? err.message : String(err) }, 'cannot watch for hidraw devices; re-scanning only');
    }
    await this.scan();
    this.armRescan();
  }

  stop(): void {
    this.running = false;
    this.stopWatching();
    if (this.rescanTimer) this.clock.clearTimeout(this.rescanTimer);
    if (this.settleTimer) this.clock.clearTimeout(this.settleTimer);
    this.rescanTimer = undefined;
    this.settleTimer = undefined;
  }

  /** Resolves when the scans started so far have finished. */
  whenIdle(): Promise<void> {
    return this.scanning;
  }

  /** Scans now (after any scan in progress); resolves when done. */
  scan(): Promise<void> {
    this.scanning = this.scanning.then(() => this.scanOnce());
    return this.scanning;
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.stats.watching = false;
  }

  private onEvent(name: string | undefined): void {
    if (!this.running) return;
    if (name !== undefined && !HIDRAW.test(name)) return;
    if (name !== undefined) this.others.delete(join(this.devDir, name));
    if (this.settleTimer) this.clock.clearTimeout(this.settleTimer);
    this.settleTimer = this.clock.setTimeout(() => {
      this.settleTimer = undefined;
      void this.scan();
    }, this.settleMs);
  }

  private armRescan(): void {
    if (!this.running) return;
    this.rescanTimer = this.clock.setTimeout(() => {
      void this.scan().then(() => this.armRescan());
    }, this.rescanMs);
  }

  private async scanOnce(): Promise<void> {
    this.stats.scans++;
    let nodes: DirEntry[];
    try {
      nodes = await this.fs.list(this.devDir);
    } catch (err) {
      this.stats.scanErrors++;
      this.log.warn({ dir: this.devDir, err: err instanceof Error ? err.message : String(err) }, 'cannot list hidraw devices');
      return;
    }
    const present = new Map(nodes.map((n) => [join(this.devDir, n.name), n.id]));
    for (const [path, known] of [...this.headsets]) {
      if (present.get(path) === known.id) continue;
      this.headsets.delete(path);
      this.log.info({ path, vendorId: known.entry.vendorId, productId: known.entry.productId }, 'headset removed');
      this.emit('removed', known.entry);
    }
    for (const [path, id] of [...this.others]) if (present.get(path) !== id) this.others.delete(path);
    const fresh = [...present].filter(([path]) => !this.headsets.has(path) && !this.others.has(path));
    if (fresh.length === 0) return;
    let entries: HeadsetInventoryEntry[];
    try {
      this.stats.enumerations++;
      entries = await this.enumerate(fresh.map(([path]) => path));
    } catch (err) {
      this.stats.scanErrors++;
      this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'headset enumeration failed; will retry');
      return;
    }
    for (const [path, id] of fresh) {
      const entry = entries.find((e) => e.path === path);
      if (!entry) {
        this.others.set(path, id);
        continue;
      }
      this.headsets.set(path, { id, entry });
      this.log.info({ path, vendorId: entry.vendorId, productId: entry.productId, callControl: entry.capabilities?.callControl }, 'headset added');
      this.emit('added', entry);
    }
  }
}
