import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBertCheckpoint } from "../index.js";

const PACKAGE = join(import.meta.dirname, "../../../..");
const PROBE = join(import.meta.dirname, "memory-probe.ts");

interface Probe {
  weightBytes: number;
  peakRatio: number;
  settledRatio: number;
  afterRunRatio: number;
  peakRunRatio: number;
}

function probe(dir: string, ...args: string[]): Probe {
  const r = spawnSync(process.execPath, ["--conditions=@hyped/source", "--import", "tsx", "--expose-gc", PROBE, dir, ...args], {
    cwd: PACKAGE,
    encoding: "utf8",
  });
  const line = r.stdout.trim().split("\n").pop() ?? "";
  if (r.status !== 0 || !line.startsWith("{")) throw new Error(`memory probe failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(line) as Probe;
}

describe("loading a model costs little more than its weights (fresh process)", () => {
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "hyped-gf-mem-"));
    // 24 M parameters (92 MiB of F32): 4 × 512, 8 heads, 2,048 intermediate, V2's vocabulary
    const ck = randomBertCheckpoint({
      vocabSize: 20_275,
      hidden: 512,
      layers: 4,
      heads: 8,
      intermediate: 2048,
      maxPositions: 2048,
      seed: 5,
    });
    writeFileSync(join(dir, "config.json"), JSON.stringify(ck.config));
    writeFileSync(join(dir, "model.safetensors"), ck.weights);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("peak RSS above the pre-load process, through loading and a first forward pass, is under 1.5x the weight bytes", () => {
    const m = probe(dir, "node", "true");
    expect(m.weightBytes).toBeGreaterThan(90e6);
    expect(m.peakRunRatio).toBeLessThan(1.5);
    // the weights are in memory once the model has run (ONNX Runtime reads them from model.safetensors)
    expect(m.afterRunRatio).toBeGreaterThan(0.5);
  }, 120_000);

  it("with onnxruntime-web, loading peaks under 2.2x: the file is read one tensor at a time into the WebAssembly heap", () => {
    // For this 92 MiB model the peak measured 1.50-1.90x over six fresh processes (the wasm heap's growth steps
    // and V8's GC timing move it; the CI dry run saw 1.90x), 1.18x for a V2-sized one. Reading the whole file
    // first gave 2.9x, and copying the weights into the graph 4.0-4.2x: both fail this bound.
    // (V2-sized: 4.3x when copied into the graph, 2.1x with the file loaded whole as external data)
    const m = probe(dir, "web", "true");
    expect(m.peakRatio).toBeLessThan(2.2);
    expect(m.afterRunRatio).toBeGreaterThan(0.9);
  }, 120_000);
});
