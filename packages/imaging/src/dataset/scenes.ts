/**
 * The conditions, channels, scales and per-scene cell simulations of the synthetic mini-HYPED experiment. Kept
 * apart from the writer (`synth.ts`) so that the render workers (`render-pool.ts`) can rebuild a scene's
 * simulation without importing the writer that starts them (no import cycle).
 */
import { HypedError, type LongTaskOptions } from "@hyped/core";
import { type FucciSimOptions, type FucciSimulation, simulateFucci } from "../synth/simulate.js";

/** The paper's conditions with their number of replicates (scenes). */
export const HYPED_CONDITIONS: ReadonlyArray<{ name: string; replicates: number }> = [
  { name: "control", replicates: 3 },
  { name: "mmMYOD1", replicates: 2 },
  { name: "siPRRX1", replicates: 2 },
  { name: "siPRRX1+mmMYOD1", replicates: 3 },
];

/** Channel order and display metadata of the HYPED CZIs. */
export const HYPED_CHANNELS = [
  { name: "Cy5", fluor: "Cy5", color: "#FFFF0000", render: "Cy5" },
  { name: "mKate", fluor: "mKate2", color: "#FFFF7E00", render: "mKate" },
  { name: "TagGFP", fluor: "TagGFP2", color: "#FF00FF33", render: "TagGFP" },
  { name: "Oblique", fluor: "Oblique contrast", color: "#FFFFFFFF", render: "Oblique" },
] as const;

/**
 * How each condition changes proliferation and phase occupancy (cycle length in units of the control's):
 * MYOD1 pushes a fraction of cells out of the cycle in G1 (myogenic differentiation); PRRX1 knock-down slows
 * the cycle and lengthens G1; both together arrest most cells in G1.
 */
export const HYPED_CONDITION_EFFECTS: Readonly<Record<string, { cycle: number; sim: Partial<FucciSimOptions> }>> = {
  control: { cycle: 1, sim: {} },
  mmMYOD1: { cycle: 1.3, sim: { arrestFraction: 0.4, arrestPhase: "G1" } },
  siPRRX1: { cycle: 1.5, sim: { phaseFractions: { earlyG1: 0.1, g1: 0.45, g1s: 0.1, sg2m: 0.35 } } },
  "siPRRX1+mmMYOD1": { cycle: 1.6, sim: { arrestFraction: 0.6, arrestPhase: "G1" } },
};

/** Sizes of the two scales. */
export const HYPED_SCALES = {
  /** About 600 × 700 px per frame, 12 frames. */
  mini: { width: 600, height: 700, frames: 12, cells: 70, cycleFrames: 20, overlap: 12 },
  /** A few frames of a small field, for tests. */
  tiny: { width: 180, height: 160, frames: 3, cells: 22, cycleFrames: 6, overlap: 6 },
  /** The paper's 2826 × 3245 px (X × Y), 203 frames at 20-minute intervals. */
  full: { width: 2826, height: 3245, frames: 203, cells: 1400, cycleFrames: 72, overlap: 60 },
} as const;

/** Options of {@link synthImaging}. */
export interface SynthImagingOptions extends LongTaskOptions {
  /** `mini` (default), `full`, or `tiny` (for tests). */
  scale?: "mini" | "full" | "tiny";
  /** Seed (default 1). */
  seed?: number;
  /** Override the number of frames. */
  frames?: number;
  /** Compression of the tiles. Default `zstd1` (as ZEN writes). */
  compression?: "none" | "zstd1";
  /** Seconds between frames. Default 1200 (20 minutes). */
  intervalS?: number;
  /** Pixel size in metres. Default 0.65 µm. */
  pixelSizeM?: number;
  /**
   * Worker threads rendering frames (the output does not depend on it). Default: the available cores
   * (`os.availableParallelism()`); 0 renders in this thread.
   */
  workers?: number;
}

/**
 * The cell simulation behind one scene of {@link synthImaging} (same options, same seed), e.g. to render
 * noise-free frames (`renderFucciFrame(sim, t, { noise: false })`) as a clean reference.
 */
export function hypedSceneSimulation(
  condition: string,
  replicate: number,
  options: Pick<SynthImagingOptions, "scale" | "seed" | "frames" | "intervalS"> = {},
): FucciSimulation {
  const ci = HYPED_CONDITIONS.findIndex((c) => c.name === condition);
  if (ci < 0) throw new HypedError("NOT_FOUND", `no synthetic condition '${condition}'`, { condition });
  const scale = HYPED_SCALES[options.scale ?? "mini"];
  const eff = HYPED_CONDITION_EFFECTS[condition] as { cycle: number; sim: Partial<FucciSimOptions> };
  const grid = mosaicTiles(scale.width, scale.height, scale.overlap);
  return simulateFucci({
    seed: (options.seed ?? 1) * 1000 + ci * 10 + (replicate - 1),
    frames: options.frames ?? scale.frames,
    width: grid.width,
    height: grid.height,
    cells: scale.cells,
    cycleFrames: scale.cycleFrames * eff.cycle,
    frameIntervalHours: (options.intervalS ?? 1200) / 3600,
    ...eff.sim,
  });
}

/** Tile size for a 6 × 5 mosaic of `overlap`-px overlaps covering at least `width` × `height`. */
export function mosaicTiles(width: number, height: number, overlap: number): { tw: number; th: number; width: number; height: number } {
  const tw = Math.ceil((width + 5 * overlap) / 6);
  const th = Math.ceil((height + 4 * overlap) / 5);
  return { tw, th, width: 5 * (tw - overlap) + tw, height: 4 * (th - overlap) + th };
}
