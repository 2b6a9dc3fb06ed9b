import t from 'tap';
import { reverseBits } from '../codec/bit-order.js';
import { FCF, T30_NOTATION, buildFrame, crc16, decodeId, encodeId, fcfName, fcsBytes, fcsValid, parseFrame, FrameError, type FcfName } from './frames.js';
import { buildDcs, buildDis, disFromParams, modulationByCode, modulationsFor, maxBrOf, minScanMs, parseDcs, parseDis, parseModulationList, tcfBytes, tcfGood } from './t30-params.js';
import { analyzeG3Page, encodeMh, padRows } from '../codec/g3.js';
import { makeTestPage } from '../codec/test-page.js';

t.test('FCF wire values are T.30 notation bit-reversed (efax keeps the notation, HylaFAX the wire form)', async (t) => {
  for (const [name, v] of Object.entries(FCF) as Array<[FcfName, number]>) t.equal(reverseBits(Buffer.from([T30_NOTATION[name]]))[0], v, name);
  t.equal(FCF.DIS, 0x80);
  t.equal(FCF.DCN, 0xfa);
  t.equal(fcfName(0x83), 'DCS', 'DCS with the X bit');
  t.equal(fcfName(0x2f), 'EOP', 'EOP with the X bit');
  t.equal(fcfName(0x81), 'DTC', 'DIS with X is DTC');
  t.equal(fcfName(0x77), null);
});

t.test('FCS-16: known check value, residue, and what the modem appends', async (t) => {
  t.equal(crc16(Buffer.from('123456789')) ^ 0xffff, 0x906e, 'CRC-16/X-25 check value');
  const f = buildFrame('MCF');
  t.same([...f], [0xff, 0x13, 0x8c]);
  const withFcs = Buffer.concat([f, fcsBytes(f)]);
  t.ok(fcsValid(withFcs));
  t.same(parseFrame(withFcs), { fcf: 0x8c, name: 'MCF', fif: Buffer.alloc(0), final: true });
  withFcs[2] = withFcs[2]! ^ 0x04;
  t.throws(() => parseFrame(withFcs), FrameError, 'a flipped bit fails the FCS');
});

t.test('frames: control field, X bit, FIF, and efax fixframe() repairs', async (t) => {
  const dcs = buildFrame('DCS', Buffer.from([0, 0x46, 0]), { final: false, x: true });
  t.same([...dcs], [0xff, 0x03, 0x83, 0x00, 0x46, 0x00]);
  const p = parseFrame(Buffer.concat([dcs, fcsBytes(dcs)]));
  t.match(p, { name: 'DCS', final: false, fcf: 0x83 });
  t.same([...p.fif], [0, 0x46, 0]);
  // bit-reversed modem: FF C8 … (efax reverses the whole frame)
  const good = buildFrame('CFR');
  const reversed = reverseBits(Buffer.concat([good, fcsBytes(good)]));
  t.match(parseFrame(reversed), { name: 'CFR', final: true });
  // leading 0xFF lost
  const lost = Buffer.concat([good, fcsBytes(good)]).subarray(1);
  t.match(parseFrame(lost), { name: 'CFR' });
  // no FCS (modem stripped it)
  t.match(parseFrame(good, { hasFcs: false }), { name: 'CFR' });
  t.throws(() => parseFrame(Buffer.from([0xff, 0x13])), FrameError, 'short');
  t.throws(() => parseFrame(Buffer.from([0x12, 0x13, 0x8c]), { hasFcs: false }), /address/);
  t.throws(() => parseFrame(Buffer.from([0xff, 0x55, 0x8c]), { hasFcs: false }), /control/);
  t.throws(() => parseFrame(Buffer.alloc(200, 0xff)), /too long/);
});

t.test('TSI/CSI: 20 characters, right-aligned, last character first', async (t) => {
  const fif = encodeId('+1 555 0100');
  t.equal(fif.length, 20);
  t.equal(fif.toString('latin1'), '0010 555 1+         ');
  t.equal(decodeId(fif), '+1 555 0100');
  t.equal(decodeId(encodeId('123456789012345678901234')), '56789012345678901234', 'the last 20 characters are kept');
});

t.test('DIS: bits of T.30 Table 2 as efax and spandsp set them', async (t) => {
  // efax mkdis for 1,5,0,2,0,0,0,0 as a receiver: byte 1 = bit10 + V.17 (11,12,14) + fine (15); byte 2 = unlimited (20) + 0 ms (21-23)
  const dis = buildDis({ receiver: true, maxBr: 5, fine: true, twoD: false, maxWd: 0, maxLn: 2, st: 0 });
  t.same([...dis], [0x00, 0x02 | 0x04 | 0x08 | 0x20 | 0x40, 0x08 | 0x10 | 0x20 | 0x40]);
  t.same(parseDis(dis), { receiver: true, transmitter: false, modems: { v27ter: true, v29: true, v17: true }, maxBr: 5, fine: true, twoD: false, maxWd: 0, maxLn: 2, st: 0, ecm: false });
  t.match(parseDis(buildDis({ receiver: true, maxBr: 3, fine: false, twoD: true, maxWd: 2, maxLn: 1, st: 5 })), { maxBr: 3, modems: { v29: true, v17: false }, twoD: true, maxWd: 2, maxLn: 1, st: 5 });
  t.match(parseDis(buildDis({ receiver: true, maxBr: 1, fine: false, twoD: false, maxWd: 1, maxLn: 0, st: 3 })), { maxBr: 1, modems: { v27ter: true, v29: false }, maxWd: 1, st: 3 });
  t.match(parseDis(Buffer.from([0, 0x02, 0])), { maxBr: 0, modems: { v27ter: true, v29: false, v17: false }, st: 5 }, 'all zero: V.27ter fall-back, 20 ms');
  t.match(parseDis(disFromParams({ vr: 1, br: 3, wd: 0, ln: 2, df: 0, ec: 0, bf: 0, st: 0 })), { maxBr: 3, fine: true });
  t.equal(minScanMs(4, false), 20);
  t.equal(minScanMs(4, true), 10, '20/10 ms halves at fine resolution');
});

t.test('DCS: every rate round-trips, with the modulation it names', async (t) => {
  for (const code of [24, 48, 72, 96, 73, 97, 121, 145]) {
    const m = modulationByCode(code)!;
    const fif = buildDcs({ vr: 1, wd: 0, ln: 2, df: 0, modulation: m, scanMs: 10 });
    const p = parseDcs(fif)!;
    t.equal(p.modulation.code, code, m.name);
    t.match(p, { vr: 1, wd: 0, ln: 2, df: 0, scanMs: 10, st: 3 });
  }
  // efax's DCS for 9600 V.29 (captodcs 8): bits 11 = 1, 12-14 = 0, plus bit 10
  t.same([...buildDcs({ vr: 0, wd: 0, ln: 0, df: 0, modulation: modulationByCode(96)!, scanMs: 20 })], [0x00, 0x02 | 0x04, 0x00]);
  t.equal(parseDcs(Buffer.from([0, 0x02 | 0x10, 0])), null, 'bits 11-14 = 0010 name no rate');
});

t.test('modulations: +FTM=? lists, choice per speed, TCF length and check', async (t) => {
  const all = parseModulationList('24,48,72,73,74,96,97,98,121,122,145,146');
  t.same(all, [24, 48, 72, 73, 74, 96, 97, 98, 121, 122, 145, 146]);
  t.same(parseModulationList('(3,24,48,72,96)'), [3, 24, 48, 72, 96]);
  t.same(parseModulationList('24-96'), [24, 48, 72, 73, 74, 96]);
  t.equal(maxBrOf(all), 5);
  t.equal(maxBrOf([24, 48, 72, 96]), 3);
  const v17 = { v27ter: true, v29: true, v17: true };
  t.match(modulationsFor(5, all, v17), { train: { code: 145 }, data: { code: 146 } }, 'V.17 data with short training');
  t.match(modulationsFor(3, all, v17), { train: { code: 96 }, data: { code: 96 } }, '9600 prefers V.29');
  t.match(modulationsFor(3, [24, 48, 97, 98], v17), { train: { code: 97 }, data: { code: 98 } }, 'V.17 9600 when the modem has no V.29');
  t.equal(modulationsFor(5, all, { v27ter: true, v29: true, v17: false }), null, 'the remote has no V.17');
  t.equal(modulationsFor(3, [24, 48], v17), null);
  t.equal(tcfBytes(modulationByCode(96)!), 1800);
  const m = modulationByCode(96)!;
  t.ok(tcfGood(Buffer.alloc(1800), m).good);
  const noisy = Buffer.alloc(1800);
  for (let i = 0; i < noisy.length; i += 500) noisy[i] = 0x55;
  t.notOk(tcfGood(noisy, m).good, 'no second of clean zeros');
  t.notOk(tcfGood(Buffer.alloc(900), m).good, 'too short');
});

t.test('padRows makes every row last the minimum scan time, and leaves RTC alone', async (t) => {
  const bm = makeTestPage({ height: 60 });
  const data = encodeMh(bm, { fillOrder: 2 });
  const padded = padRows(data, 2, 9600 * 0.02); // 20 ms at 9600 bit/s = 192 bits per row
  t.ok(padded.length > data.length);
  const a = analyzeG3Page(padded, 2, 1728);
  t.match(a, { rows: 60, badRows: 0, rtc: true }, 'still a valid page');
  t.ok(padded.length >= 60 * 24, 'at least 24 bytes per row');
  t.same(padRows(data, 2, 0), data, 'no minimum: unchanged');
});
