/** One daemon per spool: `<spool>/agent.pid` holds the running agent's pid. */
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of a live agent using this spool, if any. */
export function runningAgent(dir: string): number | undefined {
  const p = join(dir, 'agent.pid');
  if (!existsSync(p)) return undefined;
  const pid = Number(readFileSync(p, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid) ? pid : undefined;
}

/** Claims the spool for this process; throws when another live agent has it. Returns a release function. */
export function claimSpool(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const other = runningAgent(dir);
  if (other) throw new Error(`another okno-edge (pid ${other}) is running with the spool ${dir}`);
  const p = join(dir, 'agent.pid');
  writeFileSync(p, String(process.pid));
  return () => {
    if (existsSync(p) && readFileSync(p, 'utf8').trim() === String(process.pid)) rmSync(p, { force: true });
  };
}
