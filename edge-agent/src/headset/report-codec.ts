/**
 * Report codec: input reports in, output reports out, with hidapi's report ID byte semantics.
 *
 * - Input (node-hid 'data'): when the descriptor declares report IDs the first byte is the report ID and the
 *   payload follows; otherwise the whole buffer is the payload of report 0. A report whose ID the descriptor
 *   does not declare, or whose length is not the declared length, is returned as `{ ok: false }` with the
 *   reason: the caller counts and logs it and carries on.
 * - Output (node-hid `write`): byte 0 is the report ID (0x00 when the descriptor has none), then the payload at
 *   its full declared length. One shadow payload is kept per output report and every write sends all of it,
 *   so setting one LED re-sends the others (edge-hardware.md §2.2 point 3: a short write is a different report
 *   to the firmware).
 */
import { readBits, writeBits, type BitLocation } from './bits.js';
import { elementUsage, findReport, usageAt, type ParsedDescriptor, type Report } from './descriptor/parser.js';
import { usageName } from './usages.js';

export type UnknownReason = 'unknown-report-id' | 'wrong-length' | 'empty';

export type DecodeResult =
  | { ok: true; reportId: number; payload: Uint8Array; report: Report }
  | { ok: false; reason: UnknownReason; reportId: number | undefined; length: number; expectedLength: number | undefined };

/** Splits an input buffer into report ID and payload and checks it against the descriptor. */
export function decodeInput(parsed: ParsedDescriptor, data: Uint8Array): DecodeResult {
  if (data.length === 0) return { ok: false, reason: 'empty', reportId: undefined, length: 0, expectedLength: undefined };
  const reportId = parsed.usesReportIds ? (data[0] as number) : 0;
  const payload = parsed.usesReportIds ? data.subarray(1) : data;
  const report = findReport(parsed, 'input', reportId);
  if (!report) return { ok: false, reason: 'unknown-report-id', reportId, length: data.length, expectedLength: undefined };
  const expectedLength = report.byteLength + (parsed.usesReportIds ? 1 : 0);
  if (data.length !== expectedLength) return { ok: false, reason: 'wrong-length', reportId, length: data.length, expectedLength };
  return { ok: true, reportId, payload, report };
}

/** Value at a location of a decoded report, or undefined when the location is in another report. */
export function readLocation(decoded: { reportId: number; payload: Uint8Array }, location: BitLocation): number | undefined {
  if (location.reportId !== decoded.reportId) return undefined;
  return readBits(decoded.payload, location.bitOffset, location.bitSize, location.signed);
}

export interface FieldValue {
  /** "Telephony Hook Switch", or "Button 1" for an active array entry; "(constant)" for padding. */
  label: string;
  bitOffset: number;
  value: number;
}

/** Every element of a decoded report with its usage name (for `okno-edge headset watch`). */
export function fieldValues(report: Report, payload: Uint8Array): FieldValue[] {
  const out: FieldValue[] = [];
  for (const field of report.fields) {
    if (field.isPadding || field.size > 32) continue;
    for (let i = 0; i < field.count; i++) {
      const bitOffset = field.bitOffset + i * field.size;
      const value = readBits(payload, bitOffset, field.size, field.logicalMin < 0) ?? 0;
      if (field.flags.variable) {
        const u = elementUsage(field, i);
        out.push({ label: u ? usageName(u.page, u.id) : '(no usage)', bitOffset, value });
      } else {
        const u = value >= field.logicalMin && value <= field.logicalMax ? usageAt(field, value - field.logicalMin) : undefined;
        out.push({ label: u ? usageName(u.page, u.id) : '(none)', bitOffset, value });
      }
    }
  }
  return out;
}

/** Shadow state of every output report, encoded full-length for writing. */
export class OutputShadow {
  private readonly shadows = new Map<number, Uint8Array>();

  constructor(private readonly parsed: ParsedDescriptor) {
    for (const r of parsed.reports) if (r.kind === 'output') this.shadows.set(r.id, new Uint8Array(r.byteLength));
  }

  /** Output report IDs the descriptor declares. */
  reportIds(): number[] {
    return [...this.shadows.keys()];
  }

  /** Sets one value in the shadow; returns true when that changed the shadow. */
  set(location: BitLocation, value: number): boolean {
    const shadow = this.shadows.get(location.reportId);
    if (!shadow) throw new Error(`the descriptor has no output report ${location.reportId}`);
    const before = readBits(shadow, location.bitOffset, location.bitSize, location.signed);
    writeBits(shadow, location.bitOffset, location.bitSize, value);
    return before !== value;
  }

  get(location: BitLocation): number | undefined {
    const shadow = this.shadows.get(location.reportId);
    return shadow ? readBits(shadow, location.bitOffset, location.bitSize, location.signed) : undefined;
  }

  /** The bytes to write for one output report: report ID byte (0 if none) and the whole shadow payload. */
  encode(reportId: number): Uint8Array {
    const shadow = this.shadows.get(reportId);
    if (!shadow) throw new Error(`the descriptor has no output report ${reportId}`);
    const out = new Uint8Array(1 + shadow.length);
    out[0] = this.parsed.usesReportIds ? reportId : 0;
    out.set(shadow, 1);
    return out;
  }
}
