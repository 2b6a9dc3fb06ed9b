import type { ServiceSchema } from 'moleculer';
import type { CoreContext } from '../kernel/context.js';
import { apiAction, actorOf, ROLES_ADMIN } from '../api/action.js';
import { listSites, saveSite, type SiteInput } from '../domain/sites.js';
import { id } from './params.js';

const siteParams = { code: 'string|min:1|max:32', name: 'string|min:1|max:200', kind: { type: 'enum', values: ['city', 'okrug', 'district'] }, parentId: { ...id, optional: true, nullable: true }, active: 'boolean|optional' };

export function sitesService(core: CoreContext): ServiceSchema {
  return {
    name: 'sites',
    settings: { rest: '/sites' },
    actions: {
      list: apiAction({ rest: 'GET /', auth: 'user', summary: 'All sites (city, okrugs, districts)', params: { $$strict: true }, handler: () => listSites(core.db) }),
      create: apiAction<SiteInput>({
        rest: 'POST /', auth: ROLES_ADMIN, summary: 'Add a site', params: { $$strict: true, ...siteParams },
        handler: (ctx) => saveSite(core.db, actorOf(ctx), ctx.params),
      }),
      update: apiAction<SiteInput & { id: number }>({
        rest: 'PUT /:id', auth: ROLES_ADMIN, summary: 'Change a site (moving it is configuration only)', params: { $$strict: true, id, ...siteParams },
        handler: (ctx) => {
          const { id: siteId, ...input } = ctx.params;
          return saveSite(core.db, actorOf(ctx), input, siteId);
        },
      }),
    },
  };
}
