// A real SMTP server (smtp-server) standing for the city's mail relay: it keeps every message it
// accepts, parsed, so a test can see what an applicant would receive.
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { freePort } from '@okno/testkit';

export async function startSmtpSink() {
  const port = await freePort();
  const mails = [];
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], disableReverseLookup: true, logger: false, closeTimeout: 500,
    onData(stream, session, cb) {
      simpleParser(stream).then((parsed) => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), subject: parsed.subject ?? '', text: parsed.text ?? '', parsed });
        cb();
      }, cb);
    },
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, mails, stop: () => new Promise((resolve) => server.close(resolve)) };
}
