/**
 * A whole core with the e-mail channel on free ports, a real SMTP sink as the outbound relay and a
 * nodemailer client for the inbound side: what the end-to-end tests and the conformance run use.
 */
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type { PluginDefinition } from '@okno/core';
import { freePort, waitFor } from '@okno/testkit';
import { startTestApp, type TestApp } from '@okno/core/testing';
import plugin from '../index.js';
import type { EmailConfig } from '../config.js';
import { SmtpSink } from './sink.js';

export const CITY_ADDRESS = 'obrashchenie@city.test';
export const CITY_DOMAIN = 'appeals.city.test';
export const CENTRE_FROM = 'centre@city.test';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object | null ? DeepPartial<NonNullable<T[K]>> | T[K] : T[K] };

function merge<T>(base: T, over: DeepPartial<T> | undefined): T {
  if (!over) return base;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' ? merge(b, v as never) : v;
  }
  return out as T;
}

export interface EmailApp {
  app: TestApp;
  sink: SmtpSink;
  smtpPort: number;
  /** Sends through our SMTP server with a fresh nodemailer connection; resolves on 250, rejects with the SMTP error. */
  send(mail: SendMailOptions): Promise<{ response: string; rejected: unknown[] }>;
  stop(): Promise<void>;
}

export async function startEmailApp(opts: { config?: DeepPartial<EmailConfig>; dbUrl?: string; demo?: boolean } = {}): Promise<EmailApp> {
  const sink = await SmtpSink.start();
  const smtpPort = await freePort();
  const config = merge<DeepPartial<EmailConfig>>({
    addresses: [CITY_ADDRESS],
    domains: [CITY_DOMAIN],
    smtp: { host: '127.0.0.1', port: smtpPort, name: 'mx.city.test' },
    outbound: { from: CENTRE_FROM, host: '127.0.0.1', port: sink.port, secure: false, verifyCacheMs: 500, timeoutMs: 10_000 },
  }, opts.config);
  let app: TestApp;
  try {
    app = await startTestApp({ plugins: { email: plugin as unknown as PluginDefinition }, config: { plugins: [{ name: 'email', config }] }, deliveryPollMs: 100, demo: opts.demo ?? true, ...(opts.dbUrl ? { dbUrl: opts.dbUrl } : {}) });
  } catch (err) {
    await sink.stop();
    throw err;
  }
  return {
    app, sink, smtpPort,
    async send(mail) {
      const client = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true, logger: false, connectionTimeout: 10_000 });
      try {
        const info = await client.sendMail(mail);
        return { response: info.response, rejected: info.rejected };
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

/** waitFor from @okno/testkit, typed as the value it waited for. */
export async function until<T>(what: string, check: () => T | Promise<T>, timeoutMs = 15_000): Promise<NonNullable<T>> {
  return (await waitFor(what, check, timeoutMs, 50)) as NonNullable<T>;
}
