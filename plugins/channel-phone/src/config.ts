/** The phone channel's configuration: defaults and the fastest-validator schema the core checks. */

/** One choice of the IVR menu: what the caller gets by pressing its digit. */
export interface MenuChoice {
  /** What the choice is, for the appeal's subject ("ЖКХ", "Справки"). */
  label: string;
  /** The registry service the call is about (routing rules and the appeal use it). */
  serviceId?: number;
  /** A routing queue by id (otherwise the routing rules choose from the service and site). */
  queueId?: number;
  /** Routing priority (-100..100) for calls of this choice. */
  priority?: number;
}

export interface PhoneConfig {
  /**
   * Asterisk's HTTP server, e.g. https://pbx.city.example:8089 (ARI lives under /ari). No user name
   * or password in it: they go in `user` and `password`.
   */
  url: string;
  /** The ARI user of ari.conf and its password (sent with HTTP basic auth; never logged). */
  user: string;
  password: string;
  /** The Stasis application name: the dialplan sends calls with Stasis(<app>). */
  app: string;
  /** The site of phone appeals (its code); null: the core's default site. */
  siteCode: string | null;
  /** A routing site id for calls (the queue of the site's rules); null: routing's default. */
  routingSiteId: number | null;
  ivr: {
    /** Media played after answering (e.g. "sound:okno-greeting"); null: no greeting and no menu. */
    greeting: string | null;
    /** digit -> choice; an empty menu sends every call to the default route after the greeting. */
    menu: Record<string, MenuChoice>;
    /** How long to wait for a digit after the greeting before the default route. */
    menuTimeoutMs: number;
    /** Media played for a digit that is not in the menu (null: nothing). */
    invalidChoice: string | null;
    /** Where calls go without a choice. */
    defaultChoice: MenuChoice;
  };
  /** Music-on-hold class of the holding bridge (musiconhold.conf). */
  mohClass: string;
  /** The holding bridge's id in Asterisk (one per app). */
  holdingBridgeId: string;
  /** The operator's phone: "{userId}" and "{login}" are replaced, e.g. "PJSIP/op-{userId}". */
  operatorEndpoint: string;
  /** How long the operator's phone rings before the call goes back to the line (seconds). */
  operatorAnswerSeconds: number;
  callback: {
    /** The digit a waiting caller presses to be called back instead (null: no callbacks). */
    digit: string | null;
    /** Media played before the line is freed ("we will call you back"). */
    confirm: string | null;
    /** How a callback reaches the caller: "{number}" is replaced, e.g. "PJSIP/{number}@city-trunk". */
    endpoint: string;
    /** Caller id shown to the applicant on a callback, e.g. the city's number. */
    callerId: string | null;
    /** How long the applicant's phone rings on a callback (seconds). */
    answerSeconds: number;
  };
  /** Played to a caller whose call could not be registered or queued, before hanging up. */
  failureMedia: string | null;
  /** Media before the registration number is read out to a caller on the line (the "received" notice). */
  regNumberIntro: string | null;
  /** Reconnection to Asterisk: first delay, then doubling up to the maximum. */
  reconnect: { minMs: number; maxMs: number };
  /** WebSocket pings; a connection that misses one is dropped and opened again. */
  pingMs: number;
  /**
   * Time limit of one REST request. It must be less than `lease.guardMs`, and a request never runs
   * past the time this node may still act (the lease's time left).
   */
  requestTimeoutMs: number;
  /**
   * Answering a new call when Asterisk answers 5xx (or cannot be reached): tried `attempts` times in
   * all, `delayMs` before the second try and doubling; then the call is hung up with the cause
   * "congestion" (the caller's network signals "try later"), never left silent in Stasis.
   */
  answerRetry: { attempts: number; delayMs: number };
  /**
   * The phone line's lease (several core nodes): the node holding the `phone-line:<app>` lease in
   * the database holds the ARI connection; the others stand by. The holder renews every `renewMs`
   * (the lease then runs `ttlMs` from the renewal); the others try to take it as often. A holder that
   * could not renew stops acting (closes the WebSocket, sends nothing more) `guardMs` before its
   * lease can expire, so two nodes never act on the calls at once. A dead holder's line is taken
   * over within `ttlMs + renewMs`.
   */
  lease: { ttlMs: number; renewMs: number; guardMs: number };
}

export const DEFAULTS: Omit<PhoneConfig, 'url' | 'user' | 'password'> = {
  app: 'okno',
  siteCode: null,
  routingSiteId: null,
  ivr: {
    greeting: null,
    menu: {},
    menuTimeoutMs: 8000,
    invalidChoice: null,
    defaultChoice: { label: 'Общие вопросы' },
  },
  mohClass: 'default',
  holdingBridgeId: 'okno-holding',
  operatorEndpoint: 'PJSIP/op-{userId}',
  operatorAnswerSeconds: 20,
  callback: { digit: null, confirm: null, endpoint: 'PJSIP/{number}@city-trunk', callerId: null, answerSeconds: 30 },
  failureMedia: null,
  regNumberIntro: null,
  reconnect: { minMs: 500, maxMs: 30_000 },
  pingMs: 15_000,
  requestTimeoutMs: 4_000,
  answerRetry: { attempts: 4, delayMs: 250 },
  lease: { ttlMs: 15_000, renewMs: 3_000, guardMs: 5_000 },
};

const positive = (max: number) => ({ type: 'number', integer: true, min: 1, max });
const id = { type: 'number', integer: true, positive: true, optional: true };
const media = { type: 'string', min: 1, max: 400, nullable: true, pattern: /^[a-z]+:\S+$/ };
const choice = {
  type: 'object', strict: true,
  props: { label: { type: 'string', min: 1, max: 120 }, serviceId: id, queueId: id, priority: { type: 'number', integer: true, min: -100, max: 100, optional: true } },
};

export const configSchema: Record<string, unknown> = {
  url: { type: 'url' },
  user: { type: 'string', min: 1, max: 100 },
  password: { type: 'string', min: 1, max: 200 },
  app: { type: 'string', pattern: /^[_A-Za-z0-9-]{1,64}$/ },
  siteCode: { type: 'string', max: 32, nullable: true },
  routingSiteId: { type: 'number', integer: true, positive: true, nullable: true },
  ivr: {
    type: 'object', strict: true,
    props: {
      greeting: media,
      menu: { type: 'record', key: { type: 'string', pattern: /^[0-9*#]$/ }, value: choice },
      menuTimeoutMs: positive(120_000),
      invalidChoice: media,
      defaultChoice: choice,
    },
  },
  mohClass: { type: 'string', min: 1, max: 80 },
  holdingBridgeId: { type: 'string', pattern: /^[_.A-Za-z0-9-]{1,64}$/ },
  operatorEndpoint: { type: 'string', min: 3, max: 200, pattern: /\{(userId|login)\}/ },
  operatorAnswerSeconds: positive(600),
  callback: {
    type: 'object', strict: true,
    props: {
      digit: { type: 'string', pattern: /^[0-9*#]$/, nullable: true },
      confirm: media,
      endpoint: { type: 'string', min: 3, max: 200, pattern: /\{number\}/ },
      callerId: { type: 'string', max: 80, nullable: true },
      answerSeconds: positive(600),
    },
  },
  failureMedia: media,
  regNumberIntro: media,
  reconnect: { type: 'object', strict: true, props: { minMs: positive(60_000), maxMs: positive(600_000) } },
  pingMs: positive(600_000),
  requestTimeoutMs: positive(600_000),
  answerRetry: { type: 'object', strict: true, props: { attempts: positive(10), delayMs: positive(10_000) } },
  lease: { type: 'object', strict: true, props: { ttlMs: { type: 'number', integer: true, min: 1000, max: 600_000 }, renewMs: { type: 'number', integer: true, min: 100, max: 300_000 }, guardMs: { type: 'number', integer: true, min: 100, max: 300_000 } } },
};

/** Problems the schema cannot see (empty when the config is coherent). */
export function configProblems(c: PhoneConfig): string[] {
  const p: string[] = [];
  if (c.callback.digit && c.ivr.menu[c.callback.digit]) p.push(`callback.digit "${c.callback.digit}" is also a menu choice`);
  if (c.reconnect.maxMs < c.reconnect.minMs) p.push('reconnect.maxMs is less than reconnect.minMs');
  if (c.lease.renewMs * 2 > c.lease.ttlMs - c.lease.guardMs) p.push('lease: the holder must be able to renew twice before it stops acting (renewMs * 2 <= ttlMs - guardMs)');
  if (c.requestTimeoutMs >= c.lease.guardMs) p.push(`requestTimeoutMs (${c.requestTimeoutMs}) must be less than lease.guardMs (${c.lease.guardMs}), so a REST request ends before another node can take the line`);
  if (hasUserinfo(c.url)) p.push('url must not contain a user name or password; put them in "user" and "password"');
  return p;
}

function hasUserinfo(url: string): boolean {
  try {
    const u = new URL(url);
    return u.username !== '' || u.password !== '';
  } catch {
    return /\/\/[^/?#]*@/.test(url);
  }
}

/** A URL, or any text such as an error message, with every `scheme://user:password@` stripped of the user and password. */
export function stripUserinfo(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s?#]*@/gi, '$1');
}

/** What may be put into a dial string: a login or id of letters, digits, ".", "_" and "-". */
const DIALABLE_VALUE = /^[A-Za-z0-9._-]+$/;

/**
 * The operator's endpoint from the template. A login with any other character (such as "/", "@" or
 * ":" that would make Asterisk dial another endpoint or a SIP URI) is refused with an error.
 */
export function operatorEndpoint(template: string, user: { id: number; login: string }): string {
  for (const [name, value] of [['userId', String(user.id)], ['login', user.login]] as const) {
    if (template.includes(`{${name}}`) && !DIALABLE_VALUE.test(value)) {
      throw new Error(`the operator's ${name} ${JSON.stringify(value.slice(0, 40))} cannot be put into operatorEndpoint: only letters, digits, ".", "_" and "-" are allowed`);
    }
  }
  return template.replace(/\{userId\}/g, String(user.id)).replace(/\{login\}/g, user.login);
}

/** The applicant's endpoint for a callback: the number as digits (and a leading +). */
export function callbackEndpoint(template: string, number: string): string {
  return template.replace(/\{number\}/g, dialable(number));
}

/** A number as Asterisk dials it: digits, with the leading "+" kept. */
export function dialable(number: string): string {
  const digits = number.replace(/[^0-9]/g, '');
  return number.trim().startsWith('+') ? `+${digits}` : digits;
}
