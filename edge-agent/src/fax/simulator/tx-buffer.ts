/**
 * The simulated modem's transmit buffer: the DTE fills it, the phone line drains it at the
 * negotiated rate. With software flow control the modem sends XOFF above the high-water mark and
 * XON once drained below the low-water mark (reference 1.7); with none, bytes beyond the capacity
 * are lost (a real modem's underrun/overrun), which damages the page.
 */
export type SimFlow = 'none' | 'soft' | 'hard';

export interface TxBufferOptions {
  capacity: number;
  highWater: number;
  lowWater: number;
  /** Drain rate, bytes per second. */
  rate: number;
  flow: SimFlow;
  now: () => number;
  /** Sends a flow-control byte to the DTE. */
  signal: (byte: 0x11 | 0x13) => void;
}

export class TxBuffer {
  private fill = 0;
  private last: number;
  private xoff = false;
  private timer: NodeJS.Timeout | null = null;
  /** Bytes lost because the DTE did not stop in time (or had no flow control). */
  overflow = 0;
  /** XOFFs sent. */
  xoffs = 0;

  constructor(private readonly o: TxBufferOptions) {
    this.last = o.now();
  }

  private update(): void {
    const t = this.o.now();
    this.fill = Math.max(0, this.fill - ((t - this.last) / 1000) * this.o.rate);
    this.last = t;
  }

  accept(bytes: number): void {
    this.update();
    this.fill += bytes;
    const cap = this.o.flow === 'hard' ? Infinity : this.o.capacity;
    if (this.fill > cap) {
      this.overflow += this.fill - cap;
      this.fill = cap;
    }
    if (this.o.flow === 'soft' && !this.xoff && this.fill > this.o.highWater) {
      this.xoff = true;
      this.xoffs++;
      this.o.signal(0x13);
      this.scheduleXon();
    }
  }

  private scheduleXon(): void {
    if (this.timer) clearTimeout(this.timer);
    const ms = Math.max(1, ((this.fill - this.o.lowWater) / this.o.rate) * 1000);
    this.timer = setTimeout(() => {
      this.update();
      if (this.fill > this.o.lowWater) return this.scheduleXon();
      this.timer = null;
      this.xoff = false;
      this.o.signal(0x11);
    }, ms);
  }

  /** Milliseconds until the buffer is empty. */
  drainMs(): number {
    this.update();
    return (this.fill / this.o.rate) * 1000;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
