/**
 * Identified portal sessions. The city's portal signs the citizen in through its identity provider
 * (ESIA or the city's own) and hands the form a token; an appeal submitted with a valid token is an
 * identified electronic document (547-FZ), one without is a plain electronic appeal.
 *
 * The check is behind `IdentityVerifier`, so an installation can plug in its provider (OIDC, SAML,
 * a call to the portal's back end). Shipped: `HmacIdentityVerifier`, for a portal back end that
 * shares a secret with Okno and signs a short-lived JWT (HS256) with claims
 *   iss  the identity provider (config identity.issuer)     aud  config identity.audience
 *   sub  the person's stable id at the provider              exp  expiry (required; keep it short)
 *   name full name (optional)                                email e-mail (optional)
 * `signIdentityToken` makes such a token (the portal side, tests, the demo).
 */
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { FieldIssue } from './messages.js';

export interface PortalIdentity {
  /** The person's stable id at the identity provider. */
  subject: string;
  issuer: string;
  fullName: string | null;
  email: string | null;
}

export class IdentityError extends Error {
  constructor(message: string, readonly reason: 'invalid' | 'expired' | 'disabled') {
    super(message);
    this.name = 'IdentityError';
  }
}

export interface IdentityVerifier {
  /** The identity the token proves; throws IdentityError when it proves none. */
  verify(token: string): Promise<PortalIdentity>;
}

/** Used when no identity provider is configured: every token is refused. */
export const noIdentityProvider: IdentityVerifier = {
  async verify() {
    throw new IdentityError('identified sessions are not configured on this portal', 'disabled');
  },
};

export interface HmacIdentityOptions {
  secret: string;
  issuer: string;
  audience: string;
  clockToleranceSeconds?: number;
}

const keyOf = (secret: string) => new TextEncoder().encode(secret);

export class HmacIdentityVerifier implements IdentityVerifier {
  private readonly key: Uint8Array;
  constructor(private readonly opts: HmacIdentityOptions) {
    if (opts.secret.length < 32) throw new Error('the identity HMAC secret must have at least 32 characters');
    this.key = keyOf(opts.secret);
  }

  async verify(token: string): Promise<PortalIdentity> {
    if (typeof token !== 'string' || token.length > 4096) throw new IdentityError('the identity token is malformed', 'invalid');
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'], issuer: this.opts.issuer, audience: this.opts.audience,
        clockTolerance: this.opts.clockToleranceSeconds ?? 30, requiredClaims: ['sub', 'exp'],
      });
      const text = (v: unknown, max: number) => (typeof v === 'string' && v.trim() ? v.trim().slice(0, max) : null);
      const subject = text(payload.sub, 200);
      if (!subject) throw new IdentityError('the identity token names no person', 'invalid');
      return { subject, issuer: String(payload.iss), fullName: text(payload.name, 300), email: text(payload.email, 320) };
    } catch (err) {
      if (err instanceof IdentityError) throw err;
      if (err instanceof joseErrors.JWTExpired) throw new IdentityError('the identity token has expired; sign in on the portal again', 'expired');
      throw new IdentityError('the identity token is not valid', 'invalid');
    }
  }
}

/** Signs an identity token as the portal's back end would (HS256). */
export async function signIdentityToken(
  opts: { secret: string; issuer: string; audience: string },
  claims: { subject: string; fullName?: string; email?: string; expiresInSeconds?: number },
): Promise<string> {
  return new SignJWT({ ...(claims.fullName ? { name: claims.fullName } : {}), ...(claims.email ? { email: claims.email } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.subject)
    .setIssuer(opts.issuer)
    .setAudience(opts.audience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (claims.expiresInSeconds ?? 600))
    .sign(keyOf(opts.secret));
}

/** The identity a form's token proves, null without a token; a refused token is a field problem. */
export async function identityOf(verifier: IdentityVerifier, token: string | null, issues: FieldIssue[], field = 'identityToken'): Promise<PortalIdentity | null> {
  if (!token) return null;
  try {
    return await verifier.verify(token);
  } catch (err) {
    if (!(err instanceof IdentityError)) throw err;
    issues.push({ field, key: err.reason === 'expired' ? 'identityExpired' : err.reason === 'disabled' ? 'identityDisabled' : 'identityInvalid' });
    return null;
  }
}
