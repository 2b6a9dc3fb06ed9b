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
import { sqlFor, sqlInsertIds, sqlInsertLater, lookup, runLookups, num, whichOf, type Sql, type Lookup, type LookupRow, type Quote } from '../persistence/sql.js';

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

/** (kind, normalized) of each contact, in order: the parameters of matching them. */
export function contactParams(contacts: readonly NormalContact[]): string[] {
  return contacts.flatMap((c) => [c.kind, c.normalized]);
}

/** One of the addresses looked up, found on record, with the applicant it belongs to. */
export interface KnownContact {
  contact: NormalContact;
  applicantId: number;
  /** null when the applicant's row is gone. */
  applicant: { fullName: string | null; organisationName: string | null; destroyed: boolean } | null;
}

const KNOWN = 'contact';

/**
 * The lookup of these addresses on record (tagged rows, to share a round trip with other lookups);
 * each row says which of them it is.
 */
export function knownContactsLookup(q: Quote, contacts: readonly NormalContact[]): Lookup | null {
  if (!contacts.length) return null;
  const params = contactParams(contacts);
  return lookup(q, KNOWN, String(contacts.length), [...params, ...params], () => {
    const match = Array.from({ length: contacts.length }, () => `(c.${q('kind')} = ? AND c.${q('normalized')} = ?)`);
    return {
      numbers: [`c.${q('applicantId')}`, `a.${q('destroyedAt')}`, `a.${q('id')}`, whichOf(match)],
      texts: [`a.${q('fullName')}`, `a.${q('organisationName')}`],
      rest: `FROM ${q('contact_points')} c LEFT JOIN ${q('applicants')} a ON a.${q('id')} = c.${q('applicantId')} WHERE ${match.join(' OR ')}`,
    };
  });
}

/** The rows of knownContactsLookup(), for the same `contacts`. */
export function knownContactsFrom(rows: readonly LookupRow[], contacts: readonly NormalContact[]): KnownContact[] {
  return rows.filter((r) => r.k === KNOWN && r.n4 != null).map((r) => ({
    contact: contacts[num(r.n4)!]!, applicantId: num(r.n1)!,
    applicant: r.n3 == null ? null : { fullName: r.s1, organisationName: r.s2, destroyed: r.n2 != null },
  }));
}

/** An applicant as an ApplicantBook decided; `id` is set when the book is written (for a new one). */
export interface ApplicantRef {
  id: number;
}

interface BookEntry extends ApplicantRef {
  isNew: boolean;
  kind: ApplicantKind;
  fullName: string | null;
  organisationName: string | null;
  destroyed: boolean;
  createdAt: Date;
  updatedAt: Date;
  /** An applicant on record whose missing name was filled in. */
  named: boolean;
}

const contactKey = (c: { kind: string; normalized: string }) => `${c.kind}\n${c.normalized}`;

/**
 * Who the applicants of several inputs are, decided one input after another as if each were stored
 * before the next is looked at, then written in a few statements: the first given address on record
 * names the applicant (a new one when there is none, or when that applicant's data was destroyed);
 * new addresses are added to it; a missing name is filled in, one on record is kept.
 */
export class ApplicantBook {
  /** Address -> its applicant (null: the applicant's row is gone), from the record and from earlier inputs. */
  private readonly owners = new Map<string, { applicantId: number; entry: BookEntry | null }>();
  private readonly entries: BookEntry[] = [];
  private readonly newContacts: { entry: BookEntry; contact: NormalContact }[] = [];

  constructor(known: readonly KnownContact[]) {
    const byId = new Map<number, BookEntry>();
    for (const k of known) {
      let entry: BookEntry | null = null;
      if (k.applicant) {
        entry = byId.get(k.applicantId) ?? null;
        if (!entry) {
          entry = { id: k.applicantId, isNew: false, kind: 'citizen', ...k.applicant, createdAt: new Date(0), updatedAt: new Date(0), named: false };
          byId.set(k.applicantId, entry);
          this.entries.push(entry);
        }
      }
      this.owners.set(contactKey(k.contact), { applicantId: k.applicantId, entry });
    }
  }

  /** The applicant of an input with these (normalized) contacts. */
  settle(input: ApplicantInput, contacts: readonly NormalContact[], now: Date): ApplicantRef {
    const fullName = input.fullName?.trim() || null;
    const organisationName = input.organisationName?.trim() || null;
    const first = contacts.map((c) => this.owners.get(contactKey(c))).find(Boolean);
    let entry = first?.entry ?? null;
    if (entry?.destroyed) entry = null;
    if (!entry) {
      entry = { id: 0, isNew: true, kind: input.kind ?? (organisationName ? 'organisation' : 'citizen'), fullName, organisationName, destroyed: false, createdAt: now, updatedAt: now, named: false };
      this.entries.push(entry);
    } else if ((!entry.fullName && fullName) || (!entry.organisationName && organisationName)) {
      entry.fullName ??= fullName;
      entry.organisationName ??= organisationName;
      entry.updatedAt = now;
      entry.named = !entry.isNew;
    }
    // Addresses already on record (this applicant's or, rarely, another record's) stay where they are;
    // new ones are added to this applicant. The unique index settles a race with a concurrent intake.
    for (const contact of contacts) {
      const key = contactKey(contact);
      if (this.owners.has(key)) continue;
      this.owners.set(key, { applicantId: entry.id, entry });
      this.newContacts.push({ entry, contact });
    }
    return entry;
  }

  /** Whether one of these addresses belongs to the applicant on record `applicantId`. */
  owns(applicantId: number, contacts: readonly NormalContact[]): boolean {
    return contacts.some((c) => {
      const o = this.owners.get(contactKey(c));
      return o !== undefined && !o.entry?.isNew && o.applicantId === applicantId;
    });
  }

  /**
   * Writes the new applicants (one statement; their ids follow by `idStep`, see
   * Database.consecutiveIdStep), the new addresses (one) and the filled-in names (one each); the
   * last two go with the next statement of `sql` or the commit (Sql.later).
   */
  async write(sql: Sql, idStep: number): Promise<void> {
    const created = this.entries.filter((e) => e.isNew);
    const ids = await sqlInsertIds(sql, 'applicants', created.map((e) => ({
      kind: e.kind, fullName: e.fullName, organisationName: e.organisationName, createdAt: e.createdAt, updatedAt: e.updatedAt, destroyedAt: null,
    })), idStep);
    created.forEach((e, i) => (e.id = ids[i]!));
    sqlInsertLater(sql, 'contact_points', this.newContacts.map(({ entry, contact: c }) => ({ applicantId: entry.id, kind: c.kind, value: c.value, normalized: c.normalized })));
    const q = sql.q;
    for (const e of this.entries) {
      if (!e.named) continue;
      sql.later(`UPDATE ${q('applicants')} SET ${q('fullName')} = ?, ${q('organisationName')} = ?, ${q('updatedAt')} = ? WHERE ${q('id')} = ?`, [e.fullName, e.organisationName, e.updatedAt, e.id]);
    }
  }
}

/** The applicant these contacts belong to, or a new one (see ApplicantBook). */
export async function findOrCreateApplicant(em: EntityManager, input: ApplicantInput, now: Date): Promise<ApplicantRef> {
  const sql = sqlFor(em);
  const contacts = normalContacts(input);
  const l = knownContactsLookup(sql.q, contacts);
  const book = new ApplicantBook(l ? knownContactsFrom(await runLookups(sql, [l]), contacts) : []);
  const applicant = book.settle(input, contacts, now);
  await book.write(sql, 1);
  await sql.flush();
  return applicant;
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
