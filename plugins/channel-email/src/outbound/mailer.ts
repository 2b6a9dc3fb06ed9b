/**
 * Outbound mail through the configured SMTP relay (a pooled nodemailer transport). A send ends as
 * the contract's SendResult: ok with our Message-ID, or an error saying whether trying again can
 * help (a 5xx answer about the message or its recipient is permanent; 4xx answers, refused or
 * dropped connections, timeouts and our own authentication problems are temporary).
 */
import nodemailer, { type Transporter } from 'nodemailer';
import { isEmail, type OutboundMessage, type SendResult } from '@okno/core';
import type { OutboundConfig } from '../config.js';
import { composeMail, type ReadAttachment } from './compose.js';

export interface MailTransport {
  sendMail(mail: object): Promise<{ messageId?: string; accepted?: unknown[]; rejected?: unknown[] }>;
  verify(): Promise<unknown>;
  close(): void;
}

/** Whether a failed send may succeed later. */
export function classifySendError(err: unknown): { error: string; permanent: boolean } {
  const e = err as { message?: string; responseCode?: number; code?: string; response?: string };
  const code = typeof e?.responseCode === 'number' ? e.responseCode : null;
  const text = (e?.response || e?.message || String(err)).replace(/\s+/g, ' ').slice(0, 500);
  const error = code ? (text.startsWith(String(code)) ? text : `${code} ${text}`) : `${e?.code ?? 'ERROR'}: ${text}`;
  // Authentication trouble is ours (a changed relay password), not the message's: keep it for later.
  if (e?.code === 'EAUTH' || code === 535 || code === 530) return { error, permanent: false };
  if (code !== null) return { error, permanent: code >= 500 };
  return { error, permanent: e?.code === 'EENVELOPE' || e?.code === 'EMESSAGE' };
}

export class Mailer {
  private transport: MailTransport | null = null;
  private verified: { at: number; ok: boolean; error: string | null } | null = null;
  private readonly domain: string;

  constructor(
    private readonly cfg: OutboundConfig,
    private readonly readAttachment: ReadAttachment,
    private readonly makeTransport: (cfg: OutboundConfig) => MailTransport = createPooledTransport,
  ) {
    this.domain = cfg.messageIdDomain ?? cfg.from?.split('@')[1] ?? 'okno.invalid';
  }

  get enabled(): boolean {
    return Boolean(this.cfg.from && (this.cfg.host || this.cfg.pickupDir));
  }

  private get t(): MailTransport {
    this.transport ??= this.makeTransport(this.cfg);
    return this.transport;
  }

  async send(msg: OutboundMessage): Promise<SendResult> {
    if (!this.enabled) return { ok: false, error: 'outbound e-mail is not configured (outbound.from and outbound.host or outbound.pickupDir)', permanent: false };
    if (!isEmail(msg.to)) return { ok: false, error: `"${msg.to.slice(0, 100)}" is not an e-mail address`, permanent: true };
    let mail;
    try {
      mail = await composeMail(msg, { from: this.cfg.from!, fromName: this.cfg.fromName, messageIdDomain: this.domain }, this.readAttachment);
    } catch (err) {
      return { ok: false, error: `an attachment could not be read: ${(err as Error).message}`, permanent: false };
    }
    try {
      const info = await this.t.sendMail(mail);
      if (info.rejected?.length) return { ok: false, error: `the relay refused ${String(info.rejected[0])}`, permanent: true };
      return { ok: true, externalId: mail.messageId };
    } catch (err) {
      return { ok: false, ...classifySendError(err) };
    }
  }

  /** Whether the relay takes connections (EHLO, STARTTLS and AUTH as configured); cached for verifyCacheMs. */
  async verify(now = Date.now()): Promise<{ ok: boolean; error: string | null }> {
    if (!this.enabled) return { ok: false, error: 'not configured' };
    if (this.verified && now - this.verified.at < this.cfg.verifyCacheMs) return this.verified;
    try {
      await this.t.verify();
      this.verified = { at: now, ok: true, error: null };
    } catch (err) {
      this.verified = { at: now, ok: false, error: classifySendError(err).error };
    }
    return this.verified;
  }

  close(): void {
    this.transport?.close();
    this.transport = null;
  }
}

export function createPooledTransport(cfg: OutboundConfig): MailTransport {
  const t: Transporter = nodemailer.createTransport({
    pool: true,
    host: cfg.host!,
    port: cfg.port,
    secure: cfg.secure,
    maxConnections: cfg.maxConnections,
    ...(cfg.user ? { auth: { user: cfg.user, pass: cfg.password ?? '' } } : {}),
    tls: { rejectUnauthorized: cfg.rejectUnauthorized },
    connectionTimeout: cfg.timeoutMs,
    greetingTimeout: cfg.timeoutMs,
    socketTimeout: cfg.timeoutMs,
    logger: false,
  });
  return t as unknown as MailTransport;
}
