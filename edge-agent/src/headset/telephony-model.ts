/**
 * Telephony model: where a headset's call controls and LEDs are, and how each control behaves.
 *
 * Built from a parsed descriptor. The call-control collection is the Telephony (0x0B) top-level collection
 * with usage Headset (0x05) or Phone (0x01). Controls are classified as google/libhidtelephony and the 2021
 * hid-input patch do it (edge-hardware.md §2.2):
 *
 * | Input flags                 | Logical  | behaviour        | value                                  |
 * |-----------------------------|----------|------------------|----------------------------------------|
 * | Relative + Preferred state  | 0..1     | toggle-button    | a 1 pulse means "toggle": rising edge  |
 * | Absolute + No preferred     | 0..1     | toggle-switch    | level: 1 on, 0 off                     |
 * | Relative + No preferred     | -1..1    | on-off-buttons   | +1 on, -1 off                          |
 * | anything else               |          | undefined        | treated as a level, de-bounced         |
 *
 * Constant-flagged fields that name usages count as controls (Jabra Evolve2 sets the Constant bit).
 * A device without a telephony collection (Logitech H540) has `callControl: false`; its consumer-page
 * volume and mute controls are listed in `consumer`.
 */
import type { BitLocation } from './bits.js';
import { collectionFields, elementUsage, usageAt, usageCount, type Collection, type ParsedDescriptor, type ReportField } from './descriptor/parser.js';
import { Consumer, Led, Page, Tel, keypadKey, usageCode, usageName } from './usages.js';

export type ControlBehaviour = 'toggle-button' | 'toggle-switch' | 'on-off-buttons' | 'undefined';

export type InputName =
  | 'hookSwitch' | 'phoneMute' | 'flash' | 'redial' | 'hold' | 'line' | 'lineBusyTone' | 'speedDial'
  | 'voiceMail' | 'programmableButton' | 'reject' | 'button';

export type OutputName = 'offHook' | 'ring' | 'mute' | 'hold' | 'microphone' | 'ringer' | 'speaker' | 'onLine' | 'messageWaiting';

export type ConsumerName = 'volumeUp' | 'volumeDown' | 'mute';

export interface ControlBase {
  page: number;
  usage: number;
  /** "Telephony Hook Switch". */
  label: string;
  location: BitLocation;
  logicalMin: number;
  logicalMax: number;
}

export interface TelephonyInput extends ControlBase {
  name: InputName;
  behaviour: ControlBehaviour;
  constant: boolean;
}

export interface ConsumerInput extends ControlBase {
  name: ConsumerName;
  behaviour: ControlBehaviour;
}

export interface TelephonyOutput extends ControlBase {
  name: OutputName;
}

/** An array field of Telephony Key Pad usages: its value picks a key. */
export interface KeypadInput {
  location: BitLocation;
  logicalMin: number;
  logicalMax: number;
  nullState: boolean;
  /** Key for value v is keys[v - logicalMin]. */
  keys: Array<string | undefined>;
}

export interface CollectionSummary {
  usagePage: number;
  usage: number;
  name: string;
}

export interface TelephonyModel {
  callControl: boolean;
  /** The telephony top-level collection the controls come from. */
  collection: CollectionSummary | undefined;
  inputs: TelephonyInput[];
  keypads: KeypadInput[];
  outputs: TelephonyOutput[];
  consumer: ConsumerInput[];
  topLevelCollections: CollectionSummary[];
  usesReportIds: boolean;
}

const inputNames = new Map<string, InputName>([
  [usageCode(Page.Telephony, Tel.HookSwitch), 'hookSwitch'],
  [usageCode(Page.Telephony, Tel.PhoneMute), 'phoneMute'],
  [usageCode(Page.Telephony, Tel.Flash), 'flash'],
  [usageCode(Page.Telephony, Tel.Redial), 'redial'],
  [usageCode(Page.Telephony, Tel.Hold), 'hold'],
  [usageCode(Page.Telephony, Tel.Line), 'line'],
  [usageCode(Page.Telephony, Tel.LineBusyTone), 'lineBusyTone'],
  [usageCode(Page.Telephony, Tel.SpeedDial), 'speedDial'],
  [usageCode(Page.Telephony, Tel.VoiceMail), 'voiceMail'],
  [usageCode(Page.Telephony, Tel.ProgrammableButton), 'programmableButton'],
  // Button 1 "Delete" rejects the incoming call (Skype for Business / Teams); Button 7 is Gigaset's reject.
  [usageCode(Page.Button, 1), 'reject'],
  [usageCode(Page.Button, 7), 'reject'],
]);

const outputNames = new Map<string, OutputName>([
  [usageCode(Page.LED, Led.OffHook), 'offHook'],
  [usageCode(Page.LED, Led.Ring), 'ring'],
  [usageCode(Page.LED, Led.Mute), 'mute'],
  [usageCode(Page.LED, Led.Hold), 'hold'],
  [usageCode(Page.LED, Led.Microphone), 'microphone'],
  [usageCode(Page.LED, Led.Speaker), 'speaker'],
  [usageCode(Page.LED, Led.OnLine), 'onLine'],
  [usageCode(Page.LED, Led.MessageWaiting), 'messageWaiting'],
  [usageCode(Page.Telephony, Tel.Ringer), 'ringer'],
]);

const consumerNames = new Map<string, ConsumerName>([
  [usageCode(Page.Consumer, Consumer.VolumeIncrement), 'volumeUp'],
  [usageCode(Page.Consumer, Consumer.VolumeDecrement), 'volumeDown'],
  [usageCode(Page.Consumer, Consumer.Mute), 'mute'],
]);

/** libhidtelephony's On/Off control classification (table in the module comment). */
export function classifyControl(field: Pick<ReportField, 'flags' | 'logicalMin' | 'logicalMax'>): ControlBehaviour {
  const { relative, noPreferred } = field.flags;
  const { logicalMin: min, logicalMax: max } = field;
  if (relative && !noPreferred && min === 0 && max === 1) return 'toggle-button';
  if (!relative && noPreferred && min === 0 && max === 1) return 'toggle-switch';
  if (relative && noPreferred && min === -1 && max === 1) return 'on-off-buttons';
  return 'undefined';
}

function summary(c: Collection): CollectionSummary {
  return { usagePage: c.usagePage, usage: c.usage, name: usageName(c.usagePage, c.usage) };
}

interface Element {
  field: ReportField;
  page: number;
  usage: number;
  base: ControlBase;
}

/** One entry per element of each variable, non-padding field that has a usage. */
function variableElements(fields: ReportField[]): Element[] {
  const out: Element[] = [];
  for (const field of fields) {
    if (!field.flags.variable || field.isPadding || field.size > 32) continue;
    for (let i = 0; i < field.count; i++) {
      const u = elementUsage(field, i);
      if (!u) continue;
      out.push({
        field,
        page: u.page,
        usage: u.id,
        base: {
          page: u.page,
          usage: u.id,
          label: usageName(u.page, u.id),
          location: { reportId: field.reportId, bitOffset: field.bitOffset + i * field.size, bitSize: field.size, signed: field.logicalMin < 0 },
          logicalMin: field.logicalMin,
          logicalMax: field.logicalMax,
        },
      });
    }
  }
  return out;
}

function keypadsOf(fields: ReportField[]): KeypadInput[] {
  const out: KeypadInput[] = [];
  for (const field of fields) {
    if (field.flags.variable || field.size > 32) continue;
    const keys: Array<string | undefined> = [];
    for (let v = field.logicalMin; v <= field.logicalMax && keys.length <= 256; v++) {
      const u = usageAt(field, v - field.logicalMin);
      keys.push(u && u.page === Page.Telephony ? keypadKey(u.id) : undefined);
    }
    if (usageCount(field) === 0 || !keys.some((k) => k !== undefined)) continue;
    for (let i = 0; i < field.count; i++) {
      out.push({
        location: { reportId: field.reportId, bitOffset: field.bitOffset + i * field.size, bitSize: field.size, signed: field.logicalMin < 0 },
        logicalMin: field.logicalMin,
        logicalMax: field.logicalMax,
        nullState: field.flags.nullState,
        keys,
      });
    }
  }
  return out;
}

function isTelephonyTlc(c: Collection): boolean {
  return c.usagePage === Page.Telephony && (c.usage === Tel.Headset || c.usage === Tel.Phone);
}

/** Builds the telephony model of a parsed descriptor (which may hold several top-level collections). */
export function buildTelephonyModel(parsed: ParsedDescriptor): TelephonyModel {
  const tlcs = parsed.collections;
  // Prefer Headset over Phone when a device has both.
  const telephony = tlcs.find((c) => isTelephonyTlc(c) && c.usage === Tel.Headset) ?? tlcs.find(isTelephonyTlc);
  const inputs: TelephonyInput[] = [];
  const outputs: TelephonyOutput[] = [];
  let keypads: KeypadInput[] = [];
  if (telephony) {
    const fields = collectionFields(telephony);
    const seen = new Set<string>();
    for (const el of variableElements(fields.filter((f) => f.kind === 'input'))) {
      const name = inputNames.get(usageCode(el.page, el.usage)) ?? (el.page === Page.Telephony || el.page === Page.Button ? 'button' : undefined);
      if (!name || (name !== 'button' && seen.has(name))) continue;
      seen.add(name);
      inputs.push({ ...el.base, name, behaviour: classifyControl(el.field), constant: el.field.flags.constant });
    }
    for (const el of variableElements(fields.filter((f) => f.kind === 'output'))) {
      const name = outputNames.get(usageCode(el.page, el.usage));
      if (!name || outputs.some((o) => o.name === name)) continue;
      outputs.push({ ...el.base, name });
    }
    keypads = keypadsOf(fields.filter((f) => f.kind === 'input'));
  }
  const consumer: ConsumerInput[] = [];
  for (const tlc of tlcs.filter((c) => c.usagePage === Page.Consumer && c.usage === Consumer.ConsumerControl)) {
    for (const el of variableElements(collectionFields(tlc).filter((f) => f.kind === 'input'))) {
      const name = consumerNames.get(usageCode(el.page, el.usage));
      if (!name || consumer.some((c) => c.name === name)) continue;
      consumer.push({ ...el.base, name, behaviour: classifyControl(el.field) });
    }
  }
  return {
    callControl: telephony !== undefined && inputs.some((i) => i.name === 'hookSwitch'),
    collection: telephony ? summary(telephony) : undefined,
    inputs,
    keypads,
    outputs,
    consumer,
    topLevelCollections: tlcs.map(summary),
    usesReportIds: parsed.usesReportIds,
  };
}

export function findInput(model: TelephonyModel, name: Exclude<InputName, 'button'>): TelephonyInput | undefined {
  return model.inputs.find((i) => i.name === name);
}

export function findOutput(model: TelephonyModel, name: OutputName): TelephonyOutput | undefined {
  return model.outputs.find((o) => o.name === name);
}

/** JSON-friendly capabilities for the inventory. */
export interface HeadsetCapabilities {
  callControl: boolean;
  /** e.g. "0x0B:0x05 Telephony Headset". */
  telephonyCollection: string | undefined;
  inputs: Array<{ name: InputName; usage: string; label: string; behaviour: ControlBehaviour; reportId: number; bit: number; constant: boolean }>;
  keypad: boolean;
  outputs: Array<{ name: OutputName; usage: string; label: string; reportId: number; bit: number }>;
  consumer: Array<{ name: ConsumerName; usage: string; behaviour: ControlBehaviour }>;
  collections: string[];
}

export function capabilitiesOf(model: TelephonyModel): HeadsetCapabilities {
  const tlc = (c: CollectionSummary) => `${usageCode(c.usagePage, c.usage)} ${c.name}`;
  return {
    callControl: model.callControl,
    telephonyCollection: model.collection ? tlc(model.collection) : undefined,
    inputs: model.inputs.map((i) => ({
      name: i.name, usage: usageCode(i.page, i.usage), label: i.label, behaviour: i.behaviour,
      reportId: i.location.reportId, bit: i.location.bitOffset, constant: i.constant,
    })),
    keypad: model.keypads.length > 0,
    outputs: model.outputs.map((o) => ({ name: o.name, usage: usageCode(o.page, o.usage), label: o.label, reportId: o.location.reportId, bit: o.location.bitOffset })),
    consumer: model.consumer.map((c) => ({ name: c.name, usage: usageCode(c.page, c.usage), behaviour: c.behaviour })),
    collections: model.topLevelCollections.map(tlc),
  };
}
