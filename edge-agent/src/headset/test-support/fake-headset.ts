/**
 * A fake USB telephony headset for tests: a HidDevice built from a real report descriptor that behaves as
 * edge-hardware.md §2.2 documents the real ones. No headset can be attached here, so this stands in for one.
 *
 * Common to all models:
 * - Input reports are the descriptor's full length, report ID first (hidapi semantics), emitted asynchronously.
 * - An output report of the wrong length, or with a report ID the descriptor has no output for, is not an
 *   error on the wire (hidraw accepts the bytes) but the firmware treats it as a different report and ignores
 *   it; `writes` records it as not accepted.
 * - A host write that changes Off-Hook makes the headset follow and report its hook level ("an off-hook
 *   command sent from the application causes an acknowledgement from the headset"); a headset whose Hook
 *   Switch is a toggle button follows silently.
 * - The call button is a hook request: if the host has not written the matching Off-Hook within the model's
 *   acknowledgement time, the headset reverts its hook level and reports it again.
 *
 * Models:
 * - 'blackwire' (Plantronics Blackwire 3220): hook is a level, the ack time ~50 ms; Phone Mute is a toggle
 *   pulse (1 then 0) on every press; each LED is a separate 2-byte report.
 * - 'jabra' (Jabra-style, report 2): ack time ~2000 ms; mute presses produce a pulse only off-hook and only
 *   when the host's Mute LED matches the headset's own mute state (otherwise the press is missed); an
 *   unacknowledged mute pulse is re-sent every ~860 ms (up to 5 times). A Mute LED write sets the headset's
 *   mute state to it.
 * - 'evolve2' (Evolve2-like): as 'jabra', and the call button produces nothing until the host has declared
 *   off-hook once (jabra-teams-bridge: writing Off-Hook "woke the switch up").
 */
import { EventEmitter } from 'node:events';
import { readBits, writeBits, type BitLocation } from '../bits.js';
import type { Clock, TimerHandle } from '../clock.js';
import { findReport, parseDescriptor, type ParsedDescriptor } from '../descriptor/parser.js';
import type { HidDevice, HidDeviceEvents, HidDeviceInfo } from '../device.js';
import { buildTelephonyModel, findInput, type InputName, type OutputName, type TelephonyModel } from '../telephony-model.js';

export type FakeModel = 'blackwire' | 'jabra' | 'evolve2';

interface Behaviour {
  hookAckMs: number;
  muteNeedsSync: boolean;
  muteResendMs: number | undefined;
  maxMuteResends: number;
  callButtonNeedsHostOffHook: boolean;
}

const behaviours: Record<FakeModel, Behaviour> = {
  blackwire: { hookAckMs: 50, muteNeedsSync: false, muteResendMs: undefined, maxMuteResends: 0, callButtonNeedsHostOffHook: false },
  jabra: { hookAckMs: 2000, muteNeedsSync: true, muteResendMs: 860, maxMuteResends: 5, callButtonNeedsHostOffHook: false },
  evolve2: { hookAckMs: 2000, muteNeedsSync: true, muteResendMs: 860, maxMuteResends: 5, callButtonNeedsHostOffHook: true },
};

export interface FakeHeadsetOptions {
  descriptor: Uint8Array;
  model: FakeModel;
  clock: Clock;
  info?: Partial<HidDeviceInfo>;
}

export interface FakeWrite {
  data: number[];
  accepted: boolean;
}

export class FakeHeadset extends EventEmitter<HidDeviceEvents> implements HidDevice {
  readonly info: HidDeviceInfo;
  readonly parsed: ParsedDescriptor;
  readonly model: TelephonyModel;
  /** Every write the host made, in order. */
  readonly writes: FakeWrite[] = [];
  /** Presses that produced no report (Jabra mute out of sync, Evolve2 call button asleep, on-hook mute). */
  missedPresses = 0;
  /** Hook requests the host did not acknowledge in time. */
  reverts = 0;
  /** Mute pulses re-sent because the host did not acknowledge them. */
  muteResends = 0;
  private readonly behaviour: Behaviour;
  private readonly clock: Clock;
  private readonly inputState = new Map<number, Uint8Array>();
  private readonly leds = new Map<OutputName, number>();
  private readonly queue: Uint8Array[] = [];
  private flushing = false;
  private hookLevel = 0;
  private deviceMuted = false;
  private hostDeclaredOffHook = false;
  private hookTimer: TimerHandle | undefined;
  private muteTimer: TimerHandle | undefined;
  private closed = false;
  private unplugged = false;
  private writeFailures = 0;

  constructor(opts: FakeHeadsetOptions) {
    super();
    this.parsed = parseDescriptor(opts.descriptor);
    this.model = buildTelephonyModel(this.parsed);
    this.behaviour = behaviours[opts.model];
    this.clock = opts.clock;
    this.info = { path: '/dev/hidraw-fake', vendorId: 0, productId: 0, usagePage: 0x0b, usage: 0x05, ...opts.info };
    for (const r of this.parsed.reports) if (r.kind === 'input') this.inputState.set(r.id, new Uint8Array(r.byteLength));
  }

  // ---- what the user does ----

  /** The call button (Hook Switch). */
  pressCallButton(): void {
    const hook = findInput(this.model, 'hookSwitch');
    if (!hook) throw new Error('this headset has no Hook Switch');
    if (this.behaviour.callButtonNeedsHostOffHook && !this.hostDeclaredOffHook) {
      this.missedPresses++;
      return;
    }
    if (hook.behaviour === 'toggle-button') {
      // A pulse asks to flip the hook; the headset keeps the state itself.
      this.hookLevel = this.hookLevel === 0 ? 1 : 0;
      this.pulse(hook.location);
      return;
    }
    const requested = this.hookLevel === 0 ? 1 : 0;
    this.setHook(requested);
    if (this.hookTimer) this.clock.clearTimeout(this.hookTimer);
    this.hookTimer = this.clock.setTimeout(() => {
      this.hookTimer = undefined;
      if ((this.leds.get('offHook') ?? 0) !== requested && this.hookLevel === requested) {
        this.reverts++;
        this.setHook(requested === 1 ? 0 : 1);
      }
    }, this.behaviour.hookAckMs);
  }

  pressMute(): void {
    const mute = findInput(this.model, 'phoneMute');
    if (!mute) throw new Error('this headset has no Phone Mute');
    if (this.behaviour.muteNeedsSync) {
      const hostMute = this.leds.get('mute') ?? 0;
      if (this.hookLevel === 0 || hostMute !== (this.deviceMuted ? 1 : 0)) {
        this.missedPresses++;
        return;
      }
    }
    this.deviceMuted = !this.deviceMuted;
    this.pulse(mute.location);
    this.scheduleMuteResend(0);
  }

  pressFlash(): void {
    this.pressControl('flash');
  }

  pressRedial(): void {
    this.pressControl('redial');
  }

  pressReject(): void {
    this.pressControl('reject');
  }

  /** A keypad key ("0".."9", "*", "#"). */
  pressKey(key: string): void {
    const keypad = this.model.keypads[0];
    if (!keypad) throw new Error('this headset has no keypad');
    const index = keypad.keys.indexOf(key);
    if (index < 0) throw new Error(`no key "${key}" on this keypad`);
    this.setInput(keypad.location, keypad.logicalMin + index);
    this.send(keypad.location.reportId);
    this.setInput(keypad.location, 0);
    this.send(keypad.location.reportId);
  }

  /** Sends raw bytes as if the headset did (for reports the host does not expect). */
  sendRaw(bytes: number[]): void {
    this.enqueue(Uint8Array.from(bytes));
  }

  /** The next n writes fail like a USB transfer error (node-hid throws "Cannot write to hid device"). */
  failNextWrites(n: number): void {
    this.writeFailures = n;
  }

  /** The cable is pulled: node-hid reports a read error and later writes fail. */
  unplug(): void {
    this.unplugged = true;
    this.emit('error', new Error('could not read from HID device'));
  }

  // ---- what the host sees of the headset ----

  /** LED state the headset shows, from accepted writes. */
  led(name: OutputName): number {
    return this.leds.get(name) ?? 0;
  }

  get hook(): number {
    return this.hookLevel;
  }

  get muted(): boolean {
    return this.deviceMuted;
  }

  /** Resolves once every queued input report has been emitted and the host's reactions have run. */
  async settle(): Promise<void> {
    for (let quiet = 0; quiet < 3; ) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      quiet = this.queue.length === 0 && !this.flushing ? quiet + 1 : 0;
    }
  }

  // ---- HidDevice ----

  async write(data: Uint8Array): Promise<number> {
    if (this.closed) throw new Error('device is closed');
    if (this.unplugged) throw new Error('Cannot write to hid device');
    if (this.writeFailures > 0) {
      this.writeFailures--;
      throw new Error('Cannot write to hid device');
    }
    const bytes = [...data];
    const reportId = bytes[0] ?? 0;
    const report = findReport(this.parsed, 'output', this.parsed.usesReportIds ? reportId : 0);
    const accepted = report !== undefined && bytes.length === 1 + report.byteLength && (this.parsed.usesReportIds || reportId === 0);
    this.writes.push({ data: bytes, accepted });
    if (accepted) this.applyOutput(data.subarray(1), reportId);
    return data.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.hookTimer) this.clock.clearTimeout(this.hookTimer);
    if (this.muteTimer) this.clock.clearTimeout(this.muteTimer);
    this.queue.length = 0;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // ---- internals ----

  private applyOutput(payload: Uint8Array, reportId: number): void {
    const before = new Map(this.leds);
    for (const out of this.model.outputs) {
      if (out.location.reportId !== (this.parsed.usesReportIds ? reportId : 0)) continue;
      this.leds.set(out.name, readBits(payload, out.location.bitOffset, out.location.bitSize) ?? 0);
    }
    const offHook = this.leds.get('offHook');
    if (offHook !== undefined && offHook !== before.get('offHook')) {
      if (offHook === 1) this.hostDeclaredOffHook = true;
      if (this.hookLevel !== offHook) this.setHook(offHook);
    }
    const mute = this.leds.get('mute');
    if (this.behaviour.muteNeedsSync && mute !== undefined) {
      this.deviceMuted = mute === 1;
      if (this.muteTimer) {
        this.clock.clearTimeout(this.muteTimer);
        this.muteTimer = undefined;
      }
    }
  }

  private scheduleMuteResend(sent: number): void {
    const { muteResendMs, maxMuteResends } = this.behaviour;
    if (muteResendMs === undefined || sent >= maxMuteResends) return;
    if (this.muteTimer) this.clock.clearTimeout(this.muteTimer);
    this.muteTimer = this.clock.setTimeout(() => {
      this.muteTimer = undefined;
      if ((this.leds.get('mute') ?? 0) === (this.deviceMuted ? 1 : 0)) return;
      const mute = findInput(this.model, 'phoneMute');
      if (!mute || this.closed) return;
      this.muteResends++;
      this.pulse(mute.location);
      this.scheduleMuteResend(sent + 1);
    }, muteResendMs);
  }

  /** Press and release of any named control (Speed Dial, Programmable Button, ...). */
  pressControl(name: Exclude<InputName, 'button'>): void {
    const control = findInput(this.model, name);
    if (!control) throw new Error(`this headset has no ${name} control`);
    this.pulse(control.location);
  }

  private setHook(level: number): void {
    const hook = findInput(this.model, 'hookSwitch');
    if (!hook) return;
    this.hookLevel = level;
    if (level === 0 && this.behaviour.muteNeedsSync) this.deviceMuted = false;
    // A toggle-button hook has no level to report: the headset just follows the host.
    if (hook.behaviour === 'toggle-button') return;
    this.setInput(hook.location, level);
    this.send(hook.location.reportId);
  }

  /** Press and release: a report with the bit set, then one with it clear. */
  private pulse(location: BitLocation): void {
    this.setInput(location, 1);
    this.send(location.reportId);
    this.setInput(location, 0);
    this.send(location.reportId);
  }

  private setInput(location: BitLocation, value: number): void {
    const state = this.inputState.get(location.reportId);
    if (!state) throw new Error(`no input report ${location.reportId}`);
    writeBits(state, location.bitOffset, location.bitSize, value);
  }

  private send(reportId: number): void {
    const payload = this.inputState.get(reportId) as Uint8Array;
    const out = this.parsed.usesReportIds ? Uint8Array.of(reportId, ...payload) : Uint8Array.from(payload);
    this.enqueue(out);
  }

  private enqueue(bytes: Uint8Array): void {
    if (this.closed || this.unplugged) return;
    this.queue.push(bytes);
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    const next = this.queue.shift();
    if (next && !this.closed) this.emit('data', next);
    if (this.queue.length > 0) setImmediate(() => this.flush());
    else this.flushing = false;
  }
}
