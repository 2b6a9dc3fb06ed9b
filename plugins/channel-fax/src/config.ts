/** The fax channel's configuration: defaults and the fastest-validator schema the core checks. */

export interface FaxConfig {
  /** Turn received faxes (edge uploads) into appeals. */
  inbound: boolean;
  /** Send fax documents (TIFF Class F) through an edge agent; everything else is refused as "by post or e-mail". */
  outbound: boolean;
  /** The site of appeals whose agent's site is not a site of the core (null: the core's default site). */
  fallbackSiteCode: string | null;
  /**
   * The agent that sends when the appeal's site has none online with a fax modem, as "<site>/<agent>"
   * (the agent's MQTT ids); null: such a fax waits and is retried.
   */
  defaultAgent: string | null;
  /** How often the journal is read for new uploads (an upload also wakes the reader at once). */
  pollMs: number;
  /** Retries of one upload that keeps failing (e.g. the database is down) before it is set aside for an admin. */
  maxAttempts: number;
  /** Limits of the worker that reads a TIFF file and draws its pages. */
  previews: { timeoutMs: number; maxHeapMb: number };
  /** How long `edge.sendFax` may take to accept a job. */
  sendTimeoutMs: number;
}

export const DEFAULTS: FaxConfig = {
  inbound: true,
  outbound: true,
  fallbackSiteCode: null,
  defaultAgent: null,
  pollMs: 1000,
  maxAttempts: 10,
  previews: { timeoutMs: 120_000, maxHeapMb: 512 },
  sendTimeoutMs: 30_000,
};

// '_' first in the class: fastest-validator pastes the pattern into generated code, where "9_" reads as a number.
const ID = '[a-z0-9][_a-z0-9-]*';
export const AGENT_REF = new RegExp(`^(${ID})/(${ID})$`);

const positive = (max: number) => ({ type: 'number', integer: true, min: 1, max });

export const configSchema: Record<string, unknown> = {
  inbound: 'boolean',
  outbound: 'boolean',
  fallbackSiteCode: { type: 'string', max: 32, nullable: true },
  defaultAgent: { type: 'string', pattern: AGENT_REF, max: 97, nullable: true },
  pollMs: positive(600_000),
  maxAttempts: positive(1000),
  previews: { type: 'object', strict: true, props: { timeoutMs: positive(3_600_000), maxHeapMb: { type: 'number', integer: true, min: 64, max: 16_384 } } },
  sendTimeoutMs: positive(600_000),
};

/** "<site>/<agent>" as its parts. */
export function agentRef(s: string | null): { site: string; agent: string } | null {
  const m = s ? AGENT_REF.exec(s) : null;
  return m ? { site: m[1]!, agent: m[2]! } : null;
}
