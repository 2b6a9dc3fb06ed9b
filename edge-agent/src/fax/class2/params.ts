/**
 * Parsers for Class 2 / 2.0 result lines (reference 1.1, 1.3, 1.5).
 */
import type { FaxClass2 } from './hangup-codes.js';

export interface FaxClasses {
  /** Tokens as reported, e.g. ['0','1','2','2.0']. */
  tokens: string[];
  data: boolean;
  class1: boolean;
  class10: boolean;
  class2: boolean;
  class20: boolean;
  class21: boolean;
  voice: boolean;
}

const CLASS_ORDER = ['2.1', '2.0', '2', '1.0', '1'] as const; // longest token first (efax, mgetty)

/**
 * Parses an `AT+FCLASS=?` answer: "0,1,2,2.0", "(0,1,1.0,2,2.0,2.1,8)", "(0-2,2.0)". Tokens are
 * matched whole; if none is recognisable, falls back to substring search in the order 2.1, 2.0, 2,
 * 1.0, 1, as efax and mgetty do.
 */
export function parseFclassList(text: string): FaxClasses {
  const tokens: string[] = [];
  for (const raw of text.replace(/[()\s]/g, '').split(',')) {
    if (!raw) continue;
    const range = /^(\d+)-(\d+)$/.exec(raw);
    if (range) for (let n = Number(range[1]); n <= Number(range[2]); n++) tokens.push(String(n));
    else tokens.push(raw);
  }
  const has = new Set(tokens);
  if (!CLASS_ORDER.some((c) => has.has(c)) && !has.has('0')) {
    let rest = text;
    for (const c of CLASS_ORDER) {
      if (rest.includes(c)) {
        has.add(c);
        rest = rest.split(c).join(' ');
      }
    }
  }
  return {
    tokens,
    data: has.has('0'),
    class1: has.has('1'),
    class10: has.has('1.0'),
    class2: has.has('2'),
    class20: has.has('2.0'),
    class21: has.has('2.1'),
    voice: has.has('8') || has.has('80'),
  };
}

/** `VR,BR,WD,LN,DF,EC,BF,ST[,JP]` as in +FCS/+FIS/+FDCS/+FDIS. */
export interface SessionParams {
  vr: number;
  br: number;
  wd: number;
  ln: number;
  df: number;
  ec: number;
  bf: number;
  st: number;
  jp?: number;
}

const FIELDS = ['vr', 'br', 'wd', 'ln', 'df', 'ec', 'bf', 'st', 'jp'] as const;

/** Strips a `+FXX:` prefix and surrounding blanks. */
export function afterColon(line: string): string {
  const i = line.indexOf(':');
  return (i >= 0 ? line.slice(i + 1) : line).trim();
}

/**
 * Parses session parameters. Class 2.0 values are read as hex (T.32 BR codes reach 0x0D; mgetty
 * uses %hx), Class 2 values as decimal.
 */
export function parseSessionParams(text: string, faxClass: FaxClass2): SessionParams {
  const parts = afterColon(text).split(',').map((s) => s.trim());
  if (parts.length < 8) throw new Error(`bad session parameters "${text}"`);
  const radix = faxClass === '2.0' ? 16 : 10;
  const out: Record<string, number> = {};
  parts.slice(0, 9).forEach((p, i) => {
    const v = parseInt(p, radix);
    if (Number.isNaN(v)) throw new Error(`bad session parameter ${FIELDS[i]}="${p}" in "${text}"`);
    out[FIELDS[i]!] = v;
  });
  return out as unknown as SessionParams;
}

export function formatSessionParams(p: SessionParams, faxClass: FaxClass2): string {
  const radix = faxClass === '2.0' ? 16 : 10;
  const vals = [p.vr, p.br, p.wd, p.ln, p.df, p.ec, p.bf, p.st, ...(p.jp !== undefined ? [p.jp] : [])];
  return vals.map((v) => v.toString(radix).toUpperCase()).join(',');
}

/** Parses capability ranges "(0,1),(0-5),(0-2),…" into the allowed values of each field. */
export function parseCapabilityRanges(text: string): number[][] {
  const groups = afterColon(text).match(/\(([^)]*)\)|[^,()]+/g) ?? [];
  return groups.map((g) => {
    const inner = g.replace(/[()]/g, '');
    const vals: number[] = [];
    for (const tok of inner.split(',')) {
      const m = /^\s*([0-9A-Fa-f]+)\s*(?:-\s*([0-9A-Fa-f]+))?\s*$/.exec(tok);
      if (!m) continue;
      const a = parseInt(m[1]!, 16);
      const b = m[2] !== undefined ? parseInt(m[2], 16) : a;
      for (let v = a; v <= b; v++) vals.push(v);
    }
    return vals;
  });
}

/** Post-page response: 1 MCF, 2 RTN, 3 RTP, 4 PIN, 5 PIP. Odd = page accepted. */
export interface PageStatus {
  ppr: number;
  /** Line count, bad line count, consecutive bad lines, lost bytes (when the modem reports them). */
  lc?: number;
  blc?: number;
  cblc?: number;
  lbc?: number;
}

/** `+FPS:1,07D0,0000,0000,0000` (hex counts, Class 2.0) or `+FPTS:1,2287,0,0` (decimal, Class 2). */
export function parsePageStatus(line: string, faxClass: FaxClass2): PageStatus {
  const parts = afterColon(line).split(',').map((s) => s.trim());
  const ppr = parseInt(parts[0] ?? '', 10);
  if (Number.isNaN(ppr)) throw new Error(`bad page status "${line}"`);
  const radix = faxClass === '2.0' ? 16 : 10;
  const out: PageStatus = { ppr };
  const keys = ['lc', 'blc', 'cblc', 'lbc'] as const;
  keys.forEach((k, i) => {
    const p = parts[i + 1];
    if (p === undefined || p === '') return;
    const v = parseInt(p, radix);
    if (!Number.isNaN(v)) out[k] = v;
  });
  return out;
}

export function pageAccepted(ppr: number): boolean {
  return (ppr & 1) === 1;
}

export const PPR_NAMES: Record<number, string> = { 1: 'MCF', 2: 'RTN', 3: 'RTP', 4: 'PIN', 5: 'PIP' };

/** `+FTI:"   CALLER SIM 2.0  "` -> "CALLER SIM 2.0" */
export function parseQuotedId(line: string): string {
  const v = afterColon(line);
  const m = /^"(.*)"$/.exec(v);
  return (m ? m[1]! : v).trim();
}

/** Signalling rate of a BR code in bit/s (0 = 2400 … 5 = 14400, 6..13 = 16800..33600). */
export function bitRate(br: number): number {
  return 2400 * (br + 1);
}

/** Pixels per row for a WD code. */
export function pageWidth(wd: number): number {
  return [1728, 2048, 2432][wd] ?? 1728;
}

/** Lines per inch for a VR code (Class 2.0 bitmap: bit 0 = fine). */
export function yResolution(vr: number): 98 | 196 {
  return vr & 1 ? 196 : 98;
}
