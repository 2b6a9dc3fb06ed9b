/**
 * T.30 HDLC control frames as they cross the Class 1 (T.31) DTE-DCE interface (reference 1.2).
 *
 * Byte convention: every byte's LSB is the first bit on the line, so the frames are
 * `FF 03|13 FCF FIF…`: address 0xFF, control 0x03 (more frames follow) or 0x13 (final frame, P/F
 * bit), then the facsimile control field. FCF values are T.30's bit patterns read in that order
 * (efax keeps them MSB-first, DIS = 0x01, and bit-reverses on output; HylaFAX keeps the wire form,
 * DIS = 0x80, as here); the X bit (0x01 here) is set by the station that received DIS (the caller).
 *
 * On transmit the modem adds flags and the FCS; on receive it delivers the frame plus the two FCS
 * bytes, then OK (FCS good) or ERROR. `parseFrame` checks that FCS itself too, and repairs the two
 * faults efax's fixframe() knows: a missing 0xFF and a bit-reversed frame (FF C0/C8 …).
 */
import { reverseBits } from '../codec/bit-order.js';

export const ADDRESS = 0xff;
export const CONTROL = 0x03;
export const CONTROL_FINAL = 0x13;
/** X bit: set in the frames of the station that received DIS (the caller). */
export const X_BIT = 0x01;

/** Facsimile control fields (wire order, X bit clear). */
export const FCF = {
  DIS: 0x80,
  CSI: 0x40,
  NSF: 0x20,
  DTC: 0x81,
  CIG: 0x41,
  NSC: 0x21,
  DCS: 0x82,
  TSI: 0x42,
  NSS: 0x22,
  CFR: 0x84,
  FTT: 0x44,
  MCF: 0x8c,
  RTN: 0x4c,
  RTP: 0xcc,
  PIN: 0x2c,
  PIP: 0xac,
  EOM: 0x8e,
  MPS: 0x4e,
  EOP: 0x2e,
  PRI_EOM: 0x9e,
  PRI_MPS: 0x5e,
  PRI_EOP: 0x3e,
  CRP: 0x1a,
  DCN: 0xfa,
} as const;

export type FcfName = keyof typeof FCF;

/**
 * First-transmitted-bit-first FCF patterns of T.30 (Table 5-ish; efax.c `enum frametype`). A
 * unit test checks FCF against these, so a typo in either table shows.
 */
export const T30_NOTATION: Record<FcfName, number> = {
  DIS: 0x01, CSI: 0x02, NSF: 0x04, DTC: 0x81, CIG: 0x82, NSC: 0x84,
  DCS: 0x41, TSI: 0x42, NSS: 0x44, CFR: 0x21, FTT: 0x22,
  MCF: 0x31, RTN: 0x32, RTP: 0x33, PIN: 0x34, PIP: 0x35,
  EOM: 0x71, MPS: 0x72, EOP: 0x74, PRI_EOM: 0x79, PRI_MPS: 0x7a, PRI_EOP: 0x7c,
  CRP: 0x58, DCN: 0x5f,
};

const BY_VALUE = new Map<number, FcfName>();
for (const [name, v] of Object.entries(FCF) as Array<[FcfName, number]>) BY_VALUE.set(v, name);

/**
 * The name of a received FCF. DTC, CIG and NSC are DIS, CSI and NSF with the X bit (a polling
 * caller sends them), so the exact byte is tried first, then the byte with X cleared.
 */
export function fcfName(fcf: number): FcfName | null {
  return BY_VALUE.get(fcf) ?? BY_VALUE.get(fcf & ~X_BIT) ?? null;
}

export interface HdlcFrame {
  fcf: number;
  name: FcfName | null;
  fif: Buffer;
  /** Control field said "final frame". */
  final: boolean;
}

/** Frame bytes for the modem: address, control, FCF (with X when asked), FIF. No FCS (the modem adds it). */
export function buildFrame(name: FcfName, fif: Uint8Array = Buffer.alloc(0), opts: { final?: boolean; x?: boolean } = {}): Buffer {
  const fcf = FCF[name] | (opts.x ? X_BIT : 0);
  return Buffer.concat([Buffer.from([ADDRESS, opts.final === false ? CONTROL : CONTROL_FINAL, fcf]), fif]);
}

const FCS_TABLE = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x8408 : c >>> 1;
  FCS_TABLE[i] = c;
}

/** ISO 3309 / V.42 FCS-16 register over `data` (initial 0xFFFF, reflected 0x1021). */
export function crc16(data: Uint8Array, crc = 0xffff): number {
  for (const b of data) crc = (crc >>> 8) ^ FCS_TABLE[(crc ^ b) & 0xff]!;
  return crc;
}

/** The two FCS bytes the modem appends (ones' complement of the CRC, low byte first). */
export function fcsBytes(frame: Uint8Array): Buffer {
  const fcs = ~crc16(frame) & 0xffff;
  return Buffer.from([fcs & 0xff, fcs >> 8]);
}

/** True when `withFcs` ends in a correct FCS (the CRC over frame and FCS is the good residue). */
export function fcsValid(withFcs: Uint8Array): boolean {
  return withFcs.length >= 3 && crc16(withFcs) === 0xf0b8;
}

export class FrameError extends Error {
  constructor(
    message: string,
    readonly bytes: Buffer,
  ) {
    super(message);
    this.name = 'FrameError';
  }
}

export interface ParseOptions {
  /** The bytes end with the 2 FCS bytes (as a Class 1 modem delivers them). Default true. */
  hasFcs?: boolean;
}

/** Longest frame T.30 allows: 3.45 s at 300 bit/s (efax MAXFRLEN 130). */
export const MAX_FRAME_BYTES = 130;

/**
 * Parses a received frame. Throws FrameError for a frame too short or too long, a bad FCS, or an
 * address/control field that is neither T.30's nor a repairable variant.
 */
export function parseFrame(raw: Uint8Array, opts: ParseOptions = {}): HdlcFrame {
  let b: Buffer = Buffer.from(raw);
  const hasFcs = opts.hasFcs ?? true;
  if (b.length > MAX_FRAME_BYTES + 2) throw new FrameError(`frame too long (${b.length} bytes)`, b);
  // efax fixframe(): a bit-reversed frame (FF C0/C8) and a frame that lost its leading 0xFF
  if (b.length >= 2 && b[0] === ADDRESS && (b[1] === 0xc0 || b[1] === 0xc8)) b = reverseBits(b);
  else if (b.length >= 1 && (b[0] === 0xc0 || b[0] === 0xc8)) b = reverseBits(Buffer.concat([Buffer.from([ADDRESS]), b]));
  else if (b.length >= 1 && (b[0] === CONTROL || b[0] === CONTROL_FINAL) && !(hasFcs && fcsValid(b))) b = Buffer.concat([Buffer.from([ADDRESS]), b]);
  if (hasFcs) {
    if (b.length < 5) throw new FrameError(`short frame (${b.length} bytes with FCS)`, b);
    if (!fcsValid(b)) throw new FrameError('bad FCS', b);
    b = b.subarray(0, b.length - 2);
  }
  if (b.length < 3) throw new FrameError(`short frame (${b.length} bytes)`, b);
  if (b[0] !== ADDRESS) throw new FrameError(`bad address 0x${b[0]!.toString(16)}`, b);
  if (b[1] !== CONTROL && b[1] !== CONTROL_FINAL) throw new FrameError(`bad control field 0x${b[1]!.toString(16)}`, b);
  const fcf = b[2]!;
  return { fcf, name: fcfName(fcf), fif: Buffer.from(b.subarray(3)), final: b[1] === CONTROL_FINAL };
}

export const ID_LENGTH = 20;

/**
 * TSI/CSI/CIG information field: 20 characters, right-aligned with spaces, sent last character
 * first (T.30 5.3.6.2.4-6; efax revcpy()).
 */
export function encodeId(id: string): Buffer {
  const clean = id.replace(/[^\x20-\x7e]/g, '').slice(-ID_LENGTH).padStart(ID_LENGTH, ' ');
  return Buffer.from(clean.split('').reverse().join(''), 'latin1');
}

export function decodeId(fif: Uint8Array): string {
  return Buffer.from(fif.subarray(0, ID_LENGTH)).toString('latin1').split('').reverse().join('').replace(/[^\x20-\x7e]/g, '').trim();
}

export function describeFrame(f: HdlcFrame): string {
  return `${f.name ?? `0x${f.fcf.toString(16).padStart(2, '0')}`}${f.fif.length ? ` [${f.fif.toString('hex')}]` : ''}${f.final ? '' : ' (more)'}`;
}
