/** Sites: the city, its okrugs and their districts, as one distributed centre. */
import { In } from 'typeorm';
import type { Database } from '../persistence/database.js';
import { Site, SITE_KINDS, type SiteKind } from '../persistence/entities/index.js';
import { appendJournal } from './journal.js';
import type { Actor } from './actor.js';
import { invalid } from './errors.js';
import { requireText, requireCode, type Problem } from './text-fields.js';
import { createOrUpdate } from './upsert.js';

const PARENT_KIND: Record<SiteKind, SiteKind | null> = { city: null, okrug: 'city', district: 'okrug' };

export interface SiteInput {
  code: string;
  name: string;
  kind: SiteKind;
  parentId?: number | null;
  active?: boolean;
}

export async function listSites(db: Database): Promise<Site[]> {
  return db.read((em) => em.find(Site, { order: { id: 'ASC' } }));
}

/** The site and every site below it (for roll-ups: a city sees its okrugs and districts). */
export function subtreeIds(sites: Site[], rootId: number): number[] {
  const out = [rootId];
  for (let i = 0; i < out.length; i++) for (const s of sites) if (s.parentId === out[i]) out.push(s.id);
  return out;
}

export async function saveSite(db: Database, actor: Actor, input: SiteInput, id?: number): Promise<Site> {
  return db.transaction(async (em) => {
    const problems: Problem[] = [];
    const code = requireCode(problems, 'code', input.code, 32);
    const name = requireText(problems, 'name', input.name, 200);
    if (!SITE_KINDS.includes(input.kind)) problems.push(['kind', `must be one of ${SITE_KINDS.join(', ')}`]);
    const wantParent = PARENT_KIND[input.kind];
    const parentId = input.parentId ?? null;
    if (wantParent && parentId == null) problems.push(['parentId', `a ${input.kind} needs a parent ${wantParent}`]);
    if (!wantParent && parentId != null) problems.push(['parentId', 'the city has no parent']);
    if (parentId != null && wantParent) {
      const parent = await em.findOne(Site, { where: { id: parentId } });
      if (!parent) problems.push(['parentId', `site ${parentId} does not exist`]);
      else if (parent.kind !== wantParent) problems.push(['parentId', `the parent of a ${input.kind} must be a ${wantParent}, not a ${parent.kind}`]);
    }
    const clash = code ? await em.findOne(Site, { where: { code } }) : null;
    if (clash && clash.id !== id) problems.push(['code', `"${code}" is taken`]);
    if (problems.length) throw invalid(...problems);
    const site = await createOrUpdate(em, Site, 'site', id, { code, name, kind: input.kind, parentId, ...(input.active != null ? { active: input.active } : {}) });
    await appendJournal(em, { type: id != null ? 'site.updated' : 'site.created', aggregateType: 'site', aggregateId: site.id, siteId: site.id, actorId: actor.userId, data: { code, name, kind: site.kind, parentId } });
    return site;
  });
}

export async function sitesByIds(db: Database, ids: number[]): Promise<Map<number, Site>> {
  if (!ids.length) return new Map();
  const rows = await db.read((em) => em.find(Site, { where: { id: In(ids) } }));
  return new Map(rows.map((s) => [s.id, s]));
}
