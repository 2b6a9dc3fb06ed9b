/**
 * A pickup directory: outbound mail written as RFC 5322 files (`.eml`) into a folder that a local MTA
 * (Postfix, Exim, an Exchange/IIS pickup folder) or a person collects, instead of an SMTP relay.
 * It is also what the demo uses, so a reply in `npm start` is really "sent" somewhere you can open.
 *
 * nodemailer's stream transport renders the message exactly as the SMTP transport would put it on
 * the wire; each file is written to a temporary name, flushed to disk and renamed, so a collector
 * never sees half a message and a message reported sent survives a crash.
 */
import { mkdir, open, rename, access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { MailTransport } from './mailer.js';

/** A file name from the Message-ID: only safe characters, unique per message. */
export function pickupFileName(messageId: string | undefined, now: Date): string {
  const id = (messageId ?? '').replace(/^<|>$/g, '').replace(/[^A-Za-z0-9._@-]/g, '_').slice(0, 150) || Math.random().toString(36).slice(2);
  return `${now.toISOString().replace(/[:.]/g, '-')}_${id}.eml`;
}

export function createPickupTransport(dir: string, clock: () => Date = () => new Date()): MailTransport {
  const render = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    async sendMail(mail: object) {
      const info = (await render.sendMail(mail)) as { message: Buffer; messageId?: string; envelope?: { to?: string[] } };
      await mkdir(dir, { recursive: true });
      const name = pickupFileName(info.messageId, clock());
      const tmp = join(dir, `.${name}.tmp`);
      const fh = await open(tmp, 'wx', 0o640);
      try {
        await fh.writeFile(info.message);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, join(dir, name));
      return { messageId: info.messageId, accepted: info.envelope?.to ?? [], rejected: [] };
    },
    async verify() {
      await mkdir(dir, { recursive: true });
      await access(dir, constants.W_OK);
      return true;
    },
    close() {
      render.close();
    },
  };
}
