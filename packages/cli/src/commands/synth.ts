/**
 * `hyped synth --out <dir> [--scale mini|full] [--seed N]`: the synthetic HYPED dataset (imaging CZIs with
 * truth, and the sequencing `.h5ad` with HTO counts and the true condition), laid out as the release is.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { HYPED_CONDITIONS, synthImaging } from "@hyped/imaging";
import { synthSeq, writeH5ad } from "@hyped/seq";
import type { Command } from "commander";
import { printJson, progressBar, UsageError } from "../context.js";

/** What `hyped synth` wrote (also saved as `<out>/synth.json`). */
export interface SynthManifest {
  scale: "mini" | "full" | "tiny";
  seed: number;
  imaging: { czi: string[]; truth: string[]; frames: number; width: number; height: number; channels: string[] };
  seq: { h5ad: string; nObs: number; nVars: number; hashtagDesign: Record<string, unknown> };
}

/** Generate the dataset into `out` (both modalities). */
export async function writeSynthDataset(
  out: string,
  scale: "mini" | "full" | "tiny",
  seed: number,
  show = process.stderr.isTTY === true,
  only?: "imaging" | "seq",
): Promise<SynthManifest> {
  await mkdir(out, { recursive: true });
  let imaging: SynthManifest["imaging"] = { czi: [], truth: [], frames: 0, width: 0, height: 0, channels: [] };
  if (only !== "seq") {
    const bar = progressBar("imaging", show);
    const img = await synthImaging(join(out, "imaging"), { scale, seed, onProgress: bar.onProgress });
    bar.stop();
    imaging = {
      czi: [...new Set(img.scenes.map((s) => s.czi))],
      truth: img.scenes.map((s) => s.truth),
      frames: img.frames,
      width: img.scenes[0]?.width ?? 0,
      height: img.scenes[0]?.height ?? 0,
      channels: img.channels,
    };
  }
  let seq: SynthManifest["seq"] = { h5ad: "", nObs: 0, nVars: 0, hashtagDesign: {} };
  if (only !== "imaging") {
    const bar = progressBar("sequencing", show);
    const s = synthSeq({ ...(scale === "tiny" ? { nCells: 600, nGenes: 400 } : { scale }), seed, onProgress: bar.onProgress });
    await mkdir(join(out, "seq"), { recursive: true });
    const h5ad = join(out, "seq", "hyped.h5ad");
    await writeH5ad(h5ad, s.adata, { compression: "gzip" });
    bar.stop();
    await writeFile(join(out, "seq", "planted_effects.json"), JSON.stringify(s.effects, null, 1));
    seq = { h5ad, nObs: s.adata.nObs, nVars: s.adata.nVars, hashtagDesign: s.hashtagDesign as Record<string, unknown> };
  }
  const manifest: SynthManifest = { scale, seed, imaging, seq };
  await writeFile(join(out, "synth.json"), JSON.stringify(manifest, null, 1));
  return manifest;
}

export function synthCommand(program: Command): void {
  program
    .command("synth")
    .description("generate the synthetic HYPED dataset (CZIs per condition + truth, and an .h5ad with HTO counts)")
    .requiredOption("--out <dir>", "output folder")
    .option(
      "--scale <scale>",
      "mini (about 600x700 px, 12 frames, 3,000 cells), full (2826x3245, 203 frames, 20,000 cells) or tiny (tests)",
      "mini",
    )
    .option("--seed <n>", "random seed", "1")
    .option("--only <part>", "imaging or seq")
    .option("--json", "print what was written as JSON")
    .action(async (o: { out: string; scale: string; seed: string; only?: string; json?: boolean }) => {
      if (o.scale !== "mini" && o.scale !== "full" && o.scale !== "tiny")
        throw new UsageError(`--scale must be mini, full or tiny, not '${o.scale}'`);
      if (o.only !== undefined && o.only !== "imaging" && o.only !== "seq") throw new UsageError(`--only must be imaging or seq`);
      const seed = Number(o.seed);
      if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed must be an integer`);
      const m = await writeSynthDataset(
        o.out,
        o.scale,
        seed,
        !o.json && process.stderr.isTTY === true,
        o.only as "imaging" | "seq" | undefined,
      );
      if (o.json) printJson(m);
      else {
        process.stdout.write(
          `wrote ${m.imaging.czi.length} CZIs (${HYPED_CONDITIONS.map((c) => `${c.name} x${c.replicates}`).join(", ")}; ${m.imaging.frames} frames of ${m.imaging.width}x${m.imaging.height}) and ${m.seq.h5ad || "no h5ad"} (${m.seq.nObs} x ${m.seq.nVars}) to ${o.out}\n`,
        );
      }
    });
}
