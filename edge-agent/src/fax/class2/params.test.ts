import t from 'tap';
import { parseFclassList, parseSessionParams, formatSessionParams, parseCapabilityRanges, parsePageStatus, parseQuotedId, pageAccepted } from './params.js';
import { hangupMeaning, hangupTable } from './hangup-codes.js';

t.test('AT+FCLASS=? in its various shapes', async (t) => {
  const a = parseFclassList('0,1,2,2.0');
  t.same([a.data, a.class1, a.class2, a.class20, a.class21, a.class10], [true, true, true, true, false, false]);
  const b = parseFclassList('(0,1,1.0,2,2.0,2.1,8)');
  t.same([b.class10, b.class21, b.voice, b.class2], [true, true, true, true]);
  const c = parseFclassList('(0-2,2.0)');
  t.same(c.tokens, ['0', '1', '2', '2.0']);
  const d = parseFclassList('0,1,2.0');
  t.notOk(d.class2, '"2.0" does not imply class 2');
  t.ok(d.class20);
  const e = parseFclassList('1,2.0,8');
  t.same([e.class1, e.class20, e.class2, e.voice], [true, true, false, true]);
  const f = parseFclassList('CLASS 2.0 1');
  t.same([f.class20, f.class2, f.class1], [true, false, true], 'substring fallback takes the longest token first');
});

t.test('session parameters: hex in 2.0, decimal in 2', async (t) => {
  t.same(parseSessionParams('+FCS:1,3,0,2,0,0,0,0', '2.0'), { vr: 1, br: 3, wd: 0, ln: 2, df: 0, ec: 0, bf: 0, st: 0 });
  t.equal(parseSessionParams('+FCS:1,D,0,2,0,0,0,0', '2.0').br, 13, 'V.34 BR code in hex');
  t.equal(parseSessionParams('+FDCS:0,5,0,2,0,0,0,0,1', '2').jp, 1);
  t.throws(() => parseSessionParams('+FDCS:1,2', '2'));
  t.equal(formatSessionParams({ vr: 1, br: 13, wd: 0, ln: 2, df: 0, ec: 0, bf: 0, st: 0 }, '2.0'), '1,D,0,2,0,0,0,0');
  t.same(parseCapabilityRanges('(0,1),(0-5),(0-2),(0-2),(0-1),(0),(0),(0-7)'), [[0, 1], [0, 1, 2, 3, 4, 5], [0, 1, 2], [0, 1, 2], [0, 1], [0], [0], [0, 1, 2, 3, 4, 5, 6, 7]]);
});

t.test('page status: +FPS counts are hex, +FPTS decimal', async (t) => {
  t.same(parsePageStatus('+FPS:1,07D0,0000,0000,0000', '2.0'), { ppr: 1, lc: 2000, blc: 0, cblc: 0, lbc: 0 });
  t.same(parsePageStatus('+FPTS:1,2287,0,0', '2'), { ppr: 1, lc: 2287, blc: 0, cblc: 0 });
  t.same(parsePageStatus('+FPTS:2', '2'), { ppr: 2 });
  t.ok(pageAccepted(1) && pageAccepted(3) && pageAccepted(5));
  t.notOk(pageAccepted(2) || pageAccepted(4));
  t.equal(parseQuotedId('+FTI:"   CALLER SIM 2.0  "'), 'CALLER SIM 2.0');
});

t.test('hangup codes: +FHS hex, +FHNG decimal, meanings from the full table', async (t) => {
  t.same(hangupMeaning('00', '2.0'), { code: '0', value: 0, faxClass: '2.0', meaning: 'Normal and proper end of connection', category: 'normal', normal: true, retryable: false });
  t.equal(hangupMeaning('', '2').normal, true);
  t.equal(hangupMeaning('A0', '2.0').meaning, 'Unspecified receive Phase D error');
  t.equal(hangupMeaning('A0', '2.0').value, 160);
  t.equal(hangupMeaning('100', '2').meaning, 'Unspecified receive Phase D error');
  t.equal(hangupMeaning('92', '2.0').meaning, 'Bad CRC or frame (ECM/BFT)');
  t.equal(hangupMeaning('94', '2').meaning, 'Bad CRC or frame (ECM/BFT)');
  t.equal(hangupMeaning('94', '2.0').category, 'unknown', '94 is not a Class 2.0 code');
  t.equal(hangupMeaning(0x11, '2.0').meaning, 'No answer (T.30 T1 timeout)', 'numeric 2.0 codes are hex values');
  t.equal(hangupMeaning('011', '2').meaning, 'No answer (T.30 T1 timeout)');
  t.equal(hangupMeaning('11', '2').category, 'no-fax');
  t.equal(hangupMeaning('4', '2').category, 'no-answer');
  t.equal(hangupMeaning('e0', '2.0').category, 'vendor');
  t.equal(hangupMeaning('46', '2').retryable, false, 'image errors are not worth retrying');
  t.equal(hangupMeaning('zz', '2').meaning, 'Unknown hangup code ZZ');
  t.ok(Number.isNaN(hangupMeaning('zz', '2').value));
  t.equal(hangupTable('2').length, 47 + 9, 'the 47 common codes plus vendor codes');
  t.equal(hangupTable('2.0').length, 47 + 1, 'the 47 common codes plus E0');
});
