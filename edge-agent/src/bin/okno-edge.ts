#!/usr/bin/env node
/** okno-edge: the Okno edge agent daemon and technician CLI (see `okno-edge --help`). */
import { main } from '../cli/program.js';

const code = await main(process.argv);
// Device watchers and serial ports may keep the loop alive; the work is done.
process.exit(code);
