/**
 * Settable fax parameters of the simulated modem, per class: their test (`=?`) answer and default.
 * Names and values from reference 1.3 (HylaFAX config/class2, config/class2.0, libhylafax/class2.h).
 */
export interface ParamSpec {
  test: string;
  initial: string;
  /** Accepts a value (default: any non-empty value). */
  valid?: (v: string) => boolean;
}

const num = (max: number) => (v: string) => /^\d+$/.test(v) && Number(v) <= max;
const quoted = (v: string) => /^".{0,20}"$/.test(v);
const sessionCaps = '(0,1),(0-5),(0-2),(0-2),(0-1),(0),(0),(0-7)';
const sessionValue = (v: string) => /^[0-9A-Fa-f]*(,[0-9A-Fa-f]*){0,8}$/.test(v) && /[0-9A-Fa-f]/.test(v);

/** Session parameters may be set partly (`AT+FIS=0,5,0,2`, `AT+FIS=,3`): the fields not given keep their value. */
export function mergeSessionValue(current: string, update: string): string {
  const cur = current.split(',');
  update.split(',').forEach((f, i) => {
    if (f !== '') cur[i] = f;
  });
  return cur.join(',');
}

export const SESSION_PARAMS = new Set(['+FCC', '+FIS', '+FDCC', '+FDIS']);

export const CLASS20_PARAMS: Record<string, ParamSpec> = {
  '+FCC': { test: sessionCaps, initial: '1,5,0,2,0,0,0,0', valid: sessionValue },
  '+FIS': { test: sessionCaps, initial: '1,5,0,2,0,0,0,0', valid: sessionValue },
  '+FLI': { test: '(20)(32-127)', initial: '""', valid: quoted },
  '+FPI': { test: '(20)(32-127)', initial: '""', valid: quoted },
  '+FBO': { test: '(0-3)', initial: '0', valid: num(3) },
  '+FCR': { test: '(0,1)', initial: '0', valid: num(1) },
  '+FNR': { test: '(0,1),(0,1),(0,1),(0,1)', initial: '0,0,0,0', valid: (v) => /^[01](,[01]){0,3}$/.test(v) },
  '+FLO': { test: '(0-2)', initial: '1', valid: num(2) },
  '+FPP': { test: '(0,1)', initial: '0', valid: num(1) },
  '+FCT': { test: '(0-FF)', initial: '1E' },
  '+FIE': { test: '(0,1)', initial: '0', valid: num(1) },
  '+FBU': { test: '(0,1)', initial: '0', valid: num(1) },
  '+FMS': { test: '(0-5)', initial: '0', valid: num(5) },
  '+FPS': { test: '(1-5)', initial: '1', valid: (v) => /^[1-5]$/.test(v) },
  '+FCQ': { test: '(0-2),(0-2)', initial: '0,0' },
  '+FAP': { test: '(0,1),(0,1),(0,1)', initial: '0,0,0' },
  '+FSP': { test: '(0,1)', initial: '0', valid: num(1) },
  '+FAA': { test: '(0,1)', initial: '0', valid: num(1) },
  '+FEA': { test: '(0,1)', initial: '0', valid: num(1) },
};

export const CLASS2_PARAMS: Record<string, ParamSpec> = {
  '+FDCC': { test: sessionCaps, initial: '1,5,0,2,0,0,0,0', valid: sessionValue },
  '+FDIS': { test: sessionCaps, initial: '1,5,0,2,0,0,0,0', valid: sessionValue },
  '+FLID': { test: '(20)(32-127)', initial: '""', valid: quoted },
  '+FCIG': { test: '(20)(32-127)', initial: '""', valid: quoted },
  '+FBOR': { test: '(0-3)', initial: '0', valid: num(3) },
  '+FCR': { test: '(0,1)', initial: '0', valid: num(1) },
  '+FPHCTO': { test: '(0-255)', initial: '30', valid: num(255) },
  '+FTBC': { test: '(0)', initial: '0', valid: num(0) },
  '+FBUG': { test: '(0,1)', initial: '0', valid: num(1) },
  '+FMINSP': { test: '(0-5)', initial: '0', valid: num(5) },
  '+FREL': { test: '(0,1)', initial: '0', valid: num(1) },
  '+FPTS': { test: '(1-5)', initial: '1', valid: (v) => /^[1-5]$/.test(v) },
  '+FCQ': { test: '(0)', initial: '0', valid: num(0) },
  '+FECM': { test: '(0-2)', initial: '0', valid: num(2) },
  '+FSPL': { test: '(0,1)', initial: '0', valid: num(1) },
  '+FAA': { test: '(0,1)', initial: '0', valid: num(1) },
  '+FAXERR': { test: '(0-255)', initial: '0' },
};
