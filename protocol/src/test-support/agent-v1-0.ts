/**
 * An edge agent as released with protocol 1.0 (fax modems only, no headsets), reduced to what it
 * puts on the wire and how it reacts to commands. Its messages are literal 1.0 payloads: no
 * `headsets` in inventory and telemetry. It decodes commands with the 1.0 rules: same major,
 * newer minors accepted with unknown fields ignored; kinds it does not know are answered with
 * `unknown-command`.
 */
import { CommandMessage } from '../schemas/commands.js';
import { newId } from '../ids.js';
import { checkCompatible } from '../version.js';

const V = '1.0';
const KNOWN_1_0 = ['ping', 'modems.probe', 'fax.send', 'fax.test', 'spool.flush', 'config.reload', 'inventory.refresh'];

export class AgentV10 {
  constructor(
    readonly site: string,
    readonly agent: string,
    private readonly now: () => number = Date.now,
  ) {}

  private env() {
    return { id: newId(), v: V, ts: this.now(), sender: { role: 'agent', site: this.site, agent: this.agent } };
  }

  presence(): string {
    return JSON.stringify({ ...this.env(), state: 'online', reason: 'connect', agentVersion: '0.9.0', startedAt: 1 });
  }
  inventory(): string {
    return JSON.stringify({
      ...this.env(),
      host: { hostname: 'old-box', os: 'linux', arch: 'x64', nodeVersion: 'v24.11.0', agentVersion: '0.9.0', startedAt: 1 },
      modems: [{ id: 'ttyS0', port: '/dev/ttyS0', state: 'idle', classes: ['0', '1', '2'], faxClass: '2' }],
    });
  }
  telemetry(): string {
    return JSON.stringify({
      ...this.env(),
      intervalMs: 5000,
      host: { load1: 0.1, cpuPercent: 1, rssBytes: 1, memFreeBytes: 1, memTotalBytes: 2, uptimeSec: 5 },
      spool: { depth: 0, bytes: 0, files: 0, fileBytes: 0, droppedTelemetry: 0, refused: 0 },
      link: { reconnects: 0 },
      modems: [{ id: 'ttyS0', state: 'idle', line: { callsIn: 0, callsOut: 0, pagesIn: 0, pagesOut: 0, failures: 0 } }],
    });
  }
  faxFailed(): string {
    return JSON.stringify({
      ...this.env(),
      event: { type: 'fax.failed', jobId: 'j1', modemId: 'ttyS0', number: '5551234', attempts: 3, willRetry: false, reason: 'busy', hangup: { code: '4', fclass: '2', meaning: 'Ringback detected, no answer (timeout)' } },
    });
  }

  /** What the 1.0 agent answers to a command payload from the core (a cmd-result JSON string). */
  onCommand(payload: string): string {
    const raw = JSON.parse(payload) as { v: string };
    checkCompatible(raw.v, { major: 1, minor: 0 });
    const cmd = CommandMessage.parse(raw);
    const base = { ...this.env(), correlationId: cmd.id, kind: cmd.kind, receivedAt: this.now(), finishedAt: this.now() };
    if (!KNOWN_1_0.includes(cmd.kind)) {
      return JSON.stringify({ ...base, status: 'error', error: { code: 'unknown-command', message: `this agent (protocol ${V}) does not know "${cmd.kind}"` } });
    }
    if (cmd.kind === 'ping') return JSON.stringify({ ...base, status: 'ok', result: { agentTs: this.now(), uptimeSec: 5, agentVersion: '0.9.0' } });
    return JSON.stringify({ ...base, status: 'error', error: { code: 'failed', message: 'not simulated' } });
  }
}
