/**
 * How the core (and plugins) publish an action over REST: `apiAction({ rest, auth, summary, params,
 * handler })`. `auth` is required — 'public', 'user' (anyone signed in) or the roles allowed — so no
 * route can be published without a decision about who may call it; the gateway refuses calls to a
 * published action that lacks one.
 */
import type { ActionSchema, Context } from 'moleculer';
import type { Role } from '../persistence/entities/index.js';
import type { Actor } from '../domain/actor.js';
import { unauthorized } from '../domain/errors.js';

export type AuthPolicy = 'public' | 'user' | readonly Role[];

declare module 'moleculer' {
  interface ActionSchema {
    /** Who may call this action over the API. */
    auth?: AuthPolicy;
    /** One line for the OpenAPI document. */
    summary?: string;
    /** OpenAPI tag (defaults to the service name). */
    tag?: string;
    /** The body is a multipart file upload (the file arrives as ctx.stream). */
    upload?: boolean;
  }
}

/** The signed-in user, as the gateway puts it in ctx.meta.user. */
export interface SessionUser {
  id: number;
  login: string;
  name: string;
  roles: Role[];
  siteId: number | null;
}

export interface ApiMeta {
  user?: SessionUser | null;
  ip?: string | null;
  /** The request's Content-Type (for actions whose alias streams the raw body). */
  contentType?: string | null;
  /** Set by an action to choose the HTTP status of its answer (moleculer-web). */
  $statusCode?: number;
  $responseType?: string;
  $responseHeaders?: Record<string, string>;
}

export type ApiContext<P = Record<string, any>> = Context<P, ApiMeta>;

export interface ApiActionDef<P> {
  rest: string;
  auth: AuthPolicy;
  summary: string;
  params?: Record<string, unknown>;
  tag?: string;
  upload?: boolean;
  handler: (ctx: ApiContext<P>) => unknown;
}

export function apiAction<P = Record<string, any>>(def: ApiActionDef<P>): ActionSchema {
  if (def.upload) {
    // moleculer-web streams a multipart upload to the action when the alias has type "multipart".
    const [method, path] = def.rest.split(/\s+/);
    return { ...def, rest: { method, path, type: 'multipart' }, handler: def.handler } as unknown as ActionSchema;
  }
  return { ...def, handler: def.handler } as unknown as ActionSchema;
}

/** The actor of a call made by a signed-in user; 401 when there is none. */
export function actorOf(ctx: ApiContext<unknown>): Actor {
  const u = ctx.meta.user;
  if (!u) throw unauthorized();
  return { userId: u.id, login: u.login, roles: u.roles, siteId: u.siteId, ip: ctx.meta.ip ?? null };
}

/** Whether the policy lets this user in (null: anonymous). */
export function allowed(policy: AuthPolicy | undefined, user: SessionUser | null | undefined): 'ok' | 'unauthenticated' | 'forbidden' | 'no-policy' {
  if (policy === undefined) return 'no-policy';
  if (policy === 'public') return 'ok';
  if (!user) return 'unauthenticated';
  if (policy === 'user') return 'ok';
  return policy.some((r) => user.roles.includes(r)) ? 'ok' : 'forbidden';
}

/** Common role sets. */
export const ROLES_DESK: readonly Role[] = ['operator', 'supervisor'];
export const ROLES_ADMIN: readonly Role[] = ['admin'];
export const ROLES_CONTENT: readonly Role[] = ['admin', 'supervisor'];
