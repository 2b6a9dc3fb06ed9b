// Minimal typing of the parts of utif 3.x (photopea/UTIF.js) that the fax code uses.
declare module 'utif' {
  export interface IFD {
    [tag: `t${number}`]: number[] | string[] | undefined;
    width?: number;
    height?: number;
    data?: Uint8Array;
  }
  export function decode(buf: ArrayBuffer | Uint8Array): IFD[];
  export function decodeImage(buf: ArrayBuffer | Uint8Array, ifd: IFD, ifds?: IFD[]): void;
  export function toRGBA8(ifd: IFD): Uint8Array;
  const UTIF: { decode: typeof decode; decodeImage: typeof decodeImage; toRGBA8: typeof toRGBA8 };
  export default UTIF;
}
