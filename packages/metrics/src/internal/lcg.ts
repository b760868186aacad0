/**
 * The deterministic generators shared by tests, benchmarks and the Python reference scripts, so large
 * inputs can be rebuilt on both sides instead of being stored. @internal (not exported from the package).
 * The integer streams themselves (`lcgUniform`, `hash32`) are core's, beside its seeded `Random`.
 */
import { hash32 } from "@hyped/core";

export { lcgUniform } from "@hyped/core";

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
