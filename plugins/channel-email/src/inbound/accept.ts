/**
 * One inbound mail to one committed result, for the SMTP server and the IMAP poller alike:
 * parse -> (a delivery report: recorded on our outbound message) or (attachments stored within the
 * limits -> `appeals.intake`). It resolves only once the result is committed, so the caller may then
 * acknowledge its source (SMTP 250, IMAP \Seen or move). Every failure is a MailRejection that says
 * whether trying again can help: 4xx (the database or the core is unavailable) or 5xx (this mail can
 * never be taken).
 */
import type { IntakeInput, IntakeResult } from '@okno/core';
import { parseMail, UnparseableMailError, type InboundMail } from './parse-mail.js';

export class MailRejection extends Error {
  constructor(readonly code: number, readonly enhanced: string, message: string) {
    super(message);
    this.name = 'MailRejection';
  }
  get permanent(): boolean {
    return this.code >= 500;
  }
  /** The SMTP reply text (the enhanced status code first). */
  get reply(): string {
    return `${this.enhanced} ${this.message}`;
  }
}

export const temporaryFailure = () => new MailRejection(451, '4.3.0', 'Temporary local problem: the message was not stored, please try again later');

export interface AcceptorDeps {
  /** A core action: `appeals.intake`, `appeals.recordDelivery`. */
  call<R>(action: string, params: object): Promise<R>;
  /** Stores one attachment (refused over maxBytes with a 413 error); returns its id. */
  storeAttachment(content: Buffer, meta: { filename: string; mime: string }, maxBytes: number): Promise<{ id: number }>;
  /** Whether the core accepts files of this type. */
  attachmentTypeAllowed(mime: string): boolean;
  /** Our outbound e-mail interaction that carried one of these Message-IDs. */
  findOutbound(messageIds: string[]): Promise<{ id: number } | null>;
  logger: { info(o: object, msg?: string): void; warn(o: object, msg?: string): void };
}

export interface AcceptorOptions {
  channel: string;
  siteCode: string | null;
  maxAttachmentBytes: number;
  maxAttachments: number;
}

export interface Envelope {
  /** MAIL FROM ('' for the null sender); undefined when unknown (IMAP). */
  mailFrom?: string | null;
  rcptTo?: string[];
  via: 'smtp' | 'imap';
}

export type AcceptOutcome =
  | { kind: 'appeal'; appealId: number; regNumber: string | null; created: boolean; followUp: boolean; registered: boolean }
  | { kind: 'report'; action: string; interactionId: number | null };

/** Any error on the way to a commit as the answer to give the sender. */
export function toRejection(err: unknown): MailRejection {
  if (err instanceof MailRejection) return err;
  if (err instanceof UnparseableMailError) return new MailRejection(554, '5.6.0', err.message.slice(0, 300));
  const e = err as { code?: number; type?: string; message?: string };
  if (e?.code === 413 || e?.type === 'PAYLOAD_TOO_LARGE') return new MailRejection(552, '5.3.4', String(e.message ?? 'an attachment is too large').slice(0, 300));
  // Anything else (database down, core node unreachable, a timeout, our own misconfiguration) may pass
  // on a later try: the sender keeps the message and tries again, so nothing is lost.
  return temporaryFailure();
}

export class MailAcceptor {
  constructor(private readonly deps: AcceptorDeps, private readonly opts: AcceptorOptions) {}

  async accept(raw: Buffer, envelope: Envelope): Promise<AcceptOutcome> {
    try {
      const mail = await parseMail(raw, { mailFrom: envelope.mailFrom });
      if (mail.bounce) return await this.report(mail);
      return await this.intake(mail, envelope);
    } catch (err) {
      const rejection = toRejection(err);
      if (!(err instanceof MailRejection) && rejection.code === 451) this.deps.logger.warn({ err: String((err as Error)?.message ?? err), via: envelope.via }, 'inbound mail not taken; the sender will retry');
      throw rejection;
    }
  }

  /** A delivery report: a failure is recorded on our outbound message; it never becomes an appeal. */
  private async report(mail: InboundMail): Promise<AcceptOutcome> {
    const b = mail.bounce!;
    if (b.action !== 'failed') return { kind: 'report', action: b.action, interactionId: null };
    const original = b.originalMessageIds.length ? await this.deps.findOutbound(b.originalMessageIds) : null;
    if (!original) {
      this.deps.logger.info({ action: b.action, status: b.status }, 'delivery report for a message that is not ours; dropped');
      return { kind: 'report', action: b.action, interactionId: null };
    }
    const error = [b.status, b.diagnostic].filter(Boolean).join(' ') || 'the message bounced';
    await this.deps.call('appeals.recordDelivery', { interactionId: original.id, status: 'bounced', error: error.slice(0, 2000) });
    return { kind: 'report', action: b.action, interactionId: original.id };
  }

  private async storeAttachments(mail: InboundMail): Promise<{ ids: { attachmentId: number; filename: string }[]; notes: string[] }> {
    if (mail.attachments.length > this.opts.maxAttachments) {
      throw new MailRejection(552, '5.3.4', `Too many attachments: ${mail.attachments.length}, at most ${this.opts.maxAttachments} are accepted`);
    }
    const tooLarge = mail.attachments.find((a) => a.content.length > this.opts.maxAttachmentBytes);
    if (tooLarge) throw new MailRejection(552, '5.3.4', `Attachment "${tooLarge.filename.slice(0, 80)}" is larger than the limit of ${this.opts.maxAttachmentBytes} bytes`);
    const ids: { attachmentId: number; filename: string }[] = [];
    const notes: string[] = [];
    for (const a of mail.attachments) {
      if (!this.deps.attachmentTypeAllowed(a.contentType)) {
        notes.push(`[Вложение «${a.filename}» (${a.contentType}) не принято: такой тип файлов не допускается]`);
        continue;
      }
      const stored = await this.deps.storeAttachment(a.content, { filename: a.filename, mime: a.contentType }, this.opts.maxAttachmentBytes);
      ids.push({ attachmentId: stored.id, filename: a.filename.slice(0, 255) });
    }
    return { ids, notes };
  }

  private async intake(mail: InboundMail, envelope: Envelope): Promise<AcceptOutcome> {
    const { ids, notes } = await this.storeAttachments(mail);
    // Automatic mail is never answered automatically (no "received" notice, so no loop with an
    // autoresponder): it waits, unregistered, for an operator — or joins the appeal it answers.
    const register = !mail.autoSubmitted;
    const input: IntakeInput = {
      channel: this.opts.channel,
      messageId: mail.messageId,
      applicant: { fullName: mail.from.name, contacts: mail.from.address ? [{ kind: 'email', value: mail.from.address }] : [] },
      subject: mail.subject || null,
      body: [mail.text, ...notes].filter(Boolean).join('\n\n').slice(0, 5_000_000),
      attachments: ids,
      threadKeys: mail.threadKeys,
      regNumberHint: mail.subject || null,
      replyTo: mail.replyAddress ? { channel: this.opts.channel, address: mail.replyAddress } : null,
      register,
      meta: {
        via: envelope.via, date: mail.date?.toISOString() ?? null, autoSubmitted: mail.autoSubmitted,
        ...(envelope.rcptTo?.length ? { rcptTo: envelope.rcptTo.slice(0, 20) } : {}),
      },
      ...(this.opts.siteCode ? { siteCode: this.opts.siteCode } : {}),
    };
    const r = await this.deps.call<IntakeResult>('appeals.intake', input);
    return { kind: 'appeal', appealId: r.appealId, regNumber: r.regNumber, created: r.created, followUp: r.followUp, registered: register };
  }
}
