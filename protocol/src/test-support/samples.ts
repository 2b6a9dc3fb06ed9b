/** Realistic sample messages for tests. */
import type { Envelope } from '../schemas/envelope.js';
import type { InventoryMessage } from '../schemas/inventory.js';
import type { TelemetryMessage } from '../schemas/telemetry.js';

export function sampleInventory(env: Envelope): InventoryMessage {
  return {
    ...env,
    host: { hostname: 'edge-cao-1', os: 'linux', arch: 'x64', nodeVersion: 'v24.11.0', agentVersion: '0.1.0', startedAt: 1_700_000_000_000 },
    modems: [
      { id: 'usb-ZyXEL-0001', port: '/dev/ttyUSB0', state: 'idle', manufacturer: 'ZyXEL', model: 'U-336E', classes: ['0', '1', '2', '2.0'], faxClass: '2.0' },
    ],
    headsets: [
      {
        id: '/dev/hidraw3',
        path: '/dev/hidraw3',
        vendorId: 0x047f,
        productId: 0xc056,
        product: 'Plantronics Blackwire 3220 Series',
        controls: { hookSwitch: 'level', phoneMute: 'toggle', flash: 'level', redial: 'absent' },
        leds: { offHook: true, ring: true, mute: true, hold: true, microphone: false },
        ringer: false,
      },
    ],
  };
}

export function sampleTelemetry(env: Envelope): TelemetryMessage {
  return {
    ...env,
    intervalMs: 5000,
    host: { load1: 0.2, cpuPercent: 3.5, rssBytes: 50e6, memFreeBytes: 1e9, memTotalBytes: 4e9, uptimeSec: 3600 },
    spool: { depth: 2, bytes: 900, files: 0, fileBytes: 0, droppedTelemetry: 0, refused: 0 },
    link: { reconnects: 1 },
    modems: [{ id: 'usb-ZyXEL-0001', state: 'idle', line: { callsIn: 3, callsOut: 1, pagesIn: 7, pagesOut: 2, failures: 1, lastHangup: { code: '0', fclass: '2.0', meaning: 'Normal and proper end of connection' } } }],
    headsets: [{ id: '/dev/hidraw3', offHook: false, muted: false, ringing: false }],
  };
}
