/**
 * Modem probe (reference 1.1): resync with ATQ0V1, echo off, vendor strings (ATI3, +GMI/GMM/GMR),
 * AT+FCLASS=?, then for each of Class 2.0 and Class 2 the class identity and capability ranges, and
 * for Class 1 the modulations (AT+FTM=? / AT+FRM=?).
 */
import type { AtChannel, AtResponse } from '../at/at-channel.js';
import { parseFclassList, parseCapabilityRanges, afterColon, type FaxClasses } from './params.js';
import { CLASS2, CLASS20, type Class2Dialect } from './dialect.js';
import type { FaxClass } from './hangup-codes.js';
import { maxBrOf, parseModulationList } from '../class1/t30-params.js';

export interface ClassIdentity {
  manufacturer?: string;
  model?: string;
  revision?: string;
  /** +FCC=? / +FDCC=? ranges: allowed values of VR, BR, WD, LN, DF, EC, BF, ST. */
  capabilities?: number[][];
  /** Highest BR code offered (5 = 14400). */
  maxBr?: number;
}

/** Class 1 capabilities: the modulation codes the modem can send and receive. */
export interface Class1Identity {
  /** AT+FTM=? codes, e.g. [24, 48, 72, 73, 74, 96, 97, 98, 121, 122, 145, 146]. */
  transmit: number[];
  /** AT+FRM=? codes. */
  receive: number[];
  /** Highest BR (0..5) it can send with. */
  maxBr: number;
}

export interface ModemInfo {
  path: string;
  ati3?: string;
  manufacturer?: string;
  model?: string;
  revision?: string;
  /** Raw AT+FCLASS=? answer. */
  fclass: string;
  classes: FaxClasses;
  class20?: ClassIdentity;
  class2?: ClassIdentity;
  class1?: Class1Identity;
  /** The class the driver will use: 2.0 when offered, else 2, else 1, else null (no fax class). */
  preferredClass: FaxClass | null;
  /** Known firmware problems. */
  quirks: string[];
}

function info(r: AtResponse): string | undefined {
  if (r.final !== 'OK') return undefined;
  const v = r.lines.map((l) => l.trim()).filter(Boolean).join(' ');
  return v ? afterColonIfPrefixed(v) : undefined;
}

function afterColonIfPrefixed(v: string): string {
  return /^\+[A-Z]+:/.test(v) ? afterColon(v).replace(/^"(.*)"$/, '$1') : v;
}

async function tryInfo(ch: AtChannel, cmd: string): Promise<string | undefined> {
  try {
    return info(await ch.command(cmd));
  } catch {
    return undefined;
  }
}

async function classIdentity(ch: AtChannel, d: Class2Dialect): Promise<ClassIdentity | undefined> {
  const sel = await ch.command(`AT+FCLASS=${d.fclass}`);
  if (sel.final !== 'OK') return undefined;
  const id: ClassIdentity = {};
  const m = await tryInfo(ch, `AT${d.manufacturer}?`);
  if (m) id.manufacturer = m;
  const mo = await tryInfo(ch, `AT${d.model}?`);
  if (mo) id.model = mo;
  const rv = await tryInfo(ch, `AT${d.revision}?`);
  if (rv) id.revision = rv;
  const caps = await tryInfo(ch, `AT${d.capabilities}=?`);
  if (caps) {
    id.capabilities = parseCapabilityRanges(caps);
    const br = id.capabilities[1];
    if (br?.length) id.maxBr = Math.max(...br);
  }
  return id;
}

async function class1Identity(ch: AtChannel): Promise<Class1Identity | undefined> {
  const sel = await ch.command('AT+FCLASS=1');
  if (sel.final !== 'OK') return undefined;
  const transmit = parseModulationList((await tryInfo(ch, 'AT+FTM=?')) ?? '');
  const receive = parseModulationList((await tryInfo(ch, 'AT+FRM=?')) ?? '');
  if (!transmit.length && !receive.length) return undefined;
  return { transmit, receive, maxBr: maxBrOf(transmit) };
}

/** Resynchronises: ATQ0V1 up to three times (a modem may be mid-line or echoing). */
export async function resync(ch: AtChannel, timeoutMs = 2000): Promise<void> {
  let last: unknown;
  for (let i = 0; i < 3; i++) {
    try {
      const r = await ch.command('ATQ0V1', { timeoutMs });
      if (r.final === 'OK') return;
      last = new Error(`ATQ0V1 answered ${r.final}`);
    } catch (err) {
      last = err;
    }
  }
  throw new Error(`modem does not answer AT commands: ${last instanceof Error ? last.message : String(last)}`);
}

export async function probeModem(ch: AtChannel): Promise<ModemInfo> {
  await resync(ch);
  await ch.command('ATE0');
  const out: ModemInfo = { path: ch.link.path, fclass: '', classes: parseFclassList(''), preferredClass: null, quirks: [] };
  const ati3 = await tryInfo(ch, 'ATI3');
  if (ati3) out.ati3 = ati3;
  const gmi = await tryInfo(ch, 'AT+GMI');
  if (gmi) out.manufacturer = gmi;
  const gmm = await tryInfo(ch, 'AT+GMM');
  if (gmm) out.model = gmm;
  const gmr = await tryInfo(ch, 'AT+GMR');
  if (gmr) out.revision = gmr;
  const fc = await ch.command('AT+FCLASS=?');
  if (fc.final !== 'OK') throw new Error(`AT+FCLASS=? answered ${fc.final}: not a fax modem`);
  out.fclass = fc.lines.join(',');
  out.classes = parseFclassList(out.fclass);
  if (out.classes.class20) {
    const id = await classIdentity(ch, CLASS20);
    if (id) out.class20 = id;
  }
  if (out.classes.class2) {
    const id = await classIdentity(ch, CLASS2);
    if (id) out.class2 = id;
  }
  if (out.classes.class1) {
    const id = await class1Identity(ch);
    if (id) out.class1 = id;
  }
  await ch.command('AT+FCLASS=0').catch(() => undefined);
  out.preferredClass = out.class20 ? '2.0' : out.class2 ? '2' : out.class1 ? '1' : null;
  const names = [out.ati3, out.model, out.class20?.model, out.class2?.model].filter(Boolean).join(' ');
  if (/sportster/i.test(names)) out.quirks.push('USR Sportster: buggy Class 2.0 firmware (efax forces Class 1)');
  if (!out.manufacturer) out.manufacturer = out.class20?.manufacturer ?? out.class2?.manufacturer;
  if (!out.model) out.model = out.class20?.model ?? out.class2?.model;
  if (!out.revision) out.revision = out.class20?.revision ?? out.class2?.revision;
  if (!out.manufacturer) delete out.manufacturer;
  if (!out.model) delete out.model;
  if (!out.revision) delete out.revision;
  return out;
}
