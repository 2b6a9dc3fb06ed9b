/**
 * The channel conformance suite. Every channel plugin runs it in its own tests with a harness that
 * drives the channel's real entry point (an SMTP client, an HTTP client, an MQTT agent...) and sees
 * what the far side got:
 *
 *   import t from 'tap';
 *   import { runChannelConformance } from '@okno/core/testing';
 *   runChannelConformance(t, () => makeEmailHarness());
 */
import { randomUUID } from 'node:crypto';
import type { TestApp } from './app.js';
import { Appeal, ContactPoint, Interaction, Notice } from '../persistence/entities/index.js';
import { capabilityProblems, channelService, type ChannelCapabilities, type ChannelHealth } from '../channels/contract.js';

export interface InboundProbe {
  /** Unique per probe; the channel's message id where the channel lets the sender choose one. */
  messageId: string;
  fromName: string;
  fromAddress: string;
  subject: string;
  text: string;
}

export interface FarSideMessage {
  to: string;
  subject: string;
  text: string;
}

export interface ChannelHarness {
  app: TestApp;
  channel: string;
  /** Sends a probe through the channel's real entry point; resolves when the channel acknowledged it. */
  deliver(probe: InboundProbe): Promise<void>;
  /** What the far side (mail sink, browser, fax machine...) received from the channel so far. */
  received(): Promise<FarSideMessage[]>;
  /** The sender address of probes (replies go back to it). */
  probeAddress: string;
  /** An address the channel accepts but cannot deliver to, or null when the channel cannot fail that way. */
  failingAddress: string | null;
  stop(): Promise<void>;
}

/** The minimal tap surface the suite uses (so @okno/core does not depend on tap). */
export interface TapLike {
  test(name: string, ...rest: any[]): PromiseLike<unknown>;
  ok(v: unknown, ...rest: any[]): unknown;
  equal(a: unknown, b: unknown, ...rest: any[]): unknown;
  same(a: unknown, b: unknown, ...rest: any[]): unknown;
  teardown(fn: () => unknown): unknown;
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function newProbe(address: string): InboundProbe {
  const tag = randomUUID().slice(0, 8);
  return { messageId: `<probe-${tag}@conformance.okno>`, fromName: 'Проверка Связи', fromAddress: address, subject: `Проверка канала ${tag}`, text: `Текст проверки ${tag}: ё, й, «кавычки».` };
}

export function runChannelConformance(t: TapLike, makeHarness: () => Promise<ChannelHarness>): void {
  t.test('channel conformance', async (t: TapLike) => {
    const h = await makeHarness();
    t.teardown(() => h.stop());
    const call = <R>(action: string, params: object = {}) => h.app.app.broker.call<R, object>(action, params);
    const appealOf = (subject: string) => h.app.app.db.read((em) => em.findOneBy(Appeal, { subject }));

    await t.test('capabilities and health follow the contract', async (t: TapLike) => {
      const caps = await call<ChannelCapabilities>(`${channelService(h.channel)}.capabilities`);
      t.same(capabilityProblems(caps), [], 'capabilities are well formed');
      t.equal(caps.channel, h.channel);
      const health = await call<ChannelHealth>(`${channelService(h.channel)}.health`);
      t.equal(health.status, 'ok', 'healthy');
    });

    const probe = newProbe(h.probeAddress);
    await t.test('an inbound message is a registered appeal once the channel acknowledged it', async (t: TapLike) => {
      await h.deliver(probe);
      const appeal = await appealOf(probe.subject);
      t.ok(appeal, 'the appeal exists when the acknowledgement came');
      t.equal(appeal?.channel, h.channel);
      t.ok(appeal?.regNumber, 'it has a registration number');
      const contacts = await h.app.app.db.read((em) => em.findBy(ContactPoint, { applicantId: appeal!.applicantId }));
      t.ok(contacts.length >= 1, 'the sender is recorded as a contact of the applicant');
      const inter = await h.app.app.db.read((em) => em.findBy(Interaction, { appealId: appeal!.id }));
      t.ok(inter.some((i) => i.direction === 'in' && i.body.includes(probe.text.slice(0, 20))), 'the text is on the appeal');
    });

    await t.test('the same message twice is one appeal', async (t: TapLike) => {
      await h.deliver(probe).catch(() => undefined);
      const count = await h.app.app.db.read((em) => em.countBy(Appeal, { subject: probe.subject }));
      t.equal(count, 1);
    });

    await t.test('the "received" notice reaches the applicant through the channel', async (t: TapLike) => {
      const appeal = (await appealOf(probe.subject))!;
      const got = await until('the received notice', async () => (await h.received()).find((m) => m.text.includes(appeal.regNumber!) || m.subject.includes(appeal.regNumber!)));
      t.ok(got, 'a message with the registration number arrived');
      const notice = await until('notice marked sent', () => h.app.app.db.read((em) => em.findOneBy(Notice, { appealId: appeal.id, kind: 'received', status: 'sent' })));
      t.ok(notice.interactionId, 'the notice is stored on the appeal with its interaction');
    });

    await t.test('an operator reply reaches the applicant', async (t: TapLike) => {
      const appeal = (await appealOf(probe.subject))!;
      const token = await h.app.token('operator');
      const text = `Ответ оператора ${randomUUID().slice(0, 8)}`;
      const r = await h.app.req('POST', `/api/appeals/${appeal.id}/reply`, { token, body: { body: text, final: true } });
      t.equal(r.status, 200, 'the reply is accepted');
      await until('the reply at the far side', async () => (await h.received()).find((m) => m.text.includes(text)));
      const inter = await until('the reply marked sent', () => h.app.app.db.read((em) => em.findOneBy(Interaction, { id: r.body.interactionId, deliveryStatus: 'sent' })));
      t.ok(inter, 'delivery recorded');
      const answered = await until('answered notice sent', () => h.app.app.db.read((em) => em.findOneBy(Notice, { appealId: appeal.id, kind: 'answered', status: 'sent' })));
      t.equal(answered.interactionId, inter.id, 'the answered notice is the reply itself (sent once)');
    });

    await t.test('a reply that cannot be delivered is recorded as failed', { skip: h.failingAddress ? false : 'this channel cannot produce an undeliverable address' }, async (t: TapLike) => {
      const failing = newProbe(h.failingAddress!);
      await h.deliver(failing);
      const appeal = await until('the failing probe appeal', () => appealOf(failing.subject));
      const token = await h.app.token('operator');
      const r = await h.app.req('POST', `/api/appeals/${appeal.id}/reply`, { token, body: { body: 'ответ', final: false } });
      t.equal(r.status, 200);
      const inter = await until('a recorded failure', () => h.app.app.db.read(async (em) => {
        const i = await em.findOneBy(Interaction, { id: r.body.interactionId });
        return i && (i.deliveryStatus === 'failed' || (i.deliveryStatus === 'pending' && i.deliveryError)) ? i : null;
      }));
      t.ok(inter.deliveryError, `the error is kept: ${inter.deliveryError}`);
    });
  });
}
