// A whole core serving the built console, with the e-mail channel (inbound SMTP on a free port,
// outbound to a real SMTP sink) and the portal channel (forms and live chat): what an operator,
// a supervisor and an administrator work with.
import nodemailer from 'nodemailer';
import { startTestApp } from '@okno/core/testing';
import { freePort } from '@okno/testkit';
import email from '@okno/channel-email';
import web from '@okno/channel-web';
import { startSmtpSink } from './smtp-sink.js';
import { requireDist } from './paths.js';

export const CITY_ADDRESS = 'obrashchenie@city.test';

/**
 * `extra`: more plugins by name, e.g. ['@okno/reporting', '@okno/planning'] (loaded with their
 * defaults), for the supervisor's reports and the planner's pages.
 */
export async function startConsoleApp(opts = {}) {
  const extra = opts.plugins ?? [];
  const loaded = Object.fromEntries(await Promise.all(extra.map(async (name) => [name, (await import(name)).default])));
  const dir = requireDist();
  const sink = await startSmtpSink();
  const smtpPort = await freePort();
  let app;
  try {
    app = await startTestApp({
      plugins: { '@okno/channel-email': email, '@okno/channel-web': web, ...loaded },
      deliveryPollMs: 100,
      config: {
        console: { enabled: true, dir },
        plugins: [
          {
            name: '@okno/channel-email',
            config: {
              addresses: [CITY_ADDRESS],
              smtp: { host: '127.0.0.1', port: smtpPort, name: 'mx.city.test' },
              outbound: { from: 'centre@city.test', host: '127.0.0.1', port: sink.port, secure: false, timeoutMs: 10_000 },
            },
          },
          { name: '@okno/channel-web' },
          ...extra.map((name) => ({ name })),
        ],
      },
    });
  } catch (err) {
    await sink.stop();
    throw err;
  }
  return {
    app,
    url: app.url,
    sink,
    /** Sends an e-mail to the city's address through the channel's own SMTP server (answers after commit). */
    async mail(message) {
      const client = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true, logger: false });
      try {
        return await client.sendMail({ to: CITY_ADDRESS, ...message });
      } finally {
        client.close();
      }
    },
    async stop() {
      await app.stop();
      await sink.stop();
    },
  };
}
