/**
 * Geneformer inference benchmark (`pnpm bench geneformer`).
 *
 * Speed: cells per second for a Geneformer-V1-sized random model (6 layers × 256, 4 heads, 512 intermediate, ReLU,
 * vocabulary 25,426, F32 safetensors in Hugging Face layout) on cells of 2,048 tokens, one cell per forward pass:
 * ours with onnxruntime-node (CPU) and with onnxruntime-web (WebAssembly, SIMD, one thread per core) against the
 * numpy forward pass of scripts/make_geneformer_model_reference.py (float32) with OpenBLAS's default threads and
 * with one thread, in the same run, in turns, medians of the rounds; the ratio is against the faster numpy. Also
 * CPU seconds per cell (all threads), which a loaded machine distorts less. Goal: ≥ 2× numpy.
 *
 * Memory: a V2-sized random model (12 × 768, 12 heads, 3,072 intermediate, 4,096 positions, vocabulary 20,275:
 * about 104 M parameters) loaded with onnxruntime-node in a fresh process (src/geneformer/model/__tests__/
 * memory-probe.ts): peak RSS above the process's RSS before loading, through loading and a first forward pass,
 * over the weight bytes, with the weights referenced in model.safetensors (default) and copied into the graph.
 * Goal: < 1.5×.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, uptime } from "node:os";
import { join } from "node:path";
import { loadGeneformer, randomBertCheckpoint } from "@hyped/seq/geneformer";
import { pythonWith, tsScriptArgs } from "../../../scripts/bench-utils.js";

const SCRIPT = join(import.meta.dirname, "../scripts/make_geneformer_model_reference.py");
const PROBE = join(import.meta.dirname, "../src/geneformer/model/__tests__/memory-probe.ts");
/** `GF_BENCH_PART=speed` or `memory` runs one half; default both. */
const PART = process.env.GF_BENCH_PART ?? "all";
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "hyped-gf-bench-"));
  try {
    console.log(
      `machine: ${cpus().length} cores, load average ${loadavg()
        .map((x) => x.toFixed(1))
        .join(" ")}, up ${(uptime() / 60).toFixed(0)} min`,
    );
    if (PART !== "memory") await speed(dir);
    if (PART !== "speed") await memory(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Cells per second, V1-sized model, ours (node, web) and numpy in turns. */
async function speed(dir: string): Promise<void> {
  {
    const v1 = join(dir, "v1");
    mkdirSync(v1);
    const ck = randomBertCheckpoint({ seed: 2 });
    writeFileSync(join(v1, "config.json"), JSON.stringify(ck.config));
    writeFileSync(join(v1, "model.safetensors"), ck.weights);
    const nCells = Number(process.env.GF_BENCH_CELLS ?? 2);
    const rounds = Number(process.env.GF_BENCH_ROUNDS ?? 3);
    const T = 2048;
    let seed = 1;
    const cells = Array.from({ length: nCells }, () =>
      Int32Array.from({ length: T }, () => 4 + ((seed = (seed * 48271) % 2147483647) % 25_000)),
    );
    const node = await loadGeneformer(v1, { runtime: "node" });
    const web = await loadGeneformer(v1, { runtime: "web", numThreads: cpus().length });
    const py = pythonWith("numpy", "scipy");
    await node.embedCells(cells.slice(0, 1), { maxBatchSize: 1 }); // warm-up (session initialisation)
    await web.embedCells(cells.slice(0, 1), { maxBatchSize: 1 });
    // cells/s (wall clock) and CPU seconds per cell (all threads of the process): on a loaded machine the second
    // shows how much work each implementation does, the first what the contention leaves of it
    const rate: Record<string, number[]> = {};
    const cpuPerCell: Record<string, number[]> = {};
    const record = (k: string, wall: number, cpu: number) => {
      (rate[k] ??= []).push(nCells / wall);
      (cpuPerCell[k] ??= []).push(cpu / nCells);
    };
    const ours = [
      ["onnxruntime-node", node],
      [`onnxruntime-web (${cpus().length} threads)`, web],
    ] as const;
    const peers = [
      ["numpy (OpenBLAS default threads)", {}],
      ["numpy (OPENBLAS_NUM_THREADS=1)", { OPENBLAS_NUM_THREADS: "1" }],
    ] as const;
    for (let r = 0; r < rounds; r++) {
      for (const [name, m] of ours) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        await m.embedCells(cells, { maxBatchSize: 1 });
        const c = process.cpuUsage(c0);
        record(name, (performance.now() - t0) / 1000, (c.user + c.system) / 1e6);
      }
      for (const [name, env] of py ? peers : []) {
        const out = spawnSync(py as string, [SCRIPT, "--bench", v1, "--cells", String(nCells), "--tokens", String(T), "--rounds", "1"], {
          encoding: "utf8",
          env: { ...process.env, ...env },
        });
        const res = JSON.parse(out.stdout.trim().split("\n").pop() as string) as { seconds: number[]; cpu_seconds: number[] };
        record(name, res.seconds[0] as number, res.cpu_seconds[0] as number);
      }
      console.log(
        `round ${r + 1}: ${Object.entries(rate)
          .map(([k, v]) => `${k} ${v.at(-1)?.toFixed(3)}`)
          .join(", ")} cells/s (load average ${loadavg()[0]?.toFixed(1)})`,
      );
    }
    await node.dispose();
    await web.dispose();
    // the reference is numpy at its faster setting in this run
    const npRates = peers.map(([k]) => (rate[k]?.length ? median(rate[k]) : 0));
    const np = Math.max(...npRates);
    for (const [k, v] of Object.entries(rate)) {
      const m = median(v);
      const isOurs = !k.startsWith("numpy");
      console.log(
        `${k}: median ${m.toFixed(3)} cells/s, ${median(cpuPerCell[k] ?? []).toFixed(2)} CPU-s per cell (2,048 tokens, V1-sized)${np && isOurs ? `, ratio ours/numpy = ${(m / np).toFixed(2)}x (goal ≥ 2x: ${m / np >= 2 ? "PASS" : "FAIL"})` : ""}`,
      );
    }
    if (!np) console.log("numpy peer absent (/usr/bin/python3 with numpy and scipy): no ratio");
  }
}

/** Peak RSS of loading a V2-sized model, in a fresh process. */
async function memory(dir: string): Promise<void> {
  {
    const v2 = join(dir, "v2");
    mkdirSync(v2);
    {
      const big = randomBertCheckpoint({
        vocabSize: 20_275,
        hidden: 768,
        layers: 12,
        heads: 12,
        intermediate: 3072,
        maxPositions: 4096,
        hiddenAct: "gelu",
        seed: 3,
      });
      writeFileSync(join(v2, "config.json"), JSON.stringify(big.config));
      writeFileSync(join(v2, "model.safetensors"), big.weights);
    }
    // the probe loads the model in a fresh process: weights referenced in model.safetensors (default), then copied
    for (const external of ["true", "false"]) {
      const child = spawnSync(process.execPath, ["--expose-gc", ...(await tsScriptArgs(PROBE)), v2, "node", external], {
        encoding: "utf8",
      });
      const line = child.stdout.trim().split("\n").pop() ?? "";
      try {
        const m = JSON.parse(line) as {
          peakRatio: number;
          afterRunRatio: number;
          peakRunRatio: number;
          seconds: number;
          weightBytes: number;
        };
        console.log(
          `V2-sized load (${(m.weightBytes / 2 ** 20).toFixed(0)} MiB of F32 weights, onnxruntime-node, externalWeights ${external}): ${m.seconds.toFixed(2)} s; RSS above the pre-load process over the weight bytes: peak while loading ${m.peakRatio.toFixed(2)}x, after a first forward pass ${m.afterRunRatio.toFixed(2)}x, peak through both ${m.peakRunRatio.toFixed(2)}x (goal < 1.5x: ${m.peakRunRatio < 1.5 ? "PASS" : "FAIL"}; load average ${loadavg()[0]?.toFixed(1)})`,
        );
      } catch {
        console.log(`memory probe failed: ${child.stderr.slice(-2000)}`);
      }
    }
  }
}

await main();
