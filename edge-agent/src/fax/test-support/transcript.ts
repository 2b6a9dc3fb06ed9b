/**
 * Compares DTE/DCE exchanges with the reference transcripts (fax-transcripts/*.log, copied into
 * simulator/transcripts/): the command and response lines in order, with identity strings, station
 * ids and page counts abstracted, and data-phase notes dropped.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const IDENTITY_QUERY = /^AT(I3|\+FMI\?|\+FMM\?|\+FMR\?|\+FMFR\?|\+FMDL\?|\+FREV\?|\+GM[IMR])$/;

export function normalizeTranscript(lines: string[]): string[] {
  const out: string[] = [];
  let lastDte = '';
  for (const raw of lines) {
    const line = raw.replace(/^\d+\.\d+ /, '');
    if (line === 'DCE> XON' || line.startsWith('DTE> trigger')) {
      out.push(line);
      continue;
    }
    const m = /^(DTE|DCE)> '(.*)'$/.exec(line);
    if (!m) continue;
    let text = m[2]!;
    if (m[1] === 'DTE') lastDte = text;
    else if (IDENTITY_QUERY.test(lastDte) && text !== 'OK' && text !== 'ERROR') text = '<info>';
    text = text
      .replace(/^(\+F(CI|CSI|TI|TSI)):".*"$/, '$1:"<id>"')
      .replace(/^(AT\+FLID?)=".*"$/, '$1="<id>"')
      .replace(/^(\+FPT?S):(\d).*$/, '$1:$2');
    out.push(`${m[1]}> ${text}`);
  }
  return out;
}

export function referenceTranscript(name: string): string[] {
  const file = fileURLToPath(new URL(`../../../src/fax/simulator/transcripts/${name}`, import.meta.url));
  return normalizeTranscript(readFileSync(file, 'utf8').split('\n'));
}
