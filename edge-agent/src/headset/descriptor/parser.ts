/**
 * HID report descriptor parser: items -> collections -> input / output / feature reports and their fields.
 *
 * Decisions that matter for headsets (../shared/reference/edge-hardware.md §2.2–2.3):
 * - Constant fields keep their usages. Jabra Evolve2 and Anker PowerConf flag Hook Switch and Phone Mute as
 *   Constant (`81 23`, `81 07`); a field is padding only when it is Constant AND has no usage.
 * - A Usage of 1 or 2 bytes takes the Usage Page in effect when the Main item is processed (HID 1.11
 *   §6.2.2.8, as Windows and Linux do it): usages declared before a later Usage Page item are re-bound to it,
 *   walking back from the last usage and stopping at the first one already on that page. So the Jabra-style
 *   `09 07 05 09 ... 81 02` is Button 7, not Telephony Programmable Button. 4-byte usages carry their own page.
 * - Logical Maximum is read as signed only when Logical Minimum is negative (as the Linux HID core does), so
 *   `15 00 26 FF 00` and `15 00 25 FF` both mean 0..255.
 * - Long items are skipped (no usage is defined for them); Delimiter sets keep their first usage.
 * Structural problems (truncation, unbalanced collections, Pop without Push, Report ID 0, absurd sizes) throw
 * DescriptorError; oddities the host can live with are collected in `warnings`.
 */
import { DescriptorError, tokenize, type Item } from './items.js';

export type ReportKind = 'input' | 'output' | 'feature';

/** A usage or a usage range on one page; a single usage has min === max. */
export interface UsageRange {
  page: number;
  min: number;
  max: number;
}

export interface MainFlags {
  constant: boolean;
  variable: boolean;
  relative: boolean;
  wrap: boolean;
  nonLinear: boolean;
  /** Bit 5 set: the control has no preferred state. */
  noPreferred: boolean;
  nullState: boolean;
  /** Output and feature only. */
  volatile: boolean;
  bufferedBytes: boolean;
}

export interface Collection {
  /** 0 physical, 1 application, 2 logical, 3 report, 4 named array, 5 usage switch, 6 usage modifier. */
  type: number;
  typeName: string;
  usagePage: number;
  usage: number;
  depth: number;
  parent: Collection | undefined;
  children: Collection[];
  /** Fields declared directly in this collection (not in its children). */
  fields: ReportField[];
  itemOffset: number;
}

export interface ReportField {
  kind: ReportKind;
  /** 0 when the descriptor declares no report IDs. */
  reportId: number;
  /** Bit offset of the first element in the report payload (after the report ID byte). */
  bitOffset: number;
  /** Report Size: bits per element. */
  size: number;
  /** Report Count: number of elements. */
  count: number;
  logicalMin: number;
  logicalMax: number;
  physicalMin: number;
  physicalMax: number;
  unit: number;
  unitExponent: number;
  flags: MainFlags;
  rawFlags: number;
  /** Usages in declaration order, ranges kept as ranges. Empty for padding. */
  usages: UsageRange[];
  /** Constant and without usages: filler bits. */
  isPadding: boolean;
  collection: Collection | undefined;
  itemOffset: number;
}

export interface Report {
  kind: ReportKind;
  id: number;
  bitLength: number;
  /** Payload bytes, without the report ID byte. */
  byteLength: number;
  fields: ReportField[];
}

export interface ParsedDescriptor {
  bytes: Uint8Array;
  items: Item[];
  /** Top-level collections in order. */
  collections: Collection[];
  reports: Report[];
  usesReportIds: boolean;
  warnings: string[];
}

const COLLECTION_TYPES = ['Physical', 'Application', 'Logical', 'Report', 'Named Array', 'Usage Switch', 'Usage Modifier'];
/** Larger than any real report (Linux allows 16 KiB); guards against counts like 0xFFFFFFFF. */
const MAX_REPORT_BITS = 16384 * 8;

interface GlobalState {
  usagePage: number;
  logicalMin: { signed: number; unsigned: number };
  logicalMax: { signed: number; unsigned: number };
  physicalMin: { signed: number; unsigned: number };
  physicalMax: { signed: number; unsigned: number };
  physicalSet: boolean;
  unitExponent: number;
  unit: number;
  reportSize: number;
  reportId: number;
  reportCount: number;
}

interface LocalUsage extends UsageRange {
  /** Declared with 4 bytes: page given explicitly, never re-bound. */
  extended: boolean;
}

interface LocalState {
  usages: LocalUsage[];
  pendingMin: { page: number; id: number; extended: boolean } | undefined;
  delimiterDepth: number;
  delimiterUsageTaken: boolean;
}

function newGlobal(): GlobalState {
  const zero = { signed: 0, unsigned: 0 };
  return {
    usagePage: 0, logicalMin: zero, logicalMax: zero, physicalMin: zero, physicalMax: zero, physicalSet: false,
    unitExponent: 0, unit: 0, reportSize: 0, reportId: 0, reportCount: 0,
  };
}

function newLocal(): LocalState {
  return { usages: [], pendingMin: undefined, delimiterDepth: 0, delimiterUsageTaken: false };
}

export function decodeMainFlags(raw: number): MainFlags {
  return {
    constant: (raw & 0x001) !== 0,
    variable: (raw & 0x002) !== 0,
    relative: (raw & 0x004) !== 0,
    wrap: (raw & 0x008) !== 0,
    nonLinear: (raw & 0x010) !== 0,
    noPreferred: (raw & 0x020) !== 0,
    nullState: (raw & 0x040) !== 0,
    volatile: (raw & 0x080) !== 0,
    bufferedBytes: (raw & 0x100) !== 0,
  };
}

/** Number of usages a field lists once its ranges are expanded. */
export function usageCount(field: Pick<ReportField, 'usages'>): number {
  return field.usages.reduce((n, u) => n + (u.max - u.min + 1), 0);
}

/** The index-th usage of a field (ranges expanded), or undefined past the end. */
export function usageAt(field: Pick<ReportField, 'usages'>, index: number): { page: number; id: number } | undefined {
  let i = index;
  for (const u of field.usages) {
    const n = u.max - u.min + 1;
    if (i < n) return { page: u.page, id: u.min + i };
    i -= n;
  }
  return undefined;
}

/**
 * Usage of element `element` of a variable field: the element-th usage, or the last one when the field
 * lists fewer usages than elements (HID 1.11 §6.2.2.8).
 */
export function elementUsage(field: ReportField, element: number): { page: number; id: number } | undefined {
  const n = usageCount(field);
  if (n === 0) return undefined;
  return usageAt(field, Math.min(element, n - 1));
}

/** The report of that kind and ID, or undefined. */
export function findReport(parsed: ParsedDescriptor, kind: ReportKind, id: number): Report | undefined {
  return parsed.reports.find((r) => r.kind === kind && r.id === id);
}

/** Every field of a collection and its descendants, in declaration order. */
export function collectionFields(collection: Collection): ReportField[] {
  const out: ReportField[] = [...collection.fields];
  for (const child of collection.children) out.push(...collectionFields(child));
  return out.sort((a, b) => a.itemOffset - b.itemOffset);
}

class Parser {
  private global = newGlobal();
  private readonly globalStack: GlobalState[] = [];
  private local = newLocal();
  private readonly open: Collection[] = [];
  private readonly topLevel: Collection[] = [];
  private readonly reports = new Map<string, Report>();
  private readonly warnings: string[] = [];
  private sawReportId = false;
  private sawFieldWithoutId = false;

  constructor(private readonly bytes: Uint8Array) {}

  run(): ParsedDescriptor {
    const items = tokenize(this.bytes);
    for (const item of items) this.item(item);
    if (this.open.length > 0) {
      throw new DescriptorError(`${this.open.length} collection(s) not closed at the end of the descriptor`, this.bytes.length);
    }
    if (this.sawReportId && this.sawFieldWithoutId) {
      this.warnings.push('some fields come before the first Report ID; they are placed in report 0');
    }
    return {
      bytes: this.bytes,
      items,
      collections: this.topLevel,
      reports: [...this.reports.values()],
      usesReportIds: this.sawReportId,
      warnings: this.warnings,
    };
  }

  private item(item: Item): void {
    switch (item.type) {
      case 'main':
        this.main(item);
        this.local = newLocal();
        return;
      case 'global':
        this.globalItem(item);
        return;
      case 'local':
        this.localItem(item);
        return;
      case 'long':
        this.warnings.push(`long item (tag 0x${item.tag.toString(16)}, ${item.size} bytes) at byte ${item.offset} skipped`);
        return;
      default:
        this.warnings.push(`reserved item type (prefix 0x${(this.bytes[item.offset] ?? 0).toString(16)}) at byte ${item.offset} skipped`);
    }
  }

  private globalItem(item: Item): void {
    const g = this.global;
    const value = { signed: item.signed, unsigned: item.unsigned };
    switch (item.tag) {
      case 0x0: g.usagePage = item.unsigned; return;
      case 0x1: g.logicalMin = value; return;
      case 0x2: g.logicalMax = value; return;
      case 0x3: g.physicalMin = value; g.physicalSet = true; return;
      case 0x4: g.physicalMax = value; g.physicalSet = true; return;
      case 0x5: g.unitExponent = item.size === 1 && item.unsigned < 16 ? (item.unsigned > 7 ? item.unsigned - 16 : item.unsigned) : item.signed; return;
      case 0x6: g.unit = item.unsigned; return;
      case 0x7:
        if (item.unsigned > MAX_REPORT_BITS) throw new DescriptorError(`Report Size ${item.unsigned} is too large`, item.offset);
        g.reportSize = item.unsigned;
        return;
      case 0x8:
        if (item.unsigned === 0) throw new DescriptorError('Report ID 0 is reserved', item.offset);
        if (item.unsigned > 0xff) throw new DescriptorError(`Report ID ${item.unsigned} does not fit in one byte`, item.offset);
        g.reportId = item.unsigned;
        this.sawReportId = true;
        return;
      case 0x9:
        if (item.unsigned > MAX_REPORT_BITS) throw new DescriptorError(`Report Count ${item.unsigned} is too large`, item.offset);
        g.reportCount = item.unsigned;
        return;
      case 0xa: this.globalStack.push({ ...g }); return;
      case 0xb: {
        const popped = this.globalStack.pop();
        if (!popped) throw new DescriptorError('Pop without a matching Push', item.offset);
        this.global = popped;
        return;
      }
      default:
        this.warnings.push(`unknown global item tag 0x${item.tag.toString(16)} at byte ${item.offset} ignored`);
    }
  }

  /** Page and ID of a local usage item: 4-byte data carries its own page in the high 16 bits. */
  private localUsage(item: Item): { page: number; id: number; extended: boolean } {
    if (item.size === 4) return { page: Math.floor(item.unsigned / 0x10000), id: item.unsigned & 0xffff, extended: true };
    return { page: this.global.usagePage, id: item.unsigned, extended: false };
  }

  private addUsage(u: LocalUsage): void {
    if (this.local.delimiterDepth > 0) {
      if (this.local.delimiterUsageTaken) return;
      this.local.delimiterUsageTaken = true;
    }
    this.local.usages.push(u);
  }

  private localItem(item: Item): void {
    switch (item.tag) {
      case 0x0: {
        const u = this.localUsage(item);
        this.addUsage({ page: u.page, min: u.id, max: u.id, extended: u.extended });
        return;
      }
      case 0x1:
        this.local.pendingMin = this.localUsage(item);
        return;
      case 0x2: {
        const max = this.localUsage(item);
        const min = this.local.pendingMin;
        this.local.pendingMin = undefined;
        if (!min) {
          this.warnings.push(`Usage Maximum without Usage Minimum at byte ${item.offset} ignored`);
          return;
        }
        if (max.id < min.id) {
          this.warnings.push(`Usage Maximum below Usage Minimum at byte ${item.offset} ignored`);
          return;
        }
        this.addUsage({ page: min.page, min: min.id, max: max.id, extended: min.extended });
        return;
      }
      case 0xa:
        if (item.unsigned === 1) {
          this.local.delimiterDepth++;
          this.local.delimiterUsageTaken = false;
        } else if (this.local.delimiterDepth > 0) {
          this.local.delimiterDepth--;
        }
        return;
      default:
        // Designator and string indices: not needed for headsets.
        return;
    }
  }

  /** HID 1.11 §6.2.2.8 as Windows and Linux apply it (see the module comment). */
  private boundUsages(): UsageRange[] {
    const page = this.global.usagePage;
    const usages = this.local.usages;
    for (let i = usages.length - 1; i >= 0; i--) {
      const u = usages[i] as LocalUsage;
      if (u.extended) continue;
      if (u.page === page) break;
      u.page = page;
    }
    return usages.map(({ page: p, min, max }) => ({ page: p, min, max }));
  }

  private main(item: Item): void {
    switch (item.tag) {
      case 0x8: this.field('input', item); return;
      case 0x9: this.field('output', item); return;
      case 0xb: this.field('feature', item); return;
      case 0xa: {
        const usages = this.boundUsages();
        const first = usages[0];
        const parent = this.open[this.open.length - 1];
        const collection: Collection = {
          type: item.unsigned,
          typeName: COLLECTION_TYPES[item.unsigned] ?? (item.unsigned >= 0x80 ? 'Vendor' : 'Reserved'),
          usagePage: first?.page ?? this.global.usagePage,
          usage: first?.min ?? 0,
          depth: this.open.length,
          parent,
          children: [],
          fields: [],
          itemOffset: item.offset,
        };
        if (parent) parent.children.push(collection);
        else this.topLevel.push(collection);
        this.open.push(collection);
        return;
      }
      case 0xc:
        if (!this.open.pop()) throw new DescriptorError('End Collection without an open collection', item.offset);
        return;
      default:
        this.warnings.push(`unknown main item tag 0x${item.tag.toString(16)} at byte ${item.offset} ignored`);
    }
  }

  private field(kind: ReportKind, item: Item): void {
    const g = this.global;
    const usages = this.boundUsages();
    if (g.reportCount === 0 || g.reportSize === 0) {
      this.warnings.push(`${kind} item at byte ${item.offset} has Report Size ${g.reportSize} x Count ${g.reportCount}; no bits`);
      return;
    }
    if (g.reportId === 0) this.sawFieldWithoutId = true;
    const key = `${kind}:${g.reportId}`;
    let report = this.reports.get(key);
    if (!report) {
      report = { kind, id: g.reportId, bitLength: 0, byteLength: 0, fields: [] };
      this.reports.set(key, report);
    }
    const bits = g.reportSize * g.reportCount;
    if (report.bitLength + bits > MAX_REPORT_BITS) {
      throw new DescriptorError(`${kind} report ${g.reportId} grows beyond ${MAX_REPORT_BITS / 8} bytes`, item.offset);
    }
    const logicalMin = g.logicalMin.signed;
    const signedRange = logicalMin < 0;
    const physicalMin = g.physicalSet ? g.physicalMin.signed : logicalMin;
    const flags = decodeMainFlags(item.unsigned);
    const collection = this.open[this.open.length - 1];
    if (!collection) this.warnings.push(`${kind} item at byte ${item.offset} is outside any collection`);
    const field: ReportField = {
      kind,
      reportId: g.reportId,
      bitOffset: report.bitLength,
      size: g.reportSize,
      count: g.reportCount,
      logicalMin,
      logicalMax: signedRange ? g.logicalMax.signed : g.logicalMax.unsigned,
      physicalMin,
      physicalMax: g.physicalSet ? (physicalMin < 0 ? g.physicalMax.signed : g.physicalMax.unsigned) : signedRange ? g.logicalMax.signed : g.logicalMax.unsigned,
      unit: g.unit,
      unitExponent: g.unitExponent,
      flags,
      rawFlags: item.unsigned,
      usages,
      isPadding: flags.constant && usages.length === 0,
      collection,
      itemOffset: item.offset,
    };
    report.fields.push(field);
    report.bitLength += bits;
    report.byteLength = Math.ceil(report.bitLength / 8);
    collection?.fields.push(field);
  }
}

/** Parses raw report descriptor bytes; throws DescriptorError when they are not a usable descriptor. */
export function parseDescriptor(bytes: Uint8Array): ParsedDescriptor {
  return new Parser(bytes).run();
}
