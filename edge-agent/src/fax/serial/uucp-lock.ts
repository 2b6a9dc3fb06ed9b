/**
 * UUCP lock files (/var/lock/LCK..ttyS0, HDB format: the owner's pid as 10 ASCII digits and a
 * newline). efax (-x), mgetty/sendfax and HylaFAX honour them; serialport's own `lock` is flock and
 * they do not see it (reference section 4), so we create these ourselves. A lock left by a dead
 * process is stale and removed.
 */
import { openSync, writeSync, closeSync, readFileSync, unlinkSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

export type UucpLockMode = 'required' | 'best-effort' | 'off';

export interface UucpLock {
  /** The lock file, or null when no lock is held (mode 'off', or best-effort failed). */
  readonly file: string | null;
  /** Why no lock is held, if none is. */
  readonly warning?: string;
  release(): void;
}

export class PortLockedError extends Error {
  constructor(
    readonly device: string,
    readonly ownerPid: number,
    readonly lockFile: string,
  ) {
    super(`${device} is in use by process ${ownerPid} (lock ${lockFile})`);
    this.name = 'PortLockedError';
  }
}

/** LCK..<name>: the device path below /dev with '/' turned into '_' (as mgetty does: pts/1 -> pts_1). */
export function uucpLockName(devicePath: string): string {
  let p = devicePath;
  try {
    p = realpathSync(devicePath);
  } catch {
    // a missing device keeps its given name
  }
  const rel = p.startsWith('/dev/') ? p.slice(5) : p.replace(/^\/+/, '');
  return `LCK..${rel.replace(/\//g, '_')}`;
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(file: string): number {
  const raw = readFileSync(file);
  const text = raw.toString('latin1').trim();
  if (/^\d+$/.test(text)) return Number(text);
  if (raw.length === 4) return raw.readInt32LE(0); // old binary format
  return NaN;
}

export interface AcquireOptions {
  mode?: UucpLockMode;
  lockDir?: string;
  pid?: number;
}

export async function acquireUucpLock(devicePath: string, opts: AcquireOptions = {}): Promise<UucpLock> {
  const mode = opts.mode ?? 'best-effort';
  const none = (warning?: string): UucpLock => ({ file: null, warning, release: () => undefined });
  if (mode === 'off') return none();
  const file = join(opts.lockDir ?? '/var/lock', uucpLockName(devicePath));
  const pid = opts.pid ?? process.pid;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o644);
      writeSync(fd, `${String(pid).padStart(10)}\n`);
      closeSync(fd);
      let released = false;
      return {
        file,
        release: () => {
          if (released) return;
          released = true;
          try {
            if (readOwner(file) === pid) unlinkSync(file);
          } catch {
            // already gone
          }
        },
      };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        if (mode === 'required') throw err;
        return none(`cannot create UUCP lock ${file}: ${code ?? String(err)}`);
      }
      let owner: number;
      try {
        owner = readOwner(file);
      } catch {
        continue; // vanished meanwhile: try again
      }
      if (owner === pid) throw new PortLockedError(devicePath, owner, file);
      if (pidAlive(owner)) throw new PortLockedError(devicePath, owner, file);
      try {
        unlinkSync(file); // stale
      } catch {
        // someone else removed it
      }
    }
  }
  throw new PortLockedError(devicePath, NaN, file);
}
