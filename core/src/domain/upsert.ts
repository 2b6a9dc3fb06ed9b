import type { EntityManager, EntityTarget, ObjectLiteral, DeepPartial } from 'typeorm';
import { notFound } from './errors.js';

/** Creates a row, or updates row `id` (404 when it does not exist), and returns it saved. */
export async function createOrUpdate<T extends ObjectLiteral & { id: number }>(
  em: EntityManager,
  target: EntityTarget<T>,
  what: string,
  id: number | undefined,
  values: DeepPartial<T>,
): Promise<T> {
  if (id == null) return em.save(target, em.create(target, values));
  const existing = await em.findOne(target, { where: { id } as never });
  if (!existing) throw notFound(what, id);
  return em.save(target, em.merge(target, existing, values));
}
