/**
 * A real SMTP server for tests (smtp-server): the far side of our outbound mail. It keeps what it
 * received, parsed, and refuses recipients at domains named as failing (550 5.1.1), like a relay that
 * knows the mailbox does not exist. `tempFail` makes it answer 451 to every recipient for a while.
 */
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import { freePort } from '@okno/testkit';

export interface SinkMail {
  envelope: { from: string | null; to: string[] };
  raw: Buffer;
  parsed: ParsedMail;
  to: string;
  subject: string;
  text: string;
}

export class SmtpSink {
  readonly mails: SinkMail[] = [];
  tempFail = false;

  private constructor(private readonly server: SMTPServer, readonly port: number) {}

  static async start(opts: { failDomains?: string[] } = {}): Promise<SmtpSink> {
    const port = await freePort();
    const failing = (opts.failDomains ?? ['fail.invalid']).map((d) => `@${d.toLowerCase()}`);
    let sink: SmtpSink | null = null;
    const server = new SMTPServer({
      authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], disableReverseLookup: true, logger: false, closeTimeout: 1000,
      onRcptTo(address, _session, cb) {
        if (sink?.tempFail) return cb(Object.assign(new Error('4.3.0 Try again later'), { responseCode: 451 }));
        if (failing.some((d) => address.address.toLowerCase().endsWith(d))) return cb(Object.assign(new Error(`5.1.1 <${address.address}>: no such mailbox`), { responseCode: 550 }));
        cb();
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          simpleParser(raw).then((parsed) => {
            sink!.mails.push({
              envelope: { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null, to: session.envelope.rcptTo.map((r) => r.address) },
              raw, parsed, to: session.envelope.rcptTo.map((r) => r.address).join(', '), subject: parsed.subject ?? '', text: parsed.text ?? '',
            });
            cb();
          }, (err: Error) => cb(err));
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
    sink = new SmtpSink(server, port);
    return sink;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
