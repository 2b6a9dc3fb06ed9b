/**
 * The technician CLI `okno-edge`: run the daemon, look at devices, diagnose, drive faxes and
 * headsets, look after the spool. Every command and subcommand has --help.
 */
import { Command, CommanderError, Option } from 'commander';
import pino, { type Logger } from 'pino';
import { ConfigError, ENV_VARIABLES, loadConfig, type EdgeConfig } from '../config/config.js';
import { EdgeAgent } from '../agent/agent.js';
import { AGENT_VERSION } from '../agent/host.js';
import { claimSpool } from '../spool/pid-lock.js';
import { brokerChecks, hidrawPermissionChecks, serialPermissionChecks, spoolCheck, candidatePorts, type Check } from './checks.js';
import { EXIT, EXIT_CODES_HELP, ExitError } from './exit-codes.js';
import { bar, formatBytes, mark, processIo, type Io } from './io.js';
import { spoolList, spoolPurge, spoolStatus } from './spool-commands.js';
import { defaultTools, type CliTools } from './tools.js';

interface GlobalOpts {
  config?: string;
  logLevel?: string;
}

export function buildProgram(io: Io = processIo(), tools: CliTools = defaultTools()): Command {
  const program = new Command('okno-edge');
  program
    .description('Okno edge agent: site daemon and technician tool for fax modems and USB headsets')
    .version(AGENT_VERSION)
    .option('-c, --config <file>', 'configuration file (JSON); default $OKNO_EDGE_CONFIG')
    .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
    .addHelpText('after', `\nEnvironment variables (override the file): ${ENV_VARIABLES.join(', ')}\n${EXIT_CODES_HELP}`)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')) });

  const config = (): EdgeConfig => {
    const g = program.opts<GlobalOpts>();
    const c = loadConfig(g.config ? { file: g.config } : {});
    return g.logLevel ? { ...c, logLevel: g.logLevel as EdgeConfig['logLevel'] } : c;
  };
  const logger = (c: EdgeConfig): Logger => pino({ level: c.logLevel, base: { site: c.site, agent: c.agent } }, pino.destination(2));

  program
    .command('run')
    .description('run the edge agent daemon (until SIGINT/SIGTERM)')
    .action(async () => {
      const c = config();
      const log = logger(c);
      const release = claimSpool(c.spool.dir);
      const agent = new EdgeAgent({ config: c, logger: log, devices: await tools.deviceManager(c, log), ...(program.opts<GlobalOpts>().config ? { configFile: program.opts<GlobalOpts>().config! } : {}) });
      await agent.start();
      await new Promise<void>((resolve) => {
        const stop = (sig: string) => {
          log.info({ signal: sig }, 'stopping');
          void agent.stop().finally(() => {
            release();
            resolve();
          });
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
    });

  program
    .command('devices')
    .description('list serial ports (with a modem probe) and HID headsets')
    .option('--no-probe', 'do not send AT commands to the serial ports')
    .option('--all-hid', 'list every HID device, not only telephony ones')
    .option('--json', 'machine-readable output')
    .action(async (o: { probe: boolean; allHid?: boolean; json?: boolean }) => {
      const c = config();
      const ports = await tools.serialPorts(c);
      const modems = [];
      for (const p of ports) {
        if (!o.probe) {
          modems.push({ port: p, probe: undefined });
          continue;
        }
        io.progress(`probing ${p} ...`);
        modems.push({ port: p, probe: await tools.probeModem(c, p) });
      }
      if (o.probe && ports.length) io.progress('');
      const headsets = await tools.headsets(!!o.allHid);
      if (o.json) {
        io.out(JSON.stringify({ modems, headsets }, null, 2));
        return;
      }
      io.out(`Serial ports (${ports.length}):`);
      for (const m of modems) io.out(`  ${m.port}${m.probe ? `  ${m.probe.ok ? '✔' : '✘'} ${m.probe.summary}` : ''}`);
      io.out(`Headsets (${headsets.length}):`);
      for (const h of headsets) io.out(`  ${h.path}  ${h.vendorId.toString(16).padStart(4, '0')}:${h.productId.toString(16).padStart(4, '0')}  ${h.product ?? ''}  ${h.summary}`);
    });

  program
    .command('doctor')
    .description('check the broker, credentials, spool, port permissions and modems; print the fix for each problem')
    .option('--no-modem', 'do not send AT commands to modems')
    .action(async (o: { modem: boolean }) => {
      const c = config();
      const checks: Check[] = [{ name: 'configuration valid', ok: true, detail: `site ${c.site}, agent ${c.agent}` }];
      checks.push(spoolCheck(c));
      const broker = await brokerChecks(c);
      checks.push(...broker, ...serialPermissionChecks(c), ...hidrawPermissionChecks(c));
      if (o.modem) {
        for (const p of candidatePorts(c)) {
          const r = await tools.probeModem(c, p);
          checks.push({ name: `modem on ${p} answers AT`, ok: r.ok, detail: r.summary, ...(r.ok ? {} : { fix: r.fix ?? 'check the cable and power; is another program (mgetty, hylafax) using the port?' }) });
        }
      }
      for (const ch of checks) {
        io.out(`${mark(ch.ok)} ${ch.name}${ch.detail ? ` — ${ch.detail}` : ''}`);
        if (ch.ok === false && ch.fix) io.out(`    fix: ${ch.fix}`);
      }
      const failed = checks.filter((ch) => ch.ok === false);
      io.out(failed.length ? `${failed.length} problem(s) found` : 'all checks passed');
      if (broker.some((b) => b.ok === false)) throw new ExitError(EXIT.BROKER, '');
      if (failed.length) throw new ExitError(EXIT.FAILED, '');
    });

  const fax = program.command('fax').description('send and test faxes');
  fax
    .command('send')
    .description('send a TIFF Class F document (progress per page)')
    .argument('<number>', 'number to dial')
    .argument('<file>', 'TIFF Class F file')
    .option('--port <path>', 'serial port of the modem (default: the first of fax.ports)')
    .action(async (number: string, file: string, o: { port?: string }) => {
      const c = config();
      const port = o.port ?? c.fax.ports?.[0];
      if (!port) throw new ExitError(EXIT.USAGE, 'no modem: give --port or set fax.ports');
      const r = await tools.sendFax(c, port, number, file, (p) => io.progress(`page ${p.page}${p.pages ? `/${p.pages}` : ''} ${p.pages ? bar(p.page, p.pages) : ''} ${p.status}`));
      io.progress('');
      io.out(`${mark(r.ok)} ${r.summary}`);
      if (!r.ok) throw new ExitError(EXIT.FAILED, '');
    });
  fax
    .command('test')
    .description('test fax: loopback against the built-in modem simulator, or probe a real modem with --port')
    .option('--port <path>', 'probe this modem instead of the simulator loopback')
    .action(async (o: { port?: string }) => {
      const c = config();
      const r = await tools.testFax(c, o.port, (line) => io.progress(line));
      io.progress('');
      for (const ch of r.checks) io.out(`${mark(ch.ok)} ${ch.name}${ch.detail ? ` — ${ch.detail}` : ''}`);
      if (!r.ok) throw new ExitError(EXIT.FAILED, '');
    });

  const headset = program.command('headset').description('USB HID headsets');
  headset
    .command('watch')
    .description('show headsets as they come and go, their controls, and live button events (Ctrl-C to stop)')
    .action(async () => {
      await tools.watchHeadsets((line) => io.out(line));
    });

  const spool = program.command('spool').description('look after the on-disk spool of undelivered messages and files');
  spool
    .command('status')
    .description('how much is waiting')
    .option('--json', 'machine-readable output')
    .action((o: { json?: boolean }) => spoolStatus(config().spool.dir, io, !!o.json));
  spool
    .command('list')
    .description('list waiting messages and files, oldest first')
    .option('-n, --limit <n>', 'show at most n messages', (v) => Number(v), 50)
    .action((o: { limit: number }) => spoolList(config().spool.dir, io, o.limit));
  spool
    .command('purge')
    .description('delete waiting messages (they will never reach the core); asks for confirmation')
    .option('-y, --yes', 'do not ask')
    .addOption(new Option('--class <class>', 'only this class').choices(['telemetry', 'state', 'critical', 'file']))
    .action((o: { yes?: boolean; class?: 'telemetry' | 'state' | 'critical' | 'file' }) => spoolPurge(config().spool.dir, io, { yes: !!o.yes, ...(o.class ? { cls: o.class } : {}) }));

  return program;
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[], io: Io = processIo(), tools?: CliTools): Promise<number> {
  const program = buildProgram(io, tools);
  for (const c of allCommands(program)) c.exitOverride().configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')) });
  try {
    await program.parseAsync(argv);
    return EXIT.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.OK;
      return EXIT.USAGE;
    }
    if (err instanceof ExitError) {
      if (err.message) io.err(err.message);
      return err.code;
    }
    if (err instanceof ConfigError) {
      io.err(err.message);
      return EXIT.USAGE;
    }
    io.err(`error: ${(err as Error).message}`);
    return EXIT.FAILED;
  }
}

function allCommands(c: Command): Command[] {
  return [c, ...c.commands.flatMap(allCommands)];
}

export { formatBytes };
