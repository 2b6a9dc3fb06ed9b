/**
 * The shared knowledge base: versioned, dated articles linked to services, with full-text search
 * that works for Russian on SQLite (FTS5) and MySQL (FULLTEXT) alike (see search/russian-text.ts).
 */
import { In, type EntityManager } from 'typeorm';
import type { Database } from '../persistence/database.js';
import { KbArticle, KbArticleVersion, Service } from '../persistence/entities/index.js';
import { appendJournal } from './journal.js';
import type { Actor } from './actor.js';
import { invalid, notFound } from './errors.js';
import { requireText, optionalText, type Problem } from './text-fields.js';
import { stems, queryTerms, fts5Query, mysqlBooleanQuery, snippet } from '../search/russian-text.js';

export interface ArticleInput {
  title: string;
  body: string;
  serviceId?: number | null;
  organisationId?: number | null;
  note?: string | null;
}

export interface ArticleView {
  id: number;
  title: string;
  serviceId: number | null;
  organisationId: number | null;
  status: string;
  currentVersion: number;
  body: string;
  createdAt: Date;
  updatedAt: Date;
  versions: { version: number; title: string; note: string | null; authorId: number | null; createdAt: Date }[];
}

export interface SearchHit {
  articleId: number;
  title: string;
  version: number;
  serviceId: number | null;
  snippet: string;
  score: number;
}

function validate(input: ArticleInput): { title: string; body: string; note: string | null } {
  const p: Problem[] = [];
  const title = requireText(p, 'title', input.title, 400);
  const body = requireText(p, 'body', input.body, 1_000_000);
  const note = optionalText(p, 'note', input.note, 400);
  if (p.length) throw invalid(...p);
  return { title, body, note };
}

async function indexArticle(db: Database, em: EntityManager, articleId: number, title: string, body: string, serviceName: string | null): Promise<void> {
  const text = [title, title, title, serviceName ?? '', body].join('\n');
  const indexed = stems(text).join(' ');
  if (db.isMysql) {
    await em.query('REPLACE INTO `kb_search` (`articleId`, `stems`) VALUES (?, ?)', [articleId, indexed]);
  } else {
    await em.query('DELETE FROM "kb_search" WHERE rowid = ?', [articleId]);
    await em.query('INSERT INTO "kb_search" (rowid, "stems", "articleId") VALUES (?, ?, ?)', [articleId, indexed, articleId]);
  }
}

async function serviceName(em: EntityManager, serviceId: number | null | undefined): Promise<string | null> {
  if (serviceId == null) return null;
  const svc = await em.findOne(Service, { where: { id: serviceId } });
  if (!svc) throw invalid(['serviceId', `service ${serviceId} does not exist`]);
  return svc.name;
}

export async function createArticle(db: Database, actor: Actor, input: ArticleInput): Promise<KbArticle> {
  const { title, body, note } = validate(input);
  return db.transaction(async (em) => {
    const svcName = await serviceName(em, input.serviceId);
    const now = new Date();
    const article = await em.save(KbArticle, em.create(KbArticle, {
      title, serviceId: input.serviceId ?? null, organisationId: input.organisationId ?? null, currentVersion: 1, status: 'published', createdAt: now, updatedAt: now,
    }));
    await em.insert(KbArticleVersion, { articleId: article.id, version: 1, title, body, note, authorId: actor.userId, createdAt: now });
    await indexArticle(db, em, article.id, title, body, svcName);
    await appendJournal(em, { type: 'kb.article.published', aggregateType: 'kb_article', aggregateId: article.id, actorId: actor.userId, data: { version: 1, serviceId: article.serviceId } });
    return article;
  });
}

/** Saves a new version of an article (the old versions stay readable). */
export async function reviseArticle(db: Database, actor: Actor, id: number, input: ArticleInput): Promise<KbArticle> {
  const { title, body, note } = validate(input);
  return db.transaction(async (em) => {
    const article = await em.findOne(KbArticle, { where: { id } });
    if (!article) throw notFound('article', id);
    const serviceId = input.serviceId === undefined ? article.serviceId : input.serviceId;
    const svcName = await serviceName(em, serviceId);
    const now = new Date();
    const version = article.currentVersion + 1;
    await em.insert(KbArticleVersion, { articleId: id, version, title, body, note, authorId: actor.userId, createdAt: now });
    Object.assign(article, { title, serviceId, organisationId: input.organisationId === undefined ? article.organisationId : input.organisationId, currentVersion: version, updatedAt: now });
    await em.save(KbArticle, article);
    await indexArticle(db, em, id, title, body, svcName);
    await appendJournal(em, { type: 'kb.article.published', aggregateType: 'kb_article', aggregateId: id, actorId: actor.userId, data: { version, serviceId } });
    return article;
  });
}

export async function archiveArticle(db: Database, actor: Actor, id: number): Promise<void> {
  await db.transaction(async (em) => {
    const res = await em.update(KbArticle, { id }, { status: 'archived', updatedAt: new Date() });
    if (!res.affected) throw notFound('article', id);
    await em.query(db.isMysql ? 'DELETE FROM `kb_search` WHERE `articleId` = ?' : 'DELETE FROM "kb_search" WHERE rowid = ?', [id]);
    await appendJournal(em, { type: 'kb.article.archived', aggregateType: 'kb_article', aggregateId: id, actorId: actor.userId });
  });
}

export async function getArticle(db: Database, id: number, version?: number): Promise<ArticleView> {
  return db.read(async (em) => {
    const article = await em.findOne(KbArticle, { where: { id } });
    if (!article) throw notFound('article', id);
    const versions = await em.find(KbArticleVersion, { where: { articleId: id }, order: { version: 'DESC' } });
    const shown = versions.find((v) => v.version === (version ?? article.currentVersion));
    if (!shown) throw notFound(`version of article ${id}`, version);
    return {
      id: article.id, title: shown.title, serviceId: article.serviceId, organisationId: article.organisationId, status: article.status,
      currentVersion: article.currentVersion, body: shown.body, createdAt: article.createdAt, updatedAt: article.updatedAt,
      versions: versions.map((v) => ({ version: v.version, title: v.title, note: v.note, authorId: v.authorId, createdAt: v.createdAt })),
    };
  });
}

export async function listArticles(db: Database, q: { serviceId?: number; includeArchived?: boolean; limit?: number; offset?: number } = {}): Promise<{ total: number; rows: KbArticle[] }> {
  return db.read(async (em) => {
    const qb = em.getRepository(KbArticle).createQueryBuilder('a').orderBy('a.updatedAt', 'DESC');
    if (q.serviceId != null) qb.andWhere('a.serviceId = :s', { s: q.serviceId });
    if (!q.includeArchived) qb.andWhere('a.status = :st', { st: 'published' });
    const [rows, total] = await qb.take(q.limit ?? 50).skip(q.offset ?? 0).getManyAndCount();
    return { total, rows };
  });
}

/** Finds published articles whose words match every term of the query in any form. */
export async function searchArticles(db: Database, query: string, opts: { limit?: number; serviceId?: number } = {}): Promise<SearchHit[]> {
  const terms = queryTerms(query);
  if (!terms.length) return [];
  const limit = Math.min(opts.limit ?? 20, 100);
  return db.read(async (em) => {
    const ranked: { articleId: number; score: number }[] = db.isMysql
      ? (await em.query(
          'SELECT `articleId`, MATCH(`stems`) AGAINST(? IN BOOLEAN MODE) AS score FROM `kb_search` WHERE MATCH(`stems`) AGAINST(? IN BOOLEAN MODE) ORDER BY score DESC LIMIT ?',
          [mysqlBooleanQuery(terms), mysqlBooleanQuery(terms), limit * 3],
        )).map((r: { articleId: number; score: number }) => ({ articleId: Number(r.articleId), score: Number(r.score) }))
      : (await em.query('SELECT "articleId", -bm25("kb_search") AS score FROM "kb_search" WHERE "kb_search" MATCH ? ORDER BY score DESC LIMIT ?', [fts5Query(terms), limit * 3]))
          .map((r: { articleId: number; score: number }) => ({ articleId: Number(r.articleId), score: Number(r.score) }));
    if (!ranked.length) return [];
    const articles = await em.find(KbArticle, { where: { id: In(ranked.map((r) => r.articleId)), status: 'published' } });
    const byId = new Map(articles.map((a) => [a.id, a]));
    const versions = await em.find(KbArticleVersion, { where: articles.map((a) => ({ articleId: a.id, version: a.currentVersion })) });
    const bodyOf = new Map(versions.map((v) => [v.articleId, v.body]));
    const hits: SearchHit[] = [];
    for (const r of ranked) {
      const a = byId.get(r.articleId);
      if (!a || (opts.serviceId != null && a.serviceId !== opts.serviceId)) continue;
      hits.push({ articleId: a.id, title: a.title, version: a.currentVersion, serviceId: a.serviceId, snippet: snippet(bodyOf.get(a.id) ?? '', terms), score: r.score });
      if (hits.length >= limit) break;
    }
    return hits;
  });
}
