/**
 * The standard normal distribution and the square-root staffing rule (Halfin–Whitt), used as
 * quick estimates, search starting points and sanity bounds for the exact Erlang formulas.
 */
import { regularizedGamma } from './gamma.js';

/** Density of the standard normal distribution. */
export function normalDensity(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/** P(Z ≤ x) for a standard normal Z, accurate in both tails (through erfc = Q(½, x²/2)). */
export function normalCdf(x: number): number {
  if (x === 0) return 0.5;
  const tail = 0.5 * regularizedGamma(0.5, 0.5 * x * x).q;
  return x < 0 ? tail : 1 - tail;
}

/** Square-root staffing: agents ≈ load + β·√load (β, the "quality of service" factor, about 0.5–2). */
export function squareRootStaffing(load: number, beta: number): number {
  return load + beta * Math.sqrt(load);
}

/**
 * Halfin–Whitt's heavy-traffic limit of the Erlang C probability of waiting when
 * agents = load + β·√load: 1 / (1 + β·Φ(β)/φ(β)), for β > 0.
 */
export function halfinWhittWaitProbability(beta: number): number {
  if (!(beta > 0)) return 1;
  return 1 / (1 + (beta * normalCdf(beta)) / normalDensity(beta));
}
