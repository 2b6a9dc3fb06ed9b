/**
 * Routing administration's forms as text people type, and back: skill requirements ("tax:2, law:1"),
 * weekly hours ("mon-fri 08:00-20:00; sat 10:00-16:00"), id lists ("1, 4"); and the supervisor's
 * counts of operators by state.
 */
import { WEEKDAYS, type QueueSettings, type RoutingOperator, type SkillRequirement, type Weekday } from '../api/routing-admin.ts';

export type Parsed<T> = { ok: true; value: T } | { ok: false; bad: string };

/** "tax:2, law" → [{skill:'tax',min:2},{skill:'law',min:1}] (level 1 to 5). */
export function parseSkills(text: string): Parsed<SkillRequirement[]> {
  const out: SkillRequirement[] = [];
  for (const part of text.split(/[,;\n]+/).map((s) => s.trim()).filter(Boolean)) {
    const m = /^([\p{L}\p{N}_.-]+)(?:\s*[:=]\s*(\d+))?$/u.exec(part);
    const min = m?.[2] ? Number(m[2]) : 1;
    if (!m || min < 1 || min > 5) return { ok: false, bad: part };
    out.push({ skill: m[1]!, min });
  }
  return { ok: true, value: out };
}

export function skillsText(list: readonly SkillRequirement[] | undefined): string {
  return (list ?? []).map((s) => (s.min === 1 ? s.skill : `${s.skill}:${s.min}`)).join(', ');
}

/** "1, 4 7" → [1, 4, 7]; "*" → '*' when allowed. */
export function parseIds(text: string): Parsed<number[]> {
  const out: number[] = [];
  for (const p of text.split(/[\s,;]+/).filter(Boolean)) {
    if (!/^\d+$/.test(p) || Number(p) < 1) return { ok: false, bad: p };
    out.push(Number(p));
  }
  return { ok: true, value: out };
}

const TIME = /^([01]\d|2[0-4]):[0-5]\d$/;

/** "mon-fri 08:00-20:00; sat 10:00-14:00, 15:00-18:00" → the week's spans; empty text → always open (null). */
export function parseWeek(text: string): Parsed<Partial<Record<Weekday, [string, string][]>> | null> {
  const clean = text.trim();
  if (!clean) return { ok: true, value: null };
  const week: Partial<Record<Weekday, [string, string][]>> = {};
  for (const part of clean.split(/[;\n]+/).map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z]{3})(?:\s*-\s*([a-z]{3}))?\s+(.+)$/.exec(part);
    if (!m) return { ok: false, bad: part };
    const from = WEEKDAYS.indexOf(m[1] as Weekday);
    const to = m[2] ? WEEKDAYS.indexOf(m[2] as Weekday) : from;
    if (from < 0 || to < 0 || to < from) return { ok: false, bad: part };
    const spans: [string, string][] = [];
    for (const s of m[3]!.split(',').map((x) => x.trim()).filter(Boolean)) {
      const [a, b] = s.split('-').map((x) => x.trim());
      if (!a || !b || !TIME.test(a) || !TIME.test(b) || a >= b) return { ok: false, bad: s };
      spans.push([a, b]);
    }
    for (let d = from; d <= to; d++) week[WEEKDAYS[d]!] = [...(week[WEEKDAYS[d]!] ?? []), ...spans];
  }
  return { ok: true, value: week };
}

/** The week as text, consecutive days with the same hours joined ("mon-fri 08:00-20:00"). */
export function weekText(week: Partial<Record<Weekday, [string, string][]>> | null | undefined): string {
  if (!week) return '';
  const key = (d: Weekday) => (week[d] ?? []).map(([a, b]) => `${a}-${b}`).join(', ');
  const parts: string[] = [];
  let i = 0;
  while (i < WEEKDAYS.length) {
    const k = key(WEEKDAYS[i]!);
    let j = i;
    while (j + 1 < WEEKDAYS.length && key(WEEKDAYS[j + 1]!) === k) j++;
    if (k) parts.push(`${WEEKDAYS[i]}${j > i ? `-${WEEKDAYS[j]}` : ''} ${k}`);
    i = j + 1;
  }
  return parts.join('; ');
}

export const OPERATOR_STATES = ['ready', 'busy', 'wrap_up', 'paused', 'logged_out'] as const;

/** Operators by state, every state present (0 when none). */
export function operatorsByState(ops: readonly Pick<RoutingOperator, 'state'>[]): Record<(typeof OPERATOR_STATES)[number], number> {
  const out = Object.fromEntries(OPERATOR_STATES.map((s) => [s, 0])) as Record<(typeof OPERATOR_STATES)[number], number>;
  for (const o of ops) if (o.state in out) out[o.state]++;
  return out;
}

/** A new queue's settings with the plugin's defaults for what the form does not show. */
export function queueBody(f: { code: string; name: string; siteId: number | null; channels: string[]; priority: number; requirements: SkillRequirement[]; hours: QueueSettings['hours']; offerTimeoutSeconds: number; wrapUpSeconds: number; enabled: boolean }): Partial<QueueSettings> {
  return {
    code: f.code.trim(), name: f.name.trim(), ...(f.siteId ? { siteId: f.siteId } : {}), channels: f.channels as QueueSettings['channels'], priority: Number(f.priority) || 0,
    requirements: f.requirements, hours: f.hours, offerTimeoutSeconds: Number(f.offerTimeoutSeconds), wrapUpSeconds: Number(f.wrapUpSeconds), enabled: f.enabled,
  };
}
