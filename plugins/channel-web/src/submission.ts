/**
 * The appeal form's fields and their checks (59-FZ art. 7: the applicant's name, an address for the
 * answer — e-mail for an electronic answer or a postal address for a paper one — and the text).
 * Pure: the same checks for a JSON body and a multipart form; every problem names its field.
 */
import { isEmail } from '@okno/core';
import { langOf, type FieldIssue, type Lang } from './messages.js';

export interface SubmissionInput {
  /** Made by the form once per appeal; a repeated submit with the same id is the same appeal. */
  submissionId: string;
  fullName: string;
  email: string | null;
  postalAddress: string | null;
  phone: string | null;
  /** How the answer goes: by e-mail (electronic) or by post (paper). */
  replyBy: 'email' | 'post';
  serviceId: number | null;
  subject: string | null;
  text: string;
  lang: Lang;
  identityToken: string | null;
}

export const SUBMISSION_FIELDS = ['submissionId', 'fullName', 'email', 'postalAddress', 'phone', 'replyBy', 'serviceId', 'subject', 'text', 'lang', 'identityToken'] as const;

export interface SubmissionLimits {
  maxTextLength: number;
  maxSubjectLength: number;
}

const SUBMISSION_ID_RE = /^[A-Za-z0-9_-]{16,100}$/;
// eslint-disable-next-line no-control-regex -- control characters are what these find
const CONTROL_IN_LINE = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex -- NUL is never text
const NUL = /\u0000/;
const PHONE_RE = /^\+?[0-9\s().-]{5,30}$/;

type Raw = Record<string, unknown>;

/** A text field: trimmed, NFC, checked for length and characters; null when absent or empty. */
function textField(raw: Raw, field: string, issues: FieldIssue[], o: { max: number; required?: boolean; multiline?: boolean }): string | null {
  const v = raw[field];
  if (v == null || v === '') {
    if (o.required) issues.push({ field, key: 'required' });
    return null;
  }
  if (typeof v !== 'string') {
    issues.push({ field, key: 'notText' });
    return null;
  }
  const s = v.normalize('NFC').trim();
  if (!s) {
    if (o.required) issues.push({ field, key: 'required' });
    return null;
  }
  if (s.length > o.max) {
    issues.push({ field, key: 'tooLong', params: { max: o.max } });
    return null;
  }
  if ((o.multiline ? NUL : CONTROL_IN_LINE).test(s)) {
    issues.push({ field, key: 'controlChars' });
    return null;
  }
  return s;
}

export function checkSubmission(raw: Raw, limits: SubmissionLimits): { input: SubmissionInput | null; issues: FieldIssue[]; lang: Lang } {
  const issues: FieldIssue[] = [];
  const lang = langOf(raw.lang);
  for (const k of Object.keys(raw)) if (!(SUBMISSION_FIELDS as readonly string[]).includes(k)) issues.push({ field: k.slice(0, 64), key: 'unknownField' });

  const submissionId = textField(raw, 'submissionId', issues, { max: 100, required: true });
  if (submissionId && !SUBMISSION_ID_RE.test(submissionId)) issues.push({ field: 'submissionId', key: 'submissionId' });
  const fullName = textField(raw, 'fullName', issues, { max: 300, required: true });
  const email = textField(raw, 'email', issues, { max: 320 });
  if (email && !isEmail(email)) issues.push({ field: 'email', key: 'email' });
  const postalAddress = textField(raw, 'postalAddress', issues, { max: 400 });
  const phone = textField(raw, 'phone', issues, { max: 30 });
  if (phone && (!PHONE_RE.test(phone) || phone.replace(/\D/g, '').length < 5)) issues.push({ field: 'phone', key: 'phone' });
  const subject = textField(raw, 'subject', issues, { max: limits.maxSubjectLength });
  const body = textField(raw, 'text', issues, { max: limits.maxTextLength, required: true, multiline: true });
  const identityToken = textField(raw, 'identityToken', issues, { max: 4096 });

  let replyBy: 'email' | 'post' = email ? 'email' : 'post';
  const rb = raw.replyBy;
  if (rb != null && rb !== '') {
    if (rb === 'email' || rb === 'post') replyBy = rb;
    else issues.push({ field: 'replyBy', key: 'oneOf', params: { values: 'email, post' } });
  }
  const emailIssue = issues.some((i) => i.field === 'email');
  const postalIssue = issues.some((i) => i.field === 'postalAddress');
  if (!email && !postalAddress) {
    if (!emailIssue && !postalIssue) issues.push({ field: 'email', key: 'contactRequired' }, { field: 'postalAddress', key: 'contactRequired' });
  } else if (replyBy === 'email' && !email && !emailIssue) {
    issues.push({ field: 'email', key: 'replyByEmailNeedsEmail' });
  } else if (replyBy === 'post' && !postalAddress && !postalIssue) {
    issues.push({ field: 'postalAddress', key: 'replyByPostNeedsAddress' });
  }

  let serviceId: number | null = null;
  const sv = raw.serviceId;
  if (sv != null && sv !== '') {
    const n = typeof sv === 'number' ? sv : typeof sv === 'string' && /^\d{1,9}$/.test(sv.trim()) ? Number(sv.trim()) : NaN;
    if (Number.isInteger(n) && n > 0) serviceId = n;
    else issues.push({ field: 'serviceId', key: 'number' });
  }
  if (raw.lang != null && raw.lang !== '' && raw.lang !== 'ru' && raw.lang !== 'en') issues.push({ field: 'lang', key: 'oneOf', params: { values: 'ru, en' } });

  if (issues.length) return { input: null, issues, lang };
  return {
    input: { submissionId: submissionId!, fullName: fullName!, email, postalAddress, phone, replyBy, serviceId, subject, text: body!, lang, identityToken },
    issues,
    lang,
  };
}
