/**
 * T.30 DIS/DTC and DCS information fields (T.30 Table 2; bit numbers as spandsp's t30_fcf.h
 * names them, values cross-checked against efax.c t30tab) and the Class 1 modulations (T.31
 * +FTM/+FRM codes; HylaFAX Class1.c++ basicCaps).
 *
 * Bit n of the FIF is in byte (n-1)/8 at mask 1 << ((n-1) % 8): the wire order of frames.ts.
 * Session values use the Class 2 codes (SessionParams: VR, BR 0..5 = 2400..14400, WD, LN, DF, ST)
 * so the rest of the driver (tiff, line stats, the simulator) speaks one language.
 */
import type { SessionParams } from '../class2/params.js';

const BIT = {
  READY_TO_TRANSMIT: 9,
  RECEIVER: 10,
  /** Modem type bits 11-14. */
  MODEM_11: 11,
  MODEM_12: 12,
  MODEM_13: 13,
  MODEM_14: 14,
  FINE: 15,
  TWO_D: 16,
  WIDTH_255: 17,
  WIDTH_303: 18,
  LENGTH_B4: 19,
  LENGTH_UNLIMITED: 20,
  SCAN_21: 21,
  SCAN_22: 22,
  SCAN_23: 23,
  ECM: 27,
} as const;

function getBit(fif: Uint8Array, n: number): boolean {
  const i = (n - 1) >> 3;
  return i < fif.length && (fif[i]! & (1 << ((n - 1) & 7))) !== 0;
}

function setBit(fif: Uint8Array, n: number, on = true): void {
  if (on) fif[(n - 1) >> 3]! |= 1 << ((n - 1) & 7);
}

/** Minimum scan line time in ms per ST code 0..7 (class2.h): 0, 5, 10/5, 10, 20/10, 20, 40/20, 40 (normal / fine). */
const ST_MS: Array<[number, number]> = [[0, 0], [5, 5], [10, 5], [10, 10], [20, 10], [20, 20], [40, 20], [40, 40]];
/** DIS bits 21-23 (b21·4 + b22·2 + b23) per ST code (efax captodis). */
const ST_TO_DIS = [7, 4, 3, 2, 6, 0, 5, 1];
/** DCS bits 21-23 per exact time: 0, 5, 10, 20, 40 ms. */
const MS_TO_DCS: Record<number, number> = { 0: 7, 5: 4, 10: 2, 20: 0, 40: 1 };
/** ST code (class2.h) of an exact scan time. */
const MS_TO_ST: Record<number, number> = { 0: 0, 5: 1, 10: 3, 20: 5, 40: 7 };

function scanBits(fif: Uint8Array): number {
  return (getBit(fif, BIT.SCAN_21) ? 4 : 0) | (getBit(fif, BIT.SCAN_22) ? 2 : 0) | (getBit(fif, BIT.SCAN_23) ? 1 : 0);
}

function setScanBits(fif: Uint8Array, v: number): void {
  setBit(fif, BIT.SCAN_21, (v & 4) !== 0);
  setBit(fif, BIT.SCAN_22, (v & 2) !== 0);
  setBit(fif, BIT.SCAN_23, (v & 1) !== 0);
}

/** Which modulations a DIS offers (bits 11-14). */
export interface DisModems {
  v27ter: boolean;
  v29: boolean;
  v17: boolean;
}

export interface DisInfo {
  /** The station can receive (bit 10). */
  receiver: boolean;
  /** The station has a document to send (bit 9, polling). */
  transmitter: boolean;
  modems: DisModems;
  /** Highest BR (0..5) the DIS allows. */
  maxBr: number;
  fine: boolean;
  twoD: boolean;
  /** 0 = 1728 only, 1 = up to 2048, 2 = up to 2432. */
  maxWd: number;
  /** 0 = A4, 1 = A4 and B4, 2 = unlimited. */
  maxLn: number;
  /** ST code 0..7 (class2.h order). */
  st: number;
  ecm: boolean;
}

function modemsOf(fif: Uint8Array): DisModems {
  const b11 = getBit(fif, BIT.MODEM_11);
  const b12 = getBit(fif, BIT.MODEM_12);
  const b13 = getBit(fif, BIT.MODEM_13);
  const b14 = getBit(fif, BIT.MODEM_14);
  // 0000 V.27ter fall-back (2400), 0100 V.27ter, 1000 V.29, 1100 V.27ter+V.29, 1101 + V.17; others reserved
  return { v27ter: b12 || (!b11 && !b12 && !b13 && !b14), v29: b11, v17: b11 && b12 && b14 && !b13 };
}

export function parseDis(fif: Uint8Array): DisInfo {
  const modems = modemsOf(fif);
  const fallbackOnly = !getBit(fif, BIT.MODEM_11) && !getBit(fif, BIT.MODEM_12);
  const maxBr = modems.v17 ? 5 : modems.v29 ? 3 : fallbackOnly ? 0 : 1;
  const scan = scanBits(fif);
  return {
    receiver: getBit(fif, BIT.RECEIVER),
    transmitter: getBit(fif, BIT.READY_TO_TRANSMIT),
    modems,
    maxBr,
    fine: getBit(fif, BIT.FINE),
    twoD: getBit(fif, BIT.TWO_D),
    maxWd: getBit(fif, BIT.WIDTH_303) ? 2 : getBit(fif, BIT.WIDTH_255) ? 1 : 0,
    maxLn: getBit(fif, BIT.LENGTH_UNLIMITED) ? 2 : getBit(fif, BIT.LENGTH_B4) ? 1 : 0,
    st: Math.max(0, ST_TO_DIS.indexOf(scan)),
    ecm: getBit(fif, BIT.ECM),
  };
}

export type DisOptions = Pick<DisInfo, 'receiver' | 'maxBr' | 'fine' | 'twoD' | 'maxWd' | 'maxLn' | 'st'>;

/** A 3-byte DIS/DTC FIF (no extension: no ECM, no T.6). */
export function buildDis(o: DisOptions): Buffer {
  const fif = Buffer.alloc(3);
  setBit(fif, BIT.RECEIVER, o.receiver);
  if (o.maxBr >= 4) [BIT.MODEM_11, BIT.MODEM_12, BIT.MODEM_14].forEach((b) => setBit(fif, b));
  else if (o.maxBr >= 2) [BIT.MODEM_11, BIT.MODEM_12].forEach((b) => setBit(fif, b));
  else if (o.maxBr === 1) setBit(fif, BIT.MODEM_12);
  setBit(fif, BIT.FINE, o.fine);
  setBit(fif, BIT.TWO_D, o.twoD);
  if (o.maxWd >= 2) setBit(fif, BIT.WIDTH_303);
  else if (o.maxWd === 1) setBit(fif, BIT.WIDTH_255);
  if (o.maxLn >= 2) setBit(fif, BIT.LENGTH_UNLIMITED);
  else if (o.maxLn === 1) setBit(fif, BIT.LENGTH_B4);
  setScanBits(fif, ST_TO_DIS[o.st] ?? 7);
  return fif;
}

/** DIS from Class 2 style capabilities "VR,BR,WD,LN,DF,EC,BF,ST" (the simulator's remote). */
export function disFromParams(p: SessionParams, receiver = true): Buffer {
  return buildDis({ receiver, maxBr: p.br, fine: (p.vr & 1) === 1, twoD: p.df >= 1, maxWd: p.wd, maxLn: p.ln, st: p.st });
}

/** Minimum scan line time (ms) a DIS asks for, at the given vertical resolution. */
export function minScanMs(st: number, fine: boolean): number {
  const [normal, fineMs] = ST_MS[st] ?? [20, 20];
  return fine ? fineMs : normal;
}

export interface DcsInfo extends SessionParams {
  /** The modulation the data and TCF use. */
  modulation: Modulation;
  /** Minimum scan line time in ms. */
  scanMs: number;
}

/** DCS bits 11-14 (b11·8 + b12·4 + b13·2 + b14) per modulation family (efax captodcs/dcstocap). */
const DCS_RATE: Array<{ bits: number; family: ModulationFamily; bps: number }> = [
  { bits: 0b0000, family: 'V.27ter', bps: 2400 },
  { bits: 0b0100, family: 'V.27ter', bps: 4800 },
  { bits: 0b1100, family: 'V.29', bps: 7200 },
  { bits: 0b1000, family: 'V.29', bps: 9600 },
  { bits: 0b1101, family: 'V.17', bps: 7200 },
  { bits: 0b1001, family: 'V.17', bps: 9600 },
  { bits: 0b0101, family: 'V.17', bps: 12000 },
  { bits: 0b0001, family: 'V.17', bps: 14400 },
];

export function buildDcs(p: { vr: number; wd: number; ln: number; df: number; modulation: Modulation; scanMs: number }): Buffer {
  const fif = Buffer.alloc(3);
  setBit(fif, BIT.RECEIVER);
  const rate = DCS_RATE.find((r) => r.family === p.modulation.family && r.bps === p.modulation.bps);
  if (!rate) throw new Error(`no DCS code for ${p.modulation.name}`);
  setBit(fif, BIT.MODEM_11, (rate.bits & 8) !== 0);
  setBit(fif, BIT.MODEM_12, (rate.bits & 4) !== 0);
  setBit(fif, BIT.MODEM_13, (rate.bits & 2) !== 0);
  setBit(fif, BIT.MODEM_14, (rate.bits & 1) !== 0);
  setBit(fif, BIT.FINE, p.vr === 1);
  setBit(fif, BIT.TWO_D, p.df === 1);
  if (p.wd === 2) setBit(fif, BIT.WIDTH_303);
  else if (p.wd === 1) setBit(fif, BIT.WIDTH_255);
  if (p.ln === 2) setBit(fif, BIT.LENGTH_UNLIMITED);
  else if (p.ln === 1) setBit(fif, BIT.LENGTH_B4);
  setScanBits(fif, MS_TO_DCS[p.scanMs] ?? 0);
  return fif;
}

/** Reads a DCS; `null` when its modem bits name no rate. */
export function parseDcs(fif: Uint8Array): DcsInfo | null {
  const bits = (getBit(fif, BIT.MODEM_11) ? 8 : 0) | (getBit(fif, BIT.MODEM_12) ? 4 : 0) | (getBit(fif, BIT.MODEM_13) ? 2 : 0) | (getBit(fif, BIT.MODEM_14) ? 1 : 0);
  const rate = DCS_RATE.find((r) => r.bits === bits);
  if (!rate) return null;
  const modulation = MODULATIONS.find((m) => m.family === rate.family && m.bps === rate.bps && !m.shortTrain)!;
  const scan = scanBits(fif);
  const scanMs = Number(Object.entries(MS_TO_DCS).find(([, v]) => v === scan)?.[0] ?? 20);
  return {
    vr: getBit(fif, BIT.FINE) ? 1 : 0,
    br: BR_BY_BPS[rate.bps]!,
    wd: getBit(fif, BIT.WIDTH_303) ? 2 : getBit(fif, BIT.WIDTH_255) ? 1 : 0,
    ln: getBit(fif, BIT.LENGTH_UNLIMITED) ? 2 : getBit(fif, BIT.LENGTH_B4) ? 1 : 0,
    df: getBit(fif, BIT.TWO_D) ? 1 : 0,
    ec: 0,
    bf: 0,
    st: MS_TO_ST[scanMs] ?? 5,
    modulation,
    scanMs,
  };
}

// ------------------------------------------------------------------------------- modulations

export type ModulationFamily = 'V.21' | 'V.27ter' | 'V.29' | 'V.17';

export interface Modulation {
  /** +FTM/+FRM code. */
  code: number;
  family: ModulationFamily;
  bps: number;
  /** V.17 short training (only after a long-train TCF at the same rate). */
  shortTrain: boolean;
  name: string;
}

const mod = (code: number, family: ModulationFamily, bps: number, shortTrain = false): Modulation => ({
  code,
  family,
  bps,
  shortTrain,
  name: `${family} ${bps}${shortTrain ? ' short-train' : ''} (${code})`,
});

export const MODULATIONS: readonly Modulation[] = [
  mod(3, 'V.21', 300),
  mod(24, 'V.27ter', 2400),
  mod(48, 'V.27ter', 4800),
  mod(72, 'V.29', 7200),
  mod(73, 'V.17', 7200),
  mod(74, 'V.17', 7200, true),
  mod(96, 'V.29', 9600),
  mod(97, 'V.17', 9600),
  mod(98, 'V.17', 9600, true),
  mod(121, 'V.17', 12000),
  mod(122, 'V.17', 12000, true),
  mod(145, 'V.17', 14400),
  mod(146, 'V.17', 14400, true),
];

export function modulationByCode(code: number): Modulation | undefined {
  return MODULATIONS.find((m) => m.code === code);
}

/** Same carrier (a short-train code receives its long-train twin's signal and vice versa). */
export function sameCarrier(a: Modulation, b: Modulation): boolean {
  return a.family === b.family && a.bps === b.bps;
}

const BR_BY_BPS: Record<number, number> = { 2400: 0, 4800: 1, 7200: 2, 9600: 3, 12000: 4, 14400: 5 };

export function brOf(m: Modulation): number {
  return BR_BY_BPS[m.bps] ?? 0;
}

/** Parses an `AT+FTM=?` / `AT+FRM=?` answer ("24,48,72,73,74,96,97,98,121,122,145,146", maybe in parentheses or with ranges). */
export function parseModulationList(text: string): number[] {
  const out = new Set<number>();
  for (const raw of text.replace(/[()\s"]/g, '').split(',')) {
    const range = /^(\d+)-(\d+)$/.exec(raw);
    if (range) {
      for (const m of MODULATIONS) if (m.code >= Number(range[1]) && m.code <= Number(range[2])) out.add(m.code);
    } else if (/^\d+$/.test(raw) && modulationByCode(Number(raw))) out.add(Number(raw));
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * The TCF (long train) and data modulations to use at a BR, given what the modem offers and what
 * the remote's DIS allows. 7200 and 9600 prefer V.29 (every G3 machine has it; efax does the
 * same), V.17 otherwise; V.17 data uses short training when the modem has the code.
 */
export function modulationsFor(br: number, modem: readonly number[], remote: DisModems): { train: Modulation; data: Modulation } | null {
  const bps = [2400, 4800, 7200, 9600, 12000, 14400][br];
  if (bps === undefined) return null;
  const has = (m: Modulation) => modem.includes(m.code);
  const family: ModulationFamily[] = bps <= 4800 ? ['V.27ter'] : bps <= 9600 ? ['V.29', 'V.17'] : ['V.17'];
  for (const f of family) {
    if ((f === 'V.27ter' && !remote.v27ter) || (f === 'V.29' && !remote.v29) || (f === 'V.17' && !remote.v17)) continue;
    const train = MODULATIONS.find((m) => m.family === f && m.bps === bps && !m.shortTrain && has(m));
    if (!train) continue;
    const short = MODULATIONS.find((m) => m.family === f && m.bps === bps && m.shortTrain && has(m));
    return { train, data: short ?? train };
  }
  return null;
}

/** Highest BR the modem can send or receive with (from its +FTM=?/+FRM=? list). */
export function maxBrOf(codes: readonly number[]): number {
  let best = -1;
  for (const c of codes) {
    const m = modulationByCode(c);
    if (m && m.family !== 'V.21') best = Math.max(best, brOf(m));
  }
  return best;
}

/** Bytes of zeros for a TCF of 1.5 s at the modulation's rate (efax TCFSECS). */
export function tcfBytes(m: Modulation, seconds = 1.5): number {
  return Math.round((m.bps / 8) * seconds);
}

/**
 * Checks a received TCF: it passes when it holds a run of zero bytes at least `minSeconds` long
 * (efax gettrain(): a run longer than one second of data).
 */
export function tcfGood(data: Uint8Array, m: Modulation, minSeconds = 1): { good: boolean; longestZeroRun: number; bytes: number } {
  let run = 0;
  let longest = 0;
  for (const b of data) {
    if (b === 0) longest = Math.max(longest, ++run);
    else run = 0;
  }
  return { good: longest >= (m.bps / 8) * minSeconds, longestZeroRun: longest, bytes: data.length };
}
