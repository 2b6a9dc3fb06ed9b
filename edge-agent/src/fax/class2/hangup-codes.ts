/**
 * Fax hangup codes: `+FHNG:<decimal>` in Class 2 (SP-2388-A), `+FHS:<hex>` in Class 2.0 (T.32),
 * with their meanings (reference 1.8, after HylaFAX Class2.c++ hangupCodes[], efax c2msg[] and
 * mgetty faxhng.c). The numbering is the same digits in both except 94/92 and 100-103/A0-A3.
 */
export type FaxClass2 = '2' | '2.0';
/**
 * Every class the driver speaks. In Class 1 the host runs T.30 itself and reports its own hangup
 * codes in the decimal Class 2 numbering (the T.30 phase codes; HylaFAX Class 1 does likewise).
 */
export type FaxClass = '1' | FaxClass2;

export type HangupCategory =
  | 'normal'
  | 'no-answer' // ring detect without handshake, no loop current, ringback without answer (HylaFAX NOANSWER)
  | 'no-fax' // phase A / T1 timeout: a voice or no fax answer (HylaFAX NOFCON)
  | 'aborted'
  | 'phase-b-tx'
  | 'phase-c-tx'
  | 'image'
  | 'phase-d-tx'
  | 'phase-b-rx'
  | 'phase-c-rx'
  | 'phase-d-rx'
  | 'vendor'
  | 'unknown';

interface Row {
  class2: number | null;
  class20: string | null;
  meaning: string;
  category: HangupCategory;
}

const ROWS: Row[] = [
  { class2: 0, class20: '0', meaning: 'Normal and proper end of connection', category: 'normal' },
  { class2: 1, class20: '1', meaning: 'Ring detect without successful handshake', category: 'no-answer' },
  { class2: 2, class20: '2', meaning: 'Call aborted, from +FK/+FKS or <CAN>', category: 'aborted' },
  { class2: 3, class20: '3', meaning: 'No loop current', category: 'no-answer' },
  { class2: 4, class20: '4', meaning: 'Ringback detected, no answer (timeout)', category: 'no-answer' },
  { class2: 5, class20: '5', meaning: 'Ringback detected, answer without CED', category: 'no-answer' },
  { class2: 10, class20: '10', meaning: 'Unspecified Phase A error', category: 'no-fax' },
  { class2: 11, class20: '11', meaning: 'No answer (T.30 T1 timeout)', category: 'no-fax' },
  { class2: 20, class20: '20', meaning: 'Unspecified transmit Phase B error', category: 'phase-b-tx' },
  { class2: 21, class20: '21', meaning: 'Remote cannot receive or send (cannot be polled)', category: 'phase-b-tx' },
  { class2: 22, class20: '22', meaning: 'COMREC error in transmit Phase B / got DCN', category: 'phase-b-tx' },
  { class2: 23, class20: '23', meaning: 'COMREC invalid command received / no DIS or DTC', category: 'phase-b-tx' },
  { class2: 24, class20: '24', meaning: 'RSPREC error / got DCN', category: 'phase-b-tx' },
  { class2: 25, class20: '25', meaning: 'DCS sent 3 times without response', category: 'phase-b-tx' },
  { class2: 26, class20: '26', meaning: 'DIS/DTC received 3 times; DCS not recognized', category: 'phase-b-tx' },
  { class2: 27, class20: '27', meaning: 'Failure to train at 2400 bps or +FMINSP value', category: 'phase-b-tx' },
  { class2: 28, class20: '28', meaning: 'RSPREC invalid response received', category: 'phase-b-tx' },
  { class2: 40, class20: '40', meaning: 'Unspecified transmit Phase C error', category: 'phase-c-tx' },
  { class2: 41, class20: '41', meaning: 'Unspecified image format error', category: 'image' },
  { class2: 42, class20: '42', meaning: 'Image conversion error', category: 'image' },
  { class2: 43, class20: '43', meaning: 'DTE to DCE data underflow', category: 'phase-c-tx' },
  { class2: 44, class20: '44', meaning: 'Unrecognized transparent data command', category: 'phase-c-tx' },
  { class2: 45, class20: '45', meaning: 'Image error, line length wrong', category: 'image' },
  { class2: 46, class20: '46', meaning: 'Image error, page length wrong', category: 'image' },
  { class2: 47, class20: '47', meaning: 'Image error, wrong compression code', category: 'image' },
  { class2: 50, class20: '50', meaning: 'Unspecified transmit Phase D error (incl. +FPHCTO timeout between data and +FET)', category: 'phase-d-tx' },
  { class2: 51, class20: '51', meaning: 'RSPREC error / got DCN', category: 'phase-d-tx' },
  { class2: 52, class20: '52', meaning: 'No response to MPS repeated 3 times', category: 'phase-d-tx' },
  { class2: 53, class20: '53', meaning: 'Invalid response to MPS', category: 'phase-d-tx' },
  { class2: 54, class20: '54', meaning: 'No response to EOP repeated 3 times', category: 'phase-d-tx' },
  { class2: 55, class20: '55', meaning: 'Invalid response to EOP', category: 'phase-d-tx' },
  { class2: 56, class20: '56', meaning: 'No response to EOM repeated 3 times', category: 'phase-d-tx' },
  { class2: 57, class20: '57', meaning: 'Invalid response to EOM', category: 'phase-d-tx' },
  { class2: 58, class20: '58', meaning: 'Unable to continue after PIN or PIP', category: 'phase-d-tx' },
  { class2: 70, class20: '70', meaning: 'Unspecified receive Phase B error', category: 'phase-b-rx' },
  { class2: 71, class20: '71', meaning: 'RSPREC error / got DCN', category: 'phase-b-rx' },
  { class2: 72, class20: '72', meaning: 'COMREC error', category: 'phase-b-rx' },
  { class2: 73, class20: '73', meaning: 'T.30 T2 timeout, expected page not received', category: 'phase-b-rx' },
  { class2: 74, class20: '74', meaning: 'T.30 T1 timeout after EOM received', category: 'phase-b-rx' },
  { class2: 90, class20: '90', meaning: 'Unspecified receive Phase C error (incl. too much delay between TCF and +FDR)', category: 'phase-c-rx' },
  { class2: 91, class20: '91', meaning: 'Missing EOL after 5 seconds', category: 'phase-c-rx' },
  { class2: 93, class20: '93', meaning: 'DCE to DTE buffer overflow', category: 'phase-c-rx' },
  { class2: 94, class20: '92', meaning: 'Bad CRC or frame (ECM/BFT)', category: 'phase-c-rx' },
  { class2: 100, class20: 'A0', meaning: 'Unspecified receive Phase D error', category: 'phase-d-rx' },
  { class2: 101, class20: 'A1', meaning: 'RSPREC invalid response received', category: 'phase-d-rx' },
  { class2: 102, class20: 'A2', meaning: 'COMREC invalid response received', category: 'phase-d-rx' },
  { class2: 103, class20: 'A3', meaning: 'Unable to continue after PIN/PIP (no PRI-Q)', category: 'phase-d-rx' },
  { class2: null, class20: 'E0', meaning: 'Command or signal 10 s timeout (Agere proprietary)', category: 'vendor' },
  ...[128, 129, 130, 131, 132, 133, 134, 135, 141].map((n): Row => ({
    class2: n,
    class20: null,
    meaning: 'Vendor-specific hangup (Everex; DIVA ISDN in mgetty)',
    category: 'vendor',
  })),
];

const BY_CLASS2 = new Map<number, Row>();
const BY_CLASS20 = new Map<string, Row>();
for (const r of ROWS) {
  if (r.class2 !== null) BY_CLASS2.set(r.class2, r);
  if (r.class20 !== null) BY_CLASS20.set(r.class20, r);
}

export interface HangupInfo {
  /** The code as the modem printed it, normalised (leading zeros stripped, upper case; "0" for normal). */
  code: string;
  /** Its numeric value: decimal in Class 2 and 1, hex in Class 2.0. NaN if not a number. */
  value: number;
  faxClass: FaxClass;
  meaning: string;
  category: HangupCategory;
  /** True for the normal end of a call. */
  normal: boolean;
  /** A later retry may succeed (no answer, no fax tone, transient line/protocol trouble); false for image errors and aborts. */
  retryable: boolean;
}

const RETRYABLE: ReadonlySet<HangupCategory> = new Set(['no-answer', 'no-fax', 'phase-b-tx', 'phase-c-tx', 'phase-d-tx', 'vendor', 'unknown']);

/**
 * Looks up a hangup code. `code` is the text after `+FHNG:` / `+FHS:` (or a number: decimal for
 * Class 2, the hex value for Class 2.0). "", "0" and "00" are a normal hangup (HylaFAX processHangup).
 */
export function hangupMeaning(code: string | number, faxClass: FaxClass): HangupInfo {
  let text: string;
  if (typeof code === 'number') text = faxClass === '2.0' ? code.toString(16) : String(code);
  else text = code.trim();
  text = text.toUpperCase().replace(/^0+/, '') || '0';
  const value = parseInt(text, faxClass === '2.0' ? 16 : 10);
  const valid = faxClass === '2.0' ? /^[0-9A-F]+$/.test(text) : /^\d+$/.test(text);
  const row = valid ? (faxClass === '2.0' ? BY_CLASS20.get(text) : BY_CLASS2.get(value)) : undefined;
  const category = row?.category ?? 'unknown';
  return {
    code: text,
    value: valid ? value : NaN,
    faxClass,
    meaning: row?.meaning ?? `Unknown hangup code ${text}`,
    category,
    normal: category === 'normal',
    retryable: RETRYABLE.has(category),
  };
}

/** Every known code of a class, for documentation and telemetry labels. */
export function hangupTable(faxClass: FaxClass2): Array<{ code: string; meaning: string; category: HangupCategory }> {
  return ROWS.filter((r) => (faxClass === '2' ? r.class2 !== null : r.class20 !== null)).map((r) => ({
    code: faxClass === '2' ? String(r.class2) : r.class20!,
    meaning: r.meaning,
    category: r.category,
  }));
}
