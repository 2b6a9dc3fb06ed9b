/**
 * Appeals: `intake` (internal, for channels), the work list, the card, the steps of their life and
 * the deadline views. After each committed change the journal relay is nudged.
 */
import type { ServiceSchema, Context } from 'moleculer';
import type { CoreContext } from '../kernel/context.js';
import { apiAction, actorOf, ROLES_DESK } from '../api/action.js';
import { intake, type IntakeInput } from '../domain/appeals/intake.js';
import { IntakeBatcher } from '../domain/appeals/intake-batcher.js';
import * as T from '../domain/appeals/transitions.js';
import { listAppeals, getAppealCard, deadlineCounts, publicStatus, type AppealListQuery } from '../domain/appeals/queries.js';
import { claimDueNotices, markNoticeSent, markNoticeFailed } from '../domain/appeals/notices.js';
import { APPEAL_STATUSES, APPEAL_TYPES, type AppealStatus } from '../persistence/entities/index.js';
import { invalid, forbidden } from '../domain/errors.js';
import { subtreeIds, listSites } from '../domain/sites.js';
import { applicant, id, limit, offset } from './params.js';

export function appealsService(core: CoreContext): ServiceSchema {
  const deps = { db: core.db, deadlines: core.deadlines, now: core.clock };
  const intakeDeps = { ...deps, defaultSiteCode: core.config.intake.defaultSiteCode ?? undefined };
  const batcher = new IntakeBatcher(intakeDeps);
  const done = <T>(p: Promise<T>): Promise<T> => p.then((r) => (core.journalCommitted(), r));
  const nearFrom = () => core.deadlines.nearDueFrom(core.clock());
  return {
    name: 'appeals',
    settings: { rest: '/appeals' },
    actions: {
      intake: {
        visibility: 'public',
        params: {
          $$strict: true,
          channel: 'string|min:2|max:32', messageId: 'string|min:1|max:255', receivedAt: { type: 'date', convert: true, optional: true },
          type: { type: 'enum', values: APPEAL_TYPES, optional: true }, kind: { type: 'enum', values: ['message', 'call', 'fax', 'chat'], optional: true },
          applicant, subject: { type: 'string', max: 500, optional: true, nullable: true }, body: 'string|max:5000000',
          attachments: { type: 'array', optional: true, max: 100, items: { type: 'object', strict: true, props: { attachmentId: id, filename: 'string|optional|max:255' } } },
          siteId: { ...id, optional: true }, siteCode: 'string|optional|max:32', serviceId: { ...id, optional: true, nullable: true },
          topic: 'string|optional|nullable|max:120', category: 'string|optional|nullable|max:32', priority: 'number|integer|optional|min:-100|max:100',
          threadKeys: { type: 'array', items: 'string|max:255', optional: true, max: 100 }, regNumberHint: 'string|optional|nullable|max:500',
          replyTo: { type: 'object', optional: true, nullable: true, strict: true, props: { channel: 'string|max:32', address: 'string|max:400' } },
          register: 'boolean|optional', issueStatusSecret: 'boolean|optional', lang: 'string|optional|max:8', meta: 'object|optional',
        },
        handler: (ctx: Context<IntakeInput>) => done(intake({ ...intakeDeps, batcher }, ctx.params)),
      },
      publicStatus: {
        visibility: 'public',
        params: { regNumber: 'string|max:40', secret: 'string|max:40' },
        handler: (ctx: Context<{ regNumber: string; secret: string }>) => publicStatus(core.db, ctx.params.regNumber, ctx.params.secret),
      },
      recordDelivery: {
        visibility: 'public',
        params: { interactionId: id, status: { type: 'enum', values: ['sent', 'failed', 'bounced'] }, error: 'string|optional|nullable|max:2000', externalId: 'string|optional|nullable|max:255' },
        handler: (ctx: Context<{ interactionId: number; status: 'sent' | 'failed' | 'bounced'; error?: string | null; externalId?: string | null }>) =>
          done(T.recordDelivery(core.db, ctx.params.interactionId, ctx.params.status, ctx.params.error ?? null, core.clock(), ctx.params.externalId)),
      },
      claimNotices: {
        visibility: 'public',
        params: { limit: 'number|integer|min:1|max:200|optional', channels: { type: 'array', items: 'string', optional: true } },
        handler: (ctx: Context<{ limit?: number; channels?: string[] }>) => claimDueNotices(core.db, core.clock(), ctx.params.limit, ctx.params.channels),
      },
      noticeSent: {
        visibility: 'public',
        params: { noticeId: id, interactionId: { ...id, optional: true, nullable: true } },
        handler: (ctx: Context<{ noticeId: number; interactionId?: number | null }>) => done(markNoticeSent(core.db, ctx.params.noticeId, core.clock(), ctx.params.interactionId ?? null)),
      },
      noticeFailed: {
        visibility: 'public',
        params: { noticeId: id, error: 'string|max:2000', permanent: 'boolean|optional' },
        handler: (ctx: Context<{ noticeId: number; error: string; permanent?: boolean }>) => done(markNoticeFailed(core.db, ctx.params.noticeId, core.clock(), ctx.params.error, { permanent: ctx.params.permanent })),
      },

      register: apiAction<{ id: number; applicant?: any; serviceId?: number | null; subject?: string | null; replyTo?: { channel: string; address: string } | null }>({
        rest: 'POST /:id/register', auth: ROLES_DESK, summary: 'Register a received appeal (e.g. a fax) once its details are keyed in',
        params: { $$strict: true, id, applicant: { ...applicant, optional: true }, serviceId: { ...id, optional: true, nullable: true }, subject: 'string|optional|nullable|max:500', replyTo: { type: 'object', optional: true, nullable: true, props: { channel: 'string|max:32', address: 'string|max:400' } } },
        handler: (ctx) => {
          const { id: appealId, ...input } = ctx.params;
          return done(T.registerAppeal(deps, actorOf(ctx), appealId, input));
        },
      }),
      list: apiAction<{ status?: string; siteId?: number; assignedTo?: number | 'me'; channel?: string; serviceId?: number; deadline?: 'overdue' | 'nearDue'; regNumber?: string; limit?: number; offset?: number }>({
        rest: 'GET /', auth: ROLES_DESK, summary: 'The work list: appeals by status, site (with the sites below it), assignee, channel, service or deadline state',
        params: {
          $$strict: true, status: 'string|optional|max:200', siteId: { ...id, optional: true }, assignedTo: { type: 'multi', optional: true, rules: [{ type: 'equal', value: 'me' }, id] },
          channel: 'string|optional|max:32', serviceId: { ...id, optional: true }, deadline: { type: 'enum', values: ['overdue', 'nearDue'], optional: true },
          regNumber: 'string|optional|max:40', limit, offset,
        },
        handler: async (ctx) => {
          const actor = actorOf(ctx);
          const statuses = ctx.params.status?.split(',').map((s) => s.trim()).filter(Boolean) as AppealStatus[] | undefined;
          const bad = statuses?.find((s) => !APPEAL_STATUSES.includes(s));
          if (bad) throw invalid(['status', `unknown status ${bad} (known: ${APPEAL_STATUSES.join(', ')})`]);
          const q: AppealListQuery = {
            status: statuses, channel: ctx.params.channel, serviceId: ctx.params.serviceId, deadline: ctx.params.deadline, regNumber: ctx.params.regNumber,
            limit: ctx.params.limit, offset: ctx.params.offset, now: core.clock(), nearDueFrom: nearFrom(),
            assignedUserId: ctx.params.assignedTo === 'me' ? actor.userId! : ctx.params.assignedTo,
          };
          if (ctx.params.siteId != null) q.siteIds = subtreeIds(await listSites(core.db), ctx.params.siteId);
          return listAppeals(core.db, q);
        },
      }),
      deadlines: apiAction({
        rest: 'GET /deadlines', auth: ROLES_DESK, summary: 'Overdue and near-due appeals per site', params: { $$strict: true },
        handler: () => deadlineCounts(core.db, core.clock(), nearFrom()),
      }),
      get: apiAction<{ id: number }>({
        rest: 'GET /:id', auth: ROLES_DESK, summary: 'The appeal card with applicant, timeline, attachments, notices (audited read)', params: { $$strict: true, id },
        handler: (ctx) => getAppealCard(core.db, actorOf(ctx), ctx.params.id, { now: core.clock(), nearDueFrom: nearFrom() }),
      }),
      assign: apiAction<{ id: number; userId?: number }>({
        rest: 'POST /:id/assign', auth: ROLES_DESK, summary: 'Take the appeal (or, as supervisor, assign it to userId)', params: { $$strict: true, id, userId: { ...id, optional: true } },
        handler: (ctx) => {
          const actor = actorOf(ctx);
          const target = ctx.params.userId ?? actor.userId!;
          if (target !== actor.userId && !actor.roles.includes('supervisor')) throw forbidden('only a supervisor assigns appeals to others');
          return done(T.assignAppeal(deps, actor, ctx.params.id, target));
        },
      }),
      note: apiAction<{ id: number; text: string }>({
        rest: 'POST /:id/notes', auth: ROLES_DESK, summary: 'Add an internal note', params: { $$strict: true, id, text: 'string|min:1|max:100000' },
        handler: (ctx) => done(T.addNote(deps, actorOf(ctx), ctx.params.id, ctx.params.text)),
      }),
      reply: apiAction<{ id: number } & T.ReplyInput>({
        rest: 'POST /:id/reply', auth: ROLES_DESK, summary: 'Reply to the applicant through their channel; final=true is the answer on substance',
        params: { $$strict: true, id, body: 'string|min:1|max:1000000', subject: 'string|optional|nullable|max:500', final: 'boolean|optional', attachmentIds: { type: 'array', items: id, optional: true, max: 20 }, kbVersionsUsed: { type: 'array', optional: true, max: 50, items: { type: 'object', strict: true, props: { articleId: id, version: id } } } },
        handler: async (ctx) => {
          const { id: appealId, ...input } = ctx.params;
          const r = await done(T.replyToAppeal(deps, actorOf(ctx), appealId, input));
          ctx.emit('appeals.reply_written', { appealId, interactionId: r.interaction.id, channel: r.interaction.channel });
          return { appeal: r.appeal, interactionId: r.interaction.id };
        },
      }),
      redirect: apiAction<{ id: number; organisationId: number; reason: string }>({
        rest: 'POST /:id/redirect', auth: ROLES_DESK, summary: 'Redirect to the competent organisation (59-FZ art. 8 part 3), with notice', params: { $$strict: true, id, organisationId: id, reason: 'string|min:1|max:4000' },
        handler: (ctx) => done(T.redirectAppeal(deps, actorOf(ctx), ctx.params.id, ctx.params)),
      }),
      extend: apiAction<{ id: number; days: number; reason: string }>({
        rest: 'POST /:id/extend', auth: ROLES_DESK, summary: 'Extend the answer deadline once, up to 30 days (59-FZ art. 12 part 2), with notice',
        params: { $$strict: true, id, days: 'number|integer|min:1|max:366|convert', reason: 'string|min:1|max:4000' },
        handler: (ctx) => done(T.extendAppeal(deps, actorOf(ctx), ctx.params.id, ctx.params)),
      }),
      suspend: apiAction<{ id: number; reason: string }>({
        rest: 'POST /:id/suspend', auth: ROLES_DESK, summary: 'Suspend work on the appeal, with notice', params: { $$strict: true, id, reason: 'string|min:1|max:4000' },
        handler: (ctx) => done(T.suspendAppeal(deps, actorOf(ctx), ctx.params.id, ctx.params.reason)),
      }),
      resume: apiAction<{ id: number }>({
        rest: 'POST /:id/resume', auth: ROLES_DESK, summary: 'Resume a suspended appeal', params: { $$strict: true, id },
        handler: (ctx) => done(T.resumeAppeal(deps, actorOf(ctx), ctx.params.id)),
      }),
      defer: apiAction<{ id: number; note?: string; userId?: number | null }>({
        rest: 'POST /:id/defer', auth: ROLES_DESK, summary: 'Pass to the second line (8 working hours from registration)',
        params: { $$strict: true, id, note: 'string|optional|max:100000', userId: { ...id, optional: true, nullable: true } },
        handler: (ctx) => done(T.deferAppeal(deps, actorOf(ctx), ctx.params.id, ctx.params.note ?? '', ctx.params.userId)),
      }),
      readyEarly: apiAction<{ id: number; message: string }>({
        rest: 'POST /:id/ready-early', auth: ROLES_DESK, summary: 'Tell the applicant the result is ready early', params: { $$strict: true, id, message: 'string|min:1|max:4000' },
        handler: (ctx) => done(T.notifyReadyEarly(deps, actorOf(ctx), ctx.params.id, ctx.params.message)),
      }),
      close: apiAction<{ id: number; outcome: T.CloseOutcome; wrapUpCode?: string | null; note?: string | null }>({
        rest: 'POST /:id/close', auth: ROLES_DESK, summary: 'Close the appeal with an outcome and a wrap-up code',
        params: { $$strict: true, id, outcome: { type: 'enum', values: T.CLOSE_OUTCOMES }, wrapUpCode: 'string|optional|nullable|max:64', note: 'string|optional|nullable|max:100000' },
        handler: (ctx) => done(T.closeAppeal(deps, actorOf(ctx), ctx.params.id, ctx.params)),
      }),
    },
  };
}
