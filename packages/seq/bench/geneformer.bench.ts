/**
 * Geneformer inference benchmark (`pnpm bench geneformer`).
 *
 * Speed: cells per second for a Geneformer-V1-sized random model (6 layers × 256, 4 heads, 512 intermediate, ReLU,
 * vocabulary 25,426, F32 safetensors in Hugging Face layout) on cells of 2,048 tokens, one cell per forward pass:
 * ours with onnxruntime-node (CPU) and with onnxruntime-web (WebAssembly, SIMD, one thread per core) against the
 * numpy forward pass of scripts/make_geneformer_model_reference.py (float32) with OpenBLAS's default threads and
 * with one thread, in the same run, in turns (scripts/bench-utils.ts inTurns), medians of the rounds, wall and CPU
 * time (all threads; a loaded machine distorts it less). Goal: ≥ 2× numpy's cells per second (ours/numpy time ≤ 0.5).
 *
 * MatMul: single-core GFLOP/s of onnxruntime-node, onnxruntime-web and numpy on the model's matrix shapes.
 *
 * Memory: a V2-sized random model (12 × 768, 12 heads, 3,072 intermediate, 4,096 positions, vocabulary 20,275:
 * about 104 M parameters) loaded with onnxruntime-node and with onnxruntime-web in a fresh process
 * (src/geneformer/model/__tests__/memory-probe.ts): peak RSS above the process's RSS before loading, through loading and a first forward pass,
 * over the weight bytes, with the weights referenced in model.safetensors (default) and copied into the graph.
 * Goal: < 1.5×.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir, uptime } from "node:os";
import { join } from "node:path";
import { loadGeneformer, loadRuntime, randomBertCheckpoint } from "@hyped/seq/geneformer";
import { encodeOnnxModel, OnnxType } from "@hyped/seq/onnx";
import { inTurns, median, PythonPeer, pythonWith, type TurnResult, tsScriptArgs, verdictTable } from "../../../scripts/bench-utils.js";

const SCRIPT = join(import.meta.dirname, "../scripts/make_geneformer_model_reference.py");
const PROBE = join(import.meta.dirname, "../src/geneformer/model/__tests__/memory-probe.ts");
/** `GF_BENCH_PART=speed`, `matmul` or `memory` runs one part; default all three. */
const PART = process.env.GF_BENCH_PART ?? "all";

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "hyped-gf-bench-"));
  try {
    console.log(
      `machine: ${cpus().length} cores, load average ${loadavg()
        .map((x) => x.toFixed(1))
        .join(" ")}, up ${(uptime() / 60).toFixed(0)} min`,
    );
    if (PART === "all" || PART === "speed") await speed(dir);
    if (PART === "all" || PART === "matmul") await matmul();
    if (PART === "all" || PART === "memory") await memory(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A Python peer running the reference script's numpy forward pass on the model in `dir`, with `env` set. */
async function numpyPeer(dir: string, nCells: number, env: Record<string, string>): Promise<PythonPeer | undefined> {
  const setup = `
import importlib.util, json, os, numpy as np
spec = importlib.util.spec_from_file_location("ref", ${JSON.stringify(SCRIPT)})
ref = importlib.util.module_from_spec(spec); spec.loader.exec_module(ref)
cfg = json.load(open(os.path.join(${JSON.stringify(dir)}, "config.json")))
W = ref.read_safetensors(os.path.join(${JSON.stringify(dir)}, "model.safetensors"))
ids = np.random.default_rng(1).integers(4, cfg["vocab_size"], size=(${nCells}, ${T}))
mask = np.ones_like(ids)
def cells():  # one cell per forward pass, float32, as Geneformer's batches of equal-length cells
    for b in range(${nCells}):
        ref.bert_forward(W, cfg, ids[b : b + 1], mask[b : b + 1], dtype=np.float32)
`;
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return await PythonPeer.start(setup, "numpy", "scipy");
  } finally {
    for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

const T = 2048;

/** Cells per second, V1-sized model: ours (onnxruntime-node, onnxruntime-web) against numpy, in turns. */
async function speed(dir: string): Promise<void> {
  const v1 = join(dir, "v1");
  mkdirSync(v1);
  const ck = randomBertCheckpoint({ seed: 2 });
  writeFileSync(join(v1, "config.json"), JSON.stringify(ck.config));
  writeFileSync(join(v1, "model.safetensors"), ck.weights);
  const nCells = Number(process.env.GF_BENCH_CELLS ?? 2);
  const rounds = Number(process.env.GF_BENCH_ROUNDS ?? 3);
  let seed = 1;
  const cells = Array.from({ length: nCells }, () =>
    Int32Array.from({ length: T }, () => 4 + ((seed = (seed * 48271) % 2147483647) % 25_000)),
  );
  const node = await loadGeneformer(v1, { runtime: "node" });
  const web = await loadGeneformer(v1, { runtime: "web" }); // one thread per core (loadGeneformer's default)
  const peers = [
    ["numpy (OPENBLAS_NUM_THREADS=1)", await numpyPeer(v1, nCells, { OPENBLAS_NUM_THREADS: "1" })],
    ["numpy (OpenBLAS default threads)", await numpyPeer(v1, nCells, {})],
  ] as const;
  if (!peers[0][1]) console.log("numpy peer absent (/usr/bin/python3 with numpy and scipy): no ratio");
  const results: TurnResult[] = [];
  for (const [peerName, peer] of peers) {
    for (const [name, m] of [
      ["onnxruntime-node", node],
      [`onnxruntime-web (wasm, SIMD, ${availableParallelism()} threads)`, web],
    ] as const) {
      results.push(
        ...(await inTurns(
          [
            {
              name: `${name}, ${nCells} cells of 2,048 tokens`,
              ours: () => m.embedCells(cells, { maxBatchSize: 1 }),
              peer: "cells()",
              peerName,
              goal: 0.5, // ≥ 2× numpy's cells per second
              rounds, // both sides embed the same nCells cells per call
            },
          ],
          peer,
        )),
      );
    }
    peer?.close();
  }
  await node.dispose();
  await web.dispose();
  verdictTable(results);
  console.log(`\n| ours | peer | ours cells/s (wall) | peer cells/s (wall) | speed-up wall | speed-up CPU | load average |`);
  console.log("|---|---|---|---|---|---|---|");
  for (const r of results) {
    const w = (xs: number[]) => (xs.length ? (1000 * nCells) / median(xs) : Number.NaN);
    console.log(
      `| ${r.name} | ${r.peerName} | ${w(r.ours).toFixed(3)} | ${w(r.peer).toFixed(3)} | ${r.ratio ? (1 / r.ratio).toFixed(2) : "-"}x | ${r.cpuRatio ? (1 / r.cpuRatio).toFixed(2) : "-"}x | ${loadavg()[0]?.toFixed(1)} |`,
    );
  }
}

/**
 * Single-core MatMul throughput (GFLOP per CPU-second) of onnxruntime-node, onnxruntime-web (wasm SIMD) and numpy
 * (OpenBLAS, one thread) on the shapes of the V1-sized model at 2,048 tokens: why onnxruntime-web cannot reach 2×
 * numpy on this machine (see docs/geneformer-model.md).
 */
async function matmul(): Promise<void> {
  const shapes = [
    { name: "projection 2048×256 · 256×256", b: 1, m: 2048, k: 256, n: 256 },
    { name: "feed-forward 2048×256 · 256×512", b: 1, m: 2048, k: 256, n: 512 },
    { name: "attention scores 4 × (2048×64 · 64×2048)", b: 4, m: 2048, k: 64, n: 2048 },
  ];
  const reps = Number(process.env.GF_BENCH_MATMUL_REPS ?? 10);
  const rows: string[] = [];
  const ortNode = (await loadRuntime("node")).ort;
  const ortWeb = (await loadRuntime("web")).ort;
  const py = pythonWith("numpy");
  for (const sh of shapes) {
    const flops = 2 * sh.b * sh.m * sh.k * sh.n * reps;
    const model = encodeOnnxModel({
      nodes: [{ op: "MatMul", inputs: ["a", "b"], outputs: ["y"] }],
      initializers: [],
      inputs: [
        { name: "a", type: OnnxType.FLOAT, dims: [sh.b, sh.m, sh.k] },
        { name: "b", type: OnnxType.FLOAT, dims: [sh.b, sh.k, sh.n] },
      ],
      outputs: [{ name: "y", type: OnnxType.FLOAT, dims: [sh.b, sh.m, sh.n] }],
    });
    const a = Float32Array.from({ length: sh.b * sh.m * sh.k }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
    const bm = Float32Array.from({ length: sh.b * sh.k * sh.n }, (_, i) => ((i * 104729) % 1000) / 1000 - 0.5);
    const gflops: Record<string, number> = {};
    for (const [name, ort, opts] of [
      ["onnxruntime-node", ortNode, { intraOpNumThreads: 1, executionProviders: ["cpu"] }],
      ["onnxruntime-web", ortWeb, { executionProviders: ["wasm"], extra: { session: { "intra_op.allow_spinning": "0" } } }],
    ] as const) {
      const sess = await ort.InferenceSession.create(model, opts as Record<string, unknown>);
      const T = ort.Tensor as unknown as new (t: string, d: Float32Array, dims: number[]) => unknown;
      const feeds = { a: new T("float32", a, [sh.b, sh.m, sh.k]), b: new T("float32", bm, [sh.b, sh.k, sh.n]) };
      await sess.run(feeds);
      const c0 = process.cpuUsage();
      for (let r = 0; r < reps; r++) await sess.run(feeds);
      const c = process.cpuUsage(c0);
      gflops[name] = flops / ((c.user + c.system) / 1e6) / 1e9;
      await sess.release?.();
    }
    if (py) {
      const code = `import numpy as np, time, json
a = np.random.default_rng(0).standard_normal((${sh.b}, ${sh.m}, ${sh.k}), dtype=np.float32)
b = np.random.default_rng(1).standard_normal((${sh.b}, ${sh.k}, ${sh.n}), dtype=np.float32)
a @ b
c = time.process_time()
for _ in range(${reps}): a @ b
print(json.dumps(${flops} / (time.process_time() - c) / 1e9))`;
      const out = spawnSync(py, ["-c", code], { encoding: "utf8", env: { ...process.env, OPENBLAS_NUM_THREADS: "1" } });
      gflops.numpy = Number(out.stdout.trim());
    }
    rows.push(
      `| ${sh.name} | ${gflops["onnxruntime-node"]?.toFixed(1)} | ${gflops["onnxruntime-web"]?.toFixed(1)} | ${gflops.numpy?.toFixed(1) ?? "-"} |`,
    );
  }
  console.log("\nMatMul, GFLOP per CPU-second (one core's throughput; web: CPU time of all its threads)");
  console.log("| shape | onnxruntime-node (1 thread) | onnxruntime-web (wasm SIMD) | numpy (OpenBLAS, 1 thread) |");
  console.log("|---|---|---|---|");
  for (const r of rows) console.log(r);
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
    // the probe loads the model in a fresh process: weights read from model.safetensors (default), then copied
    for (const [runtime, external] of [
      ["node", "true"],
      ["node", "false"],
      ["web", "true"],
      ["web", "false"],
    ]) {
      const child = spawnSync(
        process.execPath,
        ["--expose-gc", ...(await tsScriptArgs(PROBE)), v2, runtime as string, external as string],
        {
          encoding: "utf8",
        },
      );
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
          `V2-sized load (${(m.weightBytes / 2 ** 20).toFixed(0)} MiB of F32 weights, onnxruntime-${runtime}, externalWeights ${external}): ${m.seconds.toFixed(2)} s; RSS above the pre-load process over the weight bytes: peak while loading ${m.peakRatio.toFixed(2)}x, after a first forward pass ${m.afterRunRatio.toFixed(2)}x, peak through both ${m.peakRunRatio.toFixed(2)}x (goal < 1.5x: ${m.peakRunRatio < 1.5 ? "PASS" : "FAIL"}; load average ${loadavg()[0]?.toFixed(1)})`,
        );
      } catch {
        console.log(`memory probe failed: ${child.stderr.slice(-2000)}`);
      }
    }
  }
}

await main();
