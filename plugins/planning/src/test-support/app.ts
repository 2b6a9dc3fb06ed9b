/**
 * A core with reporting and planning for the tests, its clock running from a fixed Monday
 * (20 April 2026, 12:00 Moscow: no holiday in the four weeks before or the week after), and contact
 * history written to the real journal with a weekly pattern known exactly.
 */
import { startTestApp, type TestApp } from '@okno/core/testing';
import { appendJournal, lastJournalSeq, type Database, type JournalInput, type PluginDefinition } from '@okno/core';
import { waitFor } from '@okno/testkit';
import reporting from '@okno/reporting';
import planning from '../index.js';

export const TODAY = '2026-04-20';
const BASE = Date.parse(`${TODAY}T12:00:00+03:00`);

export async function startPlanningApp(opts: { dbUrl?: string; reporting?: boolean } = {}): Promise<TestApp> {
  const t0 = Date.now();
  const withReporting = opts.reporting !== false;
  return startTestApp({
    plugins: { planning: planning as unknown as PluginDefinition, ...(withReporting ? { reporting: reporting as unknown as PluginDefinition } : {}) },
    config: { plugins: [...(withReporting ? [{ name: 'reporting', config: { pollMs: 50 } }] : []), { name: 'planning', config: {} }] },
    clock: () => new Date(BASE + (Date.now() - t0)),
    ...(opts.dbUrl ? { dbUrl: opts.dbUrl } : {}),
  });
}

/** Monday = 0 … Sunday = 6 of a local date. */
const weekday = (date: string) => (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** Phone contacts in the hour starting at `hour` (local) of a weekday: the pattern the forecast must find. */
export const phoneVolume = (wd: number, hour: number) => (hour < 8 || hour >= 20 ? 0 : (wd < 5 ? 4 : 1) + (hour >= 10 && hour < 13 ? 2 : 0));
/** Their handle time, seconds, by weekday. */
export const phoneAht = (wd: number) => 170 + 10 * wd;
/** E-mails per working hour (09–18, Monday to Friday), handled in 600 s. */
export const EMAILS_PER_HOUR = 2;

/** Writes `days` days of history before TODAY (one transaction per day). */
export async function writeHistory(db: Database, days = 28): Promise<void> {
  let n = 0;
  for (let d = days; d >= 1; d--) {
    const date = addDays(TODAY, -d);
    const wd = weekday(date);
    const events: JournalInput[] = [];
    const contact = (channel: string, queue: string, hour: number, i: number, aht: number) => {
      const id = `h${++n}`;
      const queued = Date.parse(`${date}T${String(hour).padStart(2, '0')}:05:00+03:00`) + i * 180_000;
      const data = { contactId: id, channel, queue, siteId: '1' };
      events.push(
        { type: 'contact.queued', aggregateType: 'contact', aggregateId: id, siteId: 1, at: new Date(queued), data: { ...data, priority: 0, enqueuedAt: new Date(queued).toISOString(), skills: {} } },
        { type: 'contact.answered', aggregateType: 'contact', aggregateId: id, siteId: 1, at: new Date(queued + 10_000), data: { ...data, offerId: `o${id}`, operatorId: 'op', waitedMs: 10_000 } },
        { type: 'contact.completed', aggregateType: 'contact', aggregateId: id, siteId: 1, at: new Date(queued + 20_000), data: { ...data, operatorId: 'op', talkMs: (aht - 30) * 1000, holdMs: 0, wrapMs: 30_000 } },
      );
    };
    for (let h = 0; h < 24; h++) {
      for (let i = 0; i < phoneVolume(wd, h); i++) contact('phone', 'general', h, i, phoneAht(wd));
      if (wd < 5 && h >= 9 && h < 18) for (let i = 0; i < EMAILS_PER_HOUR; i++) contact('email', 'email', h, i, 600);
    }
    await db.transaction(async (em) => {
      for (const e of events) await appendJournal(em, e);
    });
  }
}

/** Waits until reporting has counted the whole journal. */
export async function reportingCaughtUp(app: TestApp): Promise<void> {
  const token = await app.token('supervisor');
  const head = await lastJournalSeq(app.app.db);
  await waitFor('reporting to count the journal', async () => (await app.req('GET', '/api/reporting/status', { token })).body?.position >= head, 30_000);
}
