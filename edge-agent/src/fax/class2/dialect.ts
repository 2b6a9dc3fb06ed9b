/**
 * Command and response names that differ between Class 2 (SP-2388-A) and Class 2.0 (T.32 /
 * EIA-592); reference 1.3.
 */
import type { FaxClass2 } from './hangup-codes.js';

export interface Class2Dialect {
  faxClass: FaxClass2;
  /** Value for AT+FCLASS= */
  fclass: '2' | '2.0';
  manufacturer: string;
  model: string;
  revision: string;
  capabilities: string; // +FCC / +FDCC
  session: string; // +FIS / +FDIS
  localId: string; // +FLI / +FLID
  bitOrder: string; // +FBO / +FBOR
  pageStatus: string; // +FPS / +FPTS
  abort: string; // +FKS / +FK
  hangup: string; // +FHS / +FHNG
  connectReport: string; // +FCO / +FCON
  remoteCsi: string; // +FCI / +FCSI
  remoteTsi: string; // +FTI / +FTSI
  remoteDis: string; // +FIS / +FDIS (as a response)
  negotiated: string; // +FCS / +FDCS
  /** Radix of +FHS/+FHNG codes and +FPS/+FPTS line counts. */
  radix: 16 | 10;
  /** DCE sends XON after CONNECT to +FDT; the DTE waits for it (SP-2388-A only). */
  waitXonAfterConnect: boolean;
  /** Page end is DLE ETX then AT+FET=n (Class 2) rather than DLE ,;. (Class 2.0). */
  fetAfterPage: boolean;
}

export const CLASS2: Class2Dialect = {
  faxClass: '2',
  fclass: '2',
  manufacturer: '+FMFR',
  model: '+FMDL',
  revision: '+FREV',
  capabilities: '+FDCC',
  session: '+FDIS',
  localId: '+FLID',
  bitOrder: '+FBOR',
  pageStatus: '+FPTS',
  abort: '+FK',
  hangup: '+FHNG',
  connectReport: '+FCON',
  remoteCsi: '+FCSI',
  remoteTsi: '+FTSI',
  remoteDis: '+FDIS',
  negotiated: '+FDCS',
  radix: 10,
  waitXonAfterConnect: true,
  fetAfterPage: true,
};

export const CLASS20: Class2Dialect = {
  faxClass: '2.0',
  fclass: '2.0',
  manufacturer: '+FMI',
  model: '+FMM',
  revision: '+FMR',
  capabilities: '+FCC',
  session: '+FIS',
  localId: '+FLI',
  bitOrder: '+FBO',
  pageStatus: '+FPS',
  abort: '+FKS',
  hangup: '+FHS',
  connectReport: '+FCO',
  remoteCsi: '+FCI',
  remoteTsi: '+FTI',
  remoteDis: '+FIS',
  negotiated: '+FCS',
  radix: 16,
  waitXonAfterConnect: false,
  fetAfterPage: false,
};

export function dialectFor(faxClass: FaxClass2): Class2Dialect {
  return faxClass === '2.0' ? CLASS20 : CLASS2;
}
