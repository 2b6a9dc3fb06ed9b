/**
 * DLE (0x10) framing of Phase C data between DTE and DCE (reference 1.6).
 *
 * DTE -> DCE (transmit): a data DLE is doubled; the page ends with `DLE ETX` (Class 2) or, in
 * Class 2.0, `DLE ,` / `DLE ;` / `DLE .` = end of page plus MPS / EOM / EOP.
 * DCE -> DTE (receive): `DLE DLE` is one data DLE, `DLE ETX` ends the data, Class 2.0 adds
 * `DLE SUB` = two data DLEs, and `DLE SOH … DLE EOT` brackets DCE debug text (+FDB). Any other
 * `DLE x` is dropped and counted, as efax does ("invalid escape sequence").
 */
export const DLE = 0x10;
export const ETX = 0x03;
export const SUB = 0x1a;
export const SOH = 0x01;
export const EOT = 0x04;
export const DC1 = 0x11; // XON
export const DC2 = 0x12;
export const DC3 = 0x13; // XOFF
export const CAN = 0x18;

/** Post-page message after a page: MPS = another page follows, EOM = new document, EOP = last page. */
export type PostPageMessage = 'MPS' | 'EOM' | 'EOP';

/** Class 2.0 terminator character for each post-page message. */
export const CLASS20_PPM_CHAR: Record<PostPageMessage, number> = { MPS: 0x2c, EOM: 0x3b, EOP: 0x2e };

/** Doubles every DLE in `data` (no terminator). */
export function dleStuff(data: Uint8Array): Buffer {
  let dles = 0;
  for (const b of data) if (b === DLE) dles++;
  const out = Buffer.allocUnsafe(data.length + dles);
  let j = 0;
  for (const b of data) {
    out[j++] = b;
    if (b === DLE) out[j++] = DLE;
  }
  return out;
}

/** The bytes that end a page on the wire: `DLE ETX` in Class 2, `DLE <ppm char>` in Class 2.0. */
export function pageTerminator(ppm: PostPageMessage | null): Buffer {
  return Buffer.from([DLE, ppm === null ? ETX : CLASS20_PPM_CHAR[ppm]]);
}

export interface UnstuffResult {
  /** Unstuffed data bytes from this chunk. */
  data: Buffer;
  /** True once `DLE ETX` was seen. */
  done: boolean;
  /** Bytes after `DLE ETX` in this chunk (they belong to the command channel again). */
  rest: Buffer;
}

/**
 * Stateful decoder of DCE -> DTE Phase C data. Feed chunks in order; an escape split across chunks
 * is handled.
 */
export class DleDecoder {
  private pendingDle = false;
  private inDebugText = false;
  /** `DLE x` sequences that meant nothing and were dropped. */
  invalidEscapes = 0;
  /** Debug text bytes skipped (`DLE SOH … DLE EOT`). */
  debugBytes = 0;

  /** @param class20 accept Class 2.0's `DLE SUB` and debug text */
  constructor(private readonly class20: boolean) {}

  push(chunk: Uint8Array): UnstuffResult {
    const out = Buffer.allocUnsafe(chunk.length * 2);
    let j = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (!this.pendingDle) {
        if (b === DLE) this.pendingDle = true;
        else if (this.inDebugText) this.debugBytes++;
        else out[j++] = b;
        continue;
      }
      this.pendingDle = false;
      if (b === ETX) {
        return { data: out.subarray(0, j), done: true, rest: Buffer.from(chunk.subarray(i + 1)) };
      }
      if (this.inDebugText) {
        if (b === EOT) this.inDebugText = false;
        else this.debugBytes++;
        continue;
      }
      if (b === DLE) out[j++] = DLE;
      else if (this.class20 && b === SUB) {
        out[j++] = DLE;
        out[j++] = DLE;
      } else if (this.class20 && b === SOH) this.inDebugText = true;
      else this.invalidEscapes++;
    }
    return { data: out.subarray(0, j), done: false, rest: Buffer.alloc(0) };
  }
}

export type Class20Terminator = { kind: 'ppm'; ppm: PostPageMessage } | { kind: 'etx' };

/**
 * Stateful decoder of DTE -> DCE Phase C data, as a modem sees it (used by the simulator).
 * Ends at `DLE ETX`, or in Class 2.0 also at `DLE ,;.`.
 */
export class DteDataDecoder {
  private pendingDle = false;
  invalidEscapes = 0;
  constructor(private readonly class20: boolean) {}

  push(chunk: Uint8Array): { data: Buffer; end: Class20Terminator | null; rest: Buffer } {
    const out = Buffer.allocUnsafe(chunk.length);
    let j = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (!this.pendingDle) {
        if (b === DLE) this.pendingDle = true;
        else out[j++] = b;
        continue;
      }
      this.pendingDle = false;
      const rest = () => Buffer.from(chunk.subarray(i + 1));
      if (b === DLE) out[j++] = DLE;
      else if (b === ETX) return { data: out.subarray(0, j), end: { kind: 'etx' }, rest: rest() };
      else if (this.class20 && (b === 0x2c || b === 0x3b || b === 0x2e)) {
        const ppm: PostPageMessage = b === 0x2c ? 'MPS' : b === 0x3b ? 'EOM' : 'EOP';
        return { data: out.subarray(0, j), end: { kind: 'ppm', ppm }, rest: rest() };
      } else this.invalidEscapes++;
    }
    return { data: out.subarray(0, j), end: null, rest: Buffer.alloc(0) };
  }
}
