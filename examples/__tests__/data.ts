/**
 * Small generated inputs for the examples (written to a temp folder by the tests):
 * - `plate.czi`: two scenes (`control_1`, `mmMYOD1_1`), each a 2 x 2 mosaic of overlapping tiles, 6 frames,
 *   4 channels (Cy5, mKate, TagGFP, Oblique), Gray16 with 14 valid bits, Zstd1 — the HYPED layout in miniature;
 * - `seq.h5ad`: a small synthetic HYPED sequencing run (raw counts, HTO counts, Ensembl IDs, true conditions).
 */
import { join } from "node:path";
import { HYPED_CHANNELS, HYPED_CONDITION_EFFECTS, renderFucciFrame, simulateFucci, writeCzi } from "@hyped/imaging";
import { synthSeq, writeH5ad } from "@hyped/seq";

/** Tile size, overlap and grid of the mosaic. */
export const MOSAIC = { tile: 96, overlap: 16, columns: 2, rows: 2 } as const;
/** Field size (px) of each scene. */
export const FIELD = MOSAIC.tile * 2 - MOSAIC.overlap;
export const FRAMES = 6;
export const SCENES = ["control", "mmMYOD1"] as const;

export async function makeExampleData(dir: string): Promise<{ czi: string; h5ad: string; cellsAtStart: number[] }> {
  const sims = SCENES.map((condition, s) => {
    const eff = HYPED_CONDITION_EFFECTS[condition];
    return simulateFucci({
      seed: 11 + s,
      frames: FRAMES,
      width: FIELD,
      height: FIELD,
      cells: 18,
      cycleFrames: 8 * (eff?.cycle ?? 1),
      ...(eff?.sim ?? {}),
    });
  });
  const channels = HYPED_CHANNELS.map((c) => c.render);
  const tiles = [];
  for (const [s, sim] of sims.entries()) {
    for (let t = 0; t < FRAMES; t++) {
      const img = renderFucciFrame(sim, t, { channels, noiseSeed: 100 * s + t }).image.data as Uint16Array;
      for (let c = 0; c < channels.length; c++) {
        let m = 0;
        for (let ty = 0; ty < MOSAIC.rows; ty++) {
          for (let tx = 0; tx < MOSAIC.columns; tx++) {
            const x0 = tx * (MOSAIC.tile - MOSAIC.overlap);
            const y0 = ty * (MOSAIC.tile - MOSAIC.overlap);
            const data = new Uint16Array(MOSAIC.tile * MOSAIC.tile);
            for (let y = 0; y < MOSAIC.tile; y++) {
              const src = c * FIELD * FIELD + (y0 + y) * FIELD + x0;
              data.set(img.subarray(src, src + MOSAIC.tile), y * MOSAIC.tile);
            }
            // scenes are separate wells, far apart on the stage
            tiles.push({
              data,
              width: MOSAIC.tile,
              height: MOSAIC.tile,
              x: s * 10_000 + x0,
              y: y0,
              coords: { S: s, T: t, C: c, Z: 0, M: m++ },
            });
          }
        }
      }
    }
  }
  const czi = join(dir, "plate.czi");
  await writeCzi(czi, tiles, {
    compression: "zstd1",
    metadata: {
      channels: HYPED_CHANNELS.map((c) => ({ name: c.name, fluor: c.fluor, color: c.color })),
      scalingM: { X: 0.65e-6, Y: 0.65e-6 },
      sceneNames: SCENES.map((c) => `${c}_1`),
      timeIncrementS: 1200,
      componentBitCount: 14,
    },
  });
  const h5ad = join(dir, "seq.h5ad");
  await writeH5ad(h5ad, synthSeq({ nCells: 900, nGenes: 400, seed: 3 }).adata);
  const cellsAtStart = sims.map((sim) => {
    let n = 0;
    for (let i = 0; i < sim.lineage.start.length; i++) if (sim.lineage.start[i] === 0) n++;
    return n;
  });
  return { czi, h5ad, cellsAtStart };
}
