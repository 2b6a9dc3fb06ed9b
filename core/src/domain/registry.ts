/**
 * The registry of organisations and their services. A service entry is invalid without its
 * procedure, required documents, time limits and place (the city concept's four required parts).
 */
import { In } from 'typeorm';
import type { Database } from '../persistence/database.js';
import { Organisation, Service } from '../persistence/entities/index.js';
import { appendJournal } from './journal.js';
import type { Actor } from './actor.js';
import { invalid, notFound } from './errors.js';
import { requireText, requireCode, optionalText, type Problem } from './text-fields.js';
import { createOrUpdate } from './upsert.js';

export interface OrganisationInput {
  code: string;
  name: string;
  shortName?: string | null;
  email?: string | null;
  siteId?: number | null;
  active?: boolean;
}

export interface ServiceInput {
  code: string;
  organisationId: number;
  name: string;
  procedure: string;
  requiredDocuments: string[];
  timeLimits: string;
  place: string;
  topic?: string | null;
  active?: boolean;
}

/** The problems with a service entry (empty when valid). */
export function serviceProblems(input: Partial<ServiceInput>): Problem[] {
  const p: Problem[] = [];
  requireCode(p, 'code', input.code, 64);
  requireText(p, 'name', input.name, 400);
  requireText(p, 'procedure', input.procedure);
  requireText(p, 'timeLimits', input.timeLimits);
  requireText(p, 'place', input.place);
  const docs = input.requiredDocuments;
  if (!Array.isArray(docs) || docs.length === 0) p.push(['requiredDocuments', 'must list at least one document (write "none required" if so)']);
  else docs.forEach((d, i) => { if (typeof d !== 'string' || !d.trim()) p.push([`requiredDocuments[${i}]`, 'is empty']); });
  if (input.organisationId == null) p.push(['organisationId', 'is required']);
  return p;
}

export async function listOrganisations(db: Database): Promise<Organisation[]> {
  return db.read((em) => em.find(Organisation, { order: { name: 'ASC' } }));
}

export async function getOrganisation(db: Database, id: number): Promise<Organisation> {
  const org = await db.read((em) => em.findOne(Organisation, { where: { id } }));
  if (!org) throw notFound('organisation', id);
  return org;
}

export async function saveOrganisation(db: Database, actor: Actor, input: OrganisationInput, id?: number): Promise<Organisation> {
  return db.transaction(async (em) => {
    const p: Problem[] = [];
    const code = requireCode(p, 'code', input.code, 64);
    const name = requireText(p, 'name', input.name, 400);
    const shortName = optionalText(p, 'shortName', input.shortName, 120);
    const email = optionalText(p, 'email', input.email, 320);
    if (email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) p.push(['email', 'is not an e-mail address']);
    const clash = code ? await em.findOne(Organisation, { where: { code } }) : null;
    if (clash && clash.id !== id) p.push(['code', `"${code}" is taken`]);
    if (p.length) throw invalid(...p);
    const values = { code, name, shortName, email, siteId: input.siteId ?? null };
    const org = await createOrUpdate(em, Organisation, 'organisation', id, { ...values, ...(input.active != null ? { active: input.active } : {}) });
    await appendJournal(em, { type: id != null ? 'organisation.updated' : 'organisation.created', aggregateType: 'organisation', aggregateId: org.id, actorId: actor.userId, data: { code, name } });
    return org;
  });
}

export interface ServiceQuery {
  organisationId?: number;
  q?: string;
  activeOnly?: boolean;
}

export async function listServices(db: Database, query: ServiceQuery = {}): Promise<Service[]> {
  return db.read(async (em) => {
    const qb = em.getRepository(Service).createQueryBuilder('s').orderBy('s.name', 'ASC');
    if (query.organisationId != null) qb.andWhere('s.organisationId = :o', { o: query.organisationId });
    if (query.activeOnly) qb.andWhere('s.active = :a', { a: true });
    if (query.q) qb.andWhere('(LOWER(s.name) LIKE :q OR LOWER(s.code) LIKE :q)', { q: `%${query.q.toLowerCase()}%` });
    return qb.getMany();
  });
}

export async function getService(db: Database, id: number): Promise<Service> {
  const s = await db.read((em) => em.findOne(Service, { where: { id } }));
  if (!s) throw notFound('service', id);
  return s;
}

export async function servicesByIds(db: Database, ids: number[]): Promise<Map<number, Service>> {
  if (!ids.length) return new Map();
  const rows = await db.read((em) => em.find(Service, { where: { id: In(ids) } }));
  return new Map(rows.map((s) => [s.id, s]));
}

export async function saveService(db: Database, actor: Actor, input: ServiceInput, id?: number): Promise<Service> {
  return db.transaction(async (em) => {
    const p = serviceProblems(input);
    if (input.organisationId != null && !(await em.findOne(Organisation, { where: { id: input.organisationId } }))) {
      p.push(['organisationId', `organisation ${input.organisationId} does not exist`]);
    }
    const code = typeof input.code === 'string' ? input.code.trim() : '';
    const clash = code ? await em.findOne(Service, { where: { code } }) : null;
    if (clash && clash.id !== id) p.push(['code', `"${code}" is taken`]);
    if (p.length) throw invalid(...p);
    const values = {
      code,
      organisationId: input.organisationId,
      name: input.name.trim(),
      procedure: input.procedure.trim(),
      requiredDocuments: input.requiredDocuments.map((d) => d.trim()),
      timeLimits: input.timeLimits.trim(),
      place: input.place.trim(),
      topic: input.topic?.trim() || null,
      updatedAt: new Date(),
    };
    const svc = await createOrUpdate(em, Service, 'service', id, { ...values, ...(input.active != null ? { active: input.active } : {}) });
    await appendJournal(em, { type: id != null ? 'service.updated' : 'service.created', aggregateType: 'service', aggregateId: svc.id, actorId: actor.userId, data: { code, organisationId: svc.organisationId } });
    return svc;
  });
}
