/**
 * Who may publish and subscribe to what. An agent (site S, agent A) only touches okno/v1/S/A/...:
 * it publishes presence, inventory, telemetry, events, cmd-result and files/up/<id>, and
 * subscribes to cmd and files/down/<id>. The core may do anything under okno/v1/.
 *
 * The same rules drive the embedded aedes broker (authorizePublish / authorizeSubscribe) and,
 * through mosquittoAclFile(), a production Mosquitto.
 */
import { assertAgentAddress, isAgentId, isSiteId } from './ids.js';
import { TOPIC_ROOT, TOPIC_VERSION, type AgentAddress } from './topics.js';

export type Identity = ({ role: 'agent' } & AgentAddress) | { role: 'core' };

/** Suffixes (below okno/v1/S/A/) an agent may publish to. */
export const AGENT_PUBLISH = ['presence', 'inventory', 'telemetry', 'events', 'cmd-result', 'files/up/+'] as const;
/** Suffixes an agent may subscribe to. */
export const AGENT_SUBSCRIBE = ['cmd', 'files/down/+'] as const;

/** Separator between site and agent in MQTT user names (never in a site or agent id). */
export const USERNAME_SEPARATOR = '.';

/** The MQTT user name of an agent: `<site>.<agent>`. */
export function agentUsername(addr: AgentAddress): string {
  assertAgentAddress(addr.site, addr.agent);
  return `${addr.site}${USERNAME_SEPARATOR}${addr.agent}`;
}

/**
 * The identity behind an MQTT user name: `coreUsernames` are the core; `<site>.<agent>` an agent;
 * anything else undefined (refuse the connection).
 */
export function identityFromUsername(username: string | undefined, coreUsernames: readonly string[] = ['okno-core']): Identity | undefined {
  if (!username) return undefined;
  if (coreUsernames.includes(username)) return { role: 'core' };
  const i = username.indexOf(USERNAME_SEPARATOR);
  if (i < 0) return undefined;
  const site = username.slice(0, i);
  const agent = username.slice(i + 1);
  return isSiteId(site) && isAgentId(agent) ? { role: 'agent', site, agent } : undefined;
}

function prefix(addr: AgentAddress): string {
  return `${TOPIC_ROOT}/${TOPIC_VERSION}/${addr.site}/${addr.agent}`;
}

/** Topic patterns (MQTT filter syntax) an identity may publish to. */
export function publishPatterns(id: Identity): string[] {
  if (id.role === 'core') return [`${TOPIC_ROOT}/${TOPIC_VERSION}/#`];
  return AGENT_PUBLISH.map((s) => `${prefix(id)}/${s}`);
}

/** Topic patterns an identity may subscribe to (a filter must lie inside one of them). */
export function subscribePatterns(id: Identity): string[] {
  if (id.role === 'core') return [`${TOPIC_ROOT}/${TOPIC_VERSION}/#`];
  return AGENT_SUBSCRIBE.map((s) => `${prefix(id)}/${s}`);
}

/** Whether a concrete topic (no wildcards) matches an MQTT filter. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Whether every topic `filter` can match is also matched by `pattern` (filter ⊆ pattern). */
export function filterWithin(filter: string, pattern: string): boolean {
  const f = filter.split('/');
  const p = pattern.split('/');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '#') return true;
    if (i >= f.length) return false;
    if (f[i] === '#') return false; // the filter reaches deeper or wider than the pattern here
    if (p[i] === '+') continue;
    if (f[i] !== p[i]) return false; // a literal level: the filter must name exactly it
  }
  return f.length === p.length;
}

function validTopic(topic: string): boolean {
  return topic.length > 0 && !topic.includes('+') && !topic.includes('#') && !topic.includes('\u0000');
}

function validFilter(filter: string): boolean {
  if (!filter || filter.includes('\u0000')) return false;
  const levels = filter.split('/');
  return levels.every((l, i) => (l.includes('#') ? l === '#' && i === levels.length - 1 : !l.includes('+') || l === '+'));
}

/** Publish check for the broker. */
export function canPublish(id: Identity, topic: string): boolean {
  if (!validTopic(topic)) return false;
  return publishPatterns(id).some((p) => topicMatches(p, topic));
}

/** Subscribe check for the broker (wildcard filters must stay inside the allowed patterns). */
export function canSubscribe(id: Identity, filter: string): boolean {
  if (!validFilter(filter)) return false;
  if (filter.startsWith('$share/')) {
    // shared subscription: $share/<group>/<filter>
    const rest = filter.split('/').slice(2).join('/');
    return rest.length > 0 && canSubscribe(id, rest);
  }
  return subscribePatterns(id).some((p) => filterWithin(filter, p));
}

export interface MosquittoAclOptions {
  agents: readonly AgentAddress[];
  coreUsernames?: readonly string[];
}

/**
 * A Mosquitto `acl_file` granting exactly the rules above: per agent user `<site>.<agent>`,
 * `topic write` for what it publishes and `topic read` for what it subscribes to; the core users
 * `topic readwrite okno/v1/#`. Everything else is denied by Mosquitto once an acl_file is set.
 */
export function mosquittoAclFile(opts: MosquittoAclOptions): string {
  const lines = ['# Okno edge ACL, generated by @okno/protocol mosquittoAclFile(). Do not edit by hand.', ''];
  for (const core of opts.coreUsernames ?? ['okno-core']) {
    lines.push(`user ${core}`, `topic readwrite ${TOPIC_ROOT}/${TOPIC_VERSION}/#`, '');
  }
  for (const a of opts.agents) {
    const id: Identity = { role: 'agent', ...a };
    lines.push(`user ${agentUsername(a)}`);
    for (const p of publishPatterns(id)) lines.push(`topic write ${p}`);
    for (const p of subscribePatterns(id)) lines.push(`topic read ${p}`);
    lines.push('');
  }
  return lines.join('\n');
}
