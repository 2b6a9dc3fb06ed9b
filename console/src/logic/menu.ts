/**
 * Who sees what. Menus follow roles: operators work at the desk; supervisors have the live view (their
 * first page) and the desk; administrators have administration. Planner and technician pages come when their APIs do.
 */
import type { Role } from '../api/types.ts';

export type MenuKey = 'desk' | 'live' | 'admin';

export interface MenuItem {
  key: MenuKey;
  to: string;
  roles: readonly Role[];
}

export const MENU: readonly MenuItem[] = [
  { key: 'live', to: '/live', roles: ['supervisor'] },
  { key: 'desk', to: '/desk', roles: ['operator', 'supervisor'] },
  { key: 'admin', to: '/admin', roles: ['admin'] },
];

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
