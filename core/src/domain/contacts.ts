/** Contact points: validation and the normal form that lets the same address be found again. */
import { CONTACT_KINDS, type ContactKind } from '../persistence/entities/index.js';
import type { Problem } from './text-fields.js';

export interface ContactInput {
  kind: ContactKind;
  value: string;
}

const EMAIL_RE = /^[^@\s<>(),;:"]+@[^@\s<>(),;:"]+\.[^@\s<>(),;:"]+$/;

export function normalizeContact(kind: ContactKind, value: string): string {
  const v = value.trim();
  switch (kind) {
    case 'email':
      return v.toLowerCase();
    case 'phone':
    case 'fax': {
      let digits = v.replace(/\D/g, '');
      // Russian numbers: 8XXXXXXXXXX and 7XXXXXXXXXX are the same line.
      if (digits.length === 11 && digits.startsWith('8')) digits = `7${digits.slice(1)}`;
      if (digits.length === 10) digits = `7${digits}`;
      return digits;
    }
    default:
      return v.toLowerCase().replace(/\s+/g, ' ');
  }
}

export function contactProblems(contacts: ContactInput[], field = 'contacts'): Problem[] {
  const p: Problem[] = [];
  contacts.forEach((c, i) => {
    const f = `${field}[${i}]`;
    if (!CONTACT_KINDS.includes(c.kind)) p.push([`${f}.kind`, `must be one of ${CONTACT_KINDS.join(', ')}`]);
    const v = typeof c.value === 'string' ? c.value.trim() : '';
    if (!v) p.push([`${f}.value`, 'is required']);
    else if (v.length > 400) p.push([`${f}.value`, 'is longer than 400 characters']);
    else if (c.kind === 'email' && !EMAIL_RE.test(v)) p.push([`${f}.value`, 'is not an e-mail address']);
    else if ((c.kind === 'phone' || c.kind === 'fax') && normalizeContact(c.kind, v).length < 5) p.push([`${f}.value`, 'is not a phone number']);
  });
  return p;
}

export function isEmail(value: string): boolean {
  return EMAIL_RE.test(value.trim());
}
