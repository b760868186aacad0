/** The FUCCI reporter model of the simulation: reporter levels along the cycle, by phase. */
/** Fractions of the cycle per phase (the shape of `PhaseFractions`, restated to keep this file a leaf). */
type PhaseFractions = { earlyG1: number; g1: number; g1s: number; sg2m: number };

/** Reporter levels (per phase: value at the phase start and at its end). */
export const RED_LEVELS: readonly (readonly [number, number])[] = [
  [0.65, 0.7],
  [1.0, 1.0],
  [1.0, 0.75],
  [0.04, 0.04],
];
export const GREEN_LEVELS: readonly (readonly [number, number])[] = [
  [0, 0],
  [0, 0.02],
  [0.6, 0.85],
  [0.9, 1.0],
];

/** Phase boundaries (cumulative fractions) of normalised phase fractions. */
export function boundaries(f: PhaseFractions): [number, number, number] {
  const s = f.earlyG1 + f.g1 + f.g1s + f.sg2m;
  const b1 = f.earlyG1 / s;
  const b2 = b1 + f.g1 / s;
  return [b1, b2, b2 + f.g1s / s];
}

/** The level of a reporter at cycle position `phi`, blended across a phase boundary within `halfWidth`. */
export function levelAt(levels: readonly (readonly [number, number])[], phi: number, b: readonly number[], halfWidth: number): number {
  const edges = [0, b[0] as number, b[1] as number, b[2] as number, 1];
  const seg = (p: number, k: number) => {
    const lo = edges[k] as number;
    const hi = edges[k + 1] as number;
    const [a, z] = levels[k] as readonly [number, number];
    const u = hi > lo ? Math.min(1, Math.max(0, (p - lo) / (hi - lo))) : 0;
    return a + (z - a) * u;
  };
  let k = 0;
  while (k < 3 && phi >= (edges[k + 1] as number)) k++;
  // Blend across the nearest inner boundary within half a frame, so a reporter never jumps mid-frame.
  for (let j = 1; j <= 3; j++) {
    const e = edges[j] as number;
    if (Math.abs(phi - e) < halfWidth) {
      const w = (phi - e + halfWidth) / (2 * halfWidth);
      return (1 - w) * seg(e, j - 1) + w * seg(e, j);
    }
  }
  return seg(phi, k);
}
