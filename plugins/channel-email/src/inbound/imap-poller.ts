/**
 * Mailbox mode: polls an existing mailbox over IMAP (imapflow). Each new message becomes an appeal
 * through the same acceptor as SMTP mail; only after its appeal is committed is it marked \Seen (or
 * moved to the processed folder). A temporary failure leaves it untouched for the next poll; a
 * message that can never be taken is moved to the rejected folder and flagged, so it does not block
 * the mailbox. A changed UIDVALIDITY (the mailbox was rebuilt) drops what was remembered about UIDs;
 * the messages are taken again and intake's idempotency (by Message-ID) keeps them one appeal each.
 */
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type { ImapConfig } from '../config.js';
import { toRejection, type MailAcceptor } from './accept.js';
import type { ListenerLogger } from './smtp-listener.js';

export interface PollResult {
  ok: boolean;
  error: string | null;
  found: number;
  accepted: number;
  /** Left for the next poll (temporary failures). */
  deferred: number;
  /** Moved to the rejected folder. */
  rejected: number;
  uidValidity: string | null;
}

/** Makes the IMAP client (a seam for tests of the poller's own decisions; production uses ImapFlow). */
export type ImapClientFactory = (options: ImapFlowOptions) => ImapFlow;

export class ImapPoller {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<PollResult> | null = null;
  private stopped = false;
  private uidValidity: bigint | null = null;
  /** Temporary failures per UID in this UIDVALIDITY (for the log). */
  private readonly failures = new Map<number, number>();
  /** Folders known to exist (the processed and rejected folders are created when missing). */
  private readonly folders = new Set<string>();
  last: (PollResult & { at: Date }) | null = null;

  constructor(
    private readonly cfg: ImapConfig,
    private readonly acceptor: MailAcceptor,
    private readonly logger: ListenerLogger,
    private readonly makeClient: ImapClientFactory = (o) => new ImapFlow(o),
  ) {}

  start(): void {
    this.stopped = false;
    const loop = async () => {
      await this.pollNow();
      if (!this.stopped) this.timer = setTimeout(() => void loop(), this.cfg.pollSeconds * 1000);
    };
    this.timer = setTimeout(() => void loop(), 10);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One poll now (a poll already running is awaited instead of starting another). */
  pollNow(): Promise<PollResult> {
    this.running ??= this.poll().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private client(): ImapFlow {
    return this.makeClient({
      host: this.cfg.host, port: this.cfg.port, secure: this.cfg.secure,
      auth: { user: this.cfg.user, pass: this.cfg.password },
      tls: { rejectUnauthorized: this.cfg.rejectUnauthorized },
      logger: false, disableAutoIdle: true, connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 120_000,
    });
  }

  private async poll(): Promise<PollResult> {
    const r: PollResult = { ok: true, error: null, found: 0, accepted: 0, deferred: 0, rejected: 0, uidValidity: null };
    const client = this.client();
    client.on('error', (err: Error) => this.logger.warn({ err: err.message }, 'imap connection error'));
    try {
      await client.connect();
      const lock = await client.getMailboxLock(this.cfg.mailbox);
      try {
        const box = client.mailbox;
        const validity = box ? BigInt(box.uidValidity) : null;
        r.uidValidity = validity?.toString() ?? null;
        if (this.uidValidity !== null && validity !== this.uidValidity) {
          this.logger.warn({ mailbox: this.cfg.mailbox, was: this.uidValidity.toString(), now: r.uidValidity }, 'UIDVALIDITY changed: the mailbox was rebuilt; taking its messages again (known ones stay one appeal each)');
          this.failures.clear();
          this.folders.clear();
        }
        this.uidValidity = validity;
        const uids = (await client.search(this.cfg.processedFolder ? { all: true } : { seen: false }, { uid: true })) || [];
        r.found = uids.length;
        for (const uid of uids.slice(0, this.cfg.batch)) {
          if (this.stopped) break;
          await this.takeOne(client, uid, r);
        }
      } finally {
        lock.release();
      }
      await client.logout();
    } catch (err) {
      r.ok = false;
      r.error = (err as Error).message;
      this.logger.warn({ err: r.error, host: this.cfg.host, mailbox: this.cfg.mailbox }, 'imap poll failed; trying again at the next poll');
      client.close();
    }
    this.last = { ...r, at: new Date() };
    return r;
  }

  private async takeOne(client: ImapFlow, uid: number, r: PollResult): Promise<void> {
    const msg = await client.fetchOne(String(uid), { source: true }, { uid: true });
    if (!msg || !msg.source) return;
    try {
      await this.acceptor.accept(msg.source, { via: 'imap' });
    } catch (err) {
      const rejection = toRejection(err);
      if (!rejection.permanent) {
        r.deferred++;
        const attempts = (this.failures.get(uid) ?? 0) + 1;
        this.failures.set(uid, attempts);
        this.logger.warn({ uid, attempts, reason: rejection.reply }, 'imap message left in the mailbox for the next poll');
        return;
      }
      // It can never become an appeal: out of the way, flagged for a person to look at.
      this.logger.warn({ uid, reason: rejection.reply }, 'imap message cannot be taken; moved to the rejected folder');
      await client.messageFlagsAdd(String(uid), ['\\Flagged', '\\Seen'], { uid: true });
      await this.ensureFolder(client, this.cfg.rejectedFolder);
      await client.messageMove(String(uid), this.cfg.rejectedFolder, { uid: true });
      r.rejected++;
      return;
    }
    // Committed: now (and only now) the message is marked as done.
    if (this.cfg.processedFolder) {
      await this.ensureFolder(client, this.cfg.processedFolder);
      await client.messageMove(String(uid), this.cfg.processedFolder, { uid: true });
    } else {
      await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
    }
    this.failures.delete(uid);
    r.accepted++;
  }

  private async ensureFolder(client: ImapFlow, path: string): Promise<void> {
    if (this.folders.has(path)) return;
    const list = await client.list();
    if (!list.some((m) => m.path === path)) await client.mailboxCreate(path);
    this.folders.add(path);
  }
}
