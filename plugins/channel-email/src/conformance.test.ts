/**
 * The core's channel conformance suite against the e-mail channel: probes go in with nodemailer to
 * our SMTP server, and what the channel sends out arrives at a real SMTP sink, which refuses
 * mailboxes at fail.invalid with 550 (the undeliverable address).
 */
import t from 'tap';
import { runChannelConformance } from '@okno/core/testing';
import { startEmailApp, CITY_ADDRESS } from './test-support/harness.js';

runChannelConformance(t, async () => {
  const e = await startEmailApp();
  return {
    app: e.app,
    channel: 'email',
    probeAddress: 'probe@example.ru',
    failingAddress: 'nobody@fail.invalid',
    async deliver(p) {
      await e.send({ from: { name: p.fromName, address: p.fromAddress }, to: CITY_ADDRESS, subject: p.subject, text: p.text, messageId: p.messageId });
    },
    received: async () => e.sink.mails.map((m) => ({ to: m.to, subject: m.subject, text: m.text })),
    stop: () => e.stop(),
  };
});
