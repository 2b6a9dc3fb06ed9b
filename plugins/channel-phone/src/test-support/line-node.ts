/**
 * Test support: one core node with routing and the phone channel, run in a child process so a test
 * can kill it abruptly (SIGKILL: no shutdown, the phone line's lease is not given up).
 *
 *   node line-node.js '{"pbxUrl":"http://127.0.0.1:…","dbUrl":"mysql://…","nodeId":"node-1","transporter":"nats://…","namespace":"…","demo":true}'
 *
 * Prints one line `ready <url>` on stdout once the core has started.
 */
import { startTestApp } from '@okno/core/testing';
import { phoneAppOptions, phoneConfig } from './phone-app.js';

interface NodeArgs { pbxUrl: string; dbUrl: string; nodeId: string; transporter: string; namespace: string; demo: boolean }

const a = JSON.parse(process.argv[2] ?? '{}') as NodeArgs;
const app = await startTestApp(phoneAppOptions(phoneConfig(a.pbxUrl), {
  dbUrl: a.dbUrl, demo: a.demo, core: { transporter: a.transporter, nodeId: a.nodeId }, broker: { namespace: a.namespace },
}));
process.stdout.write(`ready ${app.url}\n`);
process.on('SIGTERM', () => void app.stop().then(() => process.exit(0)));
