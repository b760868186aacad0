/**
 * A tiny frame store for the pipeline tests: `scenes` scenes of `frames` frames of a small synthetic FUCCI
 * field (4 channels, uint16), written as our frame files with a manifest, or as a foreign copy (`CXY`, no
 * attributes, release-like names `<condition>_<replicate>_<tttt>.h5`, no manifest).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { H5File } from "@hyped/core/hdf5";
import { buildManifest, writeFrameFile, writeManifestFile } from "../../frames/index.js";
import { renderFucciFrame } from "../../synth/render.js";
import { simulateFucci } from "../../synth/simulate.js";

export const CHANNELS = ["Cy5", "mKate", "TagGFP", "Oblique"];

/** Scenes of the tiny store. */
export const SCENES = [
  { condition: "control", replicate: 1 },
  { condition: "control", replicate: 2 },
  { condition: "siPRRX1+mmMYOD1", replicate: 1 },
  { condition: "siPRRX1+mmMYOD1", replicate: 2 },
  { condition: "treated", replicate: 1 },
];

/** Write the tiny store into `dir` (ours, with `dataset.json`) and, when `foreignDir` is given, its foreign copy. */
export async function makeTinyStore(dir: string, foreignDir?: string, frames = 4, size: [number, number] = [96, 112]): Promise<void> {
  mkdirSync(dir, { recursive: true });
  if (foreignDir) mkdirSync(foreignDir, { recursive: true });
  const [H, W] = size;
  const entries = [];
  for (const [k, s] of SCENES.entries()) {
    const sim = simulateFucci({ seed: 10 + k, frames, height: H, width: W, cells: 10, cycleFrames: 6, frameIntervalHours: 1 / 3 });
    for (let t = 0; t < frames; t++) {
      const img = renderFucciFrame(sim, t, { channels: ["Cy5", "mKate", "TagGFP", "Oblique"] as never }).image;
      const d = img.data as Uint16Array;
      const planes = CHANNELS.map((_, c) => d.subarray(c * H * W, (c + 1) * H * W));
      const file = `${s.condition}_r${s.replicate}_t${String(t).padStart(5, "0")}.h5`;
      const meta = {
        channels: CHANNELS,
        condition: s.condition,
        replicate: s.replicate,
        t,
        timeS: t * 1200,
        scene: k,
        pixelSizeM: [6.5e-7, 6.5e-7] as [number, number],
        source: "",
        sourceSha256: "",
      };
      const w = await writeFrameFile(join(dir, file), planes, H, W, meta, { tile: [32, 32] });
      entries.push({
        file,
        condition: s.condition,
        replicate: s.replicate,
        t,
        timeS: t * 1200,
        scene: k,
        sha256: w.sha256,
        bytes: w.bytes,
        source: "",
        sourceSha256: "",
      });
      if (foreignDir) {
        // the release's layout: one (C, X, Y) dataset, no attributes
        const f = await H5File.create(join(foreignDir, `${s.condition}_${s.replicate}_${String(t).padStart(4, "0")}.h5`));
        const cxy = new Uint16Array(d.length);
        for (let c = 0; c < 4; c++)
          for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) cxy[c * H * W + x * H + y] = d[c * H * W + y * W + x] as number;
        f.writeDataset("/data", cxy, { shape: [4, W, H], chunks: [1, W, H], compression: "gzip", level: 1 });
        f.close();
      }
    }
  }
  const manifest = buildManifest(
    { channels: CHANNELS, dtype: "uint16", axes: "CYX", shape: [4, H, W], pixelSizeM: [6.5e-7, 6.5e-7], compression: "gzip" },
    entries,
  );
  await writeManifestFile(join(dir, "dataset.json"), manifest);
}
