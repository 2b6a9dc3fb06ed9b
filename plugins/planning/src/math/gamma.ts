/**
 * Gamma-function helpers computed in log space so they stay finite for arguments in the
 * millions (Erlang A with long patience, 10,000-Erlang loads).
 *
 * - `logGamma`: Lanczos below 15, Stirling with its correction series above.
 * - `logPoissonTerm(a, z) = a·ln z − z − ln Γ(a+1)`, written as `a·(ln(1+u) − u) − ½ln(2πa) − stirlerr(a)`
 *   with `u = (z−a)/a` (Loader's saddle-point form), so nothing of size `a·ln a` cancels.
 * - `regularizedGamma(a, z)`: P and Q of the incomplete gamma function, with their logs, by the
 *   power series below `z < a+1` and the Lentz continued fraction above (Numerical Recipes §6.2).
 */

const LN_SQRT_2PI = 0.9189385332046728;
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const STIRLING_FROM = 15;
const MAX_ITERATIONS = 10_000_000;
const EPS = 1e-17;

/** Stirling's correction: ln Γ(x+1) − (x+½)ln x + x − ½ln(2π), for x ≥ 15 (error < 1e-17). */
function stirlingCorrection(x: number): number {
  const r = 1 / x;
  const r2 = r * r;
  return r * (1 / 12 - r2 * (1 / 360 - r2 * (1 / 1260 - r2 * (1 / 1680 - r2 / 1188))));
}

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma needs x > 0, got ${x}`);
  if (x >= STIRLING_FROM) return (x - 0.5) * Math.log(x) - x + LN_SQRT_2PI + stirlingCorrection(x);
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const xm = x - 1;
  let s = LANCZOS[0] as number;
  for (let i = 1; i < LANCZOS.length; i++) s += (LANCZOS[i] as number) / (xm + i);
  const t = xm + LANCZOS_G + 0.5;
  return LN_SQRT_2PI + (xm + 0.5) * Math.log(t) - t + Math.log(s);
}

/** ln(1+u) − u, accurate near u = 0 (u > −1). */
export function log1pMinusX(u: number): number {
  if (Math.abs(u) >= 0.25) return Math.log1p(u) - u;
  // −u²/2 + u³/3 − u⁴/4 + …, 0.25^k/k < 1e-17 by k = 28.
  let term = u; // (−1)^{k+1}·u^k
  let sum = 0;
  for (let k = 2; k < 40; k++) {
    term *= -u;
    const add = term / k;
    sum += add;
    if (Math.abs(add) <= Math.abs(sum) * EPS) break;
  }
  return sum;
}

/** ln of the Poisson-like term a·ln z − z − ln Γ(a+1), for a ≥ 0, z ≥ 0. */
export function logPoissonTerm(a: number, z: number): number {
  if (z === 0) return a === 0 ? 0 : -Infinity;
  if (a < STIRLING_FROM) return a * Math.log(z) - z - logGamma(a + 1);
  return a * log1pMinusX((z - a) / a) - 0.5 * Math.log(2 * Math.PI * a) - stirlingCorrection(a);
}

/** The regularized incomplete gamma functions P(a,z) (lower) and Q(a,z) = 1 − P (upper), with logs. */
export interface RegularizedGamma {
  p: number;
  q: number;
  logP: number;
  logQ: number;
}

function fromLogP(logP: number): RegularizedGamma {
  const p = Math.exp(logP);
  const q = -Math.expm1(logP);
  return { p, q, logP, logQ: Math.log(q) };
}

function fromLogQ(logQ: number): RegularizedGamma {
  const q = Math.exp(logQ);
  const p = -Math.expm1(logQ);
  return { p, q, logP: Math.log(p), logQ };
}

/** ln Σ_{k≥0} z^k / ((a+1)(a+2)…(a+k)), the series of P(a,z); converges for every z, fast for z < a+1. */
export function logLowerGammaSeries(a: number, z: number): number {
  let term = 1;
  let sum = 1;
  for (let k = 1; k < MAX_ITERATIONS; k++) {
    term *= z / (a + k);
    sum += term;
    if (term <= sum * EPS) return Math.log(sum);
  }
  throw new RangeError(`incomplete gamma series did not converge for a=${a}, z=${z}`);
}

/** ln of the continued fraction of Q(a,z)·Γ(a)·e^z·z^−a, for z ≥ a+1 (modified Lentz). */
function logUpperGammaFraction(a: number, z: number): number {
  const tiny = 1e-300;
  let b = z + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) <= 1e-16) return Math.log(h);
  }
  throw new RangeError(`incomplete gamma fraction did not converge for a=${a}, z=${z}`);
}

/** P(a,z) and Q(a,z) for a > 0, z ≥ 0. */
export function regularizedGamma(a: number, z: number): RegularizedGamma {
  if (!(a > 0) || !(z >= 0)) throw new RangeError(`regularizedGamma needs a > 0 and z ≥ 0, got a=${a}, z=${z}`);
  if (z === 0) return { p: 0, q: 1, logP: -Infinity, logQ: 0 };
  if (z === Infinity) return { p: 1, q: 0, logP: 0, logQ: -Infinity };
  if (z < a + 1) return fromLogP(logPoissonTerm(a, z) + logLowerGammaSeries(a, z));
  return fromLogQ(logPoissonTerm(a, z) + Math.log(a) + logUpperGammaFraction(a, z));
}

/** ψ(b) − ψ(a) for 0 < a ≤ b (digamma difference), without the cancellation of subtracting two ψ values. */
export function digammaDifference(a: number, b: number): number {
  if (!(a > 0) || !(b >= a)) throw new RangeError(`digammaDifference needs 0 < a ≤ b, got ${a}, ${b}`);
  let sum = 0;
  // ψ(x) = ψ(x+1) − 1/x: shift both into the asymptotic range.
  while (a < 10) {
    sum += 1 / a;
    a += 1;
  }
  while (b < 10) {
    sum -= 1 / b;
    b += 1;
  }
  // ψ(x) ~ ln x − 1/(2x) − 1/(12x²) + 1/(120x⁴) − 1/(252x⁶) + 1/(240x⁸).
  const tail = (x: number): number => {
    const r2 = 1 / (x * x);
    return -0.5 / x - r2 * (1 / 12 - r2 * (1 / 120 - r2 * (1 / 252 - r2 / 240)));
  };
  return sum + Math.log1p((b - a) / a) + tail(b) - tail(a);
}
