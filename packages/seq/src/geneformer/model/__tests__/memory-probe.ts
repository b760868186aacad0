/**
 * Memory probe, run in a fresh process by the memory test and by `pnpm bench geneformer`:
 * `node --import tsx --expose-gc memory-probe.ts <model dir> [runtime] [externalWeights]`. Loads the model and
 * prints one JSON line: RSS before loading (after ONNX Runtime's own code is loaded), the peak RSS of the process, the RSS once loading settled, and after embedding one short cell (which makes ONNX Runtime
 * touch every weight it uses) and the peak up to then, each above the RSS before loading and over the bytes of the
 * weights the encoder uses (position_ids, the masked-LM head and a pooler excluded).
 */
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { encodeOnnxModel, OnnxType } from "../../../onnx/proto.js";
import { openSafetensors } from "../../../safetensors/read.js";
import { loadGeneformer, loadRuntime } from "../index.js";

const [dir = "", runtime = "node", external = "true", prepack = "false"] = process.argv.slice(2);
/**
 * Peak RSS of this process: Linux's VmHWM (the high-water mark of this process image's memory). getrusage's maxRSS
 * is not used on Linux: it carries over the parent's RSS at fork across exec, so a large parent inflates it.
 */
function peakRss(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (m) return Number(m[1]) * 1024;
  } catch {}
  return process.resourceUsage().maxRSS * 1024;
}
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const st = await openSafetensors(join(dir, "model.safetensors"));
let weightBytes = 0;
for (const e of st.tensors.values()) if (!/position_ids|^cls\.|pooler/.test(e.name)) weightBytes += e.byteLength;
await st.source.close?.();
// the runtime's code is not the model's memory: load it, and for onnxruntime-web start its WebAssembly instance
// (with the threads loadGeneformer asks for) on a one-node model
const { ort } = await loadRuntime(runtime as "node" | "web");
if (runtime === "web") {
  if (ort.env?.wasm) ort.env.wasm.numThreads = Number(process.env.GF_PROBE_THREADS ?? availableParallelism());
  const tiny = encodeOnnxModel({
    nodes: [{ op: "Relu", inputs: ["x"], outputs: ["y"] }],
    initializers: [],
    inputs: [{ name: "x", type: OnnxType.FLOAT, dims: [1] }],
    outputs: [{ name: "y", type: OnnxType.FLOAT, dims: [1] }],
  });
  await (await ort.InferenceSession.create(tiny, { executionProviders: ["wasm"] })).release?.();
}
gc();
const before = process.memoryUsage().rss;
const t0 = performance.now();
const model = await loadGeneformer(dir, {
  runtime: runtime as "node" | "web",
  externalWeights: external === "true",
  prepack: prepack === "true",
});
const seconds = (performance.now() - t0) / 1000;
const peakLoad = peakRss();
gc();
await new Promise((r) => setTimeout(r, 100));
const settled = process.memoryUsage().rss;
await model.embedCells([Int32Array.from({ length: 16 }, (_, i) => 4 + i)]);
const afterRun = process.memoryUsage().rss;
const peakRun = peakRss();
await model.dispose();
console.log(
  JSON.stringify({
    weightBytes,
    seconds,
    peakRatio: (peakLoad - before) / weightBytes,
    settledRatio: (settled - before) / weightBytes,
    afterRunRatio: (afterRun - before) / weightBytes,
    peakRunRatio: (peakRun - before) / weightBytes,
  }),
);
