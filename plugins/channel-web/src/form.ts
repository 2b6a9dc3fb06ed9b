/**
 * The appeal form, end to end: read the body (JSON, or multipart with files), check every field,
 * verify an identity token, then register the appeal through `appeals.intake` and answer with the
 * registration number and the status secret. The answer is given only after intake returned, so the
 * appeal is committed by then. A repeated submit (same submission id) gives the same appeal and the
 * same secret.
 */
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import {
  Appeal, DomainError, Interaction, InteractionAttachment, Service, tooLarge, type AppealType, type CoreContext, type IntakeInput, type IntakeResult,
} from '@okno/core';
import type { PortalConfig } from './config.js';
import { identityOf, type IdentityVerifier } from './identity.js';
import { fieldErrors, humanBytes, text, type FieldIssue, type Lang } from './messages.js';
import { FormLimitError, isMultipart, parseMultipart, type TempFile } from './multipart.js';
import { checkSubmission, type SubmissionInput } from './submission.js';
import { PortalSubmission } from './entities.js';
import { sealSecret, submissionHash, submissionMessageId, unsealSecret } from './sealed-secret.js';

export const PORTAL_CHANNEL = 'portal';

export interface FormDeps {
  core: CoreContext;
  config: PortalConfig;
  identity: IdentityVerifier;
  /** Calls a core action (appeals.intake) through the broker. */
  call<R>(action: string, params: object): Promise<R>;
}

export interface FormRequest {
  contentType: string | null;
  /** What the gateway parsed: the JSON body and the query string. */
  params: Record<string, unknown>;
  /** The raw body (read for multipart). */
  body: Readable | null;
}

export interface SubmitAnswer {
  regNumber: string | null;
  /** Give it with the number to check the status; null only when a repeat came after the keeping window. */
  statusSecret: string | null;
  status: string;
  type: AppealType;
  /** How the answer will come: by e-mail, by post (and in the portal box), or in the portal box. */
  replyBy: 'email' | 'post' | 'portal';
  attachments: number;
  /** true: this submission was received before; this is the same appeal. */
  duplicate: boolean;
}

/** Where uploads wait while their form is read and checked. */
export const uploadsDir = (core: Pick<CoreContext, 'config'>) => resolve(core.config.dataDir, 'portal-uploads');

/** Removes uploads left by a crash (older than `olderThanMs`; newer ones may be in flight on another node). */
export async function removeStaleUploads(core: Pick<CoreContext, 'config'>, olderThanMs = 3600_000): Promise<number> {
  const dir = uploadsDir(core);
  const names = await readdir(dir).catch(() => [] as string[]);
  let removed = 0;
  for (const n of names) {
    const st = await stat(join(dir, n)).catch(() => null);
    if (st && Date.now() - st.mtimeMs > olderThanMs) {
      await rm(join(dir, n), { recursive: true, force: true });
      removed++;
    }
  }
  return removed;
}

export function isJson(contentType: string | null): boolean {
  return /^application\/(json|[\w.+-]+\+json)\s*(;|$)/i.test(contentType ?? '');
}

export const unsupportedMediaType = () =>
  new DomainError('send the form as application/json, or as multipart/form-data when it has files', 415, 'UNSUPPORTED_MEDIA_TYPE');

/** The form's fields from whichever body was sent; files stay in `dir`. */
async function readForm(deps: FormDeps, req: FormRequest, dir: string): Promise<{ raw: Record<string, unknown>; files: TempFile[]; truncated: string[] }> {
  const query = Object.fromEntries(Object.entries(req.params).filter(([k]) => !k.startsWith('$')));
  if (isJson(req.contentType)) return { raw: query, files: [], truncated: [] };
  if (!isMultipart(req.contentType) || !req.body) {
    req.body?.resume();
    throw unsupportedMediaType();
  }
  const l = deps.config.limits;
  const parsed = await parseMultipart(req.body, req.contentType!, {
    maxFiles: l.maxFiles, maxFileBytes: Math.min(l.maxFileBytes, deps.core.config.attachments.maxBytes), maxTotalBytes: l.maxTotalBytes,
    // UTF-8 takes up to 4 bytes a character; a longer field is reported as too long.
    maxFieldBytes: Math.max(l.maxTextLength * 4, 16 * 1024), maxFields: 30,
  }, dir);
  return { raw: { ...query, ...parsed.fields }, files: parsed.files, truncated: parsed.truncated };
}

function limitError(err: FormLimitError, deps: FormDeps, lang: Lang): DomainError {
  const l = deps.config.limits;
  const maxFile = Math.min(l.maxFileBytes, deps.core.config.attachments.maxBytes);
  switch (err.kind) {
    case 'fileSize':
      return tooLarge(text('fileTooLarge', lang, { filename: err.filename ?? '', max: humanBytes(maxFile) }), { field: 'files', filename: err.filename, limit: maxFile });
    case 'totalSize':
      return tooLarge(text('totalTooLarge', lang, { max: humanBytes(l.maxTotalBytes) }), { field: 'files', limit: l.maxTotalBytes });
    case 'files':
      return fieldErrors([{ field: 'files', key: 'tooManyFiles', params: { max: l.maxFiles } }], lang);
    default:
      return new DomainError(err.message, 400, 'BAD_REQUEST');
  }
}

function fileIssues(files: TempFile[], allowed: string[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const f of files) {
    if (allowed.length && !allowed.some((t) => f.mime.startsWith(t))) issues.push({ field: 'files', key: 'fileType', params: { mime: f.mime, filename: f.filename } });
    else if (f.size === 0) issues.push({ field: 'files', key: 'emptyFile', params: { filename: f.filename } });
  }
  return issues;
}

async function checkService(deps: FormDeps, serviceId: number | null, issues: FieldIssue[]): Promise<void> {
  if (serviceId == null) return;
  const s = await deps.core.db.read((em) => em.findOne(Service, { where: { id: serviceId }, select: { id: true, active: true } }));
  if (!s || !s.active) issues.push({ field: 'serviceId', key: 'unknownService' });
}

/** Where answers go (see PortalConfig.replyByEmail). */
export function replyTarget(config: PortalConfig, s: Pick<SubmissionInput, 'replyBy' | 'email' | 'postalAddress'>): { replyTo: { channel: string; address: string }; replyBy: SubmitAnswer['replyBy'] } {
  if (s.replyBy === 'email' && s.email && config.replyByEmail) return { replyTo: { channel: 'email', address: s.email }, replyBy: 'email' };
  if (s.replyBy === 'post' && s.postalAddress) return { replyTo: { channel: PORTAL_CHANNEL, address: s.postalAddress }, replyBy: 'post' };
  return { replyTo: { channel: PORTAL_CHANNEL, address: s.email ?? s.postalAddress ?? 'portal' }, replyBy: 'portal' };
}

/** The secret kept for a repeated submit (waits briefly for a concurrent first submit to store it). */
async function keptSecret(deps: FormDeps, submissionId: string): Promise<string | null> {
  const hash = submissionHash(submissionId);
  for (let i = 0; i < 20; i++) {
    const row = await deps.core.db.read((em) => em.findOne(PortalSubmission, { where: { submissionHash: hash } }));
    if (row) return unsealSecret(submissionId, row.sealedSecret);
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

async function existingSubmission(deps: FormDeps, messageId: string): Promise<boolean> {
  return Boolean(await deps.core.db.read((em) => em.findOne(Interaction, { where: { channel: PORTAL_CHANNEL, externalId: messageId }, select: { id: true } })));
}

export async function submitForm(deps: FormDeps, req: FormRequest): Promise<SubmitAnswer> {
  // Under the data folder (the attachments' volume), one folder per request, removed at the end.
  const uploads = uploadsDir(deps.core);
  await mkdir(uploads, { recursive: true });
  const dir = await mkdtemp(join(uploads, 'u-'));
  try {
    let form: Awaited<ReturnType<typeof readForm>>;
    try {
      form = await readForm(deps, req, dir);
    } catch (err) {
      if (err instanceof FormLimitError) throw limitError(err, deps, checkSubmission(req.params, deps.config.limits).lang);
      throw err;
    }
    const { input, issues, lang } = checkSubmission(form.raw, deps.config.limits);
    for (const f of form.truncated) if (!issues.some((i) => i.field === f)) issues.push({ field: f, key: 'tooLong', params: { max: f === 'text' ? deps.config.limits.maxTextLength : 4096 } });
    issues.push(...fileIssues(form.files, deps.config.limits.allowedTypes));
    const identity = await identityOf(deps.identity, input?.identityToken ?? null, issues);
    await checkService(deps, input?.serviceId ?? null, issues);
    if (issues.length || !input) throw fieldErrors(issues, lang);

    const messageId = submissionMessageId(input.submissionId);
    const target = replyTarget(deps.config, input);
    const type: AppealType = identity ? 'electronic_document' : 'electronic';
    if (await existingSubmission(deps, messageId)) return repeatAnswer(deps, input, messageId, target.replyBy);

    const attachments: { attachmentId: number; filename: string }[] = [];
    for (const f of form.files) {
      const a = await deps.core.attachments.put(createReadStream(f.path), { filename: f.filename, mime: f.mime });
      attachments.push({ attachmentId: a.id, filename: a.filename });
    }
    const contacts = [
      ...(input.email ? [{ kind: 'email', value: input.email }] : []),
      ...(input.phone ? [{ kind: 'phone', value: input.phone }] : []),
      ...(input.postalAddress ? [{ kind: 'postal', value: input.postalAddress }] : []),
      ...(identity ? [{ kind: 'portal', value: `${identity.issuer}:${identity.subject}` }] : []),
    ];
    const intake: IntakeInput = {
      channel: PORTAL_CHANNEL, messageId, type, kind: 'message',
      applicant: { kind: 'citizen', fullName: input.fullName, contacts: contacts as IntakeInput['applicant']['contacts'] },
      subject: input.subject, body: input.text, attachments, serviceId: input.serviceId, replyTo: target.replyTo,
      issueStatusSecret: true, lang: input.lang,
      meta: { form: { identified: Boolean(identity), ...(identity ? { identityIssuer: identity.issuer } : {}), replyBy: target.replyBy } },
      ...(deps.config.siteCode ? { siteCode: deps.config.siteCode } : {}),
    };
    const r = await deps.call<IntakeResult>('appeals.intake', intake);
    if (!r.created) return repeatAnswer(deps, input, messageId, target.replyBy);
    if (r.statusSecret) {
      await deps.core.db.transaction((em) => em.insert(PortalSubmission, {
        submissionHash: submissionHash(input.submissionId), appealId: r.appealId, sealedSecret: sealSecret(input.submissionId, r.statusSecret!), createdAt: deps.core.clock(),
      }));
    }
    return { regNumber: r.regNumber, statusSecret: r.statusSecret ?? null, status: r.status, type, replyBy: target.replyBy, attachments: attachments.length, duplicate: false };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function repeatAnswer(deps: FormDeps, input: SubmissionInput, messageId: string, replyBy: SubmitAnswer['replyBy']): Promise<SubmitAnswer> {
  const { appeal, files } = await deps.core.db.read(async (em) => {
    const inter = await em.findOneOrFail(Interaction, { where: { channel: PORTAL_CHANNEL, externalId: messageId } });
    return { appeal: await em.findOneOrFail(Appeal, { where: { id: inter.appealId } }), files: await em.countBy(InteractionAttachment, { interactionId: inter.id }) };
  });
  return { regNumber: appeal.regNumber, statusSecret: await keptSecret(deps, input.submissionId), status: appeal.status, type: appeal.type, replyBy, attachments: files, duplicate: true };
}
