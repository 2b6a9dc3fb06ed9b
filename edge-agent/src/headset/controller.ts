/**
 * HeadsetController: the host side of one USB telephony headset (edge-hardware.md §2.2, "Suggested state
 * machine for the agent").
 *
 * States: idle -> ringing (host `ring(true)`) -> off-hook (answered, or picked up to dial) <-> muted.
 *
 * Device -> host (events, on the single 'event' channel):
 * - Hook Switch is a request the host acknowledges by writing the Off-Hook LED; the controller writes that
 *   acknowledgement itself at once (Jabra reverts an unacknowledged hook change after ~2 s). While ringing an
 *   off-hook request is `answer`; from idle it is `hook {offHook:true}` (picked up to dial); going on-hook is
 *   `hangup`. Every accepted hook change is also reported as `hook`.
 * - Echo window: within `echoWindowMs` (2 s) of a host `offHook()` command, a hook level equal to what the host
 *   wrote, or any hook toggle pulse, is the headset acknowledging the host and is ignored.
 * - Phone Mute applies only off-hook. A toggle pulse flips the mute state and the controller writes the Mute
 *   and Microphone LEDs with the new state (Jabra misses every second press without this sync). Pulses within
 *   `debounceMs` (1.2 s) of the previous one are repeats (Jabra re-sends an unacknowledged pulse every
 *   ~0.86 s): they do not toggle again, but the LEDs are re-sent. A level Phone Mute is taken as is.
 * - Flash while ringing, and Button 1 / Button 7 while ringing, reject the call; otherwise Flash is `flash`.
 *   Redial is `redial`; other telephony buttons are `button`; keypad presses are `key`.
 * - Reports the descriptor does not declare, or of the wrong length, are counted, logged and reported as
 *   `unknown-report`; device and write failures are `error` events. Nothing here throws on device input.
 *
 * Host -> device (commands): ring(on), offHook(on), mute(on), hold(on), resync(). Each writes every output
 * report it touches at full length from the shadow.
 */
import { EventEmitter } from 'node:events';
import type { BitLocation } from './bits.js';
import { systemClock, type Clock } from './clock.js';
import { parseDescriptor, type ParsedDescriptor } from './descriptor/parser.js';
import type { HidDevice } from './device.js';
import { defaultLogger, type HeadsetLogger } from './logger.js';
import { decodeInput, OutputShadow, readLocation, type UnknownReason } from './report-codec.js';
import { buildTelephonyModel, type OutputName, type TelephonyInput, type TelephonyModel } from './telephony-model.js';
import { usageCode } from './usages.js';

export type HeadsetState = 'idle' | 'ringing' | 'off-hook' | 'muted';

export type HeadsetEvent =
  | { type: 'hook'; offHook: boolean }
  | { type: 'answer' }
  | { type: 'hangup' }
  | { type: 'mute'; muted: boolean }
  | { type: 'flash' }
  | { type: 'redial' }
  | { type: 'reject' }
  | { type: 'button'; name: string; usage: string; value: number }
  | { type: 'key'; key: string }
  | { type: 'state'; state: HeadsetState; previous: HeadsetState }
  | { type: 'unknown-report'; reason: UnknownReason; reportId: number | undefined; length: number; expectedLength: number | undefined; count: number }
  | { type: 'error'; during: 'device' | 'write'; message: string };

export interface HeadsetCounters {
  reportsIn: number;
  unknownReports: number;
  unknownByReason: Record<UnknownReason, number>;
  writes: number;
  writeErrors: number;
  /** Hook changes ignored as echoes of host writes. */
  echoesIgnored: number;
  /** Mute pulses taken as repeats within the de-bounce window. */
  muteRepeats: number;
  /** Mute presses ignored because the headset was on-hook. */
  muteIgnoredOnHook: number;
}

export interface HeadsetControllerOptions {
  device: HidDevice;
  /** Raw descriptor bytes or an already parsed descriptor. */
  descriptor: Uint8Array | ParsedDescriptor;
  clock?: Clock;
  logger?: HeadsetLogger;
  /** Hook changes this soon after a host offHook() command that match it are echoes (default 2000 ms). */
  echoWindowMs?: number;
  /** Mute pulses this soon after the previous one are repeats; also de-bounces undefined-kind controls (1200 ms). */
  debounceMs?: number;
}

export class HeadsetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HeadsetError';
  }
}

type Action = { kind: 'toggle' } | { kind: 'set'; on: boolean };

export class HeadsetController extends EventEmitter<{ event: [HeadsetEvent] }> {
  readonly model: TelephonyModel;
  readonly parsed: ParsedDescriptor;
  private readonly device: HidDevice;
  private readonly clock: Clock;
  private readonly log: HeadsetLogger;
  private readonly echoWindowMs: number;
  private readonly debounceMs: number;
  private readonly shadow: OutputShadow;
  private readonly levels = new Map<BitLocation, number>();
  private readonly lastChange = new Map<BitLocation, number>();
  private readonly stats: HeadsetCounters = {
    reportsIn: 0, unknownReports: 0, unknownByReason: { 'unknown-report-id': 0, 'wrong-length': 0, empty: 0 },
    writes: 0, writeErrors: 0, echoesIgnored: 0, muteRepeats: 0, muteIgnoredOnHook: 0,
  };
  private current: HeadsetState = 'idle';
  private hostHookWrite: { offHook: boolean; at: number } | undefined;
  private lastMutePulseAt: number | undefined;
  private writeChain: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly onData = (data: Uint8Array) => this.input(data);
  private readonly onError = (err: Error) => {
    this.log.error({ err: err.message, path: this.device.info.path }, 'headset device error');
    this.emit('event', { type: 'error', during: 'device', message: err.message });
  };

  constructor(opts: HeadsetControllerOptions) {
    super();
    this.device = opts.device;
    this.parsed = opts.descriptor instanceof Uint8Array ? parseDescriptor(opts.descriptor) : opts.descriptor;
    this.model = buildTelephonyModel(this.parsed);
    if (!this.model.callControl) {
      throw new HeadsetError(`${opts.device.info.path}: no call control (no Telephony collection with a Hook Switch)`);
    }
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? defaultLogger();
    this.echoWindowMs = opts.echoWindowMs ?? 2000;
    this.debounceMs = opts.debounceMs ?? 1200;
    this.shadow = new OutputShadow(this.parsed);
    this.device.on('data', this.onData);
    this.device.on('error', this.onError);
  }

  get state(): HeadsetState {
    return this.current;
  }

  get muted(): boolean {
    return this.current === 'muted';
  }

  counters(): HeadsetCounters {
    return { ...this.stats, unknownByReason: { ...this.stats.unknownByReason } };
  }

  // ---- commands (host -> headset) ----

  /** Incoming call: Ring LED and Ringer on; off stops ringing (caller gave up, or answered elsewhere). */
  async ring(on: boolean): Promise<void> {
    if (on && this.current === 'idle') this.setState('ringing');
    if (!on && this.current === 'ringing') this.setState('idle');
    await this.outputs({ ring: on, ringer: on });
  }

  /** The host's call state: off-hook (call active) or on-hook (call ended). */
  async offHook(on: boolean): Promise<void> {
    this.hostHookWrite = { offHook: on, at: this.clock.now() };
    if (on) {
      if (!this.inCall()) this.setState('off-hook');
      await this.outputs({ offHook: true, ring: false, ringer: false });
    } else {
      this.setState('idle');
      await this.outputs({ offHook: false, ring: false, ringer: false, mute: false, microphone: false, hold: false });
    }
  }

  /** Host-side mute; applies only off-hook. Resolves false when the headset is on-hook. */
  async mute(on: boolean): Promise<boolean> {
    if (!this.inCall()) return false;
    this.setState(on ? 'muted' : 'off-hook');
    await this.outputs({ mute: on, microphone: on });
    return true;
  }

  async hold(on: boolean): Promise<void> {
    await this.outputs({ hold: on });
  }

  /**
   * Re-sends every output report that carries a telephony LED, from the shadow (after open, or when the
   * headset may have been reset). Other output reports (vendor, consumer) are never written.
   */
  async resync(): Promise<void> {
    await this.write([...new Set(this.model.outputs.map((o) => o.location.reportId))]);
  }

  /** Stops listening and closes the device. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.device.off('data', this.onData);
    this.device.off('error', this.onError);
    await this.writeChain;
    await this.device.close();
  }

  // ---- input (headset -> host) ----

  private input(data: Uint8Array): void {
    this.stats.reportsIn++;
    const decoded = decodeInput(this.parsed, data);
    if (!decoded.ok) {
      this.stats.unknownReports++;
      this.stats.unknownByReason[decoded.reason]++;
      const { reason, reportId, length, expectedLength } = decoded;
      this.log.warn({ path: this.device.info.path, reason, reportId, length, expectedLength, count: this.stats.unknownReports }, 'unknown HID report');
      this.emit('event', { type: 'unknown-report', reason, reportId, length, expectedLength, count: this.stats.unknownReports });
      return;
    }
    for (const control of this.model.inputs) {
      const change = this.change(decoded, control.location);
      const action = change && this.interpret(control, change.previous, change.value);
      if (change && action) this.act(control, action, change.value);
    }
    for (const keypad of this.model.keypads) {
      const change = this.change(decoded, keypad.location);
      // 0 is the resting value of a report; a change to it is a release.
      const key = change && change.value !== 0 ? keypad.keys[change.value - keypad.logicalMin] : undefined;
      if (key !== undefined) this.emit('event', { type: 'key', key });
    }
  }

  /** The value at a location of this report when it differs from the last one seen there (reports start at 0). */
  private change(decoded: { reportId: number; payload: Uint8Array }, location: BitLocation): { previous: number; value: number } | undefined {
    const value = readLocation(decoded, location);
    const previous = this.levels.get(location) ?? 0;
    if (value === undefined || value === previous) return undefined;
    this.levels.set(location, value);
    return { previous, value };
  }

  /** Turns a value change into a toggle or a set, per the control's behaviour (telephony-model.ts). */
  private interpret(control: TelephonyInput, previous: number, value: number): Action | undefined {
    switch (control.behaviour) {
      case 'toggle-button':
        return previous === 0 && value !== 0 ? { kind: 'toggle' } : undefined;
      case 'toggle-switch':
        return { kind: 'set', on: value !== 0 };
      case 'on-off-buttons':
        return value === 1 ? { kind: 'set', on: true } : value === -1 ? { kind: 'set', on: false } : undefined;
      default: {
        // Undefined kind: a level, de-bounced.
        const now = this.clock.now();
        const last = this.lastChange.get(control.location);
        if (last !== undefined && now - last < this.debounceMs) return undefined;
        this.lastChange.set(control.location, now);
        return { kind: 'set', on: value !== 0 };
      }
    }
  }

  private act(control: TelephonyInput, action: Action, value: number): void {
    const pressed = action.kind === 'toggle' || action.on;
    switch (control.name) {
      case 'hookSwitch':
        this.hook(action);
        return;
      case 'phoneMute':
        this.muteInput(action);
        return;
      case 'flash':
      case 'reject':
        if (!pressed) return;
        if (this.current === 'ringing') this.reject();
        else if (control.name === 'flash') this.emit('event', { type: 'flash' });
        else this.emit('event', { type: 'button', name: control.label, usage: usageCode(control.page, control.usage), value });
        return;
      case 'redial':
        if (pressed) this.emit('event', { type: 'redial' });
        return;
      default:
        // Levels (Line, Line Busy Tone) report both edges; buttons report presses.
        if (pressed || control.behaviour === 'toggle-switch') {
          this.emit('event', { type: 'button', name: control.name === 'button' ? control.label : control.name, usage: usageCode(control.page, control.usage), value });
        }
    }
  }

  private hook(action: Action): void {
    const echo = this.hostHookWrite && this.clock.now() - this.hostHookWrite.at < this.echoWindowMs ? this.hostHookWrite : undefined;
    if (echo && (action.kind === 'toggle' || action.on === echo.offHook)) {
      this.stats.echoesIgnored++;
      this.log.debug({ path: this.device.info.path }, 'hook change echoes the host; ignored');
      return;
    }
    const wantOffHook = action.kind === 'set' ? action.on : !this.inCall();
    if (wantOffHook === this.inCall()) return;
    this.emit('event', { type: 'hook', offHook: wantOffHook });
    if (wantOffHook) {
      const wasRinging = this.current === 'ringing';
      this.setState('off-hook');
      if (wasRinging) this.emit('event', { type: 'answer' });
      this.background(this.outputs({ offHook: true, ring: false, ringer: false }));
    } else {
      this.setState('idle');
      this.emit('event', { type: 'hangup' });
      this.background(this.outputs({ offHook: false, ring: false, ringer: false, mute: false, microphone: false, hold: false }));
    }
  }

  private muteInput(action: Action): void {
    if (!this.inCall()) {
      this.stats.muteIgnoredOnHook++;
      this.log.debug({ path: this.device.info.path }, 'mute pressed on-hook; ignored');
      return;
    }
    let muted: boolean;
    if (action.kind === 'toggle') {
      const now = this.clock.now();
      const repeat = this.lastMutePulseAt !== undefined && now - this.lastMutePulseAt < this.debounceMs;
      this.lastMutePulseAt = now;
      if (repeat) {
        this.stats.muteRepeats++;
        this.background(this.outputs({ mute: this.muted, microphone: this.muted }));
        return;
      }
      muted = !this.muted;
    } else {
      muted = action.on;
      if (muted === this.muted) return;
    }
    this.setState(muted ? 'muted' : 'off-hook');
    this.emit('event', { type: 'mute', muted });
    this.background(this.outputs({ mute: muted, microphone: muted }));
  }

  private reject(): void {
    this.setState('idle');
    this.emit('event', { type: 'reject' });
    this.background(this.outputs({ ring: false, ringer: false }));
  }

  // ---- helpers ----

  private inCall(): boolean {
    return this.current === 'off-hook' || this.current === 'muted';
  }

  private setState(state: HeadsetState): void {
    if (state === this.current) return;
    const previous = this.current;
    this.current = state;
    this.log.info({ path: this.device.info.path, state, previous }, 'headset state');
    this.emit('event', { type: 'state', state, previous });
  }

  /** Sets the named outputs the device has (others are skipped) and writes every report touched. */
  private async outputs(values: Partial<Record<OutputName, boolean>>): Promise<void> {
    const reports = new Set<number>();
    for (const [name, on] of Object.entries(values) as Array<[OutputName, boolean]>) {
      const out = this.model.outputs.find((o) => o.name === name);
      if (!out) continue;
      this.shadow.set(out.location, on ? 1 : 0);
      reports.add(out.location.reportId);
    }
    await this.write([...reports]);
  }

  /** Writes reports in order, one at a time, after any writes already queued. */
  private write(reportIds: number[]): Promise<void> {
    const run = async () => {
      for (const id of reportIds) {
        if (this.closed) return;
        const bytes = this.shadow.encode(id);
        try {
          await this.device.write(bytes);
          this.stats.writes++;
        } catch (err) {
          this.stats.writeErrors++;
          const message = err instanceof Error ? err.message : String(err);
          this.log.error({ path: this.device.info.path, reportId: id, err: message }, 'headset write failed');
          throw err;
        }
      }
    };
    const next = this.writeChain.then(run);
    this.writeChain = next.catch(() => undefined);
    return next;
  }

  /** For writes nobody awaits (acknowledgements): failures become 'error' events. */
  private background(p: Promise<void>): void {
    p.catch((err: unknown) => {
      this.emit('event', { type: 'error', during: 'write', message: err instanceof Error ? err.message : String(err) });
    });
  }
}
