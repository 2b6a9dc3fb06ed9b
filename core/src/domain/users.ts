/** Users, roles and skills; logins with refresh-token rotation. */
import { createHash, randomBytes } from 'node:crypto';
import { In, IsNull } from 'typeorm';
import type { Database } from '../persistence/database.js';
import { User, UserSkill, Skill, RefreshToken, ROLES, type Role } from '../persistence/entities/index.js';
import { appendJournal } from './journal.js';
import { recordAudit } from './audit.js';
import type { Actor } from './actor.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { conflict, invalid, notFound, unauthorized } from './errors.js';
import { requireText, type Problem } from './text-fields.js';

export interface UserInput {
  login: string;
  fullName: string;
  password?: string;
  roles: Role[];
  siteId?: number | null;
  active?: boolean;
  locale?: string;
  skills?: { skill: string; proficiency: number }[];
}

export interface UserView {
  id: number;
  login: string;
  fullName: string;
  roles: Role[];
  siteId: number | null;
  active: boolean;
  locale: string;
  skills: { skill: string; proficiency: number }[];
  lastLoginAt: Date | null;
}

export const MIN_PASSWORD = 10;

function userProblems(input: Partial<UserInput>, creating: boolean): Problem[] {
  const p: Problem[] = [];
  const login = requireText(p, 'login', input.login, 64);
  if (login && !/^[a-z0-9._-]+$/i.test(login)) p.push(['login', 'may hold only letters, digits, ".", "_" and "-"']);
  requireText(p, 'fullName', input.fullName, 200);
  if (creating || input.password !== undefined) {
    if (!input.password || input.password.length < MIN_PASSWORD) p.push(['password', `must be at least ${MIN_PASSWORD} characters`]);
  }
  if (!Array.isArray(input.roles) || !input.roles.length) p.push(['roles', 'must name at least one role']);
  else input.roles.forEach((r, i) => { if (!ROLES.includes(r)) p.push([`roles[${i}]`, `must be one of ${ROLES.join(', ')}`]); });
  if (input.locale && !['ru', 'en'].includes(input.locale)) p.push(['locale', 'must be ru or en']);
  (input.skills ?? []).forEach((s, i) => {
    if (!s.skill?.trim()) p.push([`skills[${i}].skill`, 'is required']);
    if (!Number.isInteger(s.proficiency) || s.proficiency < 1 || s.proficiency > 5) p.push([`skills[${i}].proficiency`, 'must be 1..5']);
  });
  return p;
}

async function toView(db: Database, users: User[]): Promise<UserView[]> {
  const skills = users.length ? await db.read((em) => em.find(UserSkill, { where: { userId: In(users.map((u) => u.id)) } })) : [];
  return users.map((u) => ({
    id: u.id, login: u.login, fullName: u.fullName, roles: u.roles, siteId: u.siteId, active: u.active, locale: u.locale, lastLoginAt: u.lastLoginAt,
    skills: skills.filter((s) => s.userId === u.id).map((s) => ({ skill: s.skill, proficiency: s.proficiency })),
  }));
}

export async function listUsers(db: Database): Promise<UserView[]> {
  return toView(db, await db.read((em) => em.find(User, { order: { login: 'ASC' } })));
}

export async function getUser(db: Database, id: number): Promise<UserView> {
  const u = await db.read((em) => em.findOne(User, { where: { id } }));
  if (!u) throw notFound('user', id);
  return (await toView(db, [u]))[0]!;
}

export async function saveUser(db: Database, actor: Actor, input: UserInput, id?: number): Promise<UserView> {
  const p = userProblems(input, id == null);
  if (p.length) throw invalid(...p);
  const passwordHash = input.password ? await hashPassword(input.password) : undefined;
  const saved = await db.transaction(async (em) => {
    const clash = await em.findOne(User, { where: { login: input.login.trim() } });
    if (clash && clash.id !== id) throw invalid(['login', `"${input.login}" is taken`]);
    for (const s of input.skills ?? []) {
      if (!(await em.findOne(Skill, { where: { code: s.skill } }))) await em.insert(Skill, { code: s.skill, name: s.skill });
    }
    let user: User;
    const values = { login: input.login.trim(), fullName: input.fullName.trim(), roles: input.roles, siteId: input.siteId ?? null, locale: input.locale ?? 'ru', ...(passwordHash ? { passwordHash } : {}) };
    if (id != null) {
      const existing = await em.findOne(User, { where: { id } });
      if (!existing) throw notFound('user', id);
      user = await em.save(User, em.merge(User, existing, { ...values, active: input.active ?? existing.active }));
    } else {
      user = await em.save(User, em.create(User, { ...values, passwordHash: passwordHash!, active: input.active ?? true, createdAt: new Date(), lastLoginAt: null }));
    }
    if (input.skills) {
      await em.delete(UserSkill, { userId: user.id });
      for (const s of input.skills) await em.insert(UserSkill, { userId: user.id, skill: s.skill, proficiency: s.proficiency });
    }
    if (passwordHash && id != null) await em.update(RefreshToken, { userId: user.id, revokedAt: IsNull() }, { revokedAt: new Date() });
    await appendJournal(em, { type: id != null ? 'user.updated' : 'user.created', aggregateType: 'user', aggregateId: user.id, siteId: user.siteId, actorId: actor.userId, data: { login: user.login, roles: user.roles, active: user.active } });
    return user;
  });
  return (await toView(db, [saved]))[0]!;
}

export async function listSkills(db: Database): Promise<Skill[]> {
  return db.read((em) => em.find(Skill, { order: { code: 'ASC' } }));
}

const tokenHash = (t: string) => createHash('sha256').update(t).digest('hex');

export interface LoginResult {
  user: UserView;
  refreshToken: string;
  refreshExpiresAt: Date;
}

/** Checks a password; records the login (or the failure) in the audit log. */
export async function login(db: Database, loginName: string, password: string, refreshTtlMs: number, ip: string | null = null): Promise<LoginResult> {
  const user = await db.read((em) => em.findOne(User, { where: { login: (loginName ?? '').trim() } }));
  // Verify against a dummy hash when the user is unknown, so timing does not reveal logins.
  const ok = await verifyPassword(password ?? '', user?.passwordHash ?? DUMMY_HASH);
  const actor: Actor = { userId: user?.id ?? null, login: (loginName ?? '').slice(0, 64), roles: [], siteId: null, ip };
  if (!user || !ok || !user.active) {
    await db.transaction((em) => recordAudit(em, actor, { action: 'login_failed', entityType: 'user', entityId: user?.id ?? null }));
    throw unauthorized('wrong login or password');
  }
  const refreshToken = randomBytes(32).toString('base64url');
  const now = new Date();
  const refreshExpiresAt = new Date(now.getTime() + refreshTtlMs);
  await db.transaction(async (em) => {
    await em.insert(RefreshToken, { userId: user.id, tokenHash: tokenHash(refreshToken), expiresAt: refreshExpiresAt, revokedAt: null, createdAt: now });
    await em.update(User, { id: user.id }, { lastLoginAt: now });
    await recordAudit(em, actor, { action: 'login', entityType: 'user', entityId: user.id }, now);
  });
  return { user: (await toView(db, [user]))[0]!, refreshToken, refreshExpiresAt };
}

/** Exchanges a refresh token for a new one (the old one is revoked; reuse of a revoked token revokes all). */
export async function rotateRefreshToken(db: Database, token: string, refreshTtlMs: number): Promise<LoginResult> {
  const now = new Date();
  const result = await db.transaction(async (em) => {
    const row = await em.findOne(RefreshToken, { where: { tokenHash: tokenHash(token ?? '') } });
    if (!row) throw unauthorized('unknown refresh token');
    if (row.revokedAt) {
      // A stolen token replayed after its owner used it: end every session of this user.
      await em.update(RefreshToken, { userId: row.userId }, { revokedAt: now });
      return { error: 'refresh token was already used; all sessions of this user are ended' as const };
    }
    if (row.expiresAt < now) throw unauthorized('refresh token expired');
    const user = await em.findOne(User, { where: { id: row.userId } });
    if (!user?.active) throw unauthorized('user is inactive');
    await em.update(RefreshToken, { id: row.id }, { revokedAt: now });
    const next = randomBytes(32).toString('base64url');
    const refreshExpiresAt = new Date(now.getTime() + refreshTtlMs);
    await em.insert(RefreshToken, { userId: user.id, tokenHash: tokenHash(next), expiresAt: refreshExpiresAt, revokedAt: null, createdAt: now });
    return { user, refreshToken: next, refreshExpiresAt };
  });
  if ('error' in result) throw unauthorized(result.error);
  return { user: (await toView(db, [result.user]))[0]!, refreshToken: result.refreshToken, refreshExpiresAt: result.refreshExpiresAt };
}

export async function logout(db: Database, token: string): Promise<void> {
  await db.transaction((em) => em.update(RefreshToken, { tokenHash: tokenHash(token ?? '') }, { revokedAt: new Date() }));
}

export async function changePassword(db: Database, actor: Actor, userId: number, oldPassword: string | null, newPassword: string): Promise<void> {
  if (!newPassword || newPassword.length < MIN_PASSWORD) throw invalid(['newPassword', `must be at least ${MIN_PASSWORD} characters`]);
  const user = await db.read((em) => em.findOne(User, { where: { id: userId } }));
  if (!user) throw notFound('user', userId);
  if (oldPassword !== null && !(await verifyPassword(oldPassword, user.passwordHash))) throw conflict('the current password is wrong');
  const passwordHash = await hashPassword(newPassword);
  await db.transaction(async (em) => {
    await em.update(User, { id: userId }, { passwordHash });
    await em.update(RefreshToken, { userId }, { revokedAt: new Date() });
    await appendJournal(em, { type: 'user.password_changed', aggregateType: 'user', aggregateId: userId, actorId: actor.userId });
  });
}

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
