/** `okno-edge spool status | list | purge`. */
import { Spool } from '../spool/spool.js';
import { runningAgent } from '../spool/pid-lock.js';
import type { SpoolClass } from '../spool/record.js';
import { ExitError, EXIT } from './exit-codes.js';
import { formatBytes, type Io } from './io.js';

export function spoolStatus(dir: string, io: Io, json: boolean): void {
  const { stats, entries } = Spool.inspect(dir);
  const byClass: Record<string, number> = {};
  for (const e of entries) byClass[e.cls] = (byClass[e.cls] ?? 0) + 1;
  const pid = runningAgent(dir);
  if (json) {
    io.out(JSON.stringify({ dir, agentPid: pid ?? null, ...stats, byClass }));
    return;
  }
  io.out(`spool ${dir}${pid ? ` (in use by okno-edge pid ${pid})` : ''}`);
  io.out(`  messages waiting: ${stats.depth} (${formatBytes(stats.bytes)})${Object.keys(byClass).length ? ' — ' + Object.entries(byClass).map(([k, v]) => `${k} ${v}`).join(', ') : ''}`);
  io.out(`  files waiting:    ${stats.files} (${formatBytes(stats.fileBytes)})`);
  if (stats.oldestTs) io.out(`  oldest message:   ${new Date(stats.oldestTs).toISOString()} (${Math.round((Date.now() - stats.oldestTs) / 1000)} s ago)`);
}

export function spoolList(dir: string, io: Io, limit: number): void {
  const { entries, files } = Spool.inspect(dir);
  io.out('SEQ\tCLASS\tSIZE\tAGE_S\tTOPIC');
  for (const e of entries.slice(0, limit)) io.out(`${e.seq}\t${e.cls}\t${e.size}\t${Math.round((Date.now() - e.ts) / 1000)}\t${e.topic}`);
  if (entries.length > limit) io.out(`... ${entries.length - limit} more`);
  for (const f of files) io.out(`file\t${f.transferId}\t${f.size}\t${Math.round((Date.now() - f.createdAt) / 1000)}\t${f.name}`);
}

export async function spoolPurge(dir: string, io: Io, opts: { yes: boolean; cls?: SpoolClass | 'file' }): Promise<void> {
  const pid = runningAgent(dir);
  if (pid) throw new ExitError(EXIT.FAILED, `okno-edge (pid ${pid}) is running with this spool; stop it first (systemctl stop okno-edge)`);
  const { stats } = Spool.inspect(dir);
  const what = opts.cls ? `every waiting ${opts.cls} record` : `${stats.depth} messages and ${stats.files} files`;
  if (!opts.yes) {
    if (!io.isTty) throw new ExitError(EXIT.USAGE, 'purge deletes undelivered data: confirm with --yes');
    if (!(await io.confirm(`Delete ${what} from ${dir}? They will never reach the core.`))) {
      io.err('nothing deleted');
      return;
    }
  }
  const spool = Spool.open(dir);
  try {
    io.out(`purged ${spool.purge(opts.cls)} item(s)`);
  } finally {
    spool.close();
  }
}
