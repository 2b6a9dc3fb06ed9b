/** Health, the installed plugins and their health, and the deadline settings in force. */
import type { ServiceSchema, Context } from 'moleculer';
import type { CoreContext } from '../kernel/context.js';
import { apiAction } from '../api/action.js';
import type { LoadedPlugin } from '../kernel/plugin-loader.js';
import { redactSecrets } from '../util/redact.js';

export function systemService(core: CoreContext, plugins: LoadedPlugin[], version: string): ServiceSchema {
  const startedAt = new Date();
  return {
    name: 'system',
    settings: { rest: '/' },
    actions: {
      health: apiAction({
        rest: 'GET /health', auth: 'public', summary: 'Liveness and readiness: the database answers', params: {},
        handler: async (ctx: Context<unknown, { $statusCode?: number }>) => {
          let db = 'ok';
          try {
            await core.db.read((em) => em.query('SELECT 1'));
          } catch {
            db = 'unreachable';
          }
          if (db !== 'ok') ctx.meta.$statusCode = 503;
          return { status: db === 'ok' ? 'ok' : 'degraded', db, node: core.broker.nodeID, version, startedAt };
        },
      }),
      plugins: apiAction({
        rest: 'GET /plugins', auth: ['admin', 'supervisor', 'technician'], summary: 'Installed plugins, their config (secrets hidden) and health', params: { $$strict: true },
        handler: async (ctx: Context) => {
          const services = core.broker.registry.getServiceList({ withActions: true }) as { name: string; actions?: Record<string, unknown> }[];
          return Promise.all(plugins.map(async (p) => {
            const mine = services.filter((s) => s.name === p.definition.name || s.name.startsWith(`${p.definition.name}.`) || (s as any).settings?.$plugin === p.definition.name);
            const checks = await Promise.all(mine.filter((s) => s.actions?.[`${s.name}.health`]).map(async (s) => {
              try {
                return { service: s.name, ...(await ctx.call(`${s.name}.health`, {}, { timeout: 3000 }) as object) };
              } catch (err) {
                return { service: s.name, status: 'down', error: (err as Error).message };
              }
            }));
            const status = checks.some((c: any) => c.status === 'down') ? 'down' : checks.some((c: any) => c.status === 'degraded') ? 'degraded' : 'ok';
            return { name: p.definition.name, package: p.ref, kind: p.definition.kind, version: p.definition.version, description: p.definition.description ?? null, services: mine.map((s) => s.name), config: redactSecrets(p.config), status, checks };
          }));
        },
      }),
      settings: apiAction({
        rest: 'GET /settings', auth: 'user', summary: 'Settings people need to know: time zone, deadlines, attachment limits', params: { $$strict: true },
        handler: () => ({ timeZone: core.config.calendar.timeZone, deadlines: core.config.deadlines, attachmentMaxBytes: core.config.attachments.maxBytes, version }),
      }),
    },
  };
}
