/**
 * Pages (hash history: the core serves one index.html). Every page but sign-in is loaded lazily, so
 * the first screen carries only what it needs. Pages declare the roles that may open them.
 */
import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router';
import { useSession } from './stores/session.ts';
import { hasAnyRole, homeFor, WRITERS } from './logic/menu.ts';
import LoginView from './views/LoginView.vue';
import { usePageMessages } from './i18n/index.ts';

declare module 'vue-router' {
  interface RouteMeta {
    roles?: readonly string[];
    public?: boolean;
    /** The page's texts are loaded with it (src/i18n/pages-*.ts). */
    pageTexts?: boolean;
    title?: string;
  }
}

const DESK = ['operator', 'supervisor'];
const PLANNING = ['planner', 'supervisor', 'admin'];
/** Who computes plans (the planning API's POST /plan, /backlog, /plans). */
const PLANNERS = WRITERS.planning;
const REPORTS = ['supervisor', 'admin'];

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: LoginView, meta: { public: true, title: 'login.title' } },
  {
    path: '/',
    component: () => import('./layouts/MainLayout.vue'),
    children: [
      { path: '', name: 'home', component: () => import('./views/HomeView.vue'), meta: { title: 'home.title' } },
      { path: 'desk/:id(\\d+)?', name: 'desk', component: () => import('./views/desk/DeskView.vue'), meta: { roles: DESK, title: 'nav.desk' } },
      { path: 'live', name: 'live', component: () => import('./views/live/LiveView.vue'), meta: { roles: ['supervisor'], title: 'nav.live', pageTexts: true } },
      { path: 'fleet', name: 'fleet', component: () => import('./views/fleet/FleetView.vue'), meta: { roles: ['technician', 'admin', 'supervisor'], title: 'nav.fleet', pageTexts: true } },
      { path: 'fleet/agents/:id(\\d+)', name: 'fleet-agent', props: true, component: () => import('./views/fleet/AgentView.vue'), meta: { roles: ['technician', 'admin', 'supervisor'], title: 'fleet.agent', pageTexts: true } },
      {
        path: 'planning',
        component: () => import('./views/planning/PlanningView.vue'),
        meta: { roles: PLANNING, title: 'nav.planning', pageTexts: true },
        children: [
          { path: '', redirect: '/planning/calculator' },
          { path: 'calculator', name: 'planning-calculator', component: () => import('./views/planning/CalculatorView.vue'), meta: { roles: PLANNING, title: 'planning.sections.calculator' } },
          { path: 'lines', name: 'planning-lines', component: () => import('./views/planning/LinesView.vue'), meta: { roles: PLANNING, title: 'planning.sections.lines' } },
          { path: 'forecast', name: 'planning-forecast', component: () => import('./views/planning/ForecastView.vue'), meta: { roles: PLANNING, title: 'planning.sections.forecast' } },
          { path: 'plan', name: 'planning-plan', component: () => import('./views/planning/PlanView.vue'), meta: { roles: PLANNERS, title: 'planning.sections.plan' } },
          { path: 'backlog', name: 'planning-backlog', component: () => import('./views/planning/BacklogView.vue'), meta: { roles: PLANNERS, title: 'planning.sections.backlog' } },
          { path: 'plans', name: 'planning-plans', component: () => import('./views/planning/PlansView.vue'), meta: { roles: PLANNING, title: 'planning.sections.plans' } },
        ],
      },
      {
        path: 'reports',
        component: () => import('./views/reports/ReportsView.vue'),
        meta: { roles: REPORTS, title: 'nav.reports', pageTexts: true },
        children: [
          { path: '', redirect: '/reports/intervals' },
          { path: 'intervals', name: 'reports-intervals', component: () => import('./views/reports/IntervalsReport.vue'), meta: { roles: REPORTS, title: 'reports.sections.intervals' } },
          { path: 'compliance', name: 'reports-compliance', component: () => import('./views/reports/ComplianceReport.vue'), meta: { roles: REPORTS, title: 'reports.sections.compliance' } },
          { path: 'daily', name: 'reports-daily', component: () => import('./views/reports/DailyReport.vue'), meta: { roles: REPORTS, title: 'reports.sections.daily' } },
        ],
      },
      {
        path: 'routing',
        component: () => import('./views/routing/RoutingView.vue'),
        meta: { roles: REPORTS, title: 'nav.routing', pageTexts: true },
        children: [
          { path: '', redirect: '/routing/queues' },
          { path: 'queues', name: 'routing-queues', component: () => import('./views/routing/QueuesTab.vue'), meta: { roles: REPORTS, title: 'routing.sections.queues' } },
          { path: 'rules', name: 'routing-rules', component: () => import('./views/routing/RulesTab.vue'), meta: { roles: ['admin'], title: 'routing.sections.rules' } },
          { path: 'operators', name: 'routing-operators', component: () => import('./views/routing/OperatorsTab.vue'), meta: { roles: REPORTS, title: 'routing.sections.operators' } },
          { path: 'waiting', name: 'routing-waiting', component: () => import('./views/routing/WaitingTab.vue'), meta: { roles: REPORTS, title: 'routing.sections.waiting' } },
        ],
      },
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

router.beforeEach(async (to) => {
  const session = useSession();
  if (to.meta.public) return session.signedIn && to.name === 'login' ? homeFor(session.roles) ?? '/' : true;
  if (!session.signedIn) return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} };
  if (to.name === 'home') {
    const home = homeFor(session.roles);
    if (home) return home;
  }
  // Every level must allow the user (a page may be narrower than its section).
  if (!to.matched.every((r) => !r.meta.roles?.length || hasAnyRole(session.roles, r.meta.roles))) return { name: 'home' };
  if (to.matched.some((r) => r.meta.pageTexts)) await usePageMessages();
  return true;
});
