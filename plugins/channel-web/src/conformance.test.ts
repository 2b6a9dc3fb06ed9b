/**
 * The core's channel conformance suite, run against the portal through its real entry point: a probe
 * is submitted over HTTP like the form does, and the far side is what the citizen sees — the status
 * page (registration number + secret) with the portal message box, read through the public API.
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import { runChannelConformance, type FarSideMessage } from '@okno/core/testing';
import { startPortal } from './test-support/portal-app.js';

runChannelConformance(t, async () => {
  // Answers kept in the portal box (replyByEmail off): the portal channel itself delivers them.
  const app = await startPortal({ replyByEmail: false });
  const submitted = new Map<string, { regNumber: string; secret: string; address: string }>();
  return {
    app,
    channel: 'portal',
    probeAddress: 'probe.citizen@example.ru',
    failingAddress: null,
    async deliver(p) {
      // The form makes one submission id per appeal; the same probe twice is a double submit.
      const submissionId = `probe-${createHash('sha256').update(p.messageId).digest('hex').slice(0, 40)}`;
      const r = await app.req('POST', '/api/portal/appeals', { body: { submissionId, fullName: p.fromName, email: p.fromAddress, subject: p.subject, text: p.text } });
      if (r.status !== 201 && r.status !== 200) throw new Error(`the portal refused the probe: ${r.status} ${JSON.stringify(r.body)}`);
      submitted.set(r.body.regNumber, { regNumber: r.body.regNumber, secret: r.body.statusSecret, address: p.fromAddress });
    },
    async received() {
      const out: FarSideMessage[] = [];
      for (const s of submitted.values()) {
        const r = await app.req('POST', '/api/portal/status', { body: { regNumber: s.regNumber, secret: s.secret } });
        if (r.status !== 200) throw new Error(`the status page failed: ${r.status} ${JSON.stringify(r.body)}`);
        for (const m of r.body.messages) out.push({ to: s.address, subject: m.subject, text: m.text });
      }
      return out;
    },
    stop: () => app.stop(),
  };
});

t.test('with answers by e-mail and no e-mail channel running, the portal says it is degraded', async (t) => {
  const app = await startPortal({ replyByEmail: true });
  t.teardown(() => app.stop());
  const health = await app.app.broker.call<{ status: string; details: { problems: string[] } }>('channel.portal.health');
  t.equal(health.status, 'degraded');
  t.match(health.details.problems[0], /e-mail channel is not running/);
  const list = await app.req('GET', '/api/channels', { token: await app.token('supervisor') });
  t.equal(list.body.find((c: { name: string }) => c.name === 'portal').health.status, 'degraded', 'admins see it in the channel list');
});
