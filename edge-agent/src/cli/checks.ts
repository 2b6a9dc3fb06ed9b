/**
 * The checks of `okno-edge doctor`: each says what it looked at, whether it is fine and, if not,
 * the fix to try.
 */
import { accessSync, constants, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { fileFilter, topicFor } from '@okno/protocol';
import { brokerCredentials, brokerTls, clientIdOf, type EdgeConfig } from '../config/config.js';
import { clientOptions, isAuthError } from '../link/mqtt-link.js';

export interface Check {
  name: string;
  ok: boolean | 'skipped';
  detail?: string;
  fix?: string;
}

function brokerAddress(url: string): { host: string; port: number } {
  const u = new URL(url);
  const defaults: Record<string, number> = { 'mqtt:': 1883, 'tcp:': 1883, 'mqtts:': 8883, 'ssl:': 8883, 'ws:': 80, 'wss:': 443 };
  return { host: u.hostname, port: Number(u.port || defaults[u.protocol] || 1883) };
}

export function tcpCheck(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = createConnection({ host, port });
    const done = (err?: string) => {
      s.destroy();
      resolve(err);
    };
    s.setTimeout(timeoutMs, () => done('timed out'));
    s.once('connect', () => done());
    s.once('error', (e) => done(e.message));
  });
}

/** Broker reachable, credentials accepted, own command topics granted. */
export async function brokerChecks(c: EdgeConfig): Promise<Check[]> {
  const out: Check[] = [];
  const { host, port } = brokerAddress(c.broker.url);
  const tcp = await tcpCheck(host, port, c.broker.connectTimeoutMs);
  out.push({
    name: `broker reachable at ${host}:${port}`,
    ok: !tcp,
    ...(tcp ? { detail: tcp, fix: 'check broker.url / OKNO_EDGE_BROKER_URL, the network and any firewall between this site and the core' } : {}),
  });
  if (tcp) {
    out.push({ name: 'credentials accepted', ok: 'skipped', detail: 'broker not reachable' });
    return out;
  }
  let creds;
  try {
    creds = brokerCredentials(c);
  } catch (err) {
    out.push({ name: 'credentials readable', ok: false, detail: (err as Error).message, fix: 'fix broker.passwordFile (path and permissions)' });
    return out;
  }
  let client;
  try {
    const tls = brokerTls(c);
    client = await mqtt.connectAsync(
      c.broker.url,
      clientOptions(
        { clientId: `${clientIdOf(c)}-doctor`, ...creds, keepaliveSec: 30, connectTimeoutMs: c.broker.connectTimeoutMs, ...(tls ? { tls } : {}) },
        { clean: true },
      ),
    );
  } catch (err) {
    out.push({
      name: `credentials accepted for user ${creds.username}`,
      ok: false,
      detail: (err as Error).message,
      fix: isAuthError(err)
        ? `the broker refused user "${creds.username}": check broker.password / OKNO_EDGE_PASSWORD and that the core has this agent registered`
        : 'the broker did not complete the MQTT handshake: check the URL scheme (mqtt:// vs mqtts://) and TLS settings',
    });
    return out;
  }
  out.push({ name: `credentials accepted for user ${creds.username}`, ok: true });
  try {
    const granted = await client.subscribeAsync([topicFor(c, 'cmd'), fileFilter(c, 'down')], { qos: 1 });
    const refused = granted.filter((g) => g.qos === 128).map((g) => g.topic);
    out.push({
      name: 'command topics granted',
      ok: refused.length === 0,
      ...(refused.length ? { detail: `refused: ${refused.join(', ')}`, fix: 'the broker ACL does not match this site/agent: check site and agent in the config against the core' } : {}),
    });
  } finally {
    await client.endAsync(true);
  }
  return out;
}

export function spoolCheck(c: EdgeConfig): Check {
  try {
    mkdirSync(c.spool.dir, { recursive: true });
    accessSync(c.spool.dir, constants.R_OK | constants.W_OK);
    return { name: `spool directory ${c.spool.dir} writable`, ok: true };
  } catch (err) {
    return { name: `spool directory ${c.spool.dir} writable`, ok: false, detail: (err as Error).message, fix: `create it and give it to the agent's user: sudo install -d -o okno-edge ${c.spool.dir}` };
  }
}

/** Serial ports to check: the configured ones, else USB and ACM ports present. */
export function candidatePorts(c: EdgeConfig, devDir = '/dev'): string[] {
  if (c.fax.ports?.length) return c.fax.ports;
  if (!existsSync(devDir)) return [];
  return readdirSync(devDir)
    .filter((f) => /^tty(USB|ACM)\d+$/.test(f))
    .map((f) => join(devDir, f));
}

function accessCheck(path: string, what: string, fix: string): Check {
  const name = `${what} ${path} readable and writable`;
  if (!existsSync(path)) return { name, ok: false, detail: 'no such device', fix: 'is it plugged in? check `dmesg` and the port name in fax.ports' };
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
    return { name, ok: true };
  } catch {
    const st = statSync(path);
    return { name, ok: false, detail: `owner uid ${st.uid} gid ${st.gid} mode ${(st.mode & 0o777).toString(8)}`, fix };
  }
}

export function serialPermissionChecks(c: EdgeConfig, devDir = '/dev'): Check[] {
  const ports = candidatePorts(c, devDir);
  if (!ports.length) return [{ name: 'serial ports', ok: 'skipped', detail: 'no fax.ports configured and no /dev/ttyUSB* or /dev/ttyACM* present' }];
  return ports.map((p) => accessCheck(p, 'serial port', 'add the agent user to the dialout group (sudo usermod -aG dialout okno-edge) and log in again'));
}

export function hidrawPermissionChecks(c: EdgeConfig, devDir = '/dev'): Check[] {
  if (!c.headsets.enabled) return [{ name: 'headsets', ok: 'skipped', detail: 'headsets.enabled is false' }];
  const nodes = existsSync(devDir) ? readdirSync(devDir).filter((f) => /^hidraw\d+$/.test(f)) : [];
  if (!nodes.length) return [{ name: 'HID devices', ok: 'skipped', detail: 'no /dev/hidraw* present (no headset plugged in?)' }];
  return nodes.map((n) =>
    accessCheck(join(devDir, n), 'HID device', 'install the udev rule from the technician guide (/etc/udev/rules.d/70-okno-headsets.rules), then `sudo udevadm control --reload && sudo udevadm trigger`'),
  );
}
