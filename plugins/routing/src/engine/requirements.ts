/**
 * Skill requirements and their relaxation. A contact requires skills with a minimum proficiency
 * (1..5); the queue's relaxation rules lower those minimums as the contact waits ("after 60 s accept
 * proficiency >= 2", "after 120 s any level" = maxLevel 1). A skill is never dropped: an operator
 * must have every required skill at some level. Relaxation only ever widens the set of operators,
 * so among contacts with the same requirements the longer-waiting one is eligible wherever a
 * younger one is — the property that lets a freed operator look only at the head of each bucket.
 */
import { MAX_PROFICIENCY, MIN_PROFICIENCY, RoutingError, type RelaxRule, type SkillLevels } from './types.js';

export interface Requirement {
  readonly skill: string;
  readonly level: number;
}

export function checkLevel(level: unknown, what: string): number {
  if (typeof level !== 'number' || !Number.isInteger(level) || level < MIN_PROFICIENCY || level > MAX_PROFICIENCY) {
    throw new RoutingError('invalid-skill', `${what}: proficiency must be an integer ${MIN_PROFICIENCY}..${MAX_PROFICIENCY}, got ${String(level)}`);
  }
  return level;
}

/** Queue and contact requirements merged (the higher minimum wins), sorted by skill name. */
export function mergeRequirements(what: string, ...sources: (SkillLevels | undefined)[]): Requirement[] {
  const merged = new Map<string, number>();
  for (const source of sources) {
    for (const [skill, level] of Object.entries(source ?? {})) {
      merged.set(skill, Math.max(merged.get(skill) ?? 0, checkLevel(level, `${what} skill '${skill}'`)));
    }
  }
  return [...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([skill, level]) => ({ skill, level }));
}

export function requirementKey(reqs: readonly Requirement[]): string {
  return reqs.map((r) => `${r.skill}:${r.level}`).join(',');
}

export function skillMap(levels: SkillLevels, what: string): Map<string, number> {
  return new Map(Object.entries(levels).map(([skill, level]) => [skill, checkLevel(level, `${what} skill '${skill}'`)]));
}

/** Relaxation rules validated and sorted by time. */
export function checkRelaxRules(rules: readonly RelaxRule[] | undefined, what: string): RelaxRule[] {
  return [...(rules ?? [])]
    .map((r) => {
      if (!(Number.isFinite(r.afterMs) && r.afterMs >= 0)) throw new RoutingError('invalid-queue', `${what}: relax afterMs must be >= 0`);
      return { afterMs: r.afterMs, maxLevel: checkLevel(r.maxLevel, `${what} relax maxLevel`) };
    })
    .sort((a, b) => a.afterMs - b.afterMs);
}

/** The highest minimum any requirement may still ask after waiting `waitedMs`. */
export function relaxedCap(rules: readonly RelaxRule[], waitedMs: number): number {
  let cap = MAX_PROFICIENCY;
  for (const r of rules) {
    if (r.afterMs > waitedMs) break;
    if (r.maxLevel < cap) cap = r.maxLevel;
  }
  return cap;
}

/** The first rule time after `waitedMs`, if any. */
export function nextRelaxAfter(rules: readonly RelaxRule[], waitedMs: number): number | undefined {
  for (const r of rules) if (r.afterMs > waitedMs) return r.afterMs;
  return undefined;
}

/** Every requirement met at its minimum lowered to `cap`. */
export function meetsRequirements(skills: ReadonlyMap<string, number>, reqs: readonly Requirement[], cap: number): boolean {
  for (const r of reqs) {
    const need = r.level < cap ? r.level : cap;
    if ((skills.get(r.skill) ?? 0) < need) return false;
  }
  return true;
}

/** Every required skill held at some level (what fully relaxed requirements ask). */
export function hasAllSkills(skills: ReadonlyMap<string, number>, reqs: readonly Requirement[]): boolean {
  return meetsRequirements(skills, reqs, MIN_PROFICIENCY);
}

/** Sum of the operator's proficiency over the required skills (the default strategy's "best"). */
export function proficiencyFor(skills: ReadonlyMap<string, number>, reqs: readonly Requirement[]): number {
  let sum = 0;
  for (const r of reqs) sum += skills.get(r.skill) ?? 0;
  return sum;
}
