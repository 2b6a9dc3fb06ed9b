/** Access tokens: short-lived JWTs (HS256, jose) carrying who the user is and their roles. */
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { SessionUser } from './action.js';
import { ROLES, type Role } from '../persistence/entities/index.js';

export class TokenIssuer {
  private readonly key: Uint8Array;
  constructor(secret: string, readonly ttlSeconds: number, private readonly issuer = 'okno') {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(user: SessionUser): Promise<{ token: string; expiresAt: Date }> {
    const expiresAt = new Date(Date.now() + this.ttlSeconds * 1000);
    const token = await new SignJWT({ login: user.login, name: user.name, roles: user.roles, site: user.siteId })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(String(user.id))
      .setIssuer(this.issuer)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.key);
    return { token, expiresAt };
  }

  /** The user of a valid token; null for a missing, forged or expired one. */
  async verify(token: string): Promise<SessionUser | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: this.issuer, algorithms: ['HS256'] });
      const roles = (Array.isArray(payload.roles) ? payload.roles : []).filter((r): r is Role => ROLES.includes(r as Role));
      return { id: Number(payload.sub), login: String(payload.login ?? ''), name: String(payload.name ?? ''), roles, siteId: payload.site == null ? null : Number(payload.site) };
    } catch (err) {
      if (err instanceof joseErrors.JOSEError) return null;
      throw err;
    }
  }
}
