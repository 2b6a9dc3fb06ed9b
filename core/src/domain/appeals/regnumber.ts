/**
 * Registration numbers: `YY-NNNNNN-C`, from the appeal's id (so no counter row serialises intake),
 * with a Luhn check digit C that catches a mistyped or misheard digit when the applicant reads the
 * number back over the phone.
 */
export function luhnDigit(digits: string): number {
  let sum = 0;
  let double = true;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return (10 - (sum % 10)) % 10;
}

const yearFormats = new Map<string, Intl.DateTimeFormat>();

export function formatRegNumber(id: number, registeredAt: Date, timeZone = 'Europe/Moscow'): string {
  let fmt = yearFormats.get(timeZone);
  if (!fmt) yearFormats.set(timeZone, (fmt = new Intl.DateTimeFormat('en', { year: '2-digit', timeZone })));
  const yy = fmt.format(registeredAt);
  const seq = String(id).padStart(6, '0');
  return `${yy}-${seq}-${luhnDigit(yy + seq)}`;
}

const REG_RE = /\b(\d{2})-(\d{6,})-(\d)\b/;

/** Parses and checks a registration number (as typed, spoken or found in a subject line). */
export function parseRegNumber(text: string): { regNumber: string; id: number } | null {
  const m = REG_RE.exec(text.replace(/[‐-―−]/g, '-'));
  if (!m) return null;
  const [, yy, seq, check] = m as unknown as [string, string, string, string];
  if (luhnDigit(yy + seq) !== Number(check)) return null;
  return { regNumber: `${yy}-${seq}-${check}`, id: Number(seq) };
}
