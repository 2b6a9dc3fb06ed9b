/**
 * HID usage pages and usages that matter for headsets, with their names.
 *
 * Numeric values: HUT 1.12 (Telephony page 0x0B §14, LED page 0x08, Consumer page 0x0C, Button page 0x09),
 * as listed in ../shared/reference/edge-hardware.md §2.1.
 */

export const Page = {
  GenericDesktop: 0x01,
  LED: 0x08,
  Button: 0x09,
  Telephony: 0x0b,
  Consumer: 0x0c,
} as const;

/** Telephony page 0x0B usages used by the telephony model. */
export const Tel = {
  Phone: 0x01,
  Handset: 0x04,
  Headset: 0x05,
  KeyPad: 0x06,
  ProgrammableButton: 0x07,
  HookSwitch: 0x20,
  Flash: 0x21,
  Hold: 0x23,
  Redial: 0x24,
  Line: 0x2a,
  SpeakerPhone: 0x2b,
  PhoneMute: 0x2f,
  SpeedDial: 0x50,
  VoiceMail: 0x70,
  LineBusyTone: 0x97,
  Ringer: 0x9e,
  PhoneKey0: 0xb0,
  PhoneKeyD: 0xbf,
} as const;

/** LED page 0x08 usages. */
export const Led = {
  Mute: 0x09,
  OffHook: 0x17,
  Ring: 0x18,
  MessageWaiting: 0x19,
  Speaker: 0x1e,
  Hold: 0x20,
  Microphone: 0x21,
  SendCalls: 0x24,
  OnLine: 0x2a,
} as const;

/** Consumer page 0x0C usages. */
export const Consumer = {
  ConsumerControl: 0x01,
  VolumeIncrement: 0xe9,
  VolumeDecrement: 0xea,
  Mute: 0xe2,
} as const;

const telephonyNames: Record<number, string> = {
  0x01: 'Phone', 0x02: 'Answering Machine', 0x03: 'Message Controls', 0x04: 'Handset', 0x05: 'Headset',
  0x06: 'Telephony Key Pad', 0x07: 'Programmable Button', 0x20: 'Hook Switch', 0x21: 'Flash', 0x22: 'Feature',
  0x23: 'Hold', 0x24: 'Redial', 0x25: 'Transfer', 0x26: 'Drop', 0x27: 'Park', 0x28: 'Forward Calls',
  0x29: 'Alternate Function', 0x2a: 'Line', 0x2b: 'Speaker Phone', 0x2c: 'Conference', 0x2d: 'Ring Enable',
  0x2e: 'Ring Select', 0x2f: 'Phone Mute', 0x30: 'Caller ID', 0x31: 'Send', 0x50: 'Speed Dial',
  0x51: 'Store Number', 0x52: 'Recall Number', 0x53: 'Phone Directory', 0x70: 'Voice Mail', 0x71: 'Screen Calls',
  0x72: 'Do Not Disturb', 0x73: 'Message', 0x74: 'Answer On/Off', 0x90: 'Inside Dial Tone',
  0x91: 'Outside Dial Tone', 0x92: 'Inside Ring Tone', 0x93: 'Outside Ring Tone', 0x94: 'Priority Ring Tone',
  0x95: 'Inside Ringback', 0x96: 'Priority Ringback', 0x97: 'Line Busy Tone', 0x98: 'Reorder Tone',
  0x99: 'Call Waiting Tone', 0x9a: 'Confirmation Tone 1', 0x9b: 'Confirmation Tone 2', 0x9c: 'Tones Off',
  0x9d: 'Outside Ringback', 0x9e: 'Ringer', 0xba: 'Phone Key *', 0xbb: 'Phone Key #', 0xf1: 'Host Available',
};

const ledNames: Record<number, string> = {
  0x01: 'Num Lock', 0x02: 'Caps Lock', 0x03: 'Scroll Lock', 0x09: 'Mute', 0x17: 'Off-Hook', 0x18: 'Ring',
  0x19: 'Message Waiting', 0x1e: 'Speaker', 0x20: 'Hold', 0x21: 'Microphone', 0x24: 'Send Calls', 0x2a: 'On-Line',
};

const consumerNames: Record<number, string> = {
  0x00: 'Unassigned', 0x01: 'Consumer Control', 0x36: 'Function Buttons', 0xb0: 'Play', 0xb1: 'Pause',
  0xb3: 'Fast Forward', 0xb5: 'Scan Next Track', 0xb6: 'Scan Previous Track', 0xb7: 'Stop', 0xcd: 'Play/Pause',
  0xe2: 'Mute', 0xe9: 'Volume Increment', 0xea: 'Volume Decrement',
};

const pageNames: Record<number, string> = {
  0x01: 'Generic Desktop', 0x07: 'Keyboard', 0x08: 'LED', 0x09: 'Button', 0x0b: 'Telephony', 0x0c: 'Consumer',
};

export function hex(n: number, width = 2): string {
  return '0x' + n.toString(16).toUpperCase().padStart(width, '0');
}

/** "0x0B:0x20" — the compact form used in logs and inventory. */
export function usageCode(page: number, id: number): string {
  return `${hex(page, page > 0xff ? 4 : 2)}:${hex(id, id > 0xff ? 4 : 2)}`;
}

export function pageName(page: number): string {
  if (page >= 0xff00) return `Vendor ${hex(page, 4)}`;
  return pageNames[page] ?? `Page ${hex(page)}`;
}

/** Human name of a usage, e.g. "Telephony Hook Switch", "LED Off-Hook", "Button 1". */
export function usageName(page: number, id: number): string {
  let name: string | undefined;
  if (page === Page.Telephony) {
    if (id >= 0xb0 && id <= 0xb9) name = `Phone Key ${id - 0xb0}`;
    else if (id >= 0xbc && id <= 0xbf) name = `Phone Key ${String.fromCharCode(0x41 + id - 0xbc)}`;
    else name = telephonyNames[id];
  } else if (page === Page.LED) name = ledNames[id];
  else if (page === Page.Consumer) name = consumerNames[id];
  else if (page === Page.Button) return id === 0 ? 'No Button' : `Button ${id}`;
  return `${pageName(page)} ${name ?? hex(id)}`;
}

/** The key a Telephony Key Pad usage stands for ("0".."9", "*", "#", "A".."D"), or undefined. */
export function keypadKey(id: number): string | undefined {
  if (id >= 0xb0 && id <= 0xb9) return String(id - 0xb0);
  if (id === 0xba) return '*';
  if (id === 0xbb) return '#';
  if (id >= 0xbc && id <= 0xbf) return String.fromCharCode(0x41 + id - 0xbc);
  return undefined;
}
