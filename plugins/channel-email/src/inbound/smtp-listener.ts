/**
 * The inbound SMTP server (smtp-server). Refuses recipients outside the configured addresses and
 * domains (550 5.7.1, never an open relay), enforces the SIZE limit (552), offers STARTTLS when a key
 * and certificate are configured and AUTH only when enabled. It answers 250 to DATA only after the
 * mail's appeal is committed; 451 when that could not be done now (the sender keeps it and retries),
 * 5xx when the mail can never be taken.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { SMTPServer, type SMTPServerOptions, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { SmtpInboundConfig } from '../config.js';
import { tlsMaterial } from '../config.js';
import { RecipientPolicy } from './recipients.js';
import { MailRejection, type MailAcceptor } from './accept.js';

export interface ListenerLogger {
  info(o: object, msg?: string): void;
  warn(o: object, msg?: string): void;
}

/** Compares passwords in constant time (by their digests, so lengths do not leak either). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function smtpError(r: MailRejection): Error & { responseCode: number } {
  return Object.assign(new Error(r.reply), { responseCode: r.code });
}

/** Reads the DATA stream, keeping at most `limit` bytes (the server itself answers 552 past it). */
async function readData(stream: SMTPServerDataStream, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return stream.sizeExceeded || size > limit ? null : Buffer.concat(chunks);
}

export class SmtpListener {
  private server: SMTPServer | null = null;
  private readonly policy: RecipientPolicy;
  /** Mail being taken right now (stop waits for them). */
  private inFlight = 0;

  constructor(
    private readonly cfg: SmtpInboundConfig,
    private readonly recipients: { addresses: string[]; domains: string[] },
    private readonly maxMessageBytes: number,
    private readonly acceptor: MailAcceptor,
    private readonly logger: ListenerLogger,
  ) {
    this.policy = new RecipientPolicy(recipients.addresses, recipients.domains);
  }

  get listening(): boolean {
    return Boolean(this.server?.server.listening);
  }

  /** The port it listens on (the real one when 0 was configured). */
  get port(): number | null {
    const addr = this.server?.server.address();
    return addr && typeof addr === 'object' ? addr.port : null;
  }

  private options(): SMTPServerOptions {
    const tls = tlsMaterial(this.cfg.tls);
    const users = this.cfg.auth.users;
    const disabled = [...(tls ? [] : ['STARTTLS']), ...(this.cfg.auth.enabled ? [] : ['AUTH'])];
    return {
      ...(this.cfg.name ? { name: this.cfg.name } : {}),
      banner: 'Okno contact centre',
      size: this.maxMessageBytes,
      rejectOversized: true,
      authOptional: true,
      disabledCommands: disabled,
      ...(tls ? { key: tls.key, cert: tls.cert } : {}),
      maxRecipients: this.cfg.maxRecipients,
      maxClients: this.cfg.maxClients,
      socketTimeout: this.cfg.socketTimeoutMs,
      closeTimeout: 5_000,
      disableReverseLookup: true,
      logger: false,
      onAuth: (auth, _session, cb) => {
        const user = users.find((u) => u.user === auth.username);
        if (user && sameSecret(auth.password ?? '', user.password)) return cb(null, { user: user.user });
        cb(Object.assign(new Error('5.7.8 Authentication failed'), { responseCode: 535 }));
      },
      onRcptTo: (address, _session, cb) => {
        if (this.policy.accepts(address.address)) return cb();
        cb(Object.assign(new Error(`5.7.1 Relaying denied: this server takes mail only for ${this.policy.describe()}`), { responseCode: 550 }));
      },
      onData: (stream, session, cb) => void this.onData(stream, session).then((msg) => cb(null, msg), (err: Error) => cb(err)),
    };
  }

  private async onData(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
    this.inFlight++;
    try {
      const raw = await readData(stream, this.maxMessageBytes);
      if (!raw) throw smtpError(new MailRejection(552, '5.3.4', `Message exceeds the maximum size of ${this.maxMessageBytes} bytes`));
      const env = session.envelope;
      const outcome = await this.acceptor.accept(raw, {
        via: 'smtp', mailFrom: env.mailFrom ? env.mailFrom.address : null, rcptTo: env.rcptTo.map((r) => r.address),
      }).catch((err: MailRejection) => {
        throw smtpError(err);
      });
      if (outcome.kind === 'report') return '2.6.0 Delivery report received';
      return `2.6.0 Accepted${outcome.regNumber ? `: appeal ${outcome.regNumber}` : ''}`;
    } finally {
      this.inFlight--;
    }
  }

  async start(): Promise<void> {
    const options = this.options();
    const server = new SMTPServer(options);
    server.on('error', (err) => this.logger.warn({ err: err.message }, 'smtp server error'));
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      server.server.once('error', onError);
      server.listen(this.cfg.port, this.cfg.host, () => {
        server.server.off('error', onError);
        resolve();
      });
    });
    this.server = server;
    this.logger.info({ host: this.cfg.host, port: this.port, starttls: !options.disabledCommands!.includes('STARTTLS'), auth: this.cfg.auth.enabled, recipients: this.policy.describe() }, 'smtp server listening');
  }

  /** Stops taking connections; mail being taken finishes first (bounded by the close timeout). */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    for (let i = 0; i < 200 && this.inFlight > 0; i++) await new Promise((r) => setTimeout(r, 25));
  }
}
