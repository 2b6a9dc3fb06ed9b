// Typing of the parts of utif 3.x (photopea/UTIF.js) that the fax channel uses.
declare module 'utif' {
  export interface IFD {
    [tag: `t${number}`]: number[] | string[] | Uint8Array | undefined;
    width?: number;
    height?: number;
    /** Decoded pixels; for CCITT pages one bit per pixel, rows padded to bytes, 1 = black. */
    data?: Uint8Array;
  }
  export function decode(buf: ArrayBuffer | Uint8Array): IFD[];
  export function decodeImage(buf: ArrayBuffer | Uint8Array, ifd: IFD, ifds?: IFD[]): void;
  interface G3Decoder {
    /**
     * Whether the T.4 data has the 1D/2D tag bit after each EOL. utif guesses it from the first
     * EOL when null; `decode()` resets it to null.
     */
    allow2D: boolean | null;
  }
  interface Decode {
    (buf: ArrayBuffer | Uint8Array): IFD[];
    _decodeG3: G3Decoder;
    /** [white, black]: T.4 code word (as a string of 0 and 1) -> run length. */
    _lens: [Record<string, number>, Record<string, number>];
  }
  const UTIF: { decode: Decode; decodeImage: typeof decodeImage };
  export default UTIF;
}
