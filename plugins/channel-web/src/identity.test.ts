import t from 'tap';
import { SignJWT } from 'jose';
import { HmacIdentityVerifier, IdentityError, noIdentityProvider, signIdentityToken } from './identity.js';

const opts = { secret: 'portal-shared-secret-0123456789-abcdef', issuer: 'city-idp', audience: 'okno-portal' };
const verifier = new HmacIdentityVerifier(opts);

const reasonOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'accepted';
  } catch (err) {
    return err instanceof IdentityError ? err.reason : `other: ${(err as Error).message}`;
  }
};

t.test('a token signed with the shared secret proves the person', async (t) => {
  const token = await signIdentityToken(opts, { subject: 'esia-1000123', fullName: 'Иванова Анна Петровна', email: 'anna@example.ru' });
  t.same(await verifier.verify(token), { subject: 'esia-1000123', issuer: 'city-idp', fullName: 'Иванова Анна Петровна', email: 'anna@example.ru' });
  const bare = await signIdentityToken(opts, { subject: 'esia-2' });
  t.same(await verifier.verify(bare), { subject: 'esia-2', issuer: 'city-idp', fullName: null, email: null });
});

t.test('forged, expired, foreign and malformed tokens are refused', async (t) => {
  const forged = await signIdentityToken({ ...opts, secret: 'another-secret-0123456789-abcdefghij' }, { subject: 'x' });
  t.equal(await reasonOf(verifier.verify(forged)), 'invalid', 'wrong key');
  const expired = await signIdentityToken(opts, { subject: 'x', expiresInSeconds: -120 });
  t.equal(await reasonOf(verifier.verify(expired)), 'expired');
  t.equal(await reasonOf(verifier.verify(await signIdentityToken({ ...opts, issuer: 'evil' }, { subject: 'x' }))), 'invalid', 'other issuer');
  t.equal(await reasonOf(verifier.verify(await signIdentityToken({ ...opts, audience: 'other-app' }, { subject: 'x' }))), 'invalid', 'other audience');
  const noExp = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setIssuer(opts.issuer).setAudience(opts.audience).sign(new TextEncoder().encode(opts.secret));
  t.equal(await reasonOf(verifier.verify(noExp)), 'invalid', 'a token without expiry');
  const [h, p] = (await signIdentityToken(opts, { subject: 'x' })).split('.');
  t.equal(await reasonOf(verifier.verify(`${h}.${p}.`)), 'invalid', 'unsigned');
  const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${p}.`;
  t.equal(await reasonOf(verifier.verify(none)), 'invalid', 'alg none');
  t.equal(await reasonOf(verifier.verify('garbage')), 'invalid');
  t.equal(await reasonOf(verifier.verify('x'.repeat(5000))), 'invalid', 'oversized');
});

t.test('without a configured provider every token is refused; short secrets are refused at start', async (t) => {
  t.equal(await reasonOf(noIdentityProvider.verify('anything')), 'disabled');
  t.throws(() => new HmacIdentityVerifier({ ...opts, secret: 'short' }), /at least 32/);
});
