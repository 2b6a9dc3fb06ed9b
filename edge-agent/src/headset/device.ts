/**
 * The two small interfaces the headset code talks to hardware through.
 * `node-hid-backend.ts` implements them over node-hid; `test-support/fake-headset.ts` is a fake device.
 */

/** What enumeration says about one HID top-level collection (node-hid's Device, path required). */
export interface HidDeviceInfo {
  /** /dev/hidrawN on Linux. One path is listed once per top-level collection. */
  path: string;
  vendorId: number;
  productId: number;
  product?: string | undefined;
  manufacturer?: string | undefined;
  serialNumber?: string | undefined;
  release?: number | undefined;
  interface?: number | undefined;
  usagePage?: number | undefined;
  usage?: number | undefined;
}

export interface HidDeviceEvents {
  /** One input report; byte 0 is the report ID when the device numbers its reports (hidapi semantics). */
  data: [Uint8Array];
  error: [Error];
}

/** An open HID device. */
export interface HidDevice {
  readonly info: HidDeviceInfo;
  /** Writes one output report: byte 0 is the report ID (0x00 when the device has none). Resolves to bytes written. */
  write(data: Uint8Array): Promise<number>;
  on<K extends keyof HidDeviceEvents>(event: K, listener: (...args: HidDeviceEvents[K]) => void): unknown;
  off<K extends keyof HidDeviceEvents>(event: K, listener: (...args: HidDeviceEvents[K]) => void): unknown;
  close(): Promise<void>;
}

/** Finds, opens and describes HID devices. */
export interface HidBackend {
  /** Every HID top-level collection the OS lists (one path may appear several times). */
  enumerate(): Promise<HidDeviceInfo[]>;
  open(path: string): Promise<HidDevice>;
  /** The raw report descriptor of the device at that path (on Linux: the whole interface). */
  readDescriptor(path: string): Promise<Uint8Array>;
}
