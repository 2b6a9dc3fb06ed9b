/**
 * The call flow of the phone channel, on a `PbxAdapter` (ARI) and the core's actions.
 *
 * Inbound: a call enters the Stasis app -> answered -> the greeting and the DTMF menu (when
 * configured) -> registered (`appeals.intake`, channel `phone`, message id `call:<channel id>`) ->
 * into the holding bridge (music on hold) and the routing line (`routing.enqueue`, channel `voice`,
 * contact `call-<channel id>`). When routing assigns the contact to an operator (`contact.answered`)
 * the operator's phone is called (originate, appArgs `operator,<call>`); when it answers, caller and
 * operator are joined in a mixing bridge. Either side hanging up ends the call: the other side is
 * hung up, the contact ends (`routing.end`: abandoned while waiting, completed when assigned), and
 * the call is recorded on the appeal. An operator's phone that does not answer puts the call back in
 * the line with its place (a new contact with the first one's enqueue time).
 *
 * Callbacks: a waiting caller who presses the callback digit leaves the line and keeps the place: a
 * `callback` contact with the call's enqueue time, the voice contact ended as handled. When routing
 * assigns it, the operator's phone is called first, then the applicant's number; both are bridged.
 *
 * Every call's events are handled one after the other (a chain per call), so a hang-up that arrives
 * while the call is being registered is handled once the registration is done, never in the middle.
 * After a reconnection to Asterisk `resync()` compares the calls with `GET /channels`: calls that
 * ended meanwhile are ended here, operator legs answered or lost meanwhile are acted on, dials that
 * failed while Asterisk was away are made again, and calls in Stasis that this node does not follow
 * are taken over: after a core restart a call is followed again from what Asterisk shows (its bridge,
 * its operator's leg) and what is durable (its appeal, routing's contacts in the journal), and calls
 * that ended while no node followed them are recorded and their contacts ended. A comparison that
 * cannot be completed (Asterisk's lists or the journal cannot be read) is tried again on a timer
 * (`reconnect.minMs`, doubling up to `reconnect.maxMs`); it never rejects. Entries of Asterisk's
 * lists that are not a Channel or Bridge are left out (the client counts them), and a call or leg
 * whose entry is unreadable is left as it is until a later comparison.
 *
 * A hostile or broken peer cannot grow a call's chain: a digit that arrives while an earlier one of
 * the same call is still being handled is dropped (`stats.dtmfDropped`), and the invalid-choice
 * prompt plays at most once at a time per call.
 */
import type { IntakeInput, IntakeResult } from '@okno/core';
import type { PbxAdapter } from '../ari/client.js';
import { AriUnavailable, isGone } from '../ari/client.js';
import type { AriBridge, AriChannel, AriEvent } from '../ari/types.js';
import { callbackEndpoint, dialable, type MenuChoice, type PhoneConfig } from '../config.js';
import type { CallRecord } from './call-record.js';
import { callIdOfCallback, callIdOfContact, type ContactTrail, type DurableCall } from './durable.js';

export interface EnqueueParams {
  contactId: string;
  channel: 'voice' | 'callback';
  appealId: number;
  queueId?: number;
  serviceId?: number;
  siteId?: number;
  priority?: number;
  enqueuedAt: Date;
}

/** What a callback needs to be placed after a restart (read back from the appeal). */
export interface CallbackSource {
  appealId: number;
  number: string;
  enqueuedAt: Date;
  choice: MenuChoice;
  regNumber: string | null;
}

export interface CallFlowDeps {
  pbx: PbxAdapter;
  config: PhoneConfig;
  intake(input: IntakeInput): Promise<IntakeResult>;
  enqueue(p: EnqueueParams): Promise<unknown>;
  endContact(contactId: string, reason: 'handled' | 'applicant-left'): Promise<unknown>;
  /** The endpoint to dial for a routing operator id (a user id). */
  operatorEndpoint(operatorId: string): Promise<string>;
  /** Records a finished call on its appeal. */
  record(r: CallRecord): Promise<void>;
  /** A callback's data from the appeal, when this node does not remember it. */
  callbackSource(callId: string): Promise<CallbackSource | null>;
  /** A registered call as the database knows it (appeal, interaction, routing's contacts from the journal); null: never registered. */
  durable(callId: string): Promise<DurableCall | null>;
  /** Calls whose latest routing contact is still open in the journal (waiting or assigned), recent ones. */
  openCalls(): Promise<string[]>;
  /** Calls whose latest callback contact is assigned to an operator in the journal, recent ones. */
  openCallbacks(): Promise<string[]>;
  now(): Date;
  logger: { info(o: object, m: string): void; warn(o: object, m: string): void; error(o: object, m: string): void };
}

type CallState = 'adopting' | 'menu' | 'registering' | 'waiting' | 'dialing' | 'talking' | 'leaving' | 'ended';
type HungUpBy = 'caller' | 'operator' | 'system' | 'unknown';

interface Leg {
  kind: 'operator' | 'cb-operator' | 'cb-applicant';
  key: string;
}

interface InboundCall {
  id: string;
  from: string | null;
  /** A short internal number (an extension) the call came from, when `from` is null for it; shown in the record's text. */
  extension: string | null;
  /** A digit of this call is queued or being handled: further digits are dropped until it is done. */
  dtmfPending: boolean;
  /** The invalid-choice prompt is playing (its playback id): it is not played again until it finishes. */
  invalidPlaying: string | null;
  startedAt: Date;
  state: CallState;
  choice: MenuChoice;
  digit: string | null;
  appealId: number | null;
  regNumber: string | null;
  contactId: string;
  requeues: number;
  enqueuedAt: Date | null;
  operatorId: string | null;
  operatorLeg: string | null;
  /** An operator was assigned but the dial failed because Asterisk was away: dial at reconnection. */
  pendingDial: boolean;
  legs: number;
  bridgeId: string | null;
  answeredAt: Date | null;
  missed: { operatorId: string; cause: string }[];
  outcome: CallRecord['outcome'] | null;
  menuTimer: NodeJS.Timeout | null;
  hangingUp: boolean;
  /** Taken over after a core restart: since when this node follows it, and which times are not known. */
  adopted: { since: Date; unknown: string[] } | null;
}

interface Callback {
  callId: string;
  contactId: string;
  attempts: number;
  src: CallbackSource;
  state: 'idle' | 'dialing-operator' | 'dialing-applicant' | 'talking' | 'ended';
  operatorId: string | null;
  operatorLeg: string | null;
  applicantLeg: string | null;
  pendingDial: boolean;
  legs: number;
  bridgeId: string | null;
  startedAt: Date | null;
  answeredAt: Date | null;
  missed: { operatorId: string; cause: string }[];
  /** Taken over after a core restart (or by another node): since when, and which times are not known. */
  adopted: { since: Date; unknown: string[] } | null;
}

/** Fewer digits than this is an internal extension, not a phone number (the core's contact check needs 5). */
export const MIN_NUMBER_DIGITS = 5;

const rawCaller = (ch: AriChannel): string => {
  const n = (ch.caller as { number?: unknown } | undefined)?.number;
  return typeof n === 'string' ? n.trim() : '';
};

/**
 * The caller's number, or null when withheld or unknown, or when it is an internal extension (3–4
 * digits): such a call is taken as from a hidden number, so the core's contact check (at least 5
 * digits) does not refuse it (see `callerExtension`).
 */
export function callerNumber(ch: AriChannel): string | null {
  const n = rawCaller(ch);
  if (/anonymous|unknown|restricted/i.test(n)) return null;
  return n.replace(/\D/g, '').length >= MIN_NUMBER_DIGITS && n.length <= 40 ? n : null;
}

/** An internal extension the call came from (3–4 digits, nothing else), or null. */
export function callerExtension(ch: AriChannel): string | null {
  const n = rawCaller(ch);
  return /^\d{3,4}$/.test(n) ? n : null;
}

const GREETING = (id: string) => `okno-greeting-${id}`;
const CONFIRM = (id: string) => `okno-callback-${id}`;
const INVALID = (id: string) => `okno-invalid-${id}`;

export class CallFlow {
  private readonly calls = new Map<string, InboundCall>();
  private readonly byContact = new Map<string, InboundCall | Callback>();
  private readonly callbacks = new Map<string, Callback>();
  private readonly legs = new Map<string, Leg>();
  private readonly chains = new Map<string, Promise<void>>();
  private holdingReady: Promise<void> | null = null;
  private stopped = false;
  readonly stats = {
    calls: 0, registered: 0, answered: 0, abandoned: 0, callbacks: 0, failures: 0, lastFailure: null as string | null, resyncs: 0,
    /** Calls taken over after a restart (found in Asterisk) and calls found ended meanwhile (settled from the journal). */
    adopted: 0, settledAfterRestart: 0,
    /** New calls Asterisk would not answer (5xx after every retry): hung up with "congestion". */
    answerFailures: 0,
    /** Digits dropped because an earlier digit of the same call was still being handled. */
    dtmfDropped: 0,
  };
  private retryTimer: NodeJS.Timeout | null = null;
  private retries = 0;
  /** The comparison with Asterisk in progress (assignments of calls not adopted yet wait for it). */
  private resyncing: Promise<void> | null = null;

  constructor(private readonly d: CallFlowDeps) {}

  /** Live calls by state (health). */
  active(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.calls.values()) out[c.state] = (out[c.state] ?? 0) + 1;
    for (const c of this.callbacks.values()) if (c.state !== 'idle' && c.state !== 'ended') out[`callback-${c.state}`] = (out[`callback-${c.state}`] ?? 0) + 1;
    return out;
  }

  /** The caller of a live inbound call of the appeal (for the "received" notice read out on the line). */
  liveCallOf(appealId: number): string | null {
    for (const c of this.calls.values()) if (c.appealId === appealId && ['registering', 'waiting', 'dialing', 'talking'].includes(c.state)) return c.id;
    return null;
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    for (const c of this.calls.values()) if (c.menuTimer) clearTimeout(c.menuTimer);
  }

  /** Runs `fn` after everything queued for the same key (a call) has run; never throws. */
  private serial(key: string, what: string, fn: () => Promise<void>): Promise<void> {
    const next = (this.chains.get(key) ?? Promise.resolve()).then(fn).catch((err: unknown) => this.failed(what, err));
    this.chains.set(key, next);
    void next.then(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
    return next;
  }

  /** Waits until every queued event has been handled (tests, stop). */
  async idle(): Promise<void> {
    while (this.chains.size) await Promise.all([...this.chains.values()]);
  }

  private failed(what: string, err: unknown): void {
    this.stats.failures++;
    this.stats.lastFailure = `${what}: ${err instanceof Error ? err.message : String(err)}`;
    this.d.logger.warn({ err: this.stats.lastFailure }, 'phone: a call step failed');
  }

  /** REST calls whose object may be gone already (a channel hung up, a bridge destroyed). */
  private async quietly(what: string, p: Promise<unknown>): Promise<void> {
    try {
      await p;
    } catch (err) {
      if (!isGone(err) && !(err instanceof AriUnavailable)) this.failed(what, err);
    }
  }

  // ---- events

  handle(e: AriEvent): void {
    if (this.stopped) return;
    switch (e.type) {
      case 'StasisStart': {
        const [kind, key] = e.args;
        if (kind === 'operator' || kind === 'cb-operator' || kind === 'cb-applicant') {
          void this.serial(key ?? e.channel.id, `${kind} answered`, () => this.legAnswered(e.channel, { kind, key: key ?? '' }));
        } else {
          this.inbound(e.channel);
        }
        return;
      }
      case 'ChannelDtmfReceived': {
        const call = this.calls.get(e.channel.id);
        if (!call) return;
        if (call.dtmfPending) {
          this.stats.dtmfDropped++;
          return;
        }
        call.dtmfPending = true;
        void this.serial(call.id, 'DTMF', async () => {
          try {
            await this.dtmf(call, e.digit);
          } finally {
            call.dtmfPending = false;
          }
        });
        return;
      }
      case 'PlaybackFinished': {
        const m = /^channel:(.+)$/.exec(e.playback.target_uri);
        const call = m ? this.calls.get(m[1]!) : undefined;
        if (!call) return;
        if (e.playback.id === call.invalidPlaying) call.invalidPlaying = null;
        if (e.playback.id === GREETING(call.id) && call.state === 'menu') this.startMenuTimer(call);
        if (e.playback.id === CONFIRM(call.id) && call.state === 'leaving') void this.serial(call.id, 'callback confirmation', () => this.finish(call, 'system'));
        return;
      }
      case 'ChannelHangupRequest':
      case 'StasisEnd':
      case 'ChannelDestroyed': {
        const id = e.channel.id;
        const call = this.calls.get(id);
        if (call) {
          if (!call.hangingUp && call.state !== 'ended') void this.serial(call.id, 'caller hang-up', () => this.finish(call, 'caller'));
          return;
        }
        const leg = this.legs.get(id);
        if (leg && (e.type !== 'StasisEnd')) {
          const cause = e.type === 'ChannelDestroyed' ? e.cause_txt || String(e.cause) : 'hang-up';
          void this.serial(leg.key, `${leg.kind} hang-up`, () => this.legGone(id, leg, cause));
        }
        return;
      }
      default:
        return;
    }
  }

  /** Routing assigned a contact to an operator (the journal's contact.answered). */
  assigned(contactId: string, operatorId: string): Promise<void> | undefined {
    if (this.stopped) return undefined;
    const known = this.byContact.get(contactId);
    if (known && 'from' in known) return this.serial(known.id, 'dial the operator', () => this.dialOperator(known, operatorId));
    // A call being taken over after a restart is known once the comparison with Asterisk is done.
    const resyncing = this.resyncing;
    if (!known && resyncing && (callIdOfContact(contactId) !== null || callIdOfCallback(contactId) !== null)) return resyncing.then(() => this.assigned(contactId, operatorId));
    const m = /^cb-(.+?)(?:-r\d+)?$/.exec(contactId);
    if (!m) return undefined;
    const callId = m[1]!;
    return this.serial(callId, 'callback', async () => {
      let cb = this.callbacks.get(callId);
      if (!cb) {
        const src = await this.d.callbackSource(callId);
        if (!src) return;
        cb = this.newCallback(callId, contactId, src);
      }
      await this.dialCallbackOperator(cb, operatorId);
    });
  }

  // ---- inbound

  /** A new inbound call: known at once (a digit or hang-up right behind StasisStart finds it), answered in its chain. */
  private inbound(ch: AriChannel): void {
    if (this.calls.has(ch.id)) return;
    const call = this.newCall(ch, 'menu');
    void this.serial(ch.id, 'answer a call', () => this.answer(call, ch.state === 'Up'));
  }

  private newCall(ch: AriChannel, state: CallState): InboundCall {
    this.stats.calls++;
    const call: InboundCall = {
      id: ch.id, from: callerNumber(ch), extension: callerExtension(ch), dtmfPending: false, invalidPlaying: null, startedAt: dateOf(ch.creationtime) ?? this.d.now(), state, choice: this.d.config.ivr.defaultChoice, digit: null,
      appealId: null, regNumber: null, contactId: `call-${ch.id}`, requeues: 0, enqueuedAt: null, operatorId: null, operatorLeg: null, pendingDial: false, legs: 0,
      bridgeId: null, answeredAt: null, missed: [], outcome: null, menuTimer: null, hangingUp: false, adopted: null,
    };
    this.calls.set(ch.id, call);
    return call;
  }

  private async answer(call: InboundCall, up: boolean): Promise<void> {
    if (call.state !== 'menu') return;
    if (!up && !(await this.answerOrGiveUp(call))) return;
    const greeting = this.d.config.ivr.greeting;
    if (!greeting) return this.register(call, this.d.config.ivr.defaultChoice, null);
    try {
      await this.d.pbx.play(call.id, greeting, GREETING(call.id));
    } catch (err) {
      this.failed('greeting', err);
      this.startMenuTimer(call);
    }
  }

  /**
   * Answers a new call. A 5xx (or Asterisk unreachable) is tried again after `answerRetry.delayMs`,
   * doubling, `answerRetry.attempts` times in all; when Asterisk keeps failing (or refuses with another
   * error) the call is hung up with the cause "congestion", so the caller's network signals "try
   * later" instead of the caller waiting in silence in Stasis. Health counts it (`answerFailures`).
   */
  private async answerOrGiveUp(call: InboundCall): Promise<boolean> {
    const { attempts, delayMs } = this.d.config.answerRetry;
    let last: unknown = null;
    for (let i = 1; i <= attempts && !this.stopped; i++) {
      try {
        await this.d.pbx.answer(call.id);
        return true;
      } catch (err) {
        last = err;
        if (isGone(err)) {
          await this.finish(call, 'caller'); // the caller hung up meanwhile
          return false;
        }
        this.failed(`answer a call (attempt ${i} of ${attempts})`, err);
        if (!retryable(err)) break;
        if (i < attempts) await sleep(delayMs * 2 ** (i - 1));
      }
    }
    this.stats.answerFailures++;
    const why = last instanceof Error ? last.message : String(last);
    this.d.logger.error({ channelId: call.id, err: why }, 'phone: Asterisk did not answer a new call; it is hung up with the cause "congestion"');
    let hungUp = false;
    for (let i = 1; i <= attempts && !hungUp; i++) {
      try {
        await this.d.pbx.hangup(call.id, 'congestion');
        hungUp = true;
      } catch (err) {
        if (isGone(err)) hungUp = true;
        else {
          this.failed(`hang up a call that could not be answered (attempt ${i} of ${attempts})`, err);
          if (i < attempts) await sleep(delayMs * 2 ** (i - 1));
        }
      }
    }
    if (!hungUp) this.d.logger.error({ channelId: call.id }, 'phone: a call that could not be answered could not be hung up either; Asterisk keeps it until the caller hangs up');
    this.stats.lastFailure = `answer a call: given up after ${attempts} attempt(s)${hungUp ? ', hung up with "congestion"' : ''}: ${why}`;
    await this.finish(call, 'system', { hungUp: true });
    return false;
  }

  private startMenuTimer(call: InboundCall): void {
    if (call.menuTimer) clearTimeout(call.menuTimer);
    call.menuTimer = setTimeout(() => {
      call.menuTimer = null;
      void this.serial(call.id, 'menu timeout', async () => {
        if (call.state === 'menu') await this.register(call, this.d.config.ivr.defaultChoice, null);
      });
    }, this.d.config.ivr.menuTimeoutMs);
  }

  private async dtmf(call: InboundCall, digit: string): Promise<void> {
    const { ivr, callback } = this.d.config;
    if (call.state === 'menu') {
      const choice = ivr.menu[digit];
      if (!choice) {
        await this.invalidChoice(call);
        return;
      }
      if (call.menuTimer) clearTimeout(call.menuTimer);
      call.menuTimer = null;
      await this.quietly('stop the greeting', this.d.pbx.stopPlayback(GREETING(call.id)));
      await this.register(call, choice, digit);
    } else if (call.state === 'waiting' && callback.digit && digit === callback.digit) {
      await this.requestCallback(call);
    }
  }

  /** The invalid-choice prompt, unless it is playing already (a flood of wrong digits plays it once). */
  private async invalidChoice(call: InboundCall): Promise<void> {
    const media = this.d.config.ivr.invalidChoice;
    if (!media || call.invalidPlaying) return;
    call.invalidPlaying = INVALID(call.id);
    try {
      await this.d.pbx.play(call.id, media, call.invalidPlaying);
    } catch (err) {
      call.invalidPlaying = null;
      if (!isGone(err) && !(err instanceof AriUnavailable)) this.failed('invalid choice', err);
    }
  }

  private async register(call: InboundCall, choice: MenuChoice, digit: string | null): Promise<void> {
    if (call.state !== 'menu') return;
    call.state = 'registering';
    call.choice = choice;
    call.digit = digit;
    const cfg = this.d.config;
    let r: IntakeResult;
    try {
      r = await this.d.intake({
        channel: 'phone', messageId: `call:${call.id}`, receivedAt: call.startedAt, kind: 'call', type: 'oral',
        applicant: { contacts: call.from ? [{ kind: 'phone', value: call.from }] : [] },
        subject: `Звонок: ${choice.label}`,
        body: `Входящий звонок${call.from ? ` с номера ${call.from}` : call.extension ? ` с внутреннего номера ${call.extension}` : ' со скрытого номера'}; выбор в меню: ${choice.label}${digit ? ` (${digit})` : ''}.`,
        ...(choice.serviceId ? { serviceId: choice.serviceId } : {}),
        ...(cfg.siteCode ? { siteCode: cfg.siteCode } : {}),
        replyTo: call.from ? { channel: 'phone', address: call.from } : null,
        meta: { asteriskChannelId: call.id, menuDigit: digit },
      });
    } catch (err) {
      await this.giveUp(call, 'the call could not be registered', err);
      return;
    }
    this.stats.registered++;
    call.appealId = r.appealId;
    call.regNumber = r.regNumber;
    try {
      await this.hold(call);
      await this.enqueue(call, this.d.now());
    } catch (err) {
      await this.giveUp(call, 'the call could not be queued', err);
      return;
    }
    call.state = 'waiting';
  }

  private async enqueue(call: InboundCall, enqueuedAt: Date): Promise<void> {
    call.enqueuedAt ??= enqueuedAt;
    this.byContact.set(call.contactId, call);
    await this.d.enqueue({ contactId: call.contactId, channel: 'voice', appealId: call.appealId!, enqueuedAt: call.enqueuedAt, ...this.routeOf(call.choice) });
  }

  private routeOf(choice: MenuChoice): Partial<EnqueueParams> {
    const siteId = this.d.config.routingSiteId;
    return {
      ...(choice.queueId ? { queueId: choice.queueId } : {}),
      ...(choice.serviceId ? { serviceId: choice.serviceId } : {}),
      ...(siteId && !choice.queueId ? { siteId } : {}),
      ...(choice.priority !== undefined ? { priority: choice.priority } : {}),
    };
  }

  /** The shared holding bridge with music on hold (made once per connection; 409: it exists). */
  private ensureHolding(): Promise<void> {
    this.holdingReady ??= (async () => {
      const { holdingBridgeId: id, mohClass } = this.d.config;
      try {
        await this.d.pbx.createBridge('holding', id, 'okno waiting callers');
      } catch (err) {
        if ((err as { status?: number }).status !== 409) throw err;
      }
      await this.d.pbx.startBridgeMoh(id, mohClass);
    })().catch((err: unknown) => {
      this.holdingReady = null;
      throw err;
    });
    return this.holdingReady;
  }

  private async hold(call: InboundCall): Promise<void> {
    await this.ensureHolding();
    try {
      await this.d.pbx.addChannel(this.d.config.holdingBridgeId, call.id);
    } catch (err) {
      if ((err as { status?: number }).status !== 404) throw err;
      this.holdingReady = null; // the bridge went away (Asterisk restarted it): make it again
      await this.ensureHolding();
      await this.d.pbx.addChannel(this.d.config.holdingBridgeId, call.id);
    }
  }

  /** Registration or queueing failed: the caller hears the failure message and the call ends. */
  private async giveUp(call: InboundCall, what: string, err: unknown): Promise<void> {
    this.failed(what, err);
    call.outcome = 'failed';
    if (this.d.config.failureMedia && call.state !== 'ended') await this.quietly('failure message', this.d.pbx.play(call.id, this.d.config.failureMedia));
    await this.finish(call, 'system');
  }

  // ---- the operator

  private async dialOperator(call: InboundCall, operatorId: string): Promise<void> {
    if (call.state !== 'waiting' && !(call.state === 'dialing' && call.pendingDial)) return;
    call.state = 'dialing';
    call.operatorId = operatorId;
    const legId = `${call.id}-op${++call.legs}`;
    try {
      await this.d.pbx.originate({
        endpoint: await this.d.operatorEndpoint(operatorId), app: this.d.config.app, appArgs: `operator,${call.id}`, channelId: legId,
        callerId: `"${call.regNumber ?? 'Окно'}" <${call.from ? dialable(call.from) : 'anonymous'}>`, timeout: this.d.config.operatorAnswerSeconds,
      });
      this.legs.set(legId, { kind: 'operator', key: call.id });
      call.operatorLeg = legId;
      call.pendingDial = false;
    } catch (err) {
      if (err instanceof AriUnavailable) {
        // Asterisk may or may not have made the leg: resync adopts it by its id, or dials again.
        this.legs.set(legId, { kind: 'operator', key: call.id });
        call.operatorLeg = legId;
        call.pendingDial = true;
        this.failed('dial the operator', err);
        return;
      }
      this.failed('dial the operator', err);
      await this.requeue(call, `the dial failed: ${(err as Error).message}`);
    }
  }

  /** The operator's phone did not take the call: back to the line with the call's place. */
  private async requeue(call: InboundCall, cause: string): Promise<void> {
    if (call.operatorId) call.missed.push({ operatorId: call.operatorId, cause });
    call.operatorLeg = null;
    call.operatorId = null;
    this.byContact.delete(call.contactId);
    await this.d.endContact(call.contactId, 'handled');
    call.contactId = `call-${call.id}-r${++call.requeues}`;
    call.state = 'waiting';
    await this.enqueue(call, call.enqueuedAt ?? this.d.now());
  }

  private async legAnswered(ch: AriChannel, leg: Leg): Promise<void> {
    this.legs.set(ch.id, leg);
    if (leg.kind === 'operator') {
      const call = this.calls.get(leg.key);
      if (!call || call.state !== 'dialing' || call.operatorLeg !== ch.id) {
        this.legs.delete(ch.id);
        await this.quietly('hang up a stale operator leg', this.d.pbx.hangup(ch.id));
        return;
      }
      const bridgeId = `okno-call-${call.id}`;
      await this.d.pbx.createBridge('mixing', bridgeId, `okno call ${call.regNumber ?? call.id}`);
      call.bridgeId = bridgeId;
      await this.quietly('leave the holding bridge', this.d.pbx.removeChannel(this.d.config.holdingBridgeId, call.id));
      await this.d.pbx.addChannel(bridgeId, call.id);
      await this.d.pbx.addChannel(bridgeId, ch.id);
      call.state = 'talking';
      call.answeredAt = this.d.now();
      this.stats.answered++;
      return;
    }
    const cb = this.callbacks.get(leg.key);
    if (!cb || cb.state === 'ended' || (leg.kind === 'cb-operator' ? cb.operatorLeg : cb.applicantLeg) !== ch.id) {
      this.legs.delete(ch.id);
      await this.quietly('hang up a stale callback leg', this.d.pbx.hangup(ch.id));
      return;
    }
    if (leg.kind === 'cb-operator') await this.dialApplicant(cb);
    else {
      const bridgeId = `okno-callback-${cb.callId}`;
      await this.d.pbx.createBridge('mixing', bridgeId, `okno callback ${cb.src.regNumber ?? cb.callId}`);
      cb.bridgeId = bridgeId;
      await this.d.pbx.addChannel(bridgeId, cb.operatorLeg!);
      await this.d.pbx.addChannel(bridgeId, ch.id);
      cb.state = 'talking';
      cb.answeredAt = this.d.now();
    }
  }

  private async legGone(channelId: string, leg: Leg, cause: string): Promise<void> {
    if (!this.legs.has(channelId)) return;
    this.legs.delete(channelId);
    if (leg.kind === 'operator') {
      const call = this.calls.get(leg.key);
      if (!call || call.operatorLeg !== channelId) return;
      if (call.state === 'dialing') await this.requeue(call, cause);
      else if (call.state === 'talking') await this.finish(call, 'operator');
      return;
    }
    const cb = this.callbacks.get(leg.key);
    if (!cb || cb.state === 'ended') return;
    if (leg.kind === 'cb-operator' && cb.operatorLeg === channelId) {
      if (cb.state === 'dialing-operator') await this.requeueCallback(cb, cause);
      else await this.finishCallback(cb, 'operator', cb.state === 'talking' ? 'answered' : 'abandoned');
    } else if (leg.kind === 'cb-applicant' && cb.applicantLeg === channelId) {
      await this.finishCallback(cb, cb.state === 'talking' ? 'caller' : 'system', cb.state === 'talking' ? 'answered' : 'no-answer');
    }
  }

  // ---- the end of an inbound call

  private async finish(call: InboundCall, by: HungUpBy, o: { hungUp?: boolean } = {}): Promise<void> {
    if (call.state === 'ended') return;
    const was = call.state;
    call.state = 'ended';
    call.hangingUp = true;
    if (call.menuTimer) clearTimeout(call.menuTimer);
    const endedAt = this.d.now();
    if (by !== 'caller' && !o.hungUp) await this.quietly('hang up the caller', this.d.pbx.hangup(call.id));
    if (call.operatorLeg) {
      const leg = call.operatorLeg;
      this.legs.delete(leg);
      await this.quietly('hang up the operator', this.d.pbx.hangup(leg));
    }
    if (call.bridgeId) await this.quietly('destroy the bridge', this.d.pbx.destroyBridge(call.bridgeId));
    this.calls.delete(call.id);
    this.byContact.delete(call.contactId);
    if (was === 'waiting') {
      this.stats.abandoned++;
      await this.d.endContact(call.contactId, 'applicant-left');
    } else if (was === 'dialing' || was === 'talking') {
      await this.d.endContact(call.contactId, 'handled');
    }
    if (call.appealId === null) return; // hung up in the menu: nothing was registered
    const outcome = call.outcome ?? (was === 'talking' ? 'answered' : was === 'leaving' ? 'callback-requested' : 'abandoned');
    await this.d.record({
      direction: 'in', callId: call.id, appealId: call.appealId, number: call.from, ...(call.extension && !call.from ? { extension: call.extension } : {}), startedAt: call.startedAt, queuedAt: call.enqueuedAt, answeredAt: call.answeredAt,
      endedAt, hungUpBy: by, outcome, operatorId: was === 'talking' ? call.operatorId : null, choice: call.choice.label, digit: call.digit, missed: call.missed,
      followedAfterRestart: call.adopted,
    });
  }

  // ---- callbacks

  private newCallback(callId: string, contactId: string, src: CallbackSource): Callback {
    const cb: Callback = {
      callId, contactId, attempts: 0, src, state: 'idle', operatorId: null, operatorLeg: null, applicantLeg: null, pendingDial: false, legs: 0, bridgeId: null,
      startedAt: null, answeredAt: null, missed: [], adopted: null,
    };
    this.callbacks.set(callId, cb);
    this.byContact.set(contactId, cb);
    return cb;
  }

  private async requestCallback(call: InboundCall): Promise<void> {
    const src: CallbackSource = { appealId: call.appealId!, number: call.from ?? '', enqueuedAt: call.enqueuedAt ?? this.d.now(), choice: call.choice, regNumber: call.regNumber };
    if (!call.from) {
      await this.invalidChoice(call); // no number to call back
      return;
    }
    call.state = 'leaving';
    call.outcome = 'callback-requested';
    const cb = this.newCallback(call.id, `cb-${call.id}`, src);
    await this.d.enqueue({ contactId: cb.contactId, channel: 'callback', appealId: src.appealId, enqueuedAt: src.enqueuedAt, ...this.routeOf(src.choice) });
    this.stats.callbacks++;
    this.byContact.delete(call.contactId);
    await this.d.endContact(call.contactId, 'handled');
    await this.quietly('leave the holding bridge', this.d.pbx.removeChannel(this.d.config.holdingBridgeId, call.id));
    const confirm = this.d.config.callback.confirm;
    if (!confirm) return this.finish(call, 'system');
    try {
      await this.d.pbx.play(call.id, confirm, CONFIRM(call.id));
    } catch (err) {
      this.failed('callback confirmation', err);
      await this.finish(call, 'system');
    }
  }

  private async dialCallbackOperator(cb: Callback, operatorId: string): Promise<void> {
    if (cb.state !== 'idle' && !(cb.state === 'dialing-operator' && cb.pendingDial)) return;
    cb.state = 'dialing-operator';
    cb.operatorId = operatorId;
    cb.startedAt ??= this.d.now();
    const legId = `${cb.callId}-cbop${++cb.legs}`;
    try {
      await this.d.pbx.originate({
        endpoint: await this.d.operatorEndpoint(operatorId), app: this.d.config.app, appArgs: `cb-operator,${cb.callId}`, channelId: legId,
        callerId: `"${cb.src.regNumber ?? 'Обратный звонок'}" <${dialable(cb.src.number)}>`, timeout: this.d.config.operatorAnswerSeconds,
      });
      this.legs.set(legId, { kind: 'cb-operator', key: cb.callId });
      cb.operatorLeg = legId;
      cb.pendingDial = false;
    } catch (err) {
      this.failed('dial the operator for a callback', err);
      if (err instanceof AriUnavailable) {
        this.legs.set(legId, { kind: 'cb-operator', key: cb.callId });
        cb.operatorLeg = legId;
        cb.pendingDial = true;
      } else await this.requeueCallback(cb, (err as Error).message);
    }
  }

  private async dialApplicant(cb: Callback): Promise<void> {
    cb.state = 'dialing-applicant';
    await this.quietly('ringback to the operator', this.d.pbx.ring(cb.operatorLeg!));
    const legId = `${cb.callId}-cb${++cb.legs}`;
    const { callback, app } = this.d.config;
    try {
      await this.d.pbx.originate({
        endpoint: callbackEndpoint(callback.endpoint, cb.src.number), app, appArgs: `cb-applicant,${cb.callId}`, channelId: legId,
        ...(callback.callerId ? { callerId: callback.callerId } : {}), timeout: callback.answerSeconds,
      });
      this.legs.set(legId, { kind: 'cb-applicant', key: cb.callId });
      cb.applicantLeg = legId;
    } catch (err) {
      this.failed('call the applicant back', err);
      await this.finishCallback(cb, 'system', 'failed');
    }
  }

  private async requeueCallback(cb: Callback, cause: string): Promise<void> {
    if (cb.operatorId) cb.missed.push({ operatorId: cb.operatorId, cause });
    cb.operatorLeg = null;
    cb.operatorId = null;
    cb.state = 'idle';
    this.byContact.delete(cb.contactId);
    await this.d.endContact(cb.contactId, 'handled');
    cb.contactId = `cb-${cb.callId}-r${++cb.attempts}`;
    this.byContact.set(cb.contactId, cb);
    await this.d.enqueue({ contactId: cb.contactId, channel: 'callback', appealId: cb.src.appealId, enqueuedAt: cb.src.enqueuedAt, ...this.routeOf(cb.src.choice) });
  }

  private async finishCallback(cb: Callback, by: HungUpBy, outcome: CallRecord['outcome']): Promise<void> {
    if (cb.state === 'ended') return;
    cb.state = 'ended';
    for (const leg of [cb.operatorLeg, cb.applicantLeg]) {
      if (!leg || !this.legs.has(leg)) continue;
      this.legs.delete(leg);
      await this.quietly('hang up a callback leg', this.d.pbx.hangup(leg));
    }
    if (cb.bridgeId) await this.quietly('destroy the callback bridge', this.d.pbx.destroyBridge(cb.bridgeId));
    this.callbacks.delete(cb.callId);
    this.byContact.delete(cb.contactId);
    await this.d.endContact(cb.contactId, 'handled');
    await this.d.record({
      direction: 'out', callId: cb.callId, appealId: cb.src.appealId, number: cb.src.number, startedAt: cb.startedAt ?? this.d.now(), queuedAt: cb.src.enqueuedAt,
      answeredAt: cb.answeredAt, endedAt: this.d.now(), hungUpBy: by, outcome, operatorId: cb.operatorId, choice: cb.src.choice.label, digit: null, missed: cb.missed,
      followedAfterRestart: cb.adopted,
    });
  }

  // ---- reconnection

  /**
   * After (re)connecting: the holding bridge again, and every call compared with what Asterisk has
   * now. Never rejects: a failure is counted and logged, and a comparison that could not be completed
   * is tried again later (a timer, or the next reconnection, whichever comes first).
   */
  async resync(): Promise<void> {
    if (this.stopped) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const run = this.compare();
    const mark = run.then(() => undefined, () => undefined);
    this.resyncing = mark;
    let complete = false;
    try {
      complete = await run;
    } catch (err) {
      this.failed('compare the calls with Asterisk', err);
    } finally {
      if (this.resyncing === mark) this.resyncing = null;
      this.stats.resyncs++;
    }
    if (complete) this.retries = 0;
    else this.retryLater();
  }

  private retryLater(): void {
    if (this.stopped || this.retryTimer) return;
    const { minMs, maxMs } = this.d.config.reconnect;
    const delay = Math.min(maxMs, minMs * 2 ** Math.min(this.retries++, 20));
    this.d.logger.warn({ retryInMs: delay, err: this.stats.lastFailure }, 'phone: the calls could not be compared with Asterisk; tried again later');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.resync();
    }, delay);
  }

  /** Compares the calls with Asterisk; false when it could not be completed (a list could not be read). */
  private async compare(): Promise<boolean> {
    this.holdingReady = null;
    await this.ensureHolding().catch((err: unknown) => this.failed('the holding bridge', err));
    const listed = await this.listed('list the channels after reconnecting', () => this.d.pbx.listChannels());
    if (!listed) return false;
    const channels = listed.items;
    // Channels whose entry could not be read: present, in an unknown state, so left as they are.
    const unreadable = new Set(listed.unreadable);
    const now = new Map(channels.map((c) => [c.id, c]));
    const app = this.d.config.app;
    let complete = unreadable.size === 0;
    for (const call of [...this.calls.values()]) {
      if (unreadable.has(call.id) || (call.operatorLeg && unreadable.has(call.operatorLeg))) continue;
      await this.serial(call.id, 'resync a call', async () => {
        if (call.state === 'ended') return;
        if (!now.has(call.id)) return this.finish(call, call.state === 'talking' ? 'unknown' : 'caller');
        const leg = call.operatorLeg ? now.get(call.operatorLeg) : undefined;
        if (call.state === 'dialing' && call.pendingDial && call.operatorId) {
          if (!leg) {
            if (call.operatorLeg) this.legs.delete(call.operatorLeg);
            call.operatorLeg = null;
            return this.dialOperator(call, call.operatorId);
          }
          call.pendingDial = false; // Asterisk made the leg before the link went: adopted (below)
        }
        if (call.state === 'dialing' && call.operatorLeg) {
          if (!leg) await this.legGone(call.operatorLeg, { kind: 'operator', key: call.id }, 'ended while Asterisk was away');
          else if (inStasis(leg, app)) await this.legAnswered(leg, { kind: 'operator', key: call.id });
        } else if (call.state === 'talking' && call.operatorLeg && !leg) {
          await this.legGone(call.operatorLeg, { kind: 'operator', key: call.id }, 'ended while Asterisk was away');
        } else if (call.state === 'leaving') {
          await this.finish(call, 'system');
        }
      });
    }
    for (const cb of [...this.callbacks.values()]) {
      if ([cb.operatorLeg, cb.applicantLeg].some((leg) => leg && unreadable.has(leg))) continue;
      await this.serial(cb.callId, 'resync a callback', async () => {
        if (cb.state === 'dialing-operator' && cb.pendingDial && cb.operatorId) {
          if (!cb.operatorLeg || !now.has(cb.operatorLeg)) {
            if (cb.operatorLeg) this.legs.delete(cb.operatorLeg);
            cb.operatorLeg = null;
            return this.dialCallbackOperator(cb, cb.operatorId);
          }
          cb.pendingDial = false;
        }
        for (const [legId, kind] of [[cb.operatorLeg, 'cb-operator'], [cb.applicantLeg, 'cb-applicant']] as const) {
          if (!legId || cb.state === 'ended' || !this.legs.has(legId)) continue;
          const ch = now.get(legId);
          if (!ch) await this.legGone(legId, { kind, key: cb.callId }, 'ended while Asterisk was away');
          else if (inStasis(ch, app) && ((kind === 'cb-operator' && cb.state === 'dialing-operator') || (kind === 'cb-applicant' && cb.state === 'dialing-applicant'))) {
            await this.legAnswered(ch, { kind, key: cb.callId });
          }
        }
      });
    }
    // Calls in Stasis(app) that this node does not follow: they entered while the events did not
    // reach us, or were followed by this node before a core restart. They are taken over (below).
    // A call whose operator or callback leg is unreadable is not taken over yet (its leg's state is unknown).
    const unreadableLegOf = (id: string) => [...unreadable].some((u) => u.startsWith(`${id}-`));
    const unknown = channels.filter((ch) => {
      const args = ch.dialplan.app_name === 'Stasis' ? ch.dialplan.app_data.split(',') : [];
      return args[0] === app && args.length === 1 && !this.calls.has(ch.id) && !unreadableLegOf(ch.id);
    });
    const callbacks = [...callbackLegs(channels)].filter(([callId]) => !this.callbacks.has(callId) && !unreadableLegOf(callId));
    if (unknown.length || callbacks.length) {
      const bridges = await this.listed('list the bridges after reconnecting', () => this.d.pbx.listBridges());
      if (!bridges) return false;
      if (bridges.unreadable.length) complete = false;
      await Promise.all([
        ...unknown.map((ch) => this.adopt(ch, channels, bridges.items)),
        ...callbacks.map(([callId, legs]) => this.adoptCallback(callId, legs, bridges.items)),
      ]);
    }
    if (!(await this.settleVanished([...now.keys(), ...unreadable]))) complete = false;
    if (!(await this.requeueLostCallbacks())) complete = false;
    return complete;
  }

  /** A list from Asterisk or the journal, or null (the failure counted) when it cannot be read. */
  private async listed<T>(what: string, read: () => Promise<T>): Promise<T | null> {
    try {
      return await read();
    } catch (err) {
      this.failed(what, err);
      return null;
    }
  }

  // ---- taking calls over after a restart

  /**
   * A call in Stasis that this node does not follow. It is known at once, with its operator's leg
   * (`<call>-op<n>`, or the other channel of its conversation bridge), so that events about them wait
   * in the call's chain behind the take-over.
   */
  private adopt(ch: AriChannel, channels: readonly AriChannel[], bridges: readonly AriBridge[]): Promise<void> {
    const call = this.newCall(ch, 'adopting');
    const bridge = bridges.find((b) => b.channels.includes(ch.id)) ?? null;
    const legRe = new RegExp(`^${escapeRe(ch.id)}-op(\\d+)$`);
    const legs = channels.filter((c) => legRe.test(c.id)).map((c) => ({ ch: c, n: Number(legRe.exec(c.id)![1]) })).sort((a, b) => b.n - a.n);
    const partner = bridge && bridge.id !== this.d.config.holdingBridgeId ? (bridge.channels.find((c) => c !== ch.id) ?? null) : null;
    const leg = legs[0]?.ch ?? null;
    call.legs = legs[0]?.n ?? 0;
    if (partner) this.legs.set(partner, { kind: 'operator', key: ch.id });
    else if (leg) this.legs.set(leg.id, { kind: 'operator', key: ch.id });
    return this.serial(ch.id, 'take over a call found in Stasis', () => this.takeOver(call, ch, bridge, partner, partner ? null : leg));
  }

  private forget(call: InboundCall): void {
    this.calls.delete(call.id);
    for (const [id, leg] of this.legs) if (leg.key === call.id && leg.kind === 'operator') this.legs.delete(id);
  }

  private async takeOver(call: InboundCall, ch: AriChannel, bridge: AriBridge | null, partner: string | null, leg: AriChannel | null): Promise<void> {
    if (call.state !== 'adopting') return; // hung up meanwhile
    const known = await this.d.durable(call.id);
    const holding = this.d.config.holdingBridgeId;
    const inConversation = bridge !== null && bridge.id !== holding;
    if (!known) {
      // Never registered: it was in the menu (or being registered) when the events were lost.
      if (inConversation) {
        this.forget(call);
        this.d.logger.warn({ channelId: call.id, bridgeId: bridge.id }, 'phone: a call in a conversation that no appeal knows is left as it is');
        return;
      }
      call.state = 'menu';
      // Answered already: it met an earlier run, so no menu again (the same message id gives the same appeal).
      if (ch.state === 'Up') return this.register(call, this.d.config.ivr.defaultChoice, null);
      return this.answer(call, false);
    }
    if (known.recorded) {
      // Recorded before the restart (a callback confirmation cut short): only the line is freed.
      this.forget(call);
      call.state = 'ended';
      await this.quietly('hang up a call already recorded', this.d.pbx.hangup(call.id));
      return;
    }
    this.stats.adopted++;
    const unknownTimes: string[] = [];
    Object.assign(call, { appealId: known.appealId, regNumber: known.regNumber, startedAt: known.startedAt, choice: known.choice, digit: known.digit });
    call.adopted = { since: this.d.now(), unknown: unknownTimes };
    const trail = known.call;
    if (trail) {
      call.contactId = trail.contactId;
      call.requeues = trail.attempt;
      call.enqueuedAt = trail.enqueuedAt;
      if (!trail.enqueuedAt) unknownTimes.push('queuedAt');
    }
    this.d.logger.info({ channelId: call.id, appealId: known.appealId, contactId: trail?.contactId ?? null, contact: trail?.state ?? null, bridgeId: bridge?.id ?? null }, 'phone: a call found in Stasis is followed again');

    if (inConversation) {
      // In a conversation: followed to its end. The bridge was made when the operator answered.
      call.state = 'talking';
      call.bridgeId = bridge.id;
      call.operatorId = trail?.operatorId ?? null;
      call.answeredAt = dateOf(bridge.creationtime);
      if (!call.answeredAt) unknownTimes.push('answeredAt');
      if (!partner) return this.finish(call, 'operator'); // the caller is alone: the operator hung up meanwhile
      call.operatorLeg = partner;
      return;
    }
    if (!bridge) await this.hold(call);
    if (trail?.state === 'answered') {
      // Routing assigned it: the operator's phone was ringing (or about to be dialled).
      call.state = 'dialing';
      call.operatorId = trail.operatorId;
      if (leg) {
        call.operatorLeg = leg.id;
        if (inStasis(leg, this.d.config.app)) await this.legAnswered(leg, { kind: 'operator', key: call.id });
        return;
      }
      return this.requeue(call, 'the dial was lost in a core restart');
    }
    if (trail?.state === 'waiting') {
      // Routing rebuilt the contact from its journal with its enqueue time: the caller keeps the place.
      call.state = 'waiting';
      this.byContact.set(call.contactId, call);
      return;
    }
    if (trail?.state === 'ended' && known.callback) {
      // The caller asked for a callback and was hearing the confirmation: the line is freed now.
      call.state = 'leaving';
      call.outcome = 'callback-requested';
      return this.finish(call, 'system');
    }
    call.state = 'waiting';
    // Its contact ended but the caller is on the line: back to the line with the place.
    if (trail) return this.requeue(call, 'the contact ended in a core restart');
    // Registered but never queued.
    await this.enqueue(call, this.d.now());
  }

  /**
   * A callback whose legs Asterisk has (`<call>-cbop<n>`: the operator's phone, `<call>-cb<n>`: the
   * applicant's) that this node does not follow. The legs are known at once, so their events wait in
   * the callback's chain behind the take-over.
   */
  private adoptCallback(callId: string, found: CallbackLegs, bridges: readonly AriBridge[]): Promise<void> {
    if (found.operator) this.legs.set(found.operator.id, { kind: 'cb-operator', key: callId });
    if (found.applicant) this.legs.set(found.applicant.id, { kind: 'cb-applicant', key: callId });
    return this.serial(callId, 'take over a callback found in Asterisk', () => this.takeOverCallback(callId, found, bridges));
  }

  private async takeOverCallback(callId: string, found: CallbackLegs, bridges: readonly AriBridge[]): Promise<void> {
    const { operator: op, applicant } = found;
    const stale = [op, applicant].filter((c): c is AriChannel => c !== null && this.legs.has(c.id));
    if (this.callbacks.has(callId) || !stale.length) return;
    const known = await this.d.durable(callId);
    const trail = known?.callback ?? null;
    if (!known || !known.number || trail?.state !== 'answered') {
      // Not an assigned callback (it ended, or it waits in the line again): its legs are left over.
      for (const c of stale) {
        this.legs.delete(c.id);
        if (trail) await this.quietly('hang up a left-over callback leg', this.d.pbx.hangup(c.id));
      }
      if (!trail) this.d.logger.warn({ callId, legs: stale.map((c) => c.id) }, 'phone: callback legs that no appeal knows are left as they are');
      return;
    }
    const cb = this.knownCallback(callId, known, trail);
    const unknownTimes: string[] = [];
    if (!trail.enqueuedAt) unknownTimes.push('queuedAt');
    Object.assign(cb, { legs: found.legs, startedAt: op ? dateOf(op.creationtime) : null });
    if (!cb.startedAt) unknownTimes.push('startedAt');
    cb.adopted = { since: this.d.now(), unknown: unknownTimes };
    this.stats.adopted++;
    this.d.logger.info({ callId, appealId: known.appealId, contactId: trail.contactId, operatorLeg: op?.id ?? null, applicantLeg: applicant?.id ?? null }, 'phone: a callback found in Asterisk is followed again');
    cb.operatorLeg = op?.id ?? null;
    cb.applicantLeg = applicant?.id ?? null;
    const app = this.d.config.app;
    const bridge = bridges.find((b) => b.id === `okno-callback-${callId}`) ?? null;
    if (bridge) {
      // Operator and applicant talking (the bridge is made when the applicant answers).
      cb.state = 'talking';
      cb.bridgeId = bridge.id;
      cb.answeredAt = dateOf(bridge.creationtime);
      if (!cb.answeredAt) unknownTimes.push('answeredAt');
      if (!op) return this.finishCallback(cb, 'operator', 'answered');
      if (!applicant) return this.finishCallback(cb, 'caller', 'answered');
      for (const c of [op, applicant]) if (!bridge.channels.includes(c.id)) await this.d.pbx.addChannel(bridge.id, c.id);
      return;
    }
    if (!op) {
      // The operator hung up meanwhile: the applicant's phone is hung up too.
      cb.state = 'dialing-applicant';
      return this.finishCallback(cb, 'operator', 'abandoned');
    }
    if (!inStasis(op, app)) {
      // The operator's phone is ringing: followed (answered -> the applicant is dialled; rings out -> back to the line).
      cb.state = 'dialing-operator';
      return;
    }
    if (applicant) {
      // The operator hears ringback while the applicant's phone rings.
      cb.state = 'dialing-applicant';
      if (inStasis(applicant, app)) await this.legAnswered(applicant, { kind: 'cb-applicant', key: callId });
      return;
    }
    // The operator answered but the applicant was not dialled yet.
    cb.state = 'dialing-operator';
    await this.legAnswered(op, { kind: 'cb-operator', key: callId });
  }

  /** A callback as the database knows it (its appeal, its latest contact and the operator it was assigned to). */
  private knownCallback(callId: string, known: DurableCall, trail: ContactTrail): Callback {
    const src: CallbackSource = { appealId: known.appealId, number: known.number ?? '', enqueuedAt: trail.enqueuedAt ?? known.startedAt, choice: known.choice, regNumber: known.regNumber };
    return Object.assign(this.newCallback(callId, trail.contactId, src), { attempts: trail.attempt, operatorId: trail.operatorId });
  }

  /**
   * Callbacks assigned to an operator in the journal whose legs Asterisk does not have: the dial was
   * lost when the node following them stopped. They go back into the line with their place
   * (`cb-<id>-r<n+1>`, the first enqueue time), and the assigned contact ends (the operator is free).
   */
  private async requeueLostCallbacks(): Promise<boolean> {
    const ids = await this.listed('read the open callbacks', () => this.d.openCallbacks());
    if (!ids) return false;
    for (const callId of ids) {
      if (this.callbacks.has(callId)) continue;
      await this.serial(callId, 'put back a callback lost in a restart', async () => {
        if (this.callbacks.has(callId)) return;
        const known = await this.d.durable(callId);
        const trail = known?.callback;
        if (!known?.number || trail?.state !== 'answered') return;
        const cb = this.knownCallback(callId, known, trail);
        this.stats.settledAfterRestart++;
        this.d.logger.info({ callId, appealId: known.appealId, contactId: trail.contactId }, 'phone: a callback whose dial was lost in a restart goes back into the line');
        await this.requeueCallback(cb, 'the dial was lost in a core restart');
      });
    }
    return true;
  }

  /**
   * Calls whose routing contact is open in the journal but whose channel is gone: they ended while
   * no node followed them (between a core's stop and its start). The contact is ended (abandoned
   * while waiting, completed once assigned) and the call recorded, with `hungUpBy: unknown` and the
   * times that are not known named.
   */
  private async settleVanished(present: readonly string[]): Promise<boolean> {
    const ids = await this.listed('read the open calls', () => this.d.openCalls());
    if (!ids) return false;
    const here = new Set(present);
    for (const id of ids) {
      if (here.has(id) || this.calls.has(id)) continue;
      await this.serial(id, 'settle a call that ended while no node followed it', () => this.settle(id));
    }
    return true;
  }

  private async settle(callId: string): Promise<void> {
    if (this.calls.has(callId)) return;
    const known = await this.d.durable(callId);
    const trail = known?.call;
    if (!known || known.recorded || !trail || trail.state === 'ended') return;
    this.stats.settledAfterRestart++;
    const answered = trail.state === 'answered';
    await this.d.endContact(trail.contactId, answered ? 'handled' : 'applicant-left');
    const now = this.d.now();
    this.d.logger.info({ channelId: callId, appealId: known.appealId, contactId: trail.contactId }, 'phone: a call that ended while no node followed it is recorded');
    await this.d.record({
      direction: 'in', callId, appealId: known.appealId, number: known.number, startedAt: known.startedAt, queuedAt: trail.enqueuedAt, answeredAt: null, endedAt: now,
      hungUpBy: 'unknown', outcome: answered ? 'answered' : 'abandoned', operatorId: answered ? trail.operatorId : null, choice: known.choice.label, digit: known.digit, missed: [],
      followedAfterRestart: { since: now, unknown: ['endedAt', ...(answered ? ['answeredAt'] : []), ...(trail.enqueuedAt ? [] : ['queuedAt'])] },
    });
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Worth trying again: Asterisk failed (5xx) or could not be reached. */
function retryable(err: unknown): boolean {
  if (err instanceof AriUnavailable) return true;
  const status = (err as { status?: number }).status;
  return typeof status === 'number' && status >= 500;
}

interface CallbackLegs {
  /** The latest operator leg (`<call>-cbop<n>`) and applicant leg (`<call>-cb<n>`) Asterisk has. */
  operator: AriChannel | null;
  applicant: AriChannel | null;
  /** The highest leg number, so a new leg gets a fresh id. */
  legs: number;
}

/** Callback legs among Asterisk's channels, by the call they call back. */
function callbackLegs(channels: readonly AriChannel[]): Map<string, CallbackLegs> {
  const out = new Map<string, CallbackLegs & { opN: number; apN: number }>();
  for (const ch of channels) {
    const m = /^(.+)-cb(op)?(\d+)$/.exec(ch.id);
    if (!m) continue;
    const [, callId, op, num] = m as unknown as [string, string, string | undefined, string];
    const n = Number(num);
    const e = out.get(callId) ?? { operator: null, applicant: null, legs: 0, opN: -1, apN: -1 };
    e.legs = Math.max(e.legs, n);
    if (op && n > e.opN) Object.assign(e, { operator: ch, opN: n });
    if (!op && n > e.apN) Object.assign(e, { applicant: ch, apN: n });
    out.set(callId, e);
  }
  return out;
}

function inStasis(ch: AriChannel, app: string): boolean {
  return ch.dialplan.app_name === 'Stasis' && ch.dialplan.app_data.split(',')[0] === app;
}

function dateOf(s: string): Date | null {
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}
