/**
 * Splits an AT command line the way a V.250 modem does: after "AT", basic commands (a letter or
 * &letter with an optional number, S-registers `Sn=v` / `Sn?`, `D` taking the rest of the line) and
 * extended commands (`+NAME`, `+NAME?`, `+NAME=?`, `+NAME=value`, separated by ';').
 */
export type AtCommand =
  | { kind: 'basic'; name: string; arg: string }
  | { kind: 'sreg'; reg: number; op: 'set' | 'query'; value: number }
  | { kind: 'dial'; number: string }
  | { kind: 'ext'; name: string; op: 'exec' | 'query' | 'test' | 'set'; value: string };

export class AtSyntaxError extends Error {
  override name = 'AtSyntaxError';
}

export function parseAtLine(line: string): AtCommand[] {
  const s = line.trim();
  if (!/^AT/i.test(s)) throw new AtSyntaxError(`not an AT command: ${line}`);
  const body = s.slice(2);
  const out: AtCommand[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body[i]!;
    if (c === ' ' || c === ';') {
      i++;
      continue;
    }
    if (c === '+') {
      let j = i + 1;
      while (j < body.length && /[A-Za-z0-9]/.test(body[j]!)) j++;
      const name = `+${body.slice(i + 1, j).toUpperCase()}`;
      if (name === '+') throw new AtSyntaxError(`empty extended command in ${line}`);
      if (body.startsWith('=?', j)) {
        out.push({ kind: 'ext', name, op: 'test', value: '' });
        i = j + 2;
      } else if (body[j] === '?') {
        out.push({ kind: 'ext', name, op: 'query', value: '' });
        i = j + 1;
      } else if (body[j] === '=') {
        let k = j + 1;
        let quoted = false;
        while (k < body.length && (quoted || body[k] !== ';')) {
          if (body[k] === '"') quoted = !quoted;
          k++;
        }
        if (quoted) throw new AtSyntaxError(`unterminated string in ${line}`);
        out.push({ kind: 'ext', name, op: 'set', value: body.slice(j + 1, k) });
        i = k;
      } else {
        out.push({ kind: 'ext', name, op: 'exec', value: '' });
        i = j;
      }
      continue;
    }
    const u = c.toUpperCase();
    if (u === 'D') {
      out.push({ kind: 'dial', number: body.slice(i + 1).trim() });
      break;
    }
    if (u === 'S') {
      const m = /^S(\d+)(=(\d+)|\?)/i.exec(body.slice(i));
      if (!m) throw new AtSyntaxError(`bad S-register command in ${line}`);
      out.push({ kind: 'sreg', reg: Number(m[1]), op: m[2] === '?' ? 'query' : 'set', value: Number(m[3] ?? 0) });
      i += m[0].length;
      continue;
    }
    if (u === '&' || u === '\\' || u === '%') {
      const m = /^[&\\%]([A-Za-z])(\d*)/.exec(body.slice(i));
      if (!m) throw new AtSyntaxError(`bad command in ${line}`);
      out.push({ kind: 'basic', name: `${c}${m[1]!.toUpperCase()}`, arg: m[2] ?? '' });
      i += m[0].length;
      continue;
    }
    if (/[A-Z]/.test(u)) {
      const m = /^[A-Za-z](\d*)/.exec(body.slice(i))!;
      out.push({ kind: 'basic', name: u, arg: m[1] ?? '' });
      i += m[0].length;
      continue;
    }
    throw new AtSyntaxError(`unexpected ${JSON.stringify(c)} in ${line}`);
  }
  return out;
}
