/**
 * @okno/edge-agent: the site daemon and the technician CLI `okno-edge`.
 *
 * Embedding the daemon:
 *   const config = loadConfig({ file: '/etc/okno-edge/config.json' });    // + OKNO_EDGE_* environment
 *   const devices = new DeviceManager({ fax: new FaxModems({...}), headsets: new HidHeadsets({...}) });
 *   const agent = new EdgeAgent({ config, devices, logger: pino() });
 *   await agent.start(); ... await agent.stop();
 * Fax and headset modules: `@okno/edge-agent` re-exports neither; see src/fax/index.ts and
 * src/headset/index.ts inside the package.
 */
export { EdgeAgent, type EdgeAgentOptions } from './agent/agent.js';
export { DeviceManager, DeviceNotFoundError, DeviceUnavailableError, type FaxDevices, type HeadsetDevices, type FaxJob, type ReceivedFax } from './agent/devices.js';
export { FaxModems, type FaxModemsOptions } from './agent/fax-devices.js';
export { HidHeadsets, type HidHeadsetOptions } from './agent/headset-devices.js';
export { CommandRunner, CommandError, type CommandHandlers } from './agent/command-runner.js';
export { loadConfig, parseConfig, ConfigError, ENV_VARIABLES, EdgeConfigSchema, type EdgeConfig, type EdgeConfigInput } from './config/config.js';
export { MqttLink, LinkDownError, type LinkOptions } from './link/mqtt-link.js';
export { Spool, SpoolFullError, type SpoolEntry, type SpooledFile, type SpoolLimits } from './spool/spool.js';
export { main as runCli } from './cli/program.js';
export { EXIT } from './cli/exit-codes.js';
