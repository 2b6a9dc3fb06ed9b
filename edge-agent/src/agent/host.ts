/** Host facts for inventory and host figures for telemetry. */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { HostInfo } from '@okno/protocol';

export const AGENT_VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();

export function hostInfo(startedAt: number): HostInfo {
  return {
    hostname: os.hostname(),
    os: os.platform(),
    arch: os.arch(),
    release: os.release(),
    nodeVersion: process.version,
    agentVersion: AGENT_VERSION,
    startedAt,
    cpus: os.availableParallelism(),
    memTotalBytes: os.totalmem(),
  };
}

/** CPU use of this process since the previous call, in percent of one core. */
export class HostSampler {
  private last = { cpu: process.cpuUsage(), at: process.hrtime.bigint() };

  sample() {
    const cpu = process.cpuUsage();
    const at = process.hrtime.bigint();
    const usedUs = cpu.user - this.last.cpu.user + (cpu.system - this.last.cpu.system);
    const elapsedUs = Number(at - this.last.at) / 1000;
    this.last = { cpu, at };
    return {
      load1: os.loadavg()[0] ?? 0,
      cpuPercent: elapsedUs > 0 ? Math.max(0, (usedUs / elapsedUs) * 100) : 0,
      rssBytes: process.memoryUsage.rss(),
      memFreeBytes: os.freemem(),
      memTotalBytes: os.totalmem(),
      uptimeSec: process.uptime(),
    };
  }
}
