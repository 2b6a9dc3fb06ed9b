/**
 * describeHeadset: a human-readable layout of a report descriptor (for `okno-edge headset watch` and for
 * technicians): every report with the bit position, usage, flags and control kind of each field, then what
 * the agent will use for call control. Throws DescriptorError for a descriptor that cannot be parsed.
 */
import { elementUsage, parseDescriptor, usageAt, usageCount, type Collection, type ParsedDescriptor, type Report, type ReportField } from './descriptor/parser.js';
import { buildTelephonyModel, classifyControl, type TelephonyModel } from './telephony-model.js';
import { hex, usageCode, usageName } from './usages.js';

function bits(from: number, size: number): string {
  return size === 1 ? `bit ${from}` : `bits ${from}-${from + size - 1}`;
}

function flagText(f: ReportField): string {
  const x = f.flags;
  const parts = [x.constant ? 'Const' : 'Data', x.variable ? 'Var' : 'Array', x.relative ? 'Rel' : 'Abs'];
  if (x.noPreferred) parts.push('NoPref');
  if (x.nullState) parts.push('Null');
  if (x.volatile) parts.push('Vol');
  return parts.join(',');
}

function topLevel(c: Collection | undefined): Collection | undefined {
  let x = c;
  while (x?.parent) x = x.parent;
  return x;
}

function collectionName(c: Collection): string {
  return `${c.typeName} ${usageName(c.usagePage, c.usage)}`;
}

/** "  [in Logical Telephony Key Pad]" for fields in a nested collection. */
function nestedSuffix(f: ReportField): string {
  const names: string[] = [];
  for (let x = f.collection; x?.parent; x = x.parent) names.unshift(collectionName(x));
  return names.length > 0 ? `  [in ${names.join(' > ')}]` : '';
}

function fieldLines(f: ReportField): string[] {
  if (f.isPadding) return [`    ${bits(f.bitOffset, f.size * f.count).padEnd(12)} padding`];
  const range = `${f.logicalMin}..${f.logicalMax}`;
  if (!f.flags.variable) {
    const n = usageCount(f);
    const first = usageAt(f, 0);
    const last = usageAt(f, n - 1);
    const what = first && last ? (n === 1 ? usageName(first.page, first.id) : `${usageName(first.page, first.id)} .. ${usageName(last.page, last.id)}`) : '(no usage)';
    return [`    ${bits(f.bitOffset, f.size * f.count).padEnd(12)} array x${f.count} of ${f.size} bits: ${what}  ${range}  ${flagText(f)}${nestedSuffix(f)}`];
  }
  const kind = f.kind === 'input' && (f.size === 1 || (f.logicalMin === -1 && f.logicalMax === 1)) ? `  ${classifyControl(f)}` : '';
  const out: string[] = [];
  for (let i = 0; i < f.count; i++) {
    const u = elementUsage(f, i);
    const name = u ? `${usageName(u.page, u.id)} (${usageCode(u.page, u.id)})` : '(no usage)';
    out.push(`    ${bits(f.bitOffset + i * f.size, f.size).padEnd(12)} ${name.padEnd(40)} ${range.padEnd(8)} ${flagText(f)}${kind}${nestedSuffix(f)}`);
  }
  return out;
}

function reportHeader(r: Report, parsed: ParsedDescriptor): string {
  const id = parsed.usesReportIds ? `report ${r.id} (${hex(r.id)})` : 'report (no ID)';
  const len = `${r.byteLength} byte${r.byteLength === 1 ? '' : 's'}${parsed.usesReportIds ? ' + ID byte' : ''}`;
  const tlcs = [...new Set(r.fields.map((f) => topLevel(f.collection)))].filter((c) => c !== undefined).map(collectionName).join('; ');
  return `  ${r.kind} ${id}, ${len}${tlcs ? ` - ${tlcs}` : ''}`;
}

function modelLines(m: TelephonyModel): string[] {
  if (!m.callControl) {
    const what = m.consumer.map((c) => `${c.name} (${c.behaviour})`).join(', ');
    return [`Call control: none (no Telephony collection with a Hook Switch)${what ? `; it has ${what}` : ''}`];
  }
  const at = (l: { reportId: number; bitOffset: number }) => `report ${l.reportId} bit ${l.bitOffset}`;
  const lines = [`Call control: ${m.collection?.name ?? ''}`];
  for (const i of m.inputs) lines.push(`  in   ${i.name.padEnd(18)} ${at(i.location).padEnd(16)} ${i.behaviour}${i.constant ? ' (Constant-flagged)' : ''}`);
  if (m.keypads.length > 0) lines.push(`  in   ${'keypad'.padEnd(18)} ${at(m.keypads[0]!.location)}`);
  for (const o of m.outputs) lines.push(`  out  ${o.name.padEnd(18)} ${at(o.location)}`);
  return lines;
}

/** The layout of a descriptor as text, one line per field element. */
export function describeHeadset(descriptor: Uint8Array): string {
  const parsed = parseDescriptor(descriptor);
  const model = buildTelephonyModel(parsed);
  const lines = [
    `Report descriptor: ${descriptor.length} bytes, ${parsed.collections.length} top-level collection(s): ` +
      parsed.collections.map((c) => `${usageCode(c.usagePage, c.usage)} ${usageName(c.usagePage, c.usage)}`).join(', '),
  ];
  for (const r of parsed.reports) {
    lines.push(reportHeader(r, parsed));
    for (const f of r.fields) lines.push(...fieldLines(f));
  }
  lines.push(...modelLines(model));
  for (const w of parsed.warnings) lines.push(`Warning: ${w}`);
  return lines.join('\n');
}
