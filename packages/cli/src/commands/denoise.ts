/**
 * `hyped denoise-bench <frames dir> --denoisers gaussian,median,nlm,fm2s [--json]`: the paper's Table 4 on a
 * frame store, with a progress bar; writes CSV/JSON and an SVG bar chart with `--out`.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type BenchmarkFrame, benchmarkSvg, DENOISER_NAMES, denoiserByName, denoisingBenchmark, openFrameStore } from "@hyped/imaging";
import type { Command } from "commander";
import { printJson, progressBar, UsageError } from "../context.js";

/** Rows → CSV text (header from the first row's keys). */
export function toCsv(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return "";
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const esc = (v: unknown) => {
    const s = v === undefined || v === null ? "" : String(v);
    return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return `${keys.join(",")}\n${rows.map((r) => keys.map((k) => esc(r[k])).join(",")).join("\n")}\n`;
}

export function denoiseCommand(program: Command): void {
  program
    .command("denoise-bench")
    .description("run the denoising benchmark (Table 4) on a frame store")
    .argument("<frames>", "frame store directory (dataset.json + frame .h5 files)")
    .option("--denoisers <list>", `comma-separated: ${DENOISER_NAMES.join(",")}`, "gaussian,median,nlm,fm2s")
    .option("--condition <name>", "condition to use (default: the first)")
    .option("--replicate <n>", "replicate (default: the first)")
    .option("--channels <names>", "comma-separated channel names (default: all)")
    .option("--frames <n>", "use at most this many time points")
    .option("--bit-depth <n>", "valid bits of integer frames, for FM2S's scaling", "14")
    .option("--fm2s-samples <n>", "FM2S re-noised copies (authors: 25)", "25")
    .option("--fm2s-steps <n>", "FM2S Adam steps per copy (authors: 150)", "150")
    .option("--out <dir>", "write denoise-bench.csv, .json and .svg here")
    .option("--json", "print the rows as a JSON array")
    .action(async (dir: string, o: Record<string, string | boolean | undefined>) => {
      const names = String(o.denoisers)
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      for (const n of names)
        if (!(DENOISER_NAMES as readonly string[]).includes(n))
          throw new UsageError(`unknown denoiser '${n}' (known: ${DENOISER_NAMES.join(", ")})`);
      const store = await openFrameStore(dir);
      const condition = (o.condition as string | undefined) ?? store.conditions[0];
      if (!condition || !store.conditions.includes(condition))
        throw new UsageError(`no condition '${condition}' (have: ${store.conditions.join(", ")})`);
      const replicate = o.replicate !== undefined ? Number(o.replicate) : store.replicates[condition]?.[0];
      const channels = o.channels
        ? String(o.channels)
            .split(",")
            .map((c) => {
              const k = store.channels.indexOf(c.trim());
              if (k < 0) throw new UsageError(`no channel '${c}' (have: ${store.channels.join(", ")})`);
              return k;
            })
        : undefined;
      const times = store.times.slice(0, o.frames ? Number(o.frames) : undefined);
      const bitDepth = Number(o.bitDepth ?? o["bit-depth"] ?? 14);
      const denoisers = names.map((n) =>
        denoiserByName(
          n,
          n === "fm2s" ? { bitDepth, samples: Number(o.fm2sSamples ?? 25), stepsPerSample: Number(o.fm2sSteps ?? 150) } : {},
        ),
      );
      const bar = progressBar("denoise-bench", !o.json && process.stderr.isTTY === true);
      async function* frames(): AsyncGenerator<BenchmarkFrame> {
        for await (const f of store.frames({
          condition: condition as string,
          ...(replicate !== undefined ? { replicate } : {}),
          t: [times[0] ?? 0, (times[times.length - 1] ?? 0) + 1],
        })) {
          yield { image: f.data, t: f.t };
        }
      }
      const total = times.length;
      const { rows, perFrame } = await denoisingBenchmark(frames(), denoisers, {
        ...(channels ? { channels } : {}),
        onProgress: (e) => bar.onProgress({ ...e, total }),
      });
      bar.stop();
      const table = rows.map((r) => ({
        denoiser: r.denoiser,
        mse: r.mse,
        psnr: r.psnr,
        ssim: r.ssim,
        snr_input: r.snr_input,
        snr_denoised: r.snr_denoised,
      }));
      if (o.out) {
        await mkdir(String(o.out), { recursive: true });
        await writeFile(join(String(o.out), "denoise-bench.csv"), toCsv(table));
        await writeFile(join(String(o.out), "denoise-bench.json"), JSON.stringify({ rows, perFrame }, null, 1));
        await writeFile(join(String(o.out), "denoise-bench.svg"), await benchmarkSvg(rows));
      }
      if (o.json) {
        printJson(table);
        return;
      }
      process.stdout.write(
        `Denoising benchmark on ${condition} r${replicate}, ${times.length} time points, channels ${(channels ?? store.channels.map((_, i) => i)).map((k) => store.channels[k]).join(", ")}\n`,
      );
      process.stdout.write(
        `${"denoiser".padEnd(10)} ${"MSE".padStart(12)} ${"PSNR".padStart(8)} ${"SSIM".padStart(7)} ${"SNR in".padStart(8)} ${"SNR out".padStart(8)}\n`,
      );
      for (const r of table) {
        process.stdout.write(
          `${r.denoiser.padEnd(10)} ${r.mse.toExponential(3).padStart(12)} ${r.psnr.toFixed(2).padStart(8)} ${r.ssim.toFixed(4).padStart(7)} ${r.snr_input.toFixed(2).padStart(8)} ${r.snr_denoised.toFixed(2).padStart(8)}\n`,
        );
      }
    });
}
