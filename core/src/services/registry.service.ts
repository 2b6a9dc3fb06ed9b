/** The registry of organisations and services. */
import type { ServiceSchema } from 'moleculer';
import type { CoreContext } from '../kernel/context.js';
import { apiAction, actorOf, ROLES_ADMIN } from '../api/action.js';
import { listOrganisations, getOrganisation, saveOrganisation, listServices, getService, saveService, type OrganisationInput, type ServiceInput } from '../domain/registry.js';
import { id } from './params.js';

const orgParams = {
  code: 'string|min:1|max:64', name: 'string|min:1|max:400', shortName: { type: 'string', max: 120, optional: true, nullable: true },
  email: { type: 'string', max: 320, optional: true, nullable: true }, siteId: { ...id, optional: true, nullable: true }, active: 'boolean|optional',
};
// Presence of the four required parts is checked by the domain so that the error names each one.
const serviceParams = {
  code: 'string|max:64', organisationId: id, name: 'string|max:400', procedure: 'string|max:100000', requiredDocuments: { type: 'array', items: 'string|max:1000', max: 200 },
  timeLimits: 'string|max:100000', place: 'string|max:100000', topic: { type: 'string', max: 120, optional: true, nullable: true }, active: 'boolean|optional',
};

export function registryService(core: CoreContext): ServiceSchema {
  return {
    name: 'registry',
    settings: { rest: '/' },
    actions: {
      organisations: apiAction({ rest: 'GET /organisations', auth: 'user', summary: 'All organisations', params: { $$strict: true }, handler: () => listOrganisations(core.db) }),
      organisation: apiAction<{ id: number }>({ rest: 'GET /organisations/:id', auth: 'user', summary: 'One organisation', params: { $$strict: true, id }, handler: (ctx) => getOrganisation(core.db, ctx.params.id) }),
      createOrganisation: apiAction<OrganisationInput>({
        rest: 'POST /organisations', auth: ROLES_ADMIN, summary: 'Add an organisation', params: { $$strict: true, ...orgParams },
        handler: (ctx) => saveOrganisation(core.db, actorOf(ctx), ctx.params),
      }),
      updateOrganisation: apiAction<OrganisationInput & { id: number }>({
        rest: 'PUT /organisations/:id', auth: ROLES_ADMIN, summary: 'Change an organisation', params: { $$strict: true, id, ...orgParams },
        handler: (ctx) => {
          const { id: orgId, ...input } = ctx.params;
          return saveOrganisation(core.db, actorOf(ctx), input, orgId);
        },
      }),
      services: apiAction<{ organisationId?: number; q?: string; active?: boolean }>({
        rest: 'GET /services', auth: 'user', summary: 'Services in the registry (filter by organisation or text)',
        params: { $$strict: true, organisationId: { ...id, optional: true }, q: 'string|optional|max:200', active: 'boolean|optional|convert' },
        handler: (ctx) => listServices(core.db, { organisationId: ctx.params.organisationId, q: ctx.params.q, activeOnly: ctx.params.active }),
      }),
      service: apiAction<{ id: number }>({ rest: 'GET /services/:id', auth: 'user', summary: 'One service with its procedure, documents, time limits and place', params: { $$strict: true, id }, handler: (ctx) => getService(core.db, ctx.params.id) }),
      createService: apiAction<ServiceInput>({
        rest: 'POST /services', auth: ROLES_ADMIN, summary: 'Add a service (procedure, required documents, time limits and place are all required)',
        params: { $$strict: true, ...serviceParams }, handler: (ctx) => saveService(core.db, actorOf(ctx), ctx.params),
      }),
      updateService: apiAction<ServiceInput & { id: number }>({
        rest: 'PUT /services/:id', auth: ROLES_ADMIN, summary: 'Change a service', params: { $$strict: true, id, ...serviceParams },
        handler: (ctx) => {
          const { id: svcId, ...input } = ctx.params;
          return saveService(core.db, actorOf(ctx), input, svcId);
        },
      }),
    },
  };
}
