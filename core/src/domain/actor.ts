import type { Role } from '../persistence/entities/index.js';

/** Who does something: a signed-in user, or a part of the system (a channel plugin, a job). */
export interface Actor {
  userId: number | null;
  login: string | null;
  roles: Role[];
  siteId: number | null;
  ip?: string | null;
}

export function systemActor(name: string): Actor {
  return { userId: null, login: `system:${name}`, roles: [], siteId: null };
}

export function hasRole(actor: Actor, ...roles: Role[]): boolean {
  return roles.some((r) => actor.roles.includes(r));
}
