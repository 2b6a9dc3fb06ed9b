/** Users, roles and skills (administration). */
import type { ServiceSchema } from 'moleculer';
import type { CoreContext } from '../kernel/context.js';
import { apiAction, actorOf, ROLES_ADMIN } from '../api/action.js';
import { listUsers, getUser, saveUser, listSkills, changePassword, type UserInput } from '../domain/users.js';
import { ROLES } from '../persistence/entities/index.js';
import { id } from './params.js';

const userParams = {
  login: 'string|min:1|max:64', fullName: 'string|min:1|max:200', password: 'string|optional|min:10|max:200',
  roles: { type: 'array', items: { type: 'enum', values: ROLES }, min: 1 }, siteId: { ...id, optional: true, nullable: true },
  active: 'boolean|optional', locale: { type: 'enum', values: ['ru', 'en'], optional: true },
  skills: { type: 'array', optional: true, max: 100, items: { type: 'object', strict: true, props: { skill: 'string|min:1|max:64', proficiency: 'number|integer|min:1|max:5' } } },
};

export function usersService(core: CoreContext): ServiceSchema {
  return {
    name: 'users',
    settings: { rest: '/users' },
    actions: {
      list: apiAction({ rest: 'GET /', auth: ['admin', 'supervisor'], summary: 'All users with roles and skills', params: { $$strict: true }, handler: () => listUsers(core.db) }),
      get: apiAction<{ id: number }>({ rest: 'GET /:id', auth: ['admin', 'supervisor'], summary: 'One user', params: { $$strict: true, id }, handler: (ctx) => getUser(core.db, ctx.params.id) }),
      create: apiAction<UserInput>({ rest: 'POST /', auth: ROLES_ADMIN, summary: 'Add a user (password at least 10 characters)', params: { $$strict: true, ...userParams, password: 'string|min:10|max:200' }, handler: (ctx) => saveUser(core.db, actorOf(ctx), ctx.params) }),
      update: apiAction<UserInput & { id: number }>({
        rest: 'PUT /:id', auth: ROLES_ADMIN, summary: 'Change a user (roles, site, skills; a new password ends their sessions)', params: { $$strict: true, id, ...userParams },
        handler: (ctx) => {
          const { id: userId, ...input } = ctx.params;
          return saveUser(core.db, actorOf(ctx), input, userId);
        },
      }),
      resetPassword: apiAction<{ id: number; newPassword: string }>({
        rest: 'POST /:id/password', auth: ROLES_ADMIN, summary: 'Set a user\'s password (ends their sessions)', params: { $$strict: true, id, newPassword: 'string|min:10|max:200' },
        handler: async (ctx) => {
          await changePassword(core.db, actorOf(ctx), ctx.params.id, null, ctx.params.newPassword);
          return { ok: true };
        },
      }),
      skills: apiAction({ rest: 'GET /skills', auth: ['admin', 'supervisor'], summary: 'The skill catalogue', params: { $$strict: true }, handler: () => listSkills(core.db) }),
    },
  };
}
