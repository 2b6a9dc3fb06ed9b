/** The knowledge base: search, read (any version), write new versions. */
import type { ServiceSchema } from 'moleculer';
import type { CoreContext } from '../kernel/context.js';
import { apiAction, actorOf, ROLES_CONTENT } from '../api/action.js';
import { searchArticles, getArticle, listArticles, createArticle, reviseArticle, archiveArticle, type ArticleInput } from '../domain/kb.js';
import { id, limit, offset } from './params.js';

const articleParams = {
  title: 'string|max:400', body: 'string|max:1000000', serviceId: { ...id, optional: true, nullable: true },
  organisationId: { ...id, optional: true, nullable: true }, note: { type: 'string', max: 400, optional: true, nullable: true },
};

export function kbService(core: CoreContext): ServiceSchema {
  return {
    name: 'kb',
    settings: { rest: '/kb' },
    actions: {
      search: apiAction<{ q: string; limit?: number; serviceId?: number }>({
        rest: 'GET /search', auth: 'user', summary: 'Full-text search that finds Russian words in other forms',
        params: { $$strict: true, q: 'string|min:1|max:500', limit, serviceId: { ...id, optional: true } },
        handler: (ctx) => searchArticles(core.db, ctx.params.q, { limit: ctx.params.limit, serviceId: ctx.params.serviceId }),
      }),
      list: apiAction<{ serviceId?: number; archived?: boolean; limit?: number; offset?: number }>({
        rest: 'GET /articles', auth: 'user', summary: 'Articles, newest first',
        params: { $$strict: true, serviceId: { ...id, optional: true }, archived: 'boolean|optional|convert', limit, offset },
        handler: (ctx) => listArticles(core.db, { serviceId: ctx.params.serviceId, includeArchived: ctx.params.archived, limit: ctx.params.limit, offset: ctx.params.offset }),
      }),
      get: apiAction<{ id: number; version?: number }>({
        rest: 'GET /articles/:id', auth: 'user', summary: 'An article (the current version, or ?version=n) with its version list',
        params: { $$strict: true, id, version: { ...id, optional: true } },
        handler: (ctx) => getArticle(core.db, ctx.params.id, ctx.params.version),
      }),
      create: apiAction<ArticleInput>({
        rest: 'POST /articles', auth: ROLES_CONTENT, summary: 'Publish a new article', params: { $$strict: true, ...articleParams },
        handler: (ctx) => createArticle(core.db, actorOf(ctx), ctx.params),
      }),
      revise: apiAction<ArticleInput & { id: number }>({
        rest: 'PUT /articles/:id', auth: ROLES_CONTENT, summary: 'Publish a new version of an article', params: { $$strict: true, id, ...articleParams },
        handler: (ctx) => {
          const { id: articleId, ...input } = ctx.params;
          return reviseArticle(core.db, actorOf(ctx), articleId, input);
        },
      }),
      archive: apiAction<{ id: number }>({
        rest: 'DELETE /articles/:id', auth: ROLES_CONTENT, summary: 'Archive an article (its versions stay readable)', params: { $$strict: true, id },
        handler: async (ctx) => {
          await archiveArticle(core.db, actorOf(ctx), ctx.params.id);
          return { ok: true };
        },
      }),
    },
  };
}
