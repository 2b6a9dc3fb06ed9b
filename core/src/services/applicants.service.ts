/** Applicants' personal data: every read and change is audited (152-FZ). */
import type { ServiceSchema } from 'moleculer';
import type { CoreContext } from '../kernel/context.js';
import { apiAction, actorOf, ROLES_DESK, ROLES_ADMIN } from '../api/action.js';
import { getApplicant, searchApplicants, updateApplicant, destroyApplicantData, type ApplicantInput } from '../domain/applicants.js';
import { applicant as applicantRule, id, limit } from './params.js';

export function applicantsService(core: CoreContext): ServiceSchema {
  return {
    name: 'applicants',
    settings: { rest: '/applicants' },
    actions: {
      search: apiAction<{ q: string; limit?: number }>({
        rest: 'GET /', auth: ROLES_DESK, summary: 'Find applicants by name, e-mail or phone (each result is an audited read)',
        params: { $$strict: true, q: 'string|min:3|max:200', limit }, handler: (ctx) => searchApplicants(core.db, actorOf(ctx), ctx.params.q, ctx.params.limit),
      }),
      get: apiAction<{ id: number; purpose?: string }>({
        rest: 'GET /:id', auth: ROLES_DESK, summary: 'An applicant with contacts and appeal history (audited read)',
        params: { $$strict: true, id, purpose: 'string|optional|max:200' }, handler: (ctx) => getApplicant(core.db, actorOf(ctx), ctx.params.id, ctx.params.purpose),
      }),
      update: apiAction<ApplicantInput & { id: number }>({
        rest: 'PUT /:id', auth: ROLES_DESK, summary: 'Correct an applicant\'s data (audited change)',
        params: { $$strict: true, id, ...applicantRule.props },
        handler: (ctx) => {
          const { id: applicantId, ...input } = ctx.params;
          return updateApplicant(core.db, actorOf(ctx), applicantId, input);
        },
      }),
      destroy: apiAction<{ applicantIds: number[]; reason: string }>({
        rest: 'POST /destruction', auth: ROLES_ADMIN, summary: 'Destroy applicants\' personal data when its purpose is achieved (152-FZ art. 21); returns the act',
        params: { $$strict: true, applicantIds: { type: 'array', items: id, min: 1, max: 1000 }, reason: 'string|min:3|max:400' },
        handler: (ctx) => destroyApplicantData(core.db, actorOf(ctx), ctx.params.applicantIds, ctx.params.reason),
      }),
    },
  };
}
