/**
 * A connected pair of pseudo-terminals made by socat, so a simulated modem can sit on one end and a
 * real client (our driver, efax, sendfax) on the other (reference 1.11):
 *   socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PtyPair {
  /** Link to the end the modem (simulator) opens. */
  modemPath: string;
  /** Link to the end the DTE (driver, efax, sendfax) opens. */
  dtePath: string;
  /** The real /dev/pts/N behind dtePath (sendfax wants it relative to /dev). */
  dteDevice: string;
  dir: string;
  socat: ChildProcess;
  /** Kills socat: both ends see the line drop. */
  close(): Promise<void>;
}

export async function openPtyPair(timeoutMs = 5000): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'okno-pty-'));
  const modemPath = join(dir, 'modem');
  const dtePath = join(dir, 'dte');
  const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${modemPath}`, `pty,raw,echo=0,link=${dtePath}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  socat.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => socat.once('exit', () => resolve()));
  const until = Date.now() + timeoutMs;
  // socat logs "starting data transfer loop" once both ptys exist
  while (!(existsSync(modemPath) && existsSync(dtePath) && stderr.includes('starting data transfer loop'))) {
    if (socat.exitCode !== null || Date.now() > until) {
      socat.kill();
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`socat did not make a PTY pair: ${stderr.trim() || 'timeout'}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    modemPath,
    dtePath,
    dteDevice: realpathSync(dtePath),
    dir,
    socat,
    close: async () => {
      if (socat.exitCode === null && socat.signalCode === null) {
        socat.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
