/**
 * `hyped demo`: the main job. On first run it generates the synthetic mini-HYPED dataset (then reuses it),
 * and runs the whole pipeline on it: inspect, convert, segment/track/phases, SNR, denoising benchmark,
 * demultiplexing, QC/normalise/HVG/PCA/t-SNE/DE, tokenisation and in-silico perturbation, baselines and
 * their evaluation per condition × phase. Writes `report.md`, SVG figures and CSV/JSON tables.
 * `--data <dir>` runs the same on data laid out as the release is (`imaging/czi/*.czi`, `seq/*.h5ad`).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../context.js";
import { DemoContext } from "../demo/context.js";
import { type ImagingDemoSummary, runImagingDemo } from "../demo/imaging.js";
import { renderReport } from "../demo/report.js";
import { runSeqDemo, type SeqDemoSummary } from "../demo/seq.js";
import { type SynthManifest, writeSynthDataset } from "./synth.js";

interface DemoOptions {
  out: string;
  data?: string;
  seed: string;
  scale: string;
  skipImaging?: boolean;
  skipSeq?: boolean;
  workers: string;
}

export function demoCommand(program: Command): void {
  program
    .command("demo")
    .description("run the whole pipeline on the built-in synthetic dataset (or on --data) and write a report")
    .option("--out <dir>", "output folder", "hyped-demo-out")
    .option("--data <dir>", "a dataset laid out as the release is (imaging/czi/*.czi, seq/*.h5ad); default: generate the mini dataset")
    .option("--seed <n>", "seed of the generated dataset", "1")
    .option("--scale <scale>", "size of the generated dataset: mini (default) or tiny (a quick check)", "mini")
    .option("--workers <n>", "worker threads for conversion", "2")
    .option("--skip-imaging", "only the sequencing half")
    .option("--skip-seq", "only the imaging half")
    .action(async (o: DemoOptions) => {
      const started = new Date();
      const t0 = performance.now();
      const seed = Number(o.seed);
      if (!Number.isSafeInteger(seed)) throw new UsageError("--seed must be an integer");
      if (o.scale !== "mini" && o.scale !== "tiny") throw new UsageError("--scale must be mini or tiny");
      const scale = o.scale as "mini" | "tiny";
      await mkdir(o.out, { recursive: true });
      const log = (line: string) => process.stdout.write(`${line}\n`);
      const ctx = new DemoContext(o.out, process.stderr.isTTY === true, log);
      let dataDir = o.data;
      let synth: SynthManifest | undefined;
      if (!dataDir) {
        dataDir = join(o.out, "data");
        const manifest = join(dataDir, "synth.json");
        const cached = existsSync(manifest) ? (JSON.parse(readFileSync(manifest, "utf8")) as SynthManifest) : undefined;
        if (cached && cached.seed === seed && cached.scale === scale && cached.seq.h5ad && cached.imaging.czi.length) {
          synth = cached;
          log(`using the synthetic ${scale} dataset in ${dataDir}`);
        } else {
          synth = await ctx.step(`generate the synthetic ${scale} HYPED dataset (first run only)`, () =>
            writeSynthDataset(dataDir as string, scale, seed, ctx.showBars),
          );
        }
      } else if (!existsSync(dataDir)) {
        throw new UsageError(`--data ${dataDir} does not exist`);
      }
      let imaging: ImagingDemoSummary | undefined;
      let seq: SeqDemoSummary | undefined;
      if (!o.skipImaging) {
        log("\n== imaging");
        imaging = await runImagingDemo(dataDir, ctx, { workers: Number(o.workers), ...(synth ? { synth: { seed, scale } } : {}) });
      }
      if (!o.skipSeq) {
        log("\n== sequencing");
        const seqDir = join(dataDir, "seq");
        const h5ad = existsSync(seqDir) ? readdirSync(seqDir).find((f) => f.endsWith(".h5ad")) : undefined;
        if (!h5ad) throw new UsageError(`no .h5ad in ${seqDir}`);
        seq = await runSeqDemo(join(seqDir, h5ad), ctx);
      }
      const seconds = (performance.now() - t0) / 1000;
      const report = renderReport(ctx, { data: dataDir, ...(synth ? { seed, scale } : {}), started, seconds }, imaging, seq);
      await ctx.write("report.md", report);
      log(`\n== summary (${seconds.toFixed(1)} s)`);
      if (imaging) {
        log(
          `imaging: ${imaging.frames} frames, ${imaging.objects} nuclei; segmentation F1 ${fmt(imaging.segmentationF1)}, TRA ${fmt(imaging.tra)}, divisions found ${fmt(imaging.divisionsFound)}, phase accuracy ${fmt(imaging.phaseAccuracy)}`,
        );
      }
      if (seq)
        log(
          `sequencing: ${seq.nDroplets} droplets, ${seq.nSinglets} singlets; demux singlet accuracy ${fmt(seq.singletAccuracy)}, doublet recall ${fmt(seq.doubletRecall)}`,
        );
      log(`report: ${join(o.out, "report.md")} (${ctx.tables.length} tables, ${ctx.figures.length} figures)`);
    });
}

const fmt = (v: number | undefined) => (v === undefined ? "n/a" : v.toFixed(3));
