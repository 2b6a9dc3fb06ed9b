/**
 * The business calendar: what each day of a year is (working, weekend, holiday, transferred working
 * day, shortened day), and the administrator's edits, which take effect on every core node at once.
 */
import type { ServiceSchema } from 'moleculer';
import type { CoreContext } from '../kernel/context.js';
import type { Deadlines } from '../kernel/deadlines.js';
import { apiAction, actorOf, ROLES_ADMIN } from '../api/action.js';
import { CalendarDay } from '../persistence/entities/index.js';
import { appendJournal } from '../domain/journal.js';
import { invalid } from '../domain/errors.js';
import type { DayOverride } from '../calendar/index.js';

export async function editedDays(core: Pick<CoreContext, 'db'>): Promise<Record<string, DayOverride>> {
  const rows = await core.db.read((em) => em.find(CalendarDay));
  return Object.fromEntries(rows.map((r) => [r.date, { kind: r.kind, ...(r.note ? { note: r.note } : {}) }]));
}

const DATE = { type: 'string', pattern: /^\d{4}-\d{2}-\d{2}$/ };

export function calendarService(core: CoreContext, deadlines: Deadlines): ServiceSchema {
  const reload = async () => deadlines.rebuild(await editedDays(core));
  return {
    name: 'calendar',
    settings: { rest: '/calendar' },
    actions: {
      year: apiAction<{ year: number }>({
        rest: 'GET /:year', auth: 'user', summary: 'Every day of a year: working or not, holiday, transferred, shortened, with notes',
        params: { $$strict: true, year: 'number|integer|min:2000|max:2100|convert' },
        handler: async (ctx) => {
          const edited = await editedDays(core);
          const days = [];
          for (let d = new Date(Date.UTC(ctx.params.year, 0, 1)); d.getUTCFullYear() === ctx.params.year; d = new Date(d.getTime() + 86_400_000)) {
            const date = d.toISOString().slice(0, 10);
            const info = deadlines.calendar.describeDay(date);
            days.push({ ...info, edited: date in edited });
          }
          return { year: ctx.params.year, timeZone: deadlines.timeZone, days };
        },
      }),
      setDay: apiAction<{ date: string; kind: 'holiday' | 'workday' | 'short'; note?: string }>({
        rest: 'PUT /days/:date', auth: ROLES_ADMIN, summary: 'Mark a day as holiday, transferred working day or shortened day',
        params: { $$strict: true, date: DATE, kind: { type: 'enum', values: ['holiday', 'workday', 'short'] }, note: 'string|optional|max:200' },
        handler: async (ctx) => {
          if (Number.isNaN(Date.parse(`${ctx.params.date}T00:00:00Z`))) throw invalid(['date', 'is not a calendar date']);
          await core.db.transaction(async (em) => {
            await em.save(CalendarDay, { date: ctx.params.date, kind: ctx.params.kind, note: ctx.params.note ?? null });
            await appendJournal(em, { type: 'calendar.day_set', aggregateType: 'calendar', aggregateId: ctx.params.date, actorId: actorOf(ctx).userId, data: { kind: ctx.params.kind } });
          });
          ctx.broadcast('calendar.changed', { date: ctx.params.date });
          await reload();
          return deadlines.calendar.describeDay(ctx.params.date);
        },
      }),
      clearDay: apiAction<{ date: string }>({
        rest: 'DELETE /days/:date', auth: ROLES_ADMIN, summary: 'Remove an edit (the built-in calendar applies again)', params: { $$strict: true, date: DATE },
        handler: async (ctx) => {
          await core.db.transaction(async (em) => {
            await em.delete(CalendarDay, { date: ctx.params.date });
            await appendJournal(em, { type: 'calendar.day_cleared', aggregateType: 'calendar', aggregateId: ctx.params.date, actorId: actorOf(ctx).userId });
          });
          ctx.broadcast('calendar.changed', { date: ctx.params.date });
          await reload();
          return deadlines.calendar.describeDay(ctx.params.date);
        },
      }),
    },
    events: {
      'calendar.changed': { handler: reload },
    },
  };
}
