/** Small helpers shared by the config checkers: collect every problem, each with its field path. */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Collects problems as 'path: what is wrong' lines. */
export class Issues {
  readonly list: string[] = [];

  add(path: string, problem: string): void {
    this.list.push(`${path || '(root)'}: ${problem}`);
  }

  /** Reports every key of `value` not in `known` (a misspelt setting must not be ignored silently). */
  unknownKeys(path: string, value: Record<string, unknown>, known: readonly string[]): void {
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) this.add(path ? `${path}.${key}` : key, `unknown setting (known: ${known.join(', ')})`);
    }
  }

  /** `value` if it is an object, else reports it and returns an empty one. */
  record(path: string, value: unknown, shape: string): Record<string, unknown> {
    if (isRecord(value)) return value;
    this.add(path, `must be an object ${shape}`);
    return {};
  }
}
