/**
 * The synthetic mini-HYPED imaging experiment: one CZI per condition, written the way a Celldiscoverer 7 run
 * is (replicates as scenes, a 6 × 5 mosaic of overlapping tiles per frame, 4 channels, Gray16 with 14 valid
 * bits, Zstd1), with the ground truth (label masks, tracks with parents, phases) written beside it.
 */
import { HypedError, progressReporter, throwIfAborted } from "@hyped/core";
import { H5File } from "@hyped/core/hdf5";
import { CELL_CYCLE_PHASES } from "../cellcycle/phases.js";
import { type CziWriteSubblock, writeCzi } from "../czi/writer.js";
import { renderFucciFrame } from "../synth/render.js";
import type { FucciSimulation } from "../synth/simulate.js";
import { renderSynthFrames, type SynthRenderJob } from "./render-pool.js";
import { HYPED_CHANNELS, HYPED_CONDITIONS, HYPED_SCALES, hypedSceneSimulation, mosaicTiles, type SynthImagingOptions } from "./scenes.js";

export * from "./scenes.js";

/** One written scene. */
export interface SynthScene {
  condition: string;
  replicate: number;
  scene: number;
  /** The CZI file. */
  czi: string;
  /** The truth file (HDF5: `labels` (T, Y, X), `lineage/*`, `cells/*`). */
  truth: string;
  /** Frame width × height in pixels (the mosaic's bounding box). */
  width: number;
  height: number;
}

/** What {@link synthImaging} wrote. */
export interface SynthImaging {
  scenes: SynthScene[];
  /** Tile grid and size. */
  tiles: { columns: 6; rows: 5; width: number; height: number; overlap: number };
  frames: number;
  channels: string[];
}

/**
 * Write the synthetic imaging experiment into `outDir`: `czi/<condition>.czi` (scenes named
 * `<condition>_<replicate>`, far apart on the stage) and `truth/<condition>_<replicate>.h5`. Deterministic for
 * a seed. Progress counts frames rendered.
 */
export async function synthImaging(outDir: string, options: SynthImagingOptions = {}): Promise<SynthImaging> {
  const { mkdirSync } = await import("node:fs");
  const { join } = await import("node:path");
  const scale = HYPED_SCALES[options.scale ?? "mini"];
  if (!scale) throw new HypedError("INVALID_ARGUMENT", `unknown scale '${options.scale}' (mini or full)`, {});
  const frames = options.frames ?? scale.frames;
  const seed = options.seed ?? 1;
  const interval = options.intervalS ?? 1200;
  const grid = mosaicTiles(scale.width, scale.height, scale.overlap);
  mkdirSync(join(outDir, "czi"), { recursive: true });
  mkdirSync(join(outDir, "truth"), { recursive: true });
  const workers = options.workers ?? (await import("node:os")).availableParallelism();
  if (!Number.isInteger(workers) || workers < 0)
    throw new HypedError("INVALID_ARGUMENT", `workers must be a non-negative integer, got ${String(workers)}`, { workers });
  const totalScenes = HYPED_CONDITIONS.reduce((s, c) => s + c.replicates, 0);
  const prog = progressReporter(options.onProgress, "frames", totalScenes * frames, "synthesising imaging");
  const scenes: SynthScene[] = [];
  const channels = HYPED_CHANNELS.map((c) => c.render);
  // every frame of every scene, in the order the CZIs are written, rendered ahead on worker threads
  const jobs = synthRenderJobs(options.scale ?? "mini", seed, frames, interval, channels);
  const rendered = renderSynthFrames(jobs, workers);
  try {
    for (const cond of HYPED_CONDITIONS) {
      const sims: FucciSimulation[] = [];
      for (let r = 0; r < cond.replicates; r++) sims.push(hypedSceneSimulation(cond.name, r + 1, { ...options, frames }));
      const cziPath = join(outDir, "czi", `${cond.name}.czi`);
      const stageStep = grid.width + 20_000; // scenes are separate wells, far apart
      // the truth labels come with the rendered frames (kept when they fit comfortably, else re-rendered)
      const plane = grid.width * grid.height;
      const keepLabels = sims.length * frames * plane * 2 <= 512 * 2 ** 20;
      const truthLabels = sims.map(() => (keepLabels ? new Uint16Array(frames * plane) : undefined));
      async function* tiles(): AsyncGenerator<CziWriteSubblock> {
        for (let s = 0; s < sims.length; s++) {
          for (let t = 0; t < frames; t++) {
            throwIfAborted(options.signal, "synthImaging");
            const next = await rendered.next();
            if (next.done) throw new HypedError("IO", "synthImaging: the renderer stopped early", {});
            const img = next.value.image;
            truthLabels[s]?.set(next.value.labels, t * plane);
            for (let c = 0; c < channels.length; c++) {
              let m = 0;
              for (let ty = 0; ty < 5; ty++) {
                for (let tx = 0; tx < 6; tx++) {
                  const x0 = tx * (grid.tw - scale.overlap);
                  const y0 = ty * (grid.th - scale.overlap);
                  const tile = new Uint16Array(grid.tw * grid.th);
                  for (let y = 0; y < grid.th; y++) {
                    const src = c * plane + (y0 + y) * grid.width + x0;
                    tile.set(img.subarray(src, src + grid.tw), y * grid.tw);
                  }
                  yield {
                    data: tile,
                    width: grid.tw,
                    height: grid.th,
                    x: s * stageStep + x0,
                    y: y0,
                    coords: { S: s, T: t, C: c, Z: 0, M: m++ },
                  };
                }
              }
            }
            prog.tick();
          }
        }
      }
      await writeCzi(cziPath, tiles(), {
        compression: options.compression ?? "zstd1",
        metadata: {
          channels: HYPED_CHANNELS.map((c) => ({ name: c.name, fluor: c.fluor, color: c.color })),
          scalingM: { X: options.pixelSizeM ?? 0.65e-6, Y: options.pixelSizeM ?? 0.65e-6 },
          acquisitionTime: "2024-03-01T09:00:00.0000000Z",
          sceneNames: sims.map((_, r) => `${cond.name}_${r + 1}`),
          timeIncrementS: interval,
          componentBitCount: 14,
          application: { name: "hyped synth (Celldiscoverer 7 layout)", version: "0.1.0" },
        },
        timestamps: Float64Array.from({ length: frames }, (_, t) => t * interval),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      for (let r = 0; r < sims.length; r++) {
        const truth = join(outDir, "truth", `${cond.name}_${r + 1}.h5`);
        await writeTruth(truth, sims[r] as FucciSimulation, cond.name, r + 1, r, truthLabels[r]);
        scenes.push({ condition: cond.name, replicate: r + 1, scene: r, czi: cziPath, truth, width: grid.width, height: grid.height });
      }
    }
  } finally {
    await rendered.return(undefined); // stops the workers
  }
  prog.finish();
  return {
    scenes,
    tiles: { columns: 6, rows: 5, width: grid.tw, height: grid.th, overlap: scale.overlap },
    frames,
    channels: HYPED_CHANNELS.map((c) => c.name),
  };
}

/** Write one scene's truth: label masks (T, Y, X) gzip, the lineage and the per-frame cell states. */
async function writeTruth(
  path: string,
  sim: FucciSimulation,
  condition: string,
  replicate: number,
  scene: number,
  rendered?: Uint16Array,
): Promise<void> {
  const f = await H5File.create(path);
  try {
    const plane = sim.width * sim.height;
    let labels = rendered;
    if (!labels) {
      labels = new Uint16Array(sim.frames * plane);
      for (let t = 0; t < sim.frames; t++)
        labels.set(renderFucciFrame(sim, t, { channels: ["Cy5"], noise: false }).labels.data as Uint16Array, t * plane);
    }
    f.writeDataset("/labels", labels, {
      shape: [sim.frames, sim.height, sim.width],
      chunks: [1, sim.height, sim.width],
      compression: "gzip",
    });
    for (const [k, v] of Object.entries(sim.lineage)) f.writeDataset(`/lineage/${k}`, v as Int32Array);
    for (const [k, v] of Object.entries(sim.cells)) f.writeDataset(`/cells/${k}`, v as Float64Array);
    f.setAttr("/", "condition", condition);
    f.setAttr("/", "replicate", replicate, "int32");
    f.setAttr("/", "scene", scene, "int32");
    f.setAttr("/", "phase_codes", [...CELL_CYCLE_PHASES]);
    f.close();
  } catch (e) {
    f.discard();
    throw e;
  }
}

/** The render job of every frame of every scene, in the order the CZIs are written. */
function synthRenderJobs(
  scale: NonNullable<SynthImagingOptions["scale"]>,
  seed: number,
  frames: number,
  interval: number,
  channels: SynthRenderJob["channels"],
): SynthRenderJob[] {
  const jobs: SynthRenderJob[] = [];
  for (const [ci, cond] of HYPED_CONDITIONS.entries()) {
    for (let s = 0; s < cond.replicates; s++) {
      for (let t = 0; t < frames; t++) {
        jobs.push({
          condition: cond.name,
          replicate: s + 1,
          scale,
          seed,
          frames,
          intervalS: interval,
          t,
          noiseSeed: seed * 7919 + ci * 101 + s * 13 + t,
          channels,
        });
      }
    }
  }
  return jobs;
}
