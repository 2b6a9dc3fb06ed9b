/**
 * MQTT topics of the contract. Build and parse them only here:
 *
 *   okno/v<MAJOR>/<site>/<agent>/presence       agent -> core, retained (last will: offline)
 *   okno/v<MAJOR>/<site>/<agent>/inventory      agent -> core, retained
 *   okno/v<MAJOR>/<site>/<agent>/telemetry      agent -> core
 *   okno/v<MAJOR>/<site>/<agent>/events         agent -> core
 *   okno/v<MAJOR>/<site>/<agent>/cmd            core -> agent
 *   okno/v<MAJOR>/<site>/<agent>/cmd-result     agent -> core
 *   okno/v<MAJOR>/<site>/<agent>/files/up/<id>  agent -> core (file data of uploads, acks of downloads)
 *   okno/v<MAJOR>/<site>/<agent>/files/down/<id> core -> agent (file data of downloads, acks of uploads)
 */
import { assertAgentAddress, isAgentId, isMessageId, isSiteId } from './ids.js';
import { PROTOCOL_MAJOR } from './version.js';

export const TOPIC_ROOT = 'okno';
export const TOPIC_VERSION = `v${PROTOCOL_MAJOR}`;

export const MESSAGE_KINDS = ['presence', 'inventory', 'telemetry', 'events', 'cmd', 'cmd-result'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];
export type FileDirection = 'up' | 'down';
export type TopicKind = MessageKind | 'files-up' | 'files-down';

export interface AgentAddress {
  site: string;
  agent: string;
}

export interface ParsedTopic extends AgentAddress {
  kind: TopicKind;
  /** Set for files-up / files-down. */
  transferId?: string;
}

function base(site: string, agent: string): string {
  assertAgentAddress(site, agent);
  return `${TOPIC_ROOT}/${TOPIC_VERSION}/${site}/${agent}`;
}

/** The topic of one message kind for one agent. */
export function topicFor(addr: AgentAddress, kind: MessageKind): string {
  return `${base(addr.site, addr.agent)}/${kind}`;
}

/** The topic of one file transfer in one direction (`up`: published by the agent). */
export function fileTopic(addr: AgentAddress, direction: FileDirection, transferId: string): string {
  if (!isMessageId(transferId)) throw new Error(`invalid transfer id "${transferId}"`);
  return `${base(addr.site, addr.agent)}/files/${direction}/${transferId}`;
}

/** Subscription filter for every transfer of one agent in one direction. */
export function fileFilter(addr: AgentAddress, direction: FileDirection): string {
  return `${base(addr.site, addr.agent)}/files/${direction}/+`;
}

/**
 * A subscription filter across agents for the core, e.g. `okno/v1/+/+/telemetry`, or for one site
 * (`{ site: 'cao' }`). Kinds 'files-up'/'files-down' give `.../files/up/+`.
 */
export function filterFor(kind: TopicKind, scope: { site?: string; agent?: string } = {}): string {
  if (scope.site !== undefined && !isSiteId(scope.site)) throw new Error(`invalid site id "${scope.site}"`);
  if (scope.agent !== undefined && !isAgentId(scope.agent)) throw new Error(`invalid agent id "${scope.agent}"`);
  const prefix = `${TOPIC_ROOT}/${TOPIC_VERSION}/${scope.site ?? '+'}/${scope.agent ?? '+'}`;
  if (kind === 'files-up') return `${prefix}/files/up/+`;
  if (kind === 'files-down') return `${prefix}/files/down/+`;
  return `${prefix}/${kind}`;
}

/** Parses a topic of this major; undefined when it is not one of ours (or has unsafe segments). */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const parts = topic.split('/');
  if (parts.length < 5 || parts[0] !== TOPIC_ROOT || parts[1] !== TOPIC_VERSION) return undefined;
  const [, , site, agent, kind, dir, id] = parts as [string, string, string, string, string, string?, string?];
  if (!isSiteId(site) || !isAgentId(agent)) return undefined;
  if (kind === 'files') {
    if (parts.length !== 7 || (dir !== 'up' && dir !== 'down') || !id || !isMessageId(id)) return undefined;
    return { site, agent, kind: dir === 'up' ? 'files-up' : 'files-down', transferId: id };
  }
  if (parts.length !== 5 || !(MESSAGE_KINDS as readonly string[]).includes(kind)) return undefined;
  return { site, agent, kind: kind as MessageKind };
}

/** The major version a topic speaks (`okno/v2/...` -> 2), or undefined for other topics. */
export function topicMajor(topic: string): number | undefined {
  const m = /^okno\/v(\d+)\//.exec(topic);
  return m ? Number(m[1]) : undefined;
}
