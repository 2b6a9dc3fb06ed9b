/** The personal-data audit log and destruction acts (read-only here). */
import type { ServiceSchema } from 'moleculer';
import type { CoreContext } from '../kernel/context.js';
import { apiAction, ROLES_ADMIN } from '../api/action.js';
import { queryAudit } from '../domain/audit.js';
import { DestructionAct } from '../persistence/entities/index.js';
import { id, limit, offset } from './params.js';

export function auditService(core: CoreContext): ServiceSchema {
  return {
    name: 'audit',
    settings: { rest: '/audit' },
    actions: {
      list: apiAction<{ applicantId?: number; userId?: number; action?: any; from?: Date; to?: Date; limit?: number; offset?: number }>({
        rest: 'GET /', auth: ROLES_ADMIN, summary: 'Who read or changed personal data, when and what (filter by applicant, user, action, time)',
        params: {
          $$strict: true, applicantId: { ...id, optional: true }, userId: { ...id, optional: true },
          action: { type: 'enum', values: ['read', 'create', 'update', 'export', 'destroy', 'login', 'login_failed'], optional: true },
          from: { type: 'date', convert: true, optional: true }, to: { type: 'date', convert: true, optional: true }, limit, offset,
        },
        handler: (ctx) => queryAudit(core.db, ctx.params),
      }),
      acts: apiAction({
        rest: 'GET /destruction-acts', auth: ROLES_ADMIN, summary: 'Destruction acts with their log extracts', params: { $$strict: true },
        handler: () => core.db.read((em) => em.find(DestructionAct, { order: { id: 'DESC' }, take: 200 })),
      }),
    },
  };
}
