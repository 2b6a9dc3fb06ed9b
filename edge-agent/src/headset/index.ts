/**
 * USB HID telephony headsets for the edge agent (issue 6, items 4 and 5).
 *
 * Public API (everything else in this folder is internal):
 *
 * Finding and opening headsets
 * - `new NodeHidBackend({ sysfsRoot? })` — the real HidBackend over node-hid 3 on Linux hidraw; the report
 *   descriptor is read from /sys/class/hidraw/<hidrawN>/device/report_descriptor.
 * - `listHeadsets(backend, { all?, paths?, logger? })` → `HeadsetInventoryEntry[]`: one entry per /dev/hidrawN
 *   (vendorId, productId, product, manufacturer, serialNumber, interface, collections, `capabilities`, or
 *   `descriptorError`). Telephony devices (usage page 0x0B) only, unless `all`. `capabilities.callControl` is
 *   false for a headset without a telephony collection (Logitech H540); `capabilities.consumer` then lists
 *   its volume / mute keys.
 * - `openHeadset(backend, path, { clock?, logger?, echoWindowMs?, debounceMs?, initialSync? })` →
 *   `HeadsetController`; throws `HeadsetError` for a device without call control.
 *
 * Driving one headset: `HeadsetController`
 * - `controller.on('event', (e: HeadsetEvent) => …)` with e.type one of: hook {offHook}, answer, hangup,
 *   mute {muted}, flash, redial, reject, button {name, usage, value}, key {key}, state {state, previous},
 *   unknown-report {reason, reportId, length, expectedLength, count}, error {during, message}.
 *   Device input never throws; failures arrive as 'error' / 'unknown-report' events.
 * - Commands: `ring(on)`, `offHook(on)`, `mute(on)` (→ false when on-hook), `hold(on)`, `resync()`; each
 *   resolves when its output reports are written and rejects if the write fails.
 * - `controller.state` ('idle' | 'ringing' | 'off-hook' | 'muted'), `controller.counters()` (reportsIn,
 *   unknownReports and by reason, writes, writeErrors, echoesIgnored, muteRepeats, muteIgnoredOnHook),
 *   `controller.model` (where each control is), `close()`.
 * - The agent must be the only process driving a headset's telephony collection: two clients break each
 *   other's calls (edge-hardware.md §2.2 point 4).
 *
 * Hot-plug: `HeadsetWatcher`
 * - `new HeadsetWatcher({ enumerate: (paths) => listHeadsets(backend, { paths }), devDir?, rescanMs?, settleMs?,
 *   clock?, logger?, fs? })`, `await watcher.start()`, events 'added' / 'removed' with a
 *   HeadsetInventoryEntry, `watcher.current()`, `watcher.stop()`. Watches /dev with fs.watch, re-scans the
 *   directory every 30 s, and enumerates (node-hid) only when an unseen hidraw node appears.
 *
 * Tools
 * - `describeHeadset(descriptorBytes)` → multi-line text: every report's fields with bit positions, usages,
 *   flags and control kinds, then the call-control summary (for `okno-edge headset watch`).
 * - `decodeInput(parsed, data)` and `fieldValues(report, payload)` name the values of a raw input report.
 * - `parseDescriptor(bytes)` (throws `DescriptorError`), `buildTelephonyModel(parsed)`, `capabilitiesOf(model)`,
 *   `hexToBytes(text)`.
 *
 * Injected parts: `HidBackend` / `HidDevice` (hardware), `Clock` (time), `HeadsetLogger` (a pino logger).
 * Tests use `test-support/` (fake headsets that behave like the Blackwire 3220 and Jabra devices, a fake
 * backend, a fake clock and the real descriptors); it is not part of the published package.
 */
export type { HidBackend, HidDevice, HidDeviceEvents, HidDeviceInfo } from './device.js';
export { NodeHidBackend, type NodeHidBackendOptions } from './node-hid-backend.js';
export { listHeadsets, openHeadset, type HeadsetInventoryEntry, type ListHeadsetsOptions, type OpenHeadsetOptions } from './inventory.js';
export {
  HeadsetController,
  HeadsetError,
  type HeadsetControllerOptions,
  type HeadsetCounters,
  type HeadsetEvent,
  type HeadsetState,
} from './controller.js';
export { HeadsetWatcher, nodeHotplugFs, type DirEntry, type HeadsetWatcherEvents, type HeadsetWatcherOptions, type HotplugFs } from './hotplug.js';
export { describeHeadset } from './describe.js';
export { decodeInput, fieldValues, type DecodeResult, type FieldValue, type UnknownReason } from './report-codec.js';
export { DescriptorError, hexToBytes } from './descriptor/items.js';
export { parseDescriptor, type Collection, type MainFlags, type ParsedDescriptor, type Report, type ReportField, type ReportKind } from './descriptor/parser.js';
export {
  buildTelephonyModel,
  capabilitiesOf,
  type ControlBehaviour,
  type HeadsetCapabilities,
  type InputName,
  type OutputName,
  type TelephonyModel,
} from './telephony-model.js';
export { systemClock, type Clock } from './clock.js';
export type { HeadsetLogger } from './logger.js';
