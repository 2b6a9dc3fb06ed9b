import t from 'tap';
import { sealSecret, submissionHash, submissionMessageId, unsealSecret } from './sealed-secret.js';

t.test('a sealed secret opens only with its submission id', async (t) => {
  const id = 'form-6a1f2e3d-1111-4222-8333-944455556666';
  const sealed = sealSecret(id, 'ABCDE-FGH23');
  t.notMatch(sealed, /ABCDE/, 'not readable as stored');
  t.equal(unsealSecret(id, sealed), 'ABCDE-FGH23');
  t.equal(unsealSecret(`${id}x`, sealed), null, 'another id cannot open it');
  const [iv, ct, tag] = sealed.split('.');
  t.equal(unsealSecret(id, `${iv}.${ct}.${Buffer.alloc(16).toString('base64url')}`), null, 'a tampered seal does not open');
  t.equal(unsealSecret(id, 'garbage'), null);
  t.not(sealSecret(id, 'ABCDE-FGH23'), sealed, 'a fresh nonce each time');
  void tag;
});

t.test('what is stored reveals neither the submission id nor links to it in clear', async (t) => {
  const id = 'form-0123456789abcdef';
  t.match(submissionHash(id), /^[0-9a-f]{64}$/);
  t.notMatch(submissionMessageId(id), /0123456789abcdef/);
  t.not(submissionHash(id), submissionMessageId(id).slice(5), 'the two keys are different hashes');
  t.ok(submissionMessageId(id).length <= 255);
});
