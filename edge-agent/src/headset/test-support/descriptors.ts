/**
 * Report descriptors for tests, byte for byte as in ../shared/reference/hid/ and edge-hardware.md §2.3.
 * Each entry says where its bytes come from; descriptors.test.ts checks the first three against the
 * reference files when the reference folder is present.
 */
import { hexToBytes } from '../descriptor/items.js';

export interface DescriptorFixture {
  name: string;
  vendorId: number;
  productId: number;
  product: string;
  /** Reference file name (without .hex) when the bytes are a file in ../shared/reference/hid. */
  referenceFile?: string;
  source: string;
  hex: string;
}

/** Plantronics Blackwire 3220 (047F:C056), telephony TLC 0x0B/0x05, 109 bytes. */
export const blackwire3220Telephony: DescriptorFixture = {
  name: 'Plantronics Blackwire 3220 telephony',
  vendorId: 0x047f,
  productId: 0xc056,
  product: 'Plantronics Blackwire 3220 Series',
  referenceFile: 'plantronics_blackwire3220_telephony',
  source: 'https://github.com/libusb/hidapi/blob/49578246d9604dd5014e22446d831c0cefb753c7/windows/test/data/047F_C056_0005_000B_real.rpt_desc',
  hex: `05 0B 09 05 A1 01 85 08 15 00 25 01 09 2F 75 01 95 01 81 06 09 20 09 21 75 01 95 02 81 22 95 05 81 01
05 08 85 09 09 09 95 01 91 22 95 07 91 01 85 17 09 17 95 01 91 22 95 07 91 01 85 18 09 18 95 01 91 22
95 07 91 01 85 1E 09 1E 95 01 91 22 95 07 91 01 85 20 09 20 95 01 91 22 95 07 91 01 85 2A 09 2A 95 01
91 22 95 07 91 01 C0`,
};

/** Same device, consumer TLC 0x0C/0x01, 71 bytes. */
export const blackwire3220Consumer: DescriptorFixture = {
  name: 'Plantronics Blackwire 3220 consumer',
  vendorId: 0x047f,
  productId: 0xc056,
  product: 'Plantronics Blackwire 3220 Series',
  referenceFile: 'plantronics_blackwire3220_consumer',
  source: 'https://github.com/libusb/hidapi/blob/49578246d9604dd5014e22446d831c0cefb753c7/windows/test/data/047F_C056_0001_000C_real.rpt_desc',
  hex: `05 0C 09 01 A1 01 85 01 15 00 25 01 09 E9 09 EA 75 01 95 02 81 06 95 06 81 01 85 02 05 0C 09 00 95 10
81 02 85 04 09 00 75 08 95 24 91 02 85 05 09 00 95 20 81 02 85 06 09 00 95 24 91 02 85 07 09 00 95 20 81 02 C0`,
};

/** Logitech USB Headset H540 (046D:0A37), consumer TLC only: no telephony collection. 120 bytes. */
export const logitechH540Consumer: DescriptorFixture = {
  name: 'Logitech H540 consumer',
  vendorId: 0x046d,
  productId: 0x0a37,
  product: 'Logitech USB Headset H540',
  referenceFile: 'logitech_h540_consumer',
  source: 'https://github.com/libusb/hidapi/blob/49578246d9604dd5014e22446d831c0cefb753c7/windows/test/data/046D_0A37_0001_000C_real.rpt_desc',
  hex: `05 0C 09 01 A1 01 85 01 15 00 25 01 09 E9 09 EA 75 01 95 02 81 02 09 E2 95 01 81 06 09 00 95 02 81 03
09 36 A1 02 05 09 19 01 29 02 75 02 95 01 15 01 25 02 81 40 C0 05 0C 09 00 15 00 25 01 75 01 95 01 81 03
85 02 05 0C 09 00 95 10 81 02 85 03 09 00 91 02 85 04 09 00 75 08 95 24 91 02 85 05 09 00 95 20 81 02
85 06 09 00 95 24 91 02 85 07 09 00 95 20 81 02 C0`,
};

/**
 * Jabra-style telephony TLC quoted verbatim in edge-hardware.md §2.3 (reassembled from the item listing at
 * blog.csdn.net/paodiao2012/article/details/94834444; bit layout matches nondebug/jabra-webhid-demo for
 * "GN Netcom A/S Jabra EVOLVE LINK"). Vendor 0B0E is GN Netcom; the product ID is not given there.
 */
export const jabraStyleTelephony: DescriptorFixture = {
  name: 'Jabra-style telephony',
  vendorId: 0x0b0e,
  productId: 0x0000,
  product: 'Jabra-style headset (EVOLVE LINK layout)',
  source: 'edge-hardware.md §2.3, blog.csdn.net/paodiao2012/article/details/94834444',
  hex: `05 0B 09 05 A1 01 85 02 05 0B 15 00 25 01 09 20 09 97 75 01 95 02 81 22 09 2F 09 21 09 24 09 50 75 01
95 04 81 06 09 07 05 09 75 01 95 01 81 02 05 0B 09 06 A1 02 19 B0 29 BB 15 00 25 0B 75 04 95 01 81 00 C0
75 01 95 05 81 01 05 08 15 00 25 01 09 17 09 09 09 18 09 20 09 21 75 01 95 05 91 22 05 0B 15 00 25 01 09
9E 75 01 95 01 91 22 75 01 95 0A 91 01 C0`,
};

/**
 * NOT a captured descriptor: the Jabra-style one changed as edge-hardware.md §2.2 describes the Evolve2 65/75
 * on a Link 380 (jabraw hid.rs, jabra-teams-bridge): an extra level bit Line (0x2A) at bit 2, mute / flash /
 * redial / speed dial one bit up, Programmable Button at bit 11, and the Constant bit set on the controls
 * (`81 23` levels, `81 07` pulses). It exists to test Constant fields that carry usages.
 */
export const evolve2LikeTelephony: DescriptorFixture = {
  name: 'Evolve2-like telephony (derived)',
  vendorId: 0x0b0e,
  productId: 0x0000,
  product: 'Evolve2-like headset (derived layout)',
  source: 'derived from jabraStyleTelephony per edge-hardware.md §2.2 (Evolve2 65/75 layout, Constant bits)',
  hex: `05 0B 09 05 A1 01 85 02 15 00 25 01 09 20 09 97 09 2A 75 01 95 03 81 23 09 2F 09 21 09 24 09 50 95 04
81 07 09 06 A1 02 19 B0 29 BB 25 0B 75 04 95 01 81 00 C0 25 01 75 01 95 01 09 07 81 03 95 04 81 01 05 08
09 17 09 09 09 18 09 20 09 21 95 05 91 22 05 0B 09 9E 95 01 91 22 95 0A 91 01 C0`,
};

export const allFixtures: DescriptorFixture[] = [
  blackwire3220Telephony,
  blackwire3220Consumer,
  logitechH540Consumer,
  jabraStyleTelephony,
  evolve2LikeTelephony,
];

export function fixtureBytes(f: DescriptorFixture): Uint8Array {
  return hexToBytes(f.hex);
}

/**
 * What Linux's /sys/class/hidraw/hidrawN/device/report_descriptor holds for the Blackwire 3220: the whole
 * interface, i.e. its top-level collections one after the other (the vendor 0xFFA0 TLC is not in the
 * reference folder, so it is left out here).
 */
export function blackwire3220Interface(): Uint8Array {
  const a = fixtureBytes(blackwire3220Consumer);
  const b = fixtureBytes(blackwire3220Telephony);
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
