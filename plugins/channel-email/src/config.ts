/**
 * The e-mail channel's configuration: its defaults, its fastest-validator schema (checked by the core
 * when it loads the plugin) and a redacted form for logs (passwords and TLS keys never leave).
 */
import { readFileSync } from 'node:fs';
import { redactSecrets } from '@okno/core';

export interface SmtpInboundConfig {
  /** Run the inbound SMTP server (the city's MX delivers to it). */
  enabled: boolean;
  host: string;
  port: number;
  /** The name in the greeting and EHLO answer (default: the machine's host name). */
  name: string | null;
  /** Recipients in one transaction; more get "452 too many recipients". */
  maxRecipients: number;
  maxClients: number;
  socketTimeoutMs: number;
  /** STARTTLS is offered when a key and certificate are given (PEM text or a file path). */
  tls: { key: string | null; cert: string | null; keyFile: string | null; certFile: string | null };
  /** SMTP AUTH (PLAIN, LOGIN) for a trusted relay; off by default. Never lifts the recipient check. */
  auth: { enabled: boolean; users: { user: string; password: string }[] };
}

export interface ImapConfig {
  /** Poll an existing mailbox instead of (or besides) receiving over SMTP. */
  enabled: boolean;
  host: string;
  port: number;
  /** Implicit TLS (port 993). false: plain connection upgraded with STARTTLS when the server offers it. */
  secure: boolean;
  user: string;
  password: string;
  mailbox: string;
  /** Move processed messages here; null: mark them \Seen and leave them in the mailbox. */
  processedFolder: string | null;
  /** Messages that can never become an appeal (unparseable) are moved here and flagged. */
  rejectedFolder: string;
  pollSeconds: number;
  /** Most messages taken in one poll. */
  batch: number;
  rejectUnauthorized: boolean;
}

export interface OutboundConfig {
  /** The centre's address: From of every message (null: the channel does not send). */
  from: string | null;
  fromName: string;
  /** The SMTP relay that sends for us (null: the channel does not send, unless `pickupDir` is set). */
  host: string | null;
  /**
   * Instead of a relay: a folder the messages are written to as `.eml` files for a local MTA to
   * collect (relative paths are inside the core's data folder). Exclusive with `host`.
   */
  pickupDir: string | null;
  port: number;
  /** Implicit TLS (465); false uses STARTTLS when the relay offers it. */
  secure: boolean;
  user: string | null;
  password: string | null;
  maxConnections: number;
  rejectUnauthorized: boolean;
  /** The domain part of our Message-IDs (default: the domain of `from`). */
  messageIdDomain: string | null;
  /** How long a transport check is trusted by `health`. */
  verifyCacheMs: number;
  timeoutMs: number;
}

export interface EmailConfig {
  /** Recipient addresses mail is accepted for (the city's appeal address). */
  addresses: string[];
  /** Whole domains mail is accepted for (any local part). Everything else is refused: never an open relay. */
  domains: string[];
  /** The site appeals are filed under (default: the core's default site). */
  siteCode: string | null;
  /** The SIZE limit of a whole message in bytes (552 over it). */
  maxMessageBytes: number;
  /** The largest attachment (552 over it); null: the core's attachment limit. */
  maxAttachmentBytes: number | null;
  maxAttachments: number;
  smtp: SmtpInboundConfig;
  imap: ImapConfig;
  outbound: OutboundConfig;
}

export const DEFAULTS: EmailConfig = {
  addresses: [],
  domains: [],
  siteCode: null,
  maxMessageBytes: 30 * 1024 * 1024,
  maxAttachmentBytes: null,
  maxAttachments: 50,
  smtp: {
    enabled: true, host: '0.0.0.0', port: 2525, name: null, maxRecipients: 100, maxClients: 200, socketTimeoutMs: 60_000,
    tls: { key: null, cert: null, keyFile: null, certFile: null },
    auth: { enabled: false, users: [] },
  },
  imap: {
    enabled: false, host: '127.0.0.1', port: 993, secure: true, user: '', password: '', mailbox: 'INBOX', processedFolder: null,
    rejectedFolder: 'Okno-Rejected', pollSeconds: 60, batch: 50, rejectUnauthorized: true,
  },
  outbound: {
    from: null, fromName: 'Единый контактный центр', host: null, pickupDir: null, port: 587, secure: false, user: null, password: null, maxConnections: 5,
    rejectUnauthorized: true, messageIdDomain: null, verifyCacheMs: 30_000, timeoutMs: 30_000,
  },
};

const str = (max = 1000) => ({ type: 'string', max });
const nstr = (max = 1000) => ({ type: 'string', max, nullable: true });
const port = { type: 'number', integer: true, min: 1, max: 65535 };
const positive = (max: number) => ({ type: 'number', integer: true, min: 1, max });
const obj = (props: Record<string, unknown>) => ({ type: 'object', strict: true, props });

/** fastest-validator props of the plugin config (the core validates the merged config with it). */
export const configSchema: Record<string, unknown> = {
  addresses: { type: 'array', items: { type: 'email', mode: 'precise' }, max: 100 },
  domains: { type: 'array', items: { type: 'string', pattern: /^(?=.{1,253}$)([a-z0-9-]+\.)+[a-z]{2,}$/i }, max: 100 },
  siteCode: nstr(32),
  maxMessageBytes: positive(1024 * 1024 * 1024),
  maxAttachmentBytes: { ...positive(1024 * 1024 * 1024), nullable: true },
  maxAttachments: positive(100),
  smtp: obj({
    enabled: 'boolean', host: str(255), port, name: nstr(255), maxRecipients: positive(10_000), maxClients: positive(100_000), socketTimeoutMs: positive(3_600_000),
    tls: obj({ key: nstr(100_000), cert: nstr(100_000), keyFile: nstr(), certFile: nstr() }),
    auth: obj({ enabled: 'boolean', users: { type: 'array', items: obj({ user: str(255), password: str(255) }) } }),
  }),
  imap: obj({
    enabled: 'boolean', host: str(255), port, secure: 'boolean', user: str(255), password: str(1000), mailbox: str(255), processedFolder: nstr(255),
    rejectedFolder: str(255), pollSeconds: positive(86_400), batch: positive(10_000), rejectUnauthorized: 'boolean',
  }),
  outbound: obj({
    from: { type: 'email', nullable: true }, fromName: str(200), host: nstr(255), pickupDir: nstr(1000), port, secure: 'boolean', user: nstr(255), password: nstr(1000),
    maxConnections: positive(100), rejectUnauthorized: 'boolean', messageIdDomain: nstr(255), verifyCacheMs: positive(86_400_000), timeoutMs: positive(600_000),
  }),
};

/** Problems the schema cannot see (combinations); empty when the config can run. */
export function configProblems(c: EmailConfig): string[] {
  const p: string[] = [];
  if (c.smtp.enabled && !c.addresses.length && !c.domains.length) {
    p.push('smtp is enabled but neither "addresses" nor "domains" is set: the server would accept mail for nobody (it is never an open relay)');
  }
  const t = c.smtp.tls;
  if (Boolean(t.key || t.keyFile) !== Boolean(t.cert || t.certFile)) p.push('smtp.tls needs both a key and a certificate');
  if (c.imap.enabled && (!c.imap.user || !c.imap.password)) p.push('imap is enabled but imap.user or imap.password is empty');
  const o = c.outbound;
  if (o.host && o.pickupDir) p.push('outbound has both "host" and "pickupDir": choose the SMTP relay or the pickup folder');
  if (Boolean(o.from) !== Boolean(o.host || o.pickupDir)) p.push('outbound needs both "from" and "host" or "pickupDir" (or none of them, to not send)');
  return p;
}

/** The STARTTLS key and certificate, read from the config or its files; null when TLS is not set up. */
export function tlsMaterial(t: SmtpInboundConfig['tls']): { key: Buffer; cert: Buffer } | null {
  const key = t.key ? Buffer.from(t.key) : t.keyFile ? readFileSync(t.keyFile) : null;
  const cert = t.cert ? Buffer.from(t.cert) : t.certFile ? readFileSync(t.certFile) : null;
  return key && cert ? { key, cert } : null;
}

/** The config with passwords and keys replaced, for logs and the health view (the core's rule). */
export const redactConfig = <T>(value: T): T => redactSecrets(value);
