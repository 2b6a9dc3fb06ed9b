/**
 * The delivery service and the conformance suite, run against a loopback channel: a channel plugin
 * whose "far side" is a list in the test (its entry point is the intake call it makes itself).
 */
import t from 'tap';
import type { ServiceSchema } from 'moleculer';
import { definePlugin } from '../kernel/plugin.js';
import { startTestApp } from '../testing/app.js';
import { runChannelConformance, type FarSideMessage } from '../testing/conformance.js';
import type { OutboundMessage, SendResult } from './contract.js';

const farSide: FarSideMessage[] = [];
let failNext = 0;

const loopback = definePlugin({
  name: 'channel-loopback',
  kind: 'channel',
  version: '1.0.0',
  services: (): ServiceSchema[] => [{
    name: 'channel.loopback',
    actions: {
      capabilities: () => ({ channel: 'loopback', inbound: true, outbound: true, attachments: false, maxAttachmentBytes: null, realtime: false, identified: false, addressKind: 'email' }),
      health: () => ({ status: 'ok' }),
      send: (ctx: { params: OutboundMessage }): SendResult => {
        if (ctx.params.to.endsWith('@fail.invalid')) return { ok: false, error: `550 no such mailbox ${ctx.params.to}`, permanent: true };
        if (failNext > 0) {
          failNext--;
          return { ok: false, error: '421 try later', permanent: false };
        }
        farSide.push({ to: ctx.params.to, subject: ctx.params.subject, text: ctx.params.text });
        return { ok: true, externalId: `<${ctx.params.deliveryId}@loopback>` };
      },
    },
  }],
});

runChannelConformance(t, async () => {
  const app = await startTestApp({ plugins: { loopback }, config: { plugins: [{ name: 'loopback' }] }, deliveryPollMs: 100 });
  return {
    app,
    channel: 'loopback',
    probeAddress: 'citizen@example.ru',
    failingAddress: 'nobody@fail.invalid',
    async deliver(p) {
      await app.app.broker.call('appeals.intake', {
        channel: 'loopback', messageId: p.messageId, applicant: { fullName: p.fromName, contacts: [{ kind: 'email', value: p.fromAddress }] },
        subject: p.subject, body: p.text, replyTo: { channel: 'loopback', address: p.fromAddress },
      });
    },
    received: async () => farSide,
    stop: () => app.stop(),
  };
});

t.test('a temporary failure is retried with backoff and then delivered', async (t) => {
  const app = await startTestApp({ plugins: { loopback }, config: { plugins: [{ name: 'loopback' }] }, deliveryPollMs: 100, demo: true });
  t.teardown(() => app.stop());
  failNext = 1;
  const before = farSide.length;
  const r = await app.app.broker.call<{ appealId: number }, object>('appeals.intake', {
    channel: 'loopback', messageId: 'retry-1', applicant: { contacts: [{ kind: 'email', value: 'retry@example.ru' }] }, subject: 'retry', body: 'x',
    replyTo: { channel: 'loopback', address: 'retry@example.ru' },
  });
  const { Notice } = await import('../persistence/entities/index.js');
  // The first attempt failed; the notice waits for its backoff (1 minute) with the error kept.
  let n = null;
  for (let i = 0; i < 100 && !(n?.lastError); i++) {
    await new Promise((res) => setTimeout(res, 50));
    n = await app.app.db.read((em) => em.findOneBy(Notice, { appealId: r.appealId }));
  }
  t.equal(n?.status, 'pending');
  t.match(n?.lastError, /421/);
  t.ok(n!.nextAttemptAt.getTime() > Date.now() + 30_000, 'next attempt is backed off');
  t.equal(farSide.length, before, 'nothing delivered yet');
  // A supervisor can retry it now.
  const sup = await app.token('supervisor');
  const problems = await app.req('GET', '/api/deliveries/problems', { token: sup });
  t.ok(problems.body.notices.some((x: { id: number }) => x.id === n!.id), 'the supervisor sees the failing notice');
  const retry = await app.req('POST', `/api/notices/${n!.id}/retry`, { token: sup });
  t.equal(retry.status, 200);
  for (let i = 0; i < 100 && farSide.length === before; i++) await new Promise((res) => setTimeout(res, 50));
  t.equal(farSide.length, before + 1, 'delivered after the retry');
});
