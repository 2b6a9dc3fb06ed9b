/** A ModemSimulator on one end of a socat PTY pair, for tests of real clients and of our driver. */
import UTIF from 'utif';
import { openPtyPair, type PtyPair } from '../simulator/pty-pair.js';
import { openSerialLink, type SerialLink } from '../serial/serial-link.js';
import { ModemSimulator, type ModemSimulatorOptions, type SimulatedPage } from '../simulator/modem-simulator.js';
import { FaxModem, type FaxModemConfig } from '../modem/fax-modem.js';
import { bitmapRowBytes, encodeMh, type Bitmap } from '../codec/g3.js';
import { writeTiffF, type FaxPage } from '../tiff/tiff-f.js';
import type { FillOrder } from '../codec/bit-order.js';
import { makeTestPage } from '../codec/test-page.js';

export interface SimFixture {
  pair: PtyPair;
  link: SerialLink;
  sim: ModemSimulator;
  close(): Promise<void>;
}

export async function simulatorOnPty(opts: ModemSimulatorOptions = {}): Promise<SimFixture> {
  const pair = await openPtyPair();
  const link = await openSerialLink({ path: pair.modemPath, uucpLock: 'off', livenessIntervalMs: 0 });
  const sim = new ModemSimulator(link, opts);
  return {
    pair,
    link,
    sim,
    close: async () => {
      sim.shutdown();
      await link.close();
      await pair.close();
    },
  };
}

/** Decodes T.4 MH data with utif; returns packed rows (1 = black) and the row count. */
export function decodePage(data: Buffer, fillOrder: FillOrder, width: number, rows: number): Bitmap {
  const tif = writeTiffF([{ data, fillOrder, width, rows, yResolution: 98, twoD: false }]);
  const ifds = UTIF.decode(tif);
  UTIF.decodeImage(tif, ifds[0]!);
  return { width, height: rows, data: ifds[0]!.data! };
}

/** Share of `orig`'s rows found unchanged in `got`, at the best vertical offset (±40 rows). */
export function rowMatch(orig: Bitmap, got: Bitmap): number {
  const rb = bitmapRowBytes(orig.width);
  const row = (b: Bitmap, y: number) => Buffer.from(b.data.subarray(y * rb, (y + 1) * rb));
  let best = 0;
  for (let off = -40; off <= 40; off++) {
    let same = 0;
    for (let y = 0; y < orig.height; y++) {
      const gy = y + off;
      if (gy >= 0 && gy < got.height && row(orig, y).equals(row(got, gy))) same++;
    }
    best = Math.max(best, same);
  }
  return best / orig.height;
}

/** A test page as a FaxPage (FillOrder as asked), plus its bitmap. */
export function testFaxPage(pageNo: number, opts: { fillOrder?: FillOrder; yResolution?: 98 | 196; height?: number } = {}): { page: FaxPage; bitmap: Bitmap } {
  const yResolution = opts.yResolution ?? 98;
  const height = opts.height ?? (yResolution === 196 ? 2287 : 1143);
  const bitmap = makeTestPage({ height, pageNo });
  const fillOrder = opts.fillOrder ?? 2;
  return { bitmap, page: { data: encodeMh(bitmap, { fillOrder }), fillOrder, width: 1728, rows: height, yResolution, twoD: false, eolAligned: true } };
}

/** PBM (P4) of a bitmap, as pbm2g3 reads. */
export function toPbm(bm: Bitmap): Buffer {
  return Buffer.concat([Buffer.from(`P4\n${bm.width} ${bm.height}\n`), Buffer.from(bm.data)]);
}

export interface DriverFixture {
  fx: SimFixture;
  modem: FaxModem;
  /** Pages the simulated remote received. */
  pages: SimulatedPage[];
}

/** Our FaxModem on one end of a PTY pair, the simulator on the other; closed at the test's end. */
export async function driverOnSimulator(
  t: { teardown(fn: () => Promise<void>): void },
  sim: ModemSimulatorOptions,
  cfg: FaxModemConfig,
): Promise<DriverFixture> {
  const fx = await simulatorOnPty(sim);
  const link = await openSerialLink({ path: fx.pair.dtePath, uucpLock: 'off', livenessIntervalMs: 100 });
  const modem = new FaxModem(link, { localId: '+7 495 000 00 00', commandDelayMs: 0, ...cfg });
  const pages: SimulatedPage[] = [];
  fx.sim.on('page', (p) => pages.push(p));
  t.teardown(async () => {
    await modem.close(true).catch(() => undefined);
    await fx.close();
  });
  return { fx, modem, pages };
}
