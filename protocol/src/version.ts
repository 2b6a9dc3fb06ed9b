/**
 * Protocol version: MAJOR.MINOR.
 *
 * - The MAJOR number is part of every topic (`okno/v1/...`) and must match exactly.
 * - A peer accepts messages from the same major and a minor at most one behind its own
 *   (`OLDEST_ACCEPTED_MINOR`), upgrading them to the current shapes; messages from a NEWER minor
 *   are accepted too and their unknown fields are ignored (stripped), so an old core keeps
 *   working with a freshly upgraded agent and the other way round.
 *
 * History (see docs/edge-protocol.md):
 * - 1.0 fax modems only: presence, inventory (host, modems), telemetry, fax and device events,
 *   commands ping, modems.probe, fax.send, fax.test, spool.flush, config.reload, inventory.refresh.
 * - 1.1 adds HID headsets: inventory.headsets, telemetry.headsets, headset.* events and commands.
 */
export const PROTOCOL_MAJOR = 1;
export const PROTOCOL_MINOR = 1;
export const PROTOCOL_VERSION = `${PROTOCOL_MAJOR}.${PROTOCOL_MINOR}`;
/** The oldest minor (of the same major) still decoded. */
export const OLDEST_ACCEPTED_MINOR = PROTOCOL_MINOR - 1;

export interface ProtocolVersion {
  major: number;
  minor: number;
}

export type VersionErrorCode = 'malformed' | 'major-mismatch' | 'minor-too-old';

/** A message whose version cannot be spoken by this side. The message says what to upgrade. */
export class ProtocolVersionError extends Error {
  constructor(
    readonly code: VersionErrorCode,
    message: string,
    readonly peer?: string,
  ) {
    super(message);
    this.name = 'ProtocolVersionError';
  }
}

const VERSION_RE = /^(0|[1-9]\d{0,3})\.(0|[1-9]\d{0,3})$/;

export function parseVersion(s: string): ProtocolVersion {
  const m = VERSION_RE.exec(s);
  if (!m) throw new ProtocolVersionError('malformed', `protocol version "${s}" is not MAJOR.MINOR`, s);
  return { major: Number(m[1]), minor: Number(m[2]) };
}

export function formatVersion(v: ProtocolVersion): string {
  return `${v.major}.${v.minor}`;
}

/** Compares two versions: negative when a < b. */
export function compareVersions(a: string | ProtocolVersion, b: string | ProtocolVersion): number {
  const x = typeof a === 'string' ? parseVersion(a) : a;
  const y = typeof b === 'string' ? parseVersion(b) : b;
  return x.major - y.major || x.minor - y.minor;
}

export interface Compatibility {
  peer: ProtocolVersion;
  /** The peer speaks a newer minor: unknown fields and event types are ignored. */
  newer: boolean;
  /** The peer speaks an older (still accepted) minor: its messages are upgraded on decode. */
  older: boolean;
}

/**
 * Whether a peer speaking `peerVersion` can talk to this side (`self`, default the current version).
 * Throws a ProtocolVersionError that names both versions and what to do when it cannot.
 */
export function checkCompatible(peerVersion: string, self: ProtocolVersion = { major: PROTOCOL_MAJOR, minor: PROTOCOL_MINOR }): Compatibility {
  const peer = parseVersion(peerVersion);
  const me = formatVersion(self);
  if (peer.major !== self.major) {
    const fix = peer.major > self.major ? 'upgrade the core' : 'upgrade the edge agent';
    throw new ProtocolVersionError(
      'major-mismatch',
      `protocol major version mismatch: the message speaks ${peerVersion}, this side speaks ${me}; majors are incompatible (${fix})`,
      peerVersion,
    );
  }
  if (peer.minor < self.minor - 1) {
    throw new ProtocolVersionError(
      'minor-too-old',
      `protocol version ${peerVersion} is too old: this side speaks ${me} and accepts ${self.major}.${Math.max(0, self.minor - 1)} or newer (upgrade the edge agent)`,
      peerVersion,
    );
  }
  return { peer, newer: peer.minor > self.minor, older: peer.minor < self.minor };
}

/** Whether something introduced in `since` is understood by a peer speaking `peerVersion`. */
export function supportedBy(since: string, peerVersion: string): boolean {
  const s = parseVersion(since);
  const p = parseVersion(peerVersion);
  return p.major === s.major && p.minor >= s.minor;
}
