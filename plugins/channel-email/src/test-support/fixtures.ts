/** Raw mail for tests: messages written byte by byte, in the charsets and encodings real mail uses. */

const encoders = new Map<string, Map<string, number>>();

/** Encodes text in a single-byte charset (koi8-r, windows-1251...) using the platform's decoder tables. */
export function encodeSingleByte(text: string, charset: string): Buffer {
  let table = encoders.get(charset);
  if (!table) {
    const dec = new TextDecoder(charset);
    table = new Map();
    for (let b = 0; b < 256; b++) table.set(dec.decode(Uint8Array.of(b)), b);
    encoders.set(charset, table);
  }
  return Buffer.from([...text].map((ch) => {
    const b = table.get(ch);
    if (b === undefined) throw new Error(`"${ch}" has no byte in ${charset}`);
    return b;
  }));
}

/** Quoted-printable (RFC 2045) of bytes, lines at most 76 characters. */
export function quotedPrintable(bytes: Buffer): string {
  let out = '';
  let line = '';
  for (const b of bytes) {
    if (b === 0x0a) {
      out += `${line}\r\n`;
      line = '';
      continue;
    }
    if (b === 0x0d) continue;
    const enc = (b >= 33 && b <= 126 && b !== 61) || b === 32 ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
    if (line.length + enc.length > 75) {
      out += `${line}=\r\n`;
      line = '';
    }
    line += enc;
  }
  return out + line;
}

export function base64Lines(bytes: Buffer): string {
  return (bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

/** A message from header lines and a body; CRLF line ends as on the wire. */
export function rawMessage(headers: Record<string, string>, body: string | Buffer): Buffer {
  const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n');
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), Buffer.isBuffer(body) ? body : Buffer.from(body.replace(/\r?\n/g, '\r\n'), 'utf8')]);
}

export const baseHeaders = (subject: string, id: string, from = 'Пётр Сидоров <petr@example.ru>') => ({
  From: from.replace(/^([^<]+)</, (_, n: string) => `=?UTF-8?B?${Buffer.from(n.trim()).toString('base64')}?= <`),
  To: 'obrashchenie@city.test',
  Subject: `=?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
  'Message-ID': id,
  Date: 'Tue, 4 Nov 2025 10:00:00 +0300',
  'MIME-Version': '1.0',
});

/** A delivery status notification (RFC 3464) as Postfix writes it, for a message we sent. */
export function bounceReport(opts: { originalMessageId: string; recipient: string; action?: string; status?: string; id?: string }): Buffer {
  const boundary = 'DSN-boundary-42';
  const status = opts.status ?? '5.1.1';
  return rawMessage({
    'Return-Path': '<>',
    From: 'MAILER-DAEMON@relay.city.test (Mail Delivery System)',
    To: 'centre@city.test',
    Subject: 'Undelivered Mail Returned to Sender',
    'Message-ID': opts.id ?? `<dsn-${Math.random().toString(36).slice(2)}@relay.city.test>`,
    'Auto-Submitted': 'auto-replied',
    'MIME-Version': '1.0',
    'Content-Type': `multipart/report; report-type=delivery-status; boundary="${boundary}"`,
  }, [
    `--${boundary}`,
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'This is the mail system at host relay.city.test.',
    "I'm sorry to have to inform you that your message could not be delivered.",
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; relay.city.test',
    'Arrival-Date: Tue,  4 Nov 2025 10:00:00 +0300 (MSK)',
    '',
    `Final-Recipient: rfc822; ${opts.recipient}`,
    `Original-Recipient: rfc822;${opts.recipient}`,
    `Action: ${opts.action ?? 'failed'}`,
    `Status: ${status}`,
    `Remote-MTA: dns; mx.example.ru`,
    `Diagnostic-Code: smtp; 550 ${status} <${opts.recipient}>: Recipient address rejected:`,
    '    User unknown in virtual mailbox table',
    '',
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
    'From: centre@city.test',
    `To: ${opts.recipient}`,
    'Subject: =?UTF-8?B?0J7RgtCy0LXRgg==?=',
    `Message-ID: ${opts.originalMessageId}`,
    '',
    `--${boundary}--`,
    '',
  ].join('\n'));
}

/**
 * A raw SMTP dialog over a plain socket: sends each command after the previous reply and returns
 * every reply (multi-line replies joined). For checking exact answers no client library shows.
 */
export async function smtpDialog(port: number, commands: string[]): Promise<string[]> {
  const { createConnection } = await import('node:net');
  const sock = createConnection({ host: '127.0.0.1', port });
  const replies: string[] = [];
  let buf = '';
  let waiting: ((reply: string) => void) | null = null;
  sock.on('data', (d: Buffer) => {
    buf += d.toString('utf8');
    // A reply ends with a line "NNN text" (a space after the code, not a dash).
    const m = /(^|\r\n)(\d{3}) [^\r\n]*\r\n$/.exec(buf);
    if (m && waiting) {
      const reply = buf.trimEnd();
      buf = '';
      const w = waiting;
      waiting = null;
      w(reply);
    }
  });
  const next = () => new Promise<string>((resolve, reject) => {
    waiting = resolve;
    sock.once('error', reject);
  });
  try {
    replies.push(await next());
    for (const c of commands) {
      const r = next();
      sock.write(`${c}\r\n`);
      replies.push(await r);
    }
  } finally {
    sock.destroy();
  }
  return replies;
}
