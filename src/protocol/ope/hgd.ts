/**
 * Hypergeometric sampler of sentc's OPE (crate `ope` 0.1.1, `hgd.rs`; spec crypto.md §3.5): the H2PE
 * algorithm of Kachitvichyanukul and Schmeiser ("Computer generation of hypergeometric random variates",
 * J. Statist. Comput. Simul. 22, 1985), as ported by the crate, with the uniform variates drawn from the
 * OPE generator. Returns how many of `kk` draws without replacement from nn1 + nn2 items fall among the
 * first nn1.
 *
 * Every floating-point operation below is in the crate's order: the result depends on exact binary64
 * rounding, and ln/exp come from float.ts (identical in every engine). Deviations from the original
 * Fortran that the crate makes are kept: the mode-adjusted variate `ix` stays an unrounded double inside
 * H2PE and only the final result is truncated.
 */
import { invalidInput } from "../../errors.js";
import { fdlibmExp as exp, fdlibmLog as ln } from "./float.js";
import { bitLength, type OpePrng } from "./prng.js";

const CON = 57.56462733;
const DELTAL = 0.0078;
const DELTAU = 0.0034;
const SCALE = 1.0e25;

/** ln(i!) for the table values 0..7, then Stirling's series (the crate's `afc`). */
const AFC_TABLE = [0.0, 0.0, 0.6931471806, 1.791759469, 3.17805383, 4.787491743, 6.579251212, 8.525161361];

/** Rust `f64::round` (half away from zero) followed by a saturating `as u64` (negative and NaN give 0). */
function roundToU64(x: number): number {
  // For x > 0, Math.round (ties toward +Infinity, computed exactly) equals rounding half away from zero.
  return x > 0 ? Math.round(x) : 0;
}

/** afc(i) = ln(i!) (table for round(i) <= 7, else Stirling's approximation). */
function afc(i: number): number {
  const r = roundToU64(i);
  if (r <= 7) return AFC_TABLE[r]!;
  return (i + 0.5) * ln(i) - i + 0.08333333333333 / i - 0.00277777777777 / i / i / i + 0.9189385332;
}

/** A uniform variate in [0, 1): rand_int_mod(2^precision) / 2^precision. */
function uniform(prng: OpePrng, div: number): number {
  return prng.randIntMod(div) / div;
}

/** Inversion by chop-down search from the mode's left end (small means, m - minjx < 10). */
function sampleInversion(
  prng: OpePrng,
  div: number,
  n1: number,
  n2: number,
  k: number,
  minjx: number,
  maxjx: number,
): number {
  const w =
    k < n2
      ? exp(CON + afc(n2) + afc(n1 + n2 - k) - afc(n2 - k) - afc(n1 + n2))
      : exp(CON + afc(n1) + afc(k) - afc(k - n2) - afc(n1 + n2));
  for (;;) {
    let p = w;
    let ix = minjx;
    let u = uniform(prng, div) * SCALE;
    while (u > p) {
      u -= p;
      p = p * (n1 - ix) * (k - ix);
      ix += 1.0;
      p = p / ix / (n2 - k + ix);
      if (ix > maxjx) break;
    }
    if (!(ix > maxjx)) return ix;
  }
}

/** 1 + x (-1/2 + x/3): ln(1 + x) ≈ x * series(x), the three-term series used by the squeeze. */
function series(x: number): number {
  return 1.0 + x * (-0.5 + x / 3.0);
}

/** x^4 / (1 + x) for negative x, x^4 otherwise (the squeeze's remainder terms). */
function quartic(x: number, weight: number): number {
  const d = weight * (x * x * (x * x));
  return x < 0.0 ? d / (1.0 + x) : d;
}

/** H2PE: triangle/parallelogram/exponential-tails rejection (m - minjx >= 10). */
function sampleH2pe(
  prng: OpePrng,
  div: number,
  n1: number,
  n2: number,
  k: number,
  tn: number,
  m: number,
  minjx: number,
  maxjx: number,
): number {
  const s = Math.sqrt(((tn - k) * k * n1 * n2) / (tn - 1.0) / tn / tn);
  const d = Math.trunc(1.5 * s) + 0.5;
  const xl = Math.trunc(m - d + 0.5);
  const xr = Math.trunc(m + d + 0.5);
  const a = afc(m) + afc(n1 - m) + afc(k - m) + afc(n2 - k + m);
  const kl = exp(a - afc(xl) - afc(n1 - xl) - afc(k - xl) - afc(n2 - k + xl));
  const kr = exp(a - afc(xr - 1.0) - afc(n1 - xr + 1.0) - afc(k - xr + 1.0) - afc(n2 - k + xr - 1.0));
  const lamdl = -ln((xl * (n2 - k + xl)) / (n1 - xl + 1.0) / (k - xl + 1.0));
  const lamdr = -ln(((n1 - xr + 1.0) * (k - xr + 1.0)) / xr / (n2 - k + xr));
  const p1 = d + d;
  const p2 = p1 + kl / lamdl;
  const p3 = p2 + kr / lamdr;
  for (;;) {
    const u = uniform(prng, div) * p3;
    let v = uniform(prng, div);
    let ix: number;
    if (u < p1) {
      ix = xl + u; // triangular region
    } else if (u <= p2) {
      ix = xl + ln(v) / lamdl; // left exponential tail
      if (ix < minjx) continue;
      v = v * (u - p1) * lamdl;
    } else {
      ix = xr - ln(v) / lamdr; // right exponential tail
      if (ix > maxjx) continue;
      v = v * (u - p2) * lamdr;
    }
    if (m < 100.0 || ix <= 50.0) {
      // explicit evaluation of f(ix)/f(m) by recurrence
      let f = 1.0;
      if (m < ix) {
        for (let i = m + 1.0; i < ix; i += 1.0) f = (f * (n1 - i + 1.0) * (k - i + 1.0)) / (n2 - k + i) / i;
      } else if (m > ix) {
        for (let i = ix + 1.0; i < m; i += 1.0) f = (f * i * (n2 - k + i)) / (n1 - i) / (k - i);
      }
      if (v <= f) return ix;
      continue;
    }
    // squeeze using upper and lower bounds on ln f(ix)
    const y = ix;
    const y1 = y + 1.0;
    const ym = y - m;
    const yn = n1 - y + 1.0;
    const yk = k - y + 1.0;
    const nk = n2 - k + y1;
    const r = -ym / y1;
    const s2 = ym / yn;
    const t = ym / yk;
    const e = -ym / nk;
    const g = (yn * yk) / (y1 * nk) - 1.0;
    const dg = g < 0.0 ? 1.0 + g : 1.0;
    const gu = g * series(g);
    const gl = gu - (0.25 * (g * g * (g * g))) / dg;
    const xm = m + 0.5;
    const xn = n1 - m + 0.5;
    const xk = k - m + 0.5;
    const nm = n2 - k + xm;
    const ub =
      y * gu - m * gl + DELTAU + xm * r * series(r) + xn * s2 * series(s2) + xk * t * series(t) + nm * e * series(e);
    const alv = ln(v);
    if (alv > ub) continue;
    const dr = quartic(r, xm);
    const ds = quartic(s2, xn);
    const dt = quartic(t, xk);
    const de = quartic(e, nm);
    if (alv < ub - 0.25 * (dr + ds + dt + de) + (y + m) * (gl - gu) - DELTAL) return ix;
    // final acceptance/rejection test
    if (alv <= a - afc(ix) - afc(n1 - ix) - afc(k - ix) - afc(n2 - k + ix)) return ix;
  }
}

/**
 * hgd(kk, nn1, nn2): a hypergeometric variate (integer, 0 <= result <= min(kk, nn1)) for kk draws from an
 * urn of nn1 + nn2 items. All arguments are integers below 2^33.
 */
export function hgd(kk: number, nn1: number, nn2: number, prng: OpePrng): number {
  if (kk > nn1 + nn2) throw invalidInput("OPE: invalid sampler inputs", { reference: 62 });
  const div = 2 ** (bitLength(nn1 + nn2 + kk) + 10); // rand precision (bits)
  const n1 = nn1 >= nn2 ? nn2 : nn1;
  const n2 = nn1 >= nn2 ? nn1 : nn2;
  const tn = n1 + n2;
  const k = kk + kk >= tn ? tn - kk : kk;
  const m = ((k + 1.0) * (n1 + 1.0)) / (tn + 2.0);
  const minjx = k - n2 < 0.0 ? 0.0 : k - n2;
  const maxjx = n1 < k ? n1 : k;
  let ix: number;
  if (minjx === maxjx) ix = maxjx;
  else if (m - minjx < 10.0) ix = sampleInversion(prng, div, n1, n2, k, minjx, maxjx);
  else ix = sampleH2pe(prng, div, n1, n2, k, tn, m, minjx, maxjx);
  // undo the symmetry reductions
  let jx: number;
  if (kk + kk >= tn) jx = nn1 > nn2 ? kk - nn2 + ix : nn1 - ix;
  else jx = nn1 > nn2 ? kk - ix : ix;
  return Math.trunc(jx);
}
