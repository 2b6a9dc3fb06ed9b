import t from 'tap';
import { digammaDifference, log1pMinusX, logGamma, logPoissonTerm, regularizedGamma } from './gamma.js';

const relative = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

t.test('logGamma matches factorials and Γ(½) = √π', async (t) => {
  let logFactorial = 0;
  for (let n = 1; n <= 170; n++) {
    t.ok(relative(logGamma(n + 1), (logFactorial += Math.log(n))) < 1e-13, `ln ${n}!`);
  }
  t.ok(relative(logGamma(0.5), 0.5 * Math.log(Math.PI)) < 1e-14);
  t.ok(relative(logGamma(0.1), Math.log(9.513507698668732)) < 1e-13);
  // ln Γ(1e6) from the Stirling series with many more terms (reference value).
  t.ok(relative(logGamma(1e6), 12815504.569147611) < 1e-15);
  t.throws(() => logGamma(0));
});

t.test('log1pMinusX agrees with log1p(u) − u and is accurate near 0', async (t) => {
  for (const u of [-0.9, -0.3, -0.2, -0.01, 0.01, 0.2, 0.3, 5]) {
    t.ok(relative(log1pMinusX(u), Math.log1p(u) - u) < 1e-12, `u=${u}`);
  }
  // −u²/2 + u³/3 for tiny u, where the direct form would cancel to nothing.
  t.ok(relative(log1pMinusX(1e-8), -5e-17 + 1e-24 / 3) < 1e-14);
});

t.test('logPoissonTerm is the log of the Poisson probability', async (t) => {
  t.ok(relative(logPoissonTerm(3, 2), 3 * Math.log(2) - 2 - Math.log(6)) < 1e-14);
  // P(N = n) for N ~ Poisson(n) = e^{−stirlerr(n)}/√(2πn), stirlerr(n) = 1/(12n) − 1/(360n³) + …
  const n = 10_000;
  const p = Math.exp(logPoissonTerm(n, n));
  t.ok(relative(p, Math.exp(-(1 / (12 * n) - 1 / (360 * n ** 3))) / Math.sqrt(2 * Math.PI * n)) < 1e-14, `got ${p}`);
  t.equal(logPoissonTerm(5, 0), -Infinity);
});

t.test('regularizedGamma: exponential, erf and Poisson identities', async (t) => {
  for (const z of [0.01, 0.5, 1, 3, 10, 40]) {
    t.ok(relative(regularizedGamma(1, z).q, Math.exp(-z)) < 1e-13, `Q(1,${z}) = e^-z`);
  }
  // P(½, x²) = erf(x): erf(1) = 0.8427007929497149, erfc(3) = 2.209049699858544e-5.
  t.ok(relative(regularizedGamma(0.5, 1).p, 0.8427007929497149) < 1e-14);
  t.ok(relative(regularizedGamma(0.5, 9).q, 2.209049699858544e-5) < 1e-12);
  // Q(n+1, z) = P(Poisson(z) ≤ n), summed directly for small n.
  for (const [n, z] of [[5, 3], [5, 9], [20, 15], [20, 30]] as const) {
    let sum = 0;
    let term = Math.exp(-z);
    for (let k = 0; k <= n; k++) {
      sum += term;
      term *= z / (k + 1);
    }
    t.ok(relative(regularizedGamma(n + 1, z).q, sum) < 1e-12, `Q(${n + 1},${z})`);
  }
  // Large arguments stay finite and complementary.
  const big = regularizedGamma(1e6, 1e6 + 1000);
  t.ok(Math.abs(big.p - 0.8413447460685429) < 1e-3, 'central limit: ≈ Φ(1)');
  t.ok(Math.abs(big.p + big.q - 1) < 1e-14);
  t.ok(Number.isFinite(regularizedGamma(1e6, 5e5).logP), 'deep lower tail stays a finite log');
  t.throws(() => regularizedGamma(0, 1));
});

t.test('digammaDifference sums 1/k exactly where it can be checked', async (t) => {
  let harmonic = 0;
  for (let k = 1; k <= 1000; k++) harmonic += 1 / (0.5 + k);
  t.ok(relative(digammaDifference(1.5, 1001.5), harmonic) < 1e-13);
  // ψ(x + m) − ψ(x) ≈ m/x for huge x, where plain subtraction would keep no digits.
  t.ok(relative(digammaDifference(1e12, 1e12 + 5), 5e-12) < 1e-9);
  t.throws(() => digammaDifference(2, 1));
});
