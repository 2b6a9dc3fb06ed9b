/**
 * A simulated two-way link between a FileSender and a FileReceiver: messages go through the real
 * binary/JSON codec and can be lost, duplicated, reordered or corrupted, by a seeded PRNG.
 */
import { decodeFileMessage, encodeFileMessage, type FileMessage, type ReceiverMessage, type SenderMessage } from '../files/messages.js';

export interface Faults {
  loss?: number;
  duplicate?: number;
  reorder?: number;
  /** Probability of flipping a data byte in a chunk frame (the chunk's hash then fails). */
  corrupt?: number;
}

export class LossyLink {
  private queue: { to: 'receiver' | 'sender'; bytes: Uint8Array }[] = [];
  up = true;
  stats = { sent: 0, lost: 0, duplicated: 0, reordered: 0, corrupted: 0 };

  constructor(
    private readonly rnd: () => number,
    public faults: Faults = {},
  ) {}

  toReceiver = (m: SenderMessage): void => this.put('receiver', m);
  toSender = (m: ReceiverMessage): void => this.put('sender', m);

  private put(to: 'receiver' | 'sender', m: FileMessage): void {
    this.stats.sent++;
    if (!this.up || this.rnd() < (this.faults.loss ?? 0)) {
      this.stats.lost++;
      return;
    }
    let bytes = encodeFileMessage(m);
    if (m.type === 'chunk' && m.data.length > 0 && this.rnd() < (this.faults.corrupt ?? 0)) {
      bytes = bytes.slice();
      bytes[bytes.length - 1 - Math.floor(this.rnd() * m.data.length)]! ^= 0x5a;
      this.stats.corrupted++;
    }
    const item = { to, bytes };
    if (this.queue.length && this.rnd() < (this.faults.reorder ?? 0)) {
      this.queue.splice(Math.floor(this.rnd() * this.queue.length), 0, item);
      this.stats.reordered++;
    } else this.queue.push(item);
    if (this.rnd() < (this.faults.duplicate ?? 0)) {
      this.queue.push({ to, bytes });
      this.stats.duplicated++;
    }
  }

  /** Delivers everything queued (and what that causes), awaiting the receiver's handling. */
  async drain(sender: { handle(m: ReceiverMessage): void }, receiver: { handle(m: SenderMessage): Promise<void> }, limit = 100_000): Promise<void> {
    let n = 0;
    while (this.queue.length && n++ < limit) {
      const { to, bytes } = this.queue.shift()!;
      const m = decodeFileMessage(bytes);
      if (to === 'receiver') await receiver.handle(m as SenderMessage);
      else sender.handle(m as ReceiverMessage);
    }
  }

  clear(): void {
    this.queue = [];
  }
}
