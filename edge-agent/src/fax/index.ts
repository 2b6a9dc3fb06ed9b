/**
 * Fax modems for the edge agent: Class 2.0, Class 2 and Class 1 over serialport v13.
 *
 * What the agent daemon uses
 * --------------------------
 *   const ports = await listSerialPorts();                 // udev, or the /dev glob where udevadm is missing
 *   const link = await openSerialLink({ path, baudRate: 19200, rtscts: false });   // raw 8N1, no xon/xoff, UUCP lock
 *   const modem = new FaxModem(link, { localId: '+7 495 000 0000', answerAfterRings: 2 }, { logger });
 *   const info: ModemInfo = await modem.open();           // probe (inventory) + init; throws if no fax class (2.0 > 2 > 1)
 *
 *   modem.on('fax', (f: ReceivedFax) => …)                 // f.tiff (multi-page TIFF-F Buffer), f.pages, f.remoteId,
 *                                                          // f.startedAt, f.durationMs, f.hangup, f.rejectedPages
 *   modem.on('receiveFailed', ({ reason, message, hangup }) => …)
 *   modem.on('state', (s: ModemState) => …)                // idle / ringing / sending / receiving / recovering / failed / closed
 *   modem.on('ring', (n) => …);  modem.on('gone', (err) => …)   // gone: the port closed under us (unplugged)
 *
 *   const queue = new FaxJobQueue(modem, { retry: { maxAttempts: 3, baseDelayMs: 60_000 } });
 *   const { id, done } = queue.submit({ number, pages: readTiffF(tiffBuffer),
 *                                       onPage: (p) => …,            // per page: page, pages, attempt, ppr, accepted, bitRate
 *                                       onAttempt: (a) => … });      // per call, with nextTryInMs when it will retry
 *   const { result } = await done;    // SendResult: ok, pages, remoteId, hangup {code, meaning, …}, durationMs
 *                                     // or ok:false with reason (busy, no-answer, hangup, rtn, timeout, modem-gone, …),
 *                                     // message, retryable, hangup (code + meaning), pagesSent
 *   modem.stats                        // LineStats: calls in/out, pages, failures by reason or hangup code, last error
 *   await modem.close();               // waits for a running call, then closes the port (and its UUCP lock)
 *
 * Also: `probeModem(channel)` alone, `hangupMeaning(code, '2' | '2.0')`, `writeTiffF` / `readTiffF`,
 * `makeTestPage` + `encodeMh` for a test fax, and `ModemSimulator` + `openPtyPair` for a modem that
 * does not exist (tests, `okno-edge fax test` without hardware).
 *
 * Facts followed: /work/shared/reference/edge-hardware.md section 1 and its transcripts (copied to
 * simulator/transcripts/). Received pages are stored with the bit order they came in (FillOrder 2 for
 * Class 2.0 with +FBO=0; FillOrder 1 for Rockwell Class 2 unless configured); rows are counted from
 * the data (EOLs minus RTC), not taken from the modem.
 *
 * Class 1 (T.31): class1/ runs T.30 on the host (frames.ts: HDLC frames and FCS; t30-params.ts:
 * DIS/DCS and modulations; line.ts: +FTH/+FRH/+FTM/+FRM/+FTS; send-session.ts and
 * receive-session.ts: the T.30 transmitter and receiver with T1/T2/T4), reporting results in the
 * Class 2 shapes (hangup codes in the decimal numbering, faxClass '1'). The simulator has a Class 1
 * mode with a T.30 remote fax; efax -o1 sends and receives through it.
 *
 * Limits per call (call-limits.ts, FaxModemConfig.limits): bytes per received page, TCF length,
 * pages per call, the call's deadline and refusals in a row; a call a limit ends fails with
 * FaxCallError('protocol') naming it (`limit`), and a receive keeps the pages it had accepted.
 *
 * NOT DONE: Class 1.0 / 2.1 (V.34), ECM, MMR/JBIG, polling, resolution/coding conversion for the
 * remote.
 */
export { openSerialLink, PortClosedError, type SerialLink, type SerialLinkOptions, type SerialLinkEvents, type SerialSignals } from './serial/serial-link.js';
export { listSerialPorts, type SerialPortCandidate, type ListSerialPortsOptions } from './serial/port-discovery.js';
export { acquireUucpLock, uucpLockName, PortLockedError, type UucpLock, type UucpLockMode } from './serial/uucp-lock.js';
export { AtChannel, AtTimeoutError, ModemGoneError, RingCollisionError, type AtResponse, type CommandOptions, type DataSink } from './at/at-channel.js';
export { probeModem, type ModemInfo, type ClassIdentity, type Class1Identity } from './class2/probe.js';
export { hangupMeaning, hangupTable, type HangupInfo, type HangupCategory, type FaxClass, type FaxClass2 } from './class2/hangup-codes.js';
export { parseFclassList, parseSessionParams, parsePageStatus, bitRate, type FaxClasses, type SessionParams, type PageStatus } from './class2/params.js';
export { FaxCallError, type FailureReason, type PartialReceive } from './class2/call-error.js';
export { DEFAULT_TIMEOUTS, type FaxTimeouts } from './class2/session-context.js';
export { DEFAULT_LIMITS, resolveLimits, type FaxLimits, type LimitName } from './call-limits.js';
export type { PageProgress } from './class2/send-session.js';
export type { ReceivedPageInfo } from './class2/receive-session.js';
export { FaxModem, type FaxModemConfig, type FaxModemEvents, type ModemState, type ReceivedFax, type SendRequest, type SendResult } from './modem/fax-modem.js';
export { FaxJobQueue, backoffDelay, DEFAULT_RETRY, type FaxJob, type JobResult, type RetryPolicy } from './modem/job-queue.js';
export { emptyLineStats, type LineStats } from './modem/line-stats.js';
export { writeTiffF, readTiffF, pageForWire, type FaxPage, type TiffFaxPage, type FaxYResolution } from './tiff/tiff-f.js';
export { encodeMh, analyzeG3Page, ensureRtc, blankBitmap, setPixel, getPixel, type Bitmap, type PageAnalysis } from './codec/g3.js';
export { makeTestPage, drawText } from './codec/test-page.js';
export { reverseBits, type FillOrder } from './codec/bit-order.js';
export { ModemSimulator, type ModemSimulatorOptions, type SimulatedPage, type IncomingCall, type IncomingCallResult, type DialOutcome } from './simulator/modem-simulator.js';
export { openPtyPair, type PtyPair } from './simulator/pty-pair.js';
export { silentLogger, systemClock, type FaxLogger, type Clock } from './logger.js';
