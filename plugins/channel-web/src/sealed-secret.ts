/**
 * A repeated submit of the same form (a lost answer, a double click) must give the citizen the same
 * registration number and status secret. The core hands the secret out once, so the portal keeps it,
 * sealed: AES-256-GCM under a key derived (HKDF) from the submission id, which only the citizen's
 * browser knows. The database holds a hash of the id and the sealed secret, never either in clear.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

const INFO = 'okno-portal-status-secret-v1';

export function submissionHash(submissionId: string): string {
  return createHash('sha256').update(`okno-portal-submission:${submissionId}`).digest('hex');
}

/** The intake message id of a submission (the idempotency key; not the id itself). */
export function submissionMessageId(submissionId: string): string {
  return `form-${createHash('sha256').update(`okno-portal-message:${submissionId}`).digest('hex')}`;
}

function keyOf(submissionId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', submissionId, submissionHash(submissionId), INFO, 32));
}

export function sealSecret(submissionId: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(submissionId), iv);
  const ct = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return [iv, ct, cipher.getAuthTag()].map((b) => b.toString('base64url')).join('.');
}

/** The secret, or null when the seal does not open with this submission id. */
export function unsealSecret(submissionId: string, sealed: string): string | null {
  const [iv, ct, tag] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
  if (!iv || !ct || !tag || iv.length !== 12 || tag.length !== 16) return null;
  try {
    const d = createDecipheriv('aes-256-gcm', keyOf(submissionId), iv);
    d.setAuthTag(tag);
    return Buffer.concat([d.update(ct), d.final()]).toString('utf8');
  } catch {
    return null;
  }
}
