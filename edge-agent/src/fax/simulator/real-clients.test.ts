/**
 * The simulator is faithful: Debian's efax and mgetty-fax's sendfax, real Class 2 / 2.0 fax
 * programs, send and receive through it on a socat PTY pair; the pages survive intact and the
 * DTE/DCE exchange is the one in the reference transcripts. In Class 1 efax runs T.30 itself
 * against the simulator's T.31 modem and its remote fax (mgetty's sendfax has no Class 1: its -C
 * takes only cls2 and c2.0, so efax -o1 is the one real Class 1 client here).
 */
import t, { type Test } from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { needsTools } from '@okno/testkit';
import { runTool, type ToolRun } from '../test-support/spawn.js';
import { simulatorOnPty, decodePage, rowMatch, testFaxPage, toPbm } from '../test-support/sim-fixture.js';
import { normalizeTranscript, referenceTranscript } from '../test-support/transcript.js';
import { writeTiffF, readTiffF, pageForWire } from '../tiff/tiff-f.js';
import { analyzeG3Page } from '../codec/g3.js';
import type { SimulatedPage } from './modem-simulator.js';

function exitedOk(t: Test, r: ToolRun, what: string): void {
  if (r.code !== 0) t.comment(`${what} output:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-3000)}`);
  t.equal(r.code, 0, `${what} exits 0`);
}

// Over a PTY a DTE's whole page is in flight before an XOFF acts (no baud rate), hence the big buffer.
const SIM = { speedFactor: 20, bufferBytes: 1 << 20, remoteId: 'REMOTE SIM 2.0' };

/** efax (`opt`: -o0, -o2, -o1) sends one fine-resolution test page to a simulator with `sim` options; the pages it took, efax's run, the bitmap sent. */
async function efaxSendsFinePage(t: Test, sim: Parameters<typeof simulatorOnPty>[0], opt: string) {
  const fx = await simulatorOnPty(sim);
  t.teardown(fx.close);
  const { page, bitmap } = testFaxPage(1, { yResolution: 196, fillOrder: 1 });
  const file = join(fx.pair.dir, 'page.tif');
  writeFileSync(file, writeTiffF([page]));
  const pages: SimulatedPage[] = [];
  fx.sim.on('page', (p) => pages.push(p));
  const r = await runTool('efax', ['-v', 'ewinchamr', '-d', fx.pair.dtePath, opt, '-l', '+1 555 0100', '-t', '5551234', file], { timeoutMs: 60_000 });
  exitedOk(t, r, 'efax');
  return { fx, r, pages, bitmap };
}

for (const [opt, cls, ref] of [['-o0', '2.0', 'transcript_efax_send_class20.log'], ['-o2', '2', 'transcript_efax_send_class2.log']] as const) {
  t.test(`efax ${opt} sends a fine-resolution page through the simulator (Class ${cls})`, { skip: needsTools('socat', 'efax') }, async (t) => {
    const { fx, pages, bitmap } = await efaxSendsFinePage(t, SIM, opt);
    t.equal(pages.length, 1);
    const got = pages[0]!;
    t.equal(got.response, 'MCF');
    t.equal(got.badRows, 0, 'no bad rows');
    t.equal(got.params.vr, 1, 'fine resolution negotiated');
    const decoded = decodePage(got.data, 2, 1728, got.rows);
    t.ok(rowMatch(bitmap, decoded) > 0.95, 'the page decodes (LSB first) to the bitmap efax was given');
    t.same(normalizeTranscript(fx.sim.transcript), referenceTranscript(ref), 'same exchange as the reference transcript');
  });
}

t.test('efax -o0 sends two pages (MPS then EOP), honouring XOFF', { skip: needsTools('socat', 'efax') }, async (t) => {
  const fx = await simulatorOnPty({ ...SIM, xoffAtBytes: 2048 });
  t.teardown(fx.close);
  const a = testFaxPage(1, { fillOrder: 1 });
  const b = testFaxPage(2, { fillOrder: 2 });
  const file = join(fx.pair.dir, 'two.tif');
  writeFileSync(file, writeTiffF([a.page, b.page]));
  const pages: SimulatedPage[] = [];
  fx.sim.on('page', (p) => pages.push(p));
  const r = await runTool('efax', ['-d', fx.pair.dtePath, '-o0', '-t', '5551234', file], { timeoutMs: 60_000 });
  exitedOk(t, r, 'efax');
  t.same(pages.map((p) => [p.page, p.ppm, p.response, p.badRows]), [[1, 'MPS', 'MCF', 0], [2, 'EOP', 'MCF', 0]]);
  t.ok(rowMatch(a.bitmap, decodePage(pages[0]!.data, 2, 1728, pages[0]!.rows)) > 0.95);
  t.ok(rowMatch(b.bitmap, decodePage(pages[1]!.data, 2, 1728, pages[1]!.rows)) > 0.95);
  t.ok(fx.sim.transcript.some((l) => l === 'DCE> flow XOFF'), 'the simulator throttled efax with XOFF');
});

for (const [cls, ref] of [['c2.0', 'transcript_sendfax_class20.log'], ['cls2', 'transcript_sendfax_class2.log']] as const) {
  t.test(`sendfax -C ${cls} sends a pbm2g3 page through the simulator`, { skip: needsTools('socat', 'sendfax', 'pbm2g3') }, async (t) => {
    const fx = await simulatorOnPty({ ...SIM, remoteId: cls === 'c2.0' ? 'REMOTE SIM 2.0' : 'REMOTE SIM 2' });
    t.teardown(fx.close);
    const { bitmap } = testFaxPage(1, { yResolution: 196 });
    const g3 = join(fx.pair.dir, 'page.g3');
    writeFileSync(join(fx.pair.dir, 'page.pbm'), toPbm(bitmap));
    writeFileSync(g3, execFileSync('pbm2g3', [join(fx.pair.dir, 'page.pbm')]));
    const pages: SimulatedPage[] = [];
    fx.sim.on('page', (p) => pages.push(p));
    const r = await runTool('sendfax', ['-v', '-x', '5', '-C', cls, '-l', fx.pair.dteDevice.replace(/^\/dev\//, ''), '5551234', g3], { timeoutMs: 60_000 });
    exitedOk(t, r, 'sendfax');
    t.equal(pages.length, 1);
    t.equal(pages[0]!.badRows, 0);
    t.equal(pages[0]!.rows, 2287);
    t.ok(rowMatch(bitmap, decodePage(pages[0]!.data, 2, 1728, pages[0]!.rows)) === 1, 'sendfax bit-reversed the MSB-first .g3 onto the wire, pixel for pixel');
    t.same(normalizeTranscript(fx.sim.transcript), referenceTranscript(ref), 'same exchange as the reference transcript');
  });
}

for (const [opt, cls, ref] of [['-o0', '2.0', 'transcript_efax_receive_class20_padded.log'], ['-o2', '2', 'transcript_efax_receive_class2_msbfirst.log']] as const) {
  t.test(`efax ${opt} receives a page the simulator's caller sends (Class ${cls})`, { skip: needsTools('socat', 'efax') }, async (t) => {
    const fx = await simulatorOnPty(SIM);
    t.teardown(fx.close);
    const { page, bitmap } = testFaxPage(1, { yResolution: 196 });
    const call = fx.sim.placeCall({ pages: [page], callerId: `CALLER SIM ${cls}`, silent: true });
    const prefix = join(fx.pair.dir, 'in');
    const r = await runTool('efax', ['-v', 'ewinchamr', '-d', fx.pair.dtePath, opt, '-r', prefix], { timeoutMs: 60_000 });
    exitedOk(t, r, 'efax');
    t.same(await call, { answered: true, accepted: [1], rejected: [], end: 'completed' });
    t.match(r.stderr, /received 2287 lines, 0 errors/);
    const [got] = readTiffF(readFileSync(`${prefix}.001`));
    t.ok(got);
    const a = analyzeG3Page(pageForWire(got!), 2, got!.width);
    t.equal(a.badRows, 0);
    t.ok(rowMatch(bitmap, decodePage(pageForWire(got!), 2, got!.width, a.rows)) === 1, 'efax stored exactly the page sent');
    t.same(normalizeTranscript(fx.sim.transcript), referenceTranscript(ref), 'same exchange as the reference transcript');
  });
}

t.test('efax reports "reception errors" and rejects the page without fill bytes before DLE ETX (tricky point 3)', { skip: needsTools('socat', 'efax') }, async (t) => {
  const fx = await simulatorOnPty({ ...SIM, rxPadBytes: 0 });
  t.teardown(fx.close);
  const { page } = testFaxPage(1, { yResolution: 196 });
  const call = fx.sim.placeCall({ pages: [page], callerId: 'CALLER SIM 2.0', silent: true, resendRejected: 0 });
  const r = await runTool('efax', ['-v', 'ewinchamr', '-d', fx.pair.dtePath, '-o0', '-r', join(fx.pair.dir, 'in')], { timeoutMs: 60_000 });
  exitedOk(t, r, 'efax');
  t.same((await call).rejected, [1], 'efax sent AT+FPS=2');
  t.same(normalizeTranscript(fx.sim.transcript), referenceTranscript('transcript_efax_receive_class20_unpadded.log'));
});

t.test('fax2tiff decodes what efax sent, LSB first, and not MSB first', { skip: needsTools('socat', 'efax', 'fax2tiff') }, async (t) => {
  const fx = await simulatorOnPty(SIM);
  t.teardown(fx.close);
  const { page } = testFaxPage(1, { yResolution: 196 });
  const file = join(fx.pair.dir, 'page.tif');
  writeFileSync(file, writeTiffF([page]));
  let got: SimulatedPage | undefined;
  fx.sim.on('page', (p) => (got = p));
  const r = await runTool('efax', ['-d', fx.pair.dtePath, '-o0', '-t', '5551234', file], { timeoutMs: 60_000 });
  exitedOk(t, r, 'efax');
  writeFileSync(join(fx.pair.dir, 'page.raw'), got!.data);
  const lsb = await runTool('fax2tiff', ['-L', '-o', join(fx.pair.dir, 'l.tif'), join(fx.pair.dir, 'page.raw')]);
  t.notMatch(lsb.stderr, /bad|error/i, 'fax2tiff -L: clean');
  const msb = await runTool('fax2tiff', ['-M', '-o', join(fx.pair.dir, 'm.tif'), join(fx.pair.dir, 'page.raw')]);
  t.match(msb.stderr, /bad|error/i, 'fax2tiff -M: errors');
});

// ------------------------------------------------------------------------------------------ Class 1

const C1 = { ...SIM, classes: '0,1', remoteId: 'REMOTE SIM 1' };
const commands = (transcript: string[]) => transcript.filter((l) => l.startsWith("DTE> 'AT")).map((l) => l.slice(6, -1));

t.test('efax -o1 sends a fine-resolution page through the simulator in Class 1 (T.30 on the host)', { skip: needsTools('socat', 'efax') }, async (t) => {
  const { fx, r, pages, bitmap } = await efaxSendsFinePage(t, { ...C1, lineBr: 5 }, '-o1');
  t.match(r.stderr, /remote ID -> +REMOTE SIM 1/, 'efax read our CSI');
  t.equal(pages.length, 1);
  const got = pages[0]!;
  t.match(got, { response: 'MCF', badRows: 0, faxClass: '1', ppm: 'EOP', params: { vr: 1, br: 5 } });
  t.ok(rowMatch(bitmap, decodePage(got.data, 2, 1728, got.rows)) > 0.95, 'the page decodes (LSB first) to the bitmap efax was given');
  t.same(commands(fx.sim.transcript), [
    'ATQ0V1', 'ATE0', 'ATI3', 'AT+FCLASS=1', 'AT+FTM=?', 'ATD5551234',
    'AT+FRH=3', // DIS after the CSI that came with CONNECT
    'AT+FTH=3', // TSI, DCS
    'AT+FTM=145', // TCF
    'AT+FRS=1', 'AT+FRH=3', // CFR
    'AT+FTM=146', // the page, V.17 short train
    'AT+FTH=3', 'AT+FRH=3', // EOP, MCF
    'AT+FTH=3', // DCN
    'ATH', 'ATQ0V1', 'ATH',
  ]);
  t.ok(fx.sim.transcript.includes('DTE> frame EOP') && fx.sim.transcript.includes('DTE> frame DCN'));
});

t.test('efax -o1 falls back on FTT until the line trains (and shows its DCS quirk at V.17 9600/7200)', { skip: needsTools('socat', 'efax') }, async (t) => {
  const fx = await simulatorOnPty({ ...C1, lineBr: 3 });
  t.teardown(fx.close);
  const { page } = testFaxPage(1, { fillOrder: 1 });
  const file = join(fx.pair.dir, 'page.tif');
  writeFileSync(file, writeTiffF([page]));
  const pages: SimulatedPage[] = [];
  fx.sim.on('page', (p) => pages.push(p));
  const r = await runTool('efax', ['-d', fx.pair.dtePath, '-o1', '-t', '5551234', file], { timeoutMs: 90_000 });
  exitedOk(t, r, 'efax');
  t.match(pages, [{ response: 'MCF', badRows: 0, params: { br: 3 } }]);
  // efax's fallback table goes 14400, 12000, V.17 9600, V.17 7200, V.29 9600; its captodcs table has no
  // entries for the V.17 9600/7200 codes, so those DCS frames name 2400 and a faithful receiver says FTT.
  t.same(commands(fx.sim.transcript).filter((c) => /^AT\+FTM=\d/.test(c)), ['AT+FTM=145', 'AT+FTM=121', 'AT+FTM=97', 'AT+FTM=73', 'AT+FTM=96', 'AT+FTM=96']);
  t.equal(fx.sim.transcript.filter((l) => l.startsWith('remote: TCF') && l.endsWith('FTT')).length, 4);
  t.ok(fx.sim.transcript.some((l) => /TCF .* at V\.17 9600 .* for DCS V\.27ter 2400 .*: FTT/.test(l)), 'the DCS/TCF mismatch is caught');
});

t.test('efax -o1 receives a page the simulator\'s Class 1 caller sends', { skip: needsTools('socat', 'efax') }, async (t) => {
  const fx = await simulatorOnPty({ ...C1, lineBr: 5 });
  t.teardown(fx.close);
  const { page, bitmap } = testFaxPage(1, { yResolution: 196 });
  const call = fx.sim.placeCall({ pages: [page], callerId: 'CALLER SIM 1', silent: true });
  const prefix = join(fx.pair.dir, 'in');
  const r = await runTool('efax', ['-v', 'ewinchamr', '-d', fx.pair.dtePath, '-o1', '-r', prefix], { timeoutMs: 60_000 });
  exitedOk(t, r, 'efax');
  t.same(await call, { answered: true, accepted: [1], rejected: [], end: 'completed' });
  t.match(r.stderr, /remote ID -> +CALLER SIM 1/);
  t.match(r.stderr, /received TCF - channel check \(OK/);
  t.match(r.stderr, /received 2287 lines, 0 errors/);
  const [got] = readTiffF(readFileSync(`${prefix}.001`));
  t.ok(got);
  const a = analyzeG3Page(pageForWire(got!), 2, got!.width);
  t.equal(a.badRows, 0);
  t.equal(got!.yResolution, 196);
  t.ok(rowMatch(bitmap, decodePage(pageForWire(got!), 2, got!.width, a.rows)) === 1, 'efax stored exactly the page sent');
  t.same(commands(fx.sim.transcript), [
    'ATQ0V1', 'ATE0', 'ATI3', 'AT+FCLASS=1', 'AT+FRM=?', 'ATA', // CSI, DIS go out after CONNECT
    'AT+FRH=3', 'AT+FRH=3', // TSI, DCS
    'AT+FTS=1', 'AT+FRM=145', // TCF
    'AT+FTH=3', // CFR
    'AT+FRM=146', // page
    'AT+FRH=3', 'AT+FTH=3', // EOP, MCF
    'AT+FRH=3', // DCN
    'ATH', 'ATQ0V1', 'ATH',
  ]);
});
