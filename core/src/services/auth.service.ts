/** Sign-in, token refresh, sign-out and the current user. */
import type { ServiceSchema } from 'moleculer';
import type { CoreContext } from '../kernel/context.js';
import { apiAction, actorOf, type ApiContext } from '../api/action.js';
import type { TokenIssuer } from '../api/tokens.js';
import { login, rotateRefreshToken, logout, getUser, changePassword, type LoginResult } from '../domain/users.js';

export function authService(core: CoreContext, tokens: TokenIssuer): ServiceSchema {
  const refreshTtlMs = core.config.auth.refreshTtlDays * 86_400_000;
  const session = async (r: LoginResult) => {
    const access = await tokens.issue({ id: r.user.id, login: r.user.login, name: r.user.fullName, roles: r.user.roles, siteId: r.user.siteId });
    return { accessToken: access.token, accessExpiresAt: access.expiresAt, refreshToken: r.refreshToken, refreshExpiresAt: r.refreshExpiresAt, user: r.user };
  };
  return {
    name: 'auth',
    settings: { rest: '/auth' },
    actions: {
      login: apiAction<{ login: string; password: string }>({
        rest: 'POST /login', auth: 'public', summary: 'Sign in with login and password; returns an access token and a refresh token',
        params: { $$strict: true, login: 'string|min:1|max:64', password: 'string|min:1|max:200' },
        handler: async (ctx) => session(await login(core.db, ctx.params.login, ctx.params.password, refreshTtlMs, ctx.meta.ip ?? null)),
      }),
      refresh: apiAction<{ refreshToken: string }>({
        rest: 'POST /refresh', auth: 'public', summary: 'Exchange a refresh token for new tokens (the old refresh token stops working)',
        params: { $$strict: true, refreshToken: 'string|min:10|max:200' },
        handler: async (ctx) => session(await rotateRefreshToken(core.db, ctx.params.refreshToken, refreshTtlMs)),
      }),
      logout: apiAction<{ refreshToken: string }>({
        rest: 'POST /logout', auth: 'user', summary: 'End this session (revokes the refresh token)',
        params: { $$strict: true, refreshToken: 'string|min:10|max:200' },
        handler: async (ctx) => {
          await logout(core.db, ctx.params.refreshToken);
          return { ok: true };
        },
      }),
      me: apiAction({
        rest: 'GET /me', auth: 'user', summary: 'The signed-in user', params: { $$strict: true },
        handler: async (ctx: ApiContext) => getUser(core.db, actorOf(ctx).userId!),
      }),
      changePassword: apiAction<{ currentPassword: string; newPassword: string }>({
        rest: 'POST /password', auth: 'user', summary: 'Change your own password (ends your other sessions)',
        params: { $$strict: true, currentPassword: 'string|max:200', newPassword: 'string|min:10|max:200' },
        handler: async (ctx) => {
          const actor = actorOf(ctx);
          await changePassword(core.db, actor, actor.userId!, ctx.params.currentPassword, ctx.params.newPassword);
          return { ok: true };
        },
      }),
    },
  };
}
