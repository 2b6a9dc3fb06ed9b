/** Inventory (retained): what the agent runs on and which devices it has right now. */
import { z } from 'zod';
import { DeviceId, envelopeShape, Timestamp } from './envelope.js';

export const ModemState = z.enum(['idle', 'ringing', 'sending', 'receiving', 'probing', 'error', 'offline']);
export type ModemState = z.infer<typeof ModemState>;
export const FaxClass = z.enum(['1', '1.0', '2', '2.0', '2.1']);
export type FaxClass = z.infer<typeof FaxClass>;

export const ModemInfo = z.object({
  id: DeviceId,
  /** Serial device path, e.g. /dev/ttyUSB0 or /dev/serial/by-id/... */
  port: z.string().min(1),
  state: ModemState,
  manufacturer: z.string().optional(),
  model: z.string().optional(),
  revision: z.string().optional(),
  /** Service classes from AT+FCLASS=? (e.g. ["0","1","2","2.0"]). */
  classes: z.array(z.string()).default([]),
  /** The fax class the agent drives this modem with. */
  faxClass: FaxClass.optional(),
  /** Raw capability ranges (AT+FCC=? / AT+FDCC=?), as the modem printed them. */
  capabilities: z.string().optional(),
  usb: z.object({ vendorId: z.string().optional(), productId: z.string().optional(), serialNumber: z.string().optional() }).optional(),
  lastError: z.string().optional(),
});
export type ModemInfo = z.infer<typeof ModemInfo>;

/** How a headset control is built (see reference: toggle button vs level vs on/off buttons). */
export const ControlKind = z.enum(['toggle', 'level', 'on-off', 'absent']);
export const HeadsetInfo = z.object({
  id: DeviceId,
  path: z.string().min(1),
  vendorId: z.number().int().min(0).max(0xffff),
  productId: z.number().int().min(0).max(0xffff),
  manufacturer: z.string().optional(),
  product: z.string().optional(),
  serialNumber: z.string().optional(),
  controls: z.object({
    hookSwitch: ControlKind,
    phoneMute: ControlKind,
    flash: ControlKind,
    redial: ControlKind,
  }),
  leds: z.object({ offHook: z.boolean(), ring: z.boolean(), mute: z.boolean(), hold: z.boolean(), microphone: z.boolean() }),
  ringer: z.boolean().default(false),
});
export type HeadsetInfo = z.infer<typeof HeadsetInfo>;

export const HostInfo = z.object({
  hostname: z.string(),
  os: z.string(),
  arch: z.string(),
  release: z.string().optional(),
  nodeVersion: z.string(),
  agentVersion: z.string(),
  startedAt: Timestamp,
  cpus: z.number().int().nonnegative().optional(),
  memTotalBytes: z.number().nonnegative().optional(),
});
export type HostInfo = z.infer<typeof HostInfo>;

export const InventoryMessage = z.object({
  ...envelopeShape,
  host: HostInfo,
  modems: z.array(ModemInfo),
  /** Since 1.1 (1.0 agents have no headset support; upgraded to []). */
  headsets: z.array(HeadsetInfo),
});
export type InventoryMessage = z.infer<typeof InventoryMessage>;
