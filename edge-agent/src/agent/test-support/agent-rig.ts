/** Builds agents for tests: a temp spool, quick reconnects and telemetry, a silent logger. */
import pino from 'pino';
import { parseConfig, type EdgeConfigInput } from '../../config/config.js';
import { EdgeAgent } from '../agent.js';
import { DeviceManager } from '../devices.js';

export function testAgent(opts: { url: string; site: string; agent: string; spoolDir: string; password?: string; devices?: DeviceManager; extra?: Partial<EdgeConfigInput> }): EdgeAgent {
  const config = parseConfig({
    site: opts.site,
    agent: opts.agent,
    broker: { url: opts.url, ...(opts.password !== undefined ? { password: opts.password } : {}), reconnect: { minMs: 100, maxMs: 400 }, keepaliveSec: 5 },
    spool: { dir: opts.spoolDir },
    telemetry: { intervalMs: 1000 },
    transfer: { chunkSize: 1024, window: 4, ackTimeoutMs: 500 },
    ...opts.extra,
  });
  return new EdgeAgent({ config, devices: opts.devices ?? new DeviceManager(), logger: pino({ level: process.env.OKNO_TEST_LOG ?? 'silent' }) });
}
