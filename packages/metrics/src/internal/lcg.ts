/**
 * The deterministic generators shared by tests, benchmarks and the Python reference scripts, so large
 * inputs can be rebuilt on both sides instead of being stored. @internal (not exported from the package).
 */

/** Numerical Recipes LCG: `s = (1664525 s + 1013904223) mod 2^32`, `u = s / 2^32`; `n` float64 values in [0, 1). */
export function lcgUniform(seed: number, n: number): Float64Array {
  const out = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(1664525, s) + 1013904223) >>> 0;
    out[i] = s / 4294967296;
  }
  return out;
}

/** A 32-bit integer hash of `(index, seed)`: multiply-xorshift (the same in numpy with uint64 masking). */
export function hash32(index: number, seed: number): number {
  let h = (Math.imul(index >>> 0, 0x9e3779b1) + Math.imul(seed >>> 0, 0x85ebca77)) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d) >>> 0;
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39) >>> 0;
  h ^= h >>> 15;
  return h >>> 0;
}

/** Triangle wave with period `2p`: `| (i mod 2p) − p |`, integer in [0, p]. */
function tri(i: number, p: number): number {
  return Math.abs((i % (2 * p)) - p);
}

/**
 * A synthetic 14-bit image pair (the same formula as `scripts/make_image_reference.py`): a clean image of
 * soft blocks, `1000 + floor(12000 · tri(r+seed, 97) · tri(c, 113) / (97·113))`, and a noisy copy with
 * integer noise in [−500, 500] from {@link hash32}, clipped to [0, 16383]. Integer arithmetic only, so
 * both sides produce identical pixels.
 */
export function syntheticPair(rows: number, cols: number, seed: number): { clean: Uint16Array; noisy: Uint16Array } {
  const clean = new Uint16Array(rows * cols);
  const noisy = new Uint16Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const tr = tri(r + seed, 97);
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      const v = 1000 + Math.floor((12000 * tr * tri(c, 113)) / (97 * 113));
      clean[i] = v;
      const noise = (hash32(i, seed) % 1001) - 500;
      const w = v + noise;
      noisy[i] = w < 0 ? 0 : Math.min(w, 16383);
    }
  }
  return { clean, noisy };
}
