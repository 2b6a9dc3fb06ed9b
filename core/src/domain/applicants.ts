/**
 * Applicants (citizens and organisations' representatives) with their contact points and appeal
 * history. Reading or changing an applicant by a person is audited (152-FZ).
 */
import { In, type EntityManager } from 'typeorm';
import type { Database } from '../persistence/database.js';
import { Applicant, ContactPoint, Appeal, type ApplicantKind, type ContactKind, AuditEntry, DestructionAct, Interaction } from '../persistence/entities/index.js';
import type { Actor } from './actor.js';
import { recordAudit } from './audit.js';
import { appendJournal } from './journal.js';
import { invalid, notFound } from './errors.js';
import { normalizeContact, contactProblems, type ContactInput } from './contacts.js';
import { optionalText, type Problem } from './text-fields.js';
import { sqlFor, sqlInsert, sqlInsertMany, lookup, runLookups, num, type Sql, type Lookup, type LookupRow, type Quote } from '../persistence/sql.js';

export interface ApplicantInput {
  kind?: ApplicantKind;
  fullName?: string | null;
  organisationName?: string | null;
  contacts?: ContactInput[];
}

export interface ApplicantView {
  id: number;
  kind: ApplicantKind;
  fullName: string | null;
  organisationName: string | null;
  contacts: { id: number; kind: string; value: string }[];
  appeals: { id: number; regNumber: string | null; status: string; channel: string; subject: string | null; receivedAt: Date; serviceId: number | null }[];
  createdAt: Date;
  destroyedAt: Date | null;
}

export function applicantProblems(input: ApplicantInput, field = 'applicant'): Problem[] {
  const p: Problem[] = [];
  if (input.kind && input.kind !== 'citizen' && input.kind !== 'organisation') p.push([`${field}.kind`, 'must be citizen or organisation']);
  optionalText(p, `${field}.fullName`, input.fullName, 300);
  optionalText(p, `${field}.organisationName`, input.organisationName, 400);
  if (input.kind === 'organisation' && !input.organisationName?.trim()) p.push([`${field}.organisationName`, 'is required for an organisation representative']);
  p.push(...contactProblems(input.contacts ?? [], `${field}.contacts`));
  return p;
}

/** A contact as given, with its normal form. */
export interface NormalContact {
  kind: ContactKind;
  value: string;
  normalized: string;
}

/** The applicant's contacts in their normal form, each address once. */
export function normalContacts(input: ApplicantInput): NormalContact[] {
  const out: NormalContact[] = [];
  for (const c of input.contacts ?? []) {
    const normalized = normalizeContact(c.kind, c.value);
    if (!out.some((o) => o.kind === c.kind && o.normalized === normalized)) out.push({ kind: c.kind, value: c.value.trim(), normalized });
  }
  return out;
}

/** `(alias.kind = ? AND alias.normalized = ?) OR ...` for `count` contacts. */
export function contactCondition(q: Quote, alias: string, count: number): string {
  return Array.from({ length: count }, () => `(${alias}.${q('kind')} = ? AND ${alias}.${q('normalized')} = ?)`).join(' OR ');
}

/** The parameters of contactCondition(). */
export function contactParams(contacts: readonly NormalContact[]): string[] {
  return contacts.flatMap((c) => [c.kind, c.normalized]);
}

/** An address already on record, with the applicant it belongs to. */
export interface KnownContact {
  kind: string;
  normalized: string;
  applicant: { id: number; fullName: string | null; organisationName: string | null; destroyed: boolean } | null;
}

const KNOWN = 'contact';

/** The lookup of the contacts on record (tagged rows, to share a round trip with other lookups). */
export function knownContactsLookup(q: Quote, contacts: readonly NormalContact[]): Lookup | null {
  if (!contacts.length) return null;
  return lookup(q, KNOWN, String(contacts.length), contactParams(contacts), () => ({
    numbers: [`a.${q('id')}`, `a.${q('destroyedAt')}`],
    texts: [`c.${q('kind')}`, `c.${q('normalized')}`, `a.${q('fullName')}`, `a.${q('organisationName')}`],
    rest: `FROM ${q('contact_points')} c LEFT JOIN ${q('applicants')} a ON a.${q('id')} = c.${q('applicantId')} WHERE ${contactCondition(q, 'c', contacts.length)}`,
  }));
}

export function knownContactsFrom(rows: readonly LookupRow[]): KnownContact[] {
  return rows.filter((r) => r.k === KNOWN).map((r) => ({
    kind: r.s1!, normalized: r.s2!,
    applicant: r.n1 == null ? null : { id: num(r.n1)!, fullName: r.s3, organisationName: r.s4, destroyed: r.n2 != null },
  }));
}

/**
 * The applicant these contacts belong to, or a new one, given the contacts already on record: the
 * first given address on record names the applicant; new addresses are added to it; a missing name
 * is filled in.
 */
export async function settleApplicant(sql: Sql, input: ApplicantInput, contacts: readonly NormalContact[], known: readonly KnownContact[], now: Date): Promise<{ id: number }> {
  const q = sql.q;
  const isKnown = (c: NormalContact) => known.find((k) => k.kind === c.kind && k.normalized === c.normalized);
  let applicant = contacts.map(isKnown).find(Boolean)?.applicant ?? null;
  if (applicant?.destroyed) applicant = null;
  const fullName = input.fullName?.trim() || null;
  const organisationName = input.organisationName?.trim() || null;
  let id: number;
  if (!applicant) {
    const values = { kind: input.kind ?? (organisationName ? 'organisation' : 'citizen'), fullName, organisationName, createdAt: now, updatedAt: now, destroyedAt: null } as const;
    id = await sqlInsert(sql, 'applicants', values);
  } else {
    id = applicant.id;
    if ((!applicant.fullName && fullName) || (!applicant.organisationName && organisationName)) {
      await sql.run(`UPDATE ${q('applicants')} SET ${q('fullName')} = ?, ${q('organisationName')} = ?, ${q('updatedAt')} = ? WHERE ${q('id')} = ?`,
        [applicant.fullName ?? fullName, applicant.organisationName ?? organisationName, now, id]);
    }
  }
  // Addresses already on record (this applicant's or, rarely, another record's) stay where they are;
  // new ones are added to this applicant. The unique index settles a race with a concurrent intake.
  await sqlInsertMany(sql, 'contact_points', contacts.filter((c) => !isKnown(c)).map((c) => ({ applicantId: id, kind: c.kind, value: c.value, normalized: c.normalized })));
  return { id };
}

/** The applicant these contacts belong to, or a new one (see settleApplicant). */
export async function findOrCreateApplicant(em: EntityManager, input: ApplicantInput, now: Date): Promise<{ id: number }> {
  const sql = sqlFor(em);
  const contacts = normalContacts(input);
  const l = knownContactsLookup(sql.q, contacts);
  const known = l ? knownContactsFrom(await runLookups(sql, [l])) : [];
  return settleApplicant(sql, input, contacts, known, now);
}

async function view(em: EntityManager, applicant: Applicant): Promise<ApplicantView> {
  const contacts = await em.find(ContactPoint, { where: { applicantId: applicant.id }, order: { id: 'ASC' } });
  const appeals = await em.find(Appeal, { where: { applicantId: applicant.id }, order: { receivedAt: 'DESC' }, take: 200 });
  return {
    id: applicant.id, kind: applicant.kind, fullName: applicant.fullName, organisationName: applicant.organisationName,
    contacts: contacts.map((c) => ({ id: c.id, kind: c.kind, value: c.value })),
    appeals: appeals.map((a) => ({ id: a.id, regNumber: a.regNumber, status: a.status, channel: a.channel, subject: a.subject, receivedAt: a.receivedAt, serviceId: a.serviceId })),
    createdAt: applicant.createdAt, destroyedAt: applicant.destroyedAt,
  };
}

/** An applicant with contacts and appeal history; the read is audited. */
export async function getApplicant(db: Database, actor: Actor, id: number, purpose = 'view'): Promise<ApplicantView> {
  return db.transaction(async (em) => {
    const applicant = await em.findOne(Applicant, { where: { id } });
    if (!applicant) throw notFound('applicant', id);
    await recordAudit(em, actor, { action: 'read', entityType: 'applicant', entityId: id, applicantId: id, detail: { purpose, fields: ['fullName', 'organisationName', 'contacts', 'appeals'] } });
    return view(em, applicant);
  });
}

/** Finds applicants by name or contact; every applicant returned is an audited read. */
export async function searchApplicants(db: Database, actor: Actor, q: string, limit = 20): Promise<ApplicantView[]> {
  const needle = q.trim().toLowerCase();
  if (needle.length < 3) throw invalid(['q', 'needs at least 3 characters']);
  return db.transaction(async (em) => {
    const byContact = await em.getRepository(ContactPoint).createQueryBuilder('c').where('c.normalized LIKE :n', { n: `%${needle}%` }).limit(limit).getMany();
    const byName = await em.getRepository(Applicant).createQueryBuilder('a')
      .where('(LOWER(a.fullName) LIKE :n OR LOWER(a.organisationName) LIKE :n) AND a.destroyedAt IS NULL', { n: `%${needle}%` }).limit(limit).getMany();
    const ids = [...new Set([...byContact.map((c) => c.applicantId), ...byName.map((a) => a.id)])].slice(0, limit);
    const found = ids.length ? await em.find(Applicant, { where: { id: In(ids) } }) : [];
    const out: ApplicantView[] = [];
    for (const a of found) {
      await recordAudit(em, actor, { action: 'read', entityType: 'applicant', entityId: a.id, applicantId: a.id, detail: { purpose: 'search' } });
      out.push(await view(em, a));
    }
    return out;
  });
}

/** Corrects an applicant's data; the change is audited with the fields changed. */
export async function updateApplicant(db: Database, actor: Actor, id: number, input: ApplicantInput): Promise<ApplicantView> {
  const p = applicantProblems(input, 'body');
  if (p.length) throw invalid(...p);
  return db.transaction(async (em) => {
    const applicant = await em.findOne(Applicant, { where: { id } });
    if (!applicant) throw notFound('applicant', id);
    const changed: string[] = [];
    const now = new Date();
    for (const f of ['kind', 'fullName', 'organisationName'] as const) {
      if (input[f] !== undefined && input[f] !== applicant[f]) {
        (applicant as unknown as Record<string, unknown>)[f] = typeof input[f] === 'string' ? (input[f] as string).trim() || null : input[f];
        changed.push(f);
      }
    }
    if (input.contacts) {
      await em.delete(ContactPoint, { applicantId: id });
      for (const c of input.contacts) {
        const normalized = normalizeContact(c.kind, c.value);
        const owner = await em.findOne(ContactPoint, { where: { kind: c.kind, normalized } });
        if (owner) throw invalid(['body.contacts', `${c.kind} ${c.value} belongs to another applicant`]);
        await em.insert(ContactPoint, { applicantId: id, kind: c.kind, value: c.value.trim(), normalized });
      }
      changed.push('contacts');
    }
    applicant.updatedAt = now;
    await em.save(Applicant, applicant);
    await recordAudit(em, actor, { action: 'update', entityType: 'applicant', entityId: id, applicantId: id, detail: { fields: changed } });
    await appendJournal(em, { type: 'applicant.updated', aggregateType: 'applicant', aggregateId: id, actorId: actor.userId, data: { fields: changed } });
    return view(em, applicant);
  });
}

/**
 * Destroys the personal data of applicants whose purpose is achieved (152-FZ art. 21): names and
 * contacts are erased, message bodies of their appeals are replaced, the rows stay for statistics.
 * The act records who, when, why, and an extract of the audit log for each applicant.
 */
export async function destroyApplicantData(db: Database, actor: Actor, applicantIds: number[], reason: string): Promise<DestructionAct> {
  if (!reason?.trim()) throw invalid(['reason', 'is required']);
  if (!applicantIds.length) throw invalid(['applicantIds', 'must name at least one applicant']);
  return db.transaction(async (em) => {
    const now = new Date();
    const found = await em.find(Applicant, { where: { id: In(applicantIds) } });
    const missing = applicantIds.filter((id) => !found.some((a) => a.id === id));
    if (missing.length) throw invalid(['applicantIds', `unknown applicants: ${missing.join(', ')}`]);
    for (const a of found) {
      await em.update(Applicant, { id: a.id }, { fullName: null, organisationName: null, destroyedAt: now, updatedAt: now });
      await em.delete(ContactPoint, { applicantId: a.id });
      const appealIds = (await em.find(Appeal, { where: { applicantId: a.id }, select: { id: true } })).map((x) => x.id);
      if (appealIds.length) {
        await em.update(Appeal, { id: In(appealIds) }, { replyAddress: null, subject: null });
        await em.update(Interaction, { appealId: In(appealIds) }, { body: '[destroyed]', subject: null, meta: null });
      }
      await recordAudit(em, actor, { action: 'destroy', entityType: 'applicant', entityId: a.id, applicantId: a.id, detail: { reason } }, now);
    }
    const extract = await em.find(AuditEntry, { where: { applicantId: In(applicantIds) }, order: { id: 'ASC' } });
    const act = await em.save(DestructionAct, em.create(DestructionAct, {
      at: now, userId: actor.userId, reason: reason.trim(), applicantIds,
      logExtract: extract.map((e) => ({ at: e.at.toISOString(), login: e.login, action: e.action, entityType: e.entityType, entityId: e.entityId, applicantId: e.applicantId })),
    }));
    await appendJournal(em, { type: 'applicant.destroyed', aggregateType: 'destruction_act', aggregateId: act.id, actorId: actor.userId, data: { applicants: applicantIds.length } });
    return act;
  });
}
