/**
 * Who sees what. Menus follow roles, and the first item a user's roles open is where they land:
 * operators work at the desk; supervisors have the live view (their first page), the desk, reports,
 * routing (read-only), planning (forecasts and saved plans) and the fleet (read-only); administrators
 * have administration first, and everything else; planners land on planning, technicians on the fleet.
 */
import type { Role } from '../api/types.ts';

export type MenuKey = 'desk' | 'live' | 'admin' | 'fleet' | 'planning' | 'reports' | 'routing';

export interface MenuItem {
  key: MenuKey;
  to: string;
  roles: readonly Role[];
}

export const MENU: readonly MenuItem[] = [
  { key: 'live', to: '/live', roles: ['supervisor'] },
  { key: 'desk', to: '/desk', roles: ['operator', 'supervisor'] },
  { key: 'admin', to: '/admin', roles: ['admin'] },
  { key: 'fleet', to: '/fleet', roles: ['technician', 'admin', 'supervisor'] },
  { key: 'planning', to: '/planning', roles: ['planner', 'supervisor', 'admin'] },
  { key: 'reports', to: '/reports', roles: ['supervisor', 'admin'] },
  { key: 'routing', to: '/routing', roles: ['supervisor', 'admin'] },
];

/** Who may change things on a page that more roles may read. */
export const WRITERS = {
  fleet: ['technician', 'admin'],
  planning: ['planner', 'admin'],
  routing: ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type AdminSection = 'sites' | 'registry' | 'kb' | 'users' | 'calendar' | 'plugins';
export const ADMIN_SECTIONS: readonly AdminSection[] = ['sites', 'registry', 'kb', 'users', 'calendar', 'plugins'];

export function hasAnyRole(userRoles: readonly string[], allowed: readonly string[]): boolean {
  return allowed.some((r) => userRoles.includes(r));
}

export function menuFor(roles: readonly string[]): MenuItem[] {
  return MENU.filter((m) => hasAnyRole(roles, m.roles));
}

/** Where a user lands after signing in: the first page their roles open, or null (nothing here yet). */
export function homeFor(roles: readonly string[]): string | null {
  return menuFor(roles)[0]?.to ?? null;
}
