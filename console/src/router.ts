/**
 * Pages (hash history: the core serves one index.html). Every page but sign-in is loaded lazily, so
 * the first screen carries only what it needs. Pages declare the roles that may open them.
 */
import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router';
import { useSession } from './stores/session.ts';
import { hasAnyRole, homeFor } from './logic/menu.ts';
import LoginView from './views/LoginView.vue';

declare module 'vue-router' {
  interface RouteMeta {
    roles?: readonly string[];
    public?: boolean;
    title?: string;
  }
}

const DESK = ['operator', 'supervisor'];

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: LoginView, meta: { public: true, title: 'login.title' } },
  {
    path: '/',
    component: () => import('./layouts/MainLayout.vue'),
    children: [
      { path: '', name: 'home', component: () => import('./views/HomeView.vue'), meta: { title: 'home.title' } },
      { path: 'desk/:id(\\d+)?', name: 'desk', component: () => import('./views/desk/DeskView.vue'), meta: { roles: DESK, title: 'nav.desk' } },
      { path: 'live', name: 'live', component: () => import('./views/live/LiveView.vue'), meta: { roles: ['supervisor'], title: 'nav.live' } },
      { path: 'fleet', name: 'fleet', component: () => import('./views/fleet/FleetView.vue'), meta: { roles: ['technician', 'admin', 'supervisor'], title: 'nav.fleet' } },
      { path: 'fleet/agents/:id(\\d+)', name: 'fleet-agent', props: true, component: () => import('./views/fleet/AgentView.vue'), meta: { roles: ['technician', 'admin', 'supervisor'], title: 'fleet.agent' } },
      {
        path: 'admin',
        component: () => import('./views/admin/AdminView.vue'),
        meta: { roles: ['admin'], title: 'nav.admin' },
        children: [
          { path: '', redirect: '/admin/sites' },
          { path: 'sites', name: 'admin-sites', component: () => import('./views/admin/SitesAdmin.vue'), meta: { roles: ['admin'], title: 'admin.sections.sites' } },
          { path: 'registry', name: 'admin-registry', component: () => import('./views/admin/RegistryAdmin.vue'), meta: { roles: ['admin'], title: 'admin.sections.registry' } },
          { path: 'kb/:id(\\d+)?', name: 'admin-kb', component: () => import('./views/admin/KbAdmin.vue'), meta: { roles: ['admin'], title: 'admin.sections.kb' } },
          { path: 'users', name: 'admin-users', component: () => import('./views/admin/UsersAdmin.vue'), meta: { roles: ['admin'], title: 'admin.sections.users' } },
          { path: 'calendar', name: 'admin-calendar', component: () => import('./views/admin/CalendarAdmin.vue'), meta: { roles: ['admin'], title: 'admin.sections.calendar' } },
          { path: 'plugins', name: 'admin-plugins', component: () => import('./views/admin/PluginsAdmin.vue'), meta: { roles: ['admin'], title: 'admin.sections.plugins' } },
        ],
      },
    ],
  },
  { path: '/:rest(.*)*', redirect: '/' },
];

export const router = createRouter({ history: createWebHashHistory(), routes });

router.beforeEach((to) => {
  const session = useSession();
  if (to.meta.public) return session.signedIn && to.name === 'login' ? homeFor(session.roles) ?? '/' : true;
  if (!session.signedIn) return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} };
  if (to.name === 'home') {
    const home = homeFor(session.roles);
    if (home) return home;
  }
  const roles = to.matched.flatMap((r) => r.meta.roles ?? []);
  if (roles.length && !hasAnyRole(session.roles, roles)) return { name: 'home' };
  return true;
});
