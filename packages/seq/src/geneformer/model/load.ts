/**
 * `loadGeneformer`: a Geneformer (or any Hugging Face BERT) checkpoint from its model repository layout —
 * `config.json` plus `model.safetensors` — turned into an ONNX graph at load time and run by ONNX Runtime.
 */
import {
  type ByteSource,
  fileSource,
  HypedError,
  httpSource,
  isByteSource,
  type LongTaskOptions,
  openSource,
  progressReporter,
  throwIfAborted,
} from "@hyped/core";
import { type BertConfig, buildBertOnnx, checkBertConfig } from "../../onnx/bert.js";
import { openSafetensors, type SafetensorsFile } from "../../safetensors/read.js";
import type { Dictionary } from "../dictionaries.js";
import { LazyFile } from "./lazy-file.js";
import { GeneformerModel } from "./model.js";
import { loadRuntime, type OrtRuntime, type RuntimeChoice, sessionOptions } from "./runtime.js";

/** Where a model comes from: a folder path (Node), a URL prefix (`https://…/model-repo`), or the two files' contents. */
export type GeneformerSource =
  | string
  | URL
  | {
      /** `config.json`: parsed, as text, or as bytes. */
      config: BertConfig | string | Uint8Array;
      /** `model.safetensors`: bytes, a `Blob`/`File`, or a byte source. */
      weights: Uint8Array | ArrayBuffer | Blob | ByteSource;
    };

/** Options of {@link loadGeneformer}. */
export interface LoadGeneformerOptions extends LongTaskOptions {
  /**
   * Geneformer's token dictionary (Ensembl ID or special token → token id). When it has `<cls>` / `<eos>`, mean
   * pooling leaves them out, as Geneformer's EmbExtractor does for V2 models. Without one, mean covers every token.
   */
  tokenDictionary?: Dictionary<number>;
  /** `"auto"` (default: onnxruntime-node in Node when installed, else onnxruntime-web), `"node"`, `"web"`, or a module. */
  runtime?: RuntimeChoice;
  /**
   * ONNX Runtime execution providers, in order of preference. Default `["cpu"]` (onnxruntime-node) / `["wasm"]`
   * (onnxruntime-web). With onnxruntime-node built with CUDA, pass `["cuda", "cpu"]`.
   */
  executionProviders?: string[];
  /**
   * Threads: onnxruntime-node's `intraOpNumThreads` (default: ONNX Runtime's choice, one per core);
   * onnxruntime-web's `env.wasm.numThreads` (default in Node: one per core unless already set; in browsers: left
   * to onnxruntime-web).
   */
  numThreads?: number;
  /**
   * Let ONNX Runtime pre-pack weight matrices for its fp32 GEMM kernels. Default false. With onnxruntime-node
   * and a model folder it costs no extra memory (measured: the packed copy replaces the memory-mapped one) and the
   * same CPU time per cell; with onnxruntime-web the packed copy sits beside the original in the WebAssembly heap.
   */
  prepack?: boolean;
  /**
   * Let ONNX Runtime's idle intra-op threads spin-wait for work (its own default) instead of sleeping. Default
   * false: spinning gains a little on an idle machine but, on one shared with other jobs, burns the CPU the
   * computing threads need (measured on a loaded 2-core machine: 1.18 vs 0.79 cells/s with onnxruntime-node).
   */
  spinWait?: boolean;
  /**
   * Use ONNX Runtime's fused contrib operators (`com.microsoft`): `MultiHeadAttention`, `SkipLayerNormalization`
   * and, for GELU models, `BiasGelu` (exact erf GELU), instead of plain ONNX operators (same result to rounding).
   * Default true with onnxruntime-node and onnxruntime-web (both builds include them), false with a runtime module
   * of your own.
   */
  contribOps?: boolean;
  /**
   * Let ONNX Runtime read the weights from `model.safetensors` itself (ONNX external data pointing at each
   * tensor's bytes) instead of receiving a float32 copy in the graph: onnxruntime-node with a model folder (it
   * memory-maps the file; loading then peaks under 1× the weights instead of over 3×), onnxruntime-web with any
   * source but a byte source of your own (its `externalData` option). Default true; false always copies.
   */
  externalWeights?: boolean;
}

const WEIGHTS_FILE = "model.safetensors";

async function readText(src: ByteSource, signal?: AbortSignal): Promise<string> {
  if (src.size > 10_000_000) throw new HypedError("FORMAT", `${src.name}: ${src.size} bytes is too large for a config.json`, {});
  return new TextDecoder().decode(await src.read(0, src.size, signal));
}

function parseConfig(text: string, where: string): BertConfig {
  let c: unknown;
  try {
    c = JSON.parse(text);
  } catch (e) {
    throw new HypedError("FORMAT", `${where} is not JSON: ${(e as Error).message}`, {}, { cause: e });
  }
  if (c === null || typeof c !== "object" || Array.isArray(c)) throw new HypedError("FORMAT", `${where} is not a JSON object`, {});
  const mt = (c as { model_type?: unknown }).model_type;
  if (mt !== undefined && mt !== "bert")
    throw new HypedError("UNSUPPORTED", `${where}: model_type '${String(mt)}' (only 'bert')`, { modelType: mt });
  return c as BertConfig;
}

async function resolveSource(
  source: GeneformerSource,
  signal?: AbortSignal,
): Promise<{ config: BertConfig; weights: ByteSource; where: string; file?: WeightsFile }> {
  if (typeof source === "string" || source instanceof URL) {
    const s = String(source);
    if (/^https?:\/\//i.test(s)) {
      const base = s.endsWith("/") ? s : `${s}/`;
      const cfgSrc = await httpSource(`${base}config.json`);
      return {
        config: parseConfig(await readText(cfgSrc, signal), `${base}config.json`),
        weights: await httpSource(`${base}${WEIGHTS_FILE}`),
        where: s,
        file: { data: `${base}${WEIGHTS_FILE}` },
      };
    }
    const { join } = await import("node:path");
    const { existsSync } = await import("node:fs");
    const cfgPath = join(s, "config.json");
    const wPath = join(s, WEIGHTS_FILE);
    if (!existsSync(cfgPath))
      throw new HypedError("NOT_FOUND", `${s} has no config.json (a Hugging Face model folder holds config.json and ${WEIGHTS_FILE})`, {
        path: s,
      });
    if (!existsSync(wPath)) {
      const why = existsSync(join(s, "pytorch_model.bin"))
        ? "it holds pytorch_model.bin only: convert it once with transformers (`model.save_pretrained(dir, safe_serialization=True)`)"
        : existsSync(join(s, `${WEIGHTS_FILE}.index.json`))
          ? "sharded safetensors (model.safetensors.index.json) are not supported yet"
          : "no weights file";
      throw new HypedError("NOT_FOUND", `${s} has no ${WEIGHTS_FILE}: ${why}`, { path: s });
    }
    const cfgSrc = await fileSource(cfgPath);
    const text = await readText(cfgSrc, signal).finally(() => cfgSrc.close?.());
    return { config: parseConfig(text, cfgPath), weights: await fileSource(wPath), where: s, file: { path: wPath, data: wPath } };
  }
  const c = source.config;
  const config =
    typeof c === "string" ? parseConfig(c, "config") : c instanceof Uint8Array ? parseConfig(new TextDecoder().decode(c), "config") : c;
  const w = source.weights;
  if (isByteSource(w)) return { config, weights: w, where: "bytes" };
  return { config, weights: await openSource(w as Uint8Array | ArrayBuffer | Blob), where: "bytes", file: { data: w } };
}

/**
 * The `BertModel` prefix used by a checkpoint (`"bert."` for `BertForMaskedLM` / classifiers, `""` for a bare
 * `BertModel`), found from the word embeddings.
 */
function weightPrefix(st: SafetensorsFile): string {
  for (const p of ["bert.", ""]) if (st.tensors.has(`${p}embeddings.word_embeddings.weight`)) return p;
  throw new HypedError("FORMAT", "the weights have no bert.embeddings.word_embeddings.weight (not a BERT checkpoint?)", {
    first: [...st.tensors.keys()].slice(0, 5),
  });
}

/**
 * Load a Geneformer (or any Hugging Face `BertForMaskedLM` / `BertModel`) checkpoint: read `config.json`, open
 * `model.safetensors` (header only), build the encoder as an ONNX graph from the weights (each tensor read once,
 * widened to float32 from F32/F16/BF16, as `from_pretrained` loads in float32 by default), and start an ONNX
 * Runtime session. Tensors the encoder does not use are never read (`bert.embeddings.position_ids`,
 * `cls.predictions.*`, tied decoder weights, a pooler). Legacy `LayerNorm.gamma`/`.beta` names are accepted.
 *
 * Reports progress in tensors; `signal` cancels (`ABORTED`). Errors: `NOT_FOUND` (files, runtime), `FORMAT`
 * (corrupt header or config, missing tensor, wrong shape), `UNSUPPORTED` (activation, position type, dtype).
 */
export async function loadGeneformer(source: GeneformerSource, options: LoadGeneformerOptions = {}): Promise<GeneformerModel> {
  const { signal } = options;
  const { config, weights, where, file } = await resolveSource(source, signal);
  try {
    return await build(config, weights, where, options, file);
  } finally {
    // a source we opened ourselves (path, URL) is closed; one the caller passed stays open
    if (typeof source === "string" || source instanceof URL) await weights.close?.();
  }
}

/** `model.safetensors` as ONNX Runtime can open it: a local path (Node), and what onnxruntime-web can load. */
interface WeightsFile {
  path?: string;
  data: string | Uint8Array | ArrayBuffer | Blob;
}

/**
 * Where ONNX Runtime can read the weights itself, so that the graph references the tensors in `model.safetensors`
 * (ONNX external data) and no float32 copy passes through JavaScript: onnxruntime-node with a local file (which it
 * memory-maps; the real path is used, since a Hugging Face cache links `model.safetensors` to a blob elsewhere and
 * ONNX Runtime refuses external data that leaves its folder), or onnxruntime-web with a path, URL, bytes or `Blob`
 * (its `externalData` session option, which copies each tensor into the WebAssembly heap: from a local file one
 * tensor at a time through {@link LazyFile}; from a URL or `Blob` after loading the whole file; from your bytes
 * without a copy).
 */
async function externalFile(runtime: string, file: WeightsFile | undefined, options: LoadGeneformerOptions) {
  if (!file || options.externalWeights === false) return undefined;
  if (runtime === "onnxruntime-node" && file.path) {
    const { realpath } = await import("node:fs/promises");
    const { basename, dirname } = await import("node:path");
    const real = await realpath(file.path);
    return { location: basename(real), sessionExtra: { externalFolder: dirname(real) } };
  }
  if (runtime === "onnxruntime-web") {
    // in Node, a local file is read one tensor at a time while onnxruntime-web copies it into its heap (LazyFile)
    const data = file.path ? await LazyFile.open(file.path) : file.data;
    return {
      location: WEIGHTS_FILE,
      lazy: data instanceof LazyFile ? data : undefined,
      sessionExtra: { externalData: [{ path: WEIGHTS_FILE, data }] },
    };
  }
  return undefined;
}

/**
 * In Node, onnxruntime-web's default `env.wasm.numThreads` is half the cores (at most 4); use one thread per core,
 * as onnxruntime-node does, unless it was set. Browsers keep onnxruntime-web's default: its worker threads load the
 * script that holds onnxruntime-web, which depends on how the page was bundled (set `env.wasm.numThreads` and
 * `env.wasm.wasmPaths` yourself, on a cross-origin-isolated page).
 */
async function defaultWasmThreads(ort: OrtRuntime, numThreads?: number): Promise<void> {
  const wasm = ort.env?.wasm;
  if (!wasm) return;
  if (numThreads) wasm.numThreads = numThreads;
  else if (!wasm.numThreads && typeof process !== "undefined" && typeof process.versions?.node === "string") {
    wasm.numThreads = (await import("node:os")).availableParallelism();
  }
}

async function build(
  config: BertConfig,
  weights: ByteSource,
  where: string,
  options: LoadGeneformerOptions,
  file?: WeightsFile,
): Promise<GeneformerModel> {
  const { signal, onProgress } = options;
  const sizes = checkBertConfig(config);
  const st = await openSafetensors(weights, { signal });
  const prefix = weightPrefix(st);
  const rep = progressReporter(onProgress, "tensors", 5 + 16 * sizes.layers, "load");
  const { ort, name } = await loadRuntime(options.runtime);
  const ext = await externalFile(name, file, options);
  try {
    return await buildAndStart(config, st, prefix, where, options, ort, name, ext, rep);
  } finally {
    await ext?.lazy?.close();
  }
}

/** Write the graph and start the session (the second half of {@link build}). */
async function buildAndStart(
  config: BertConfig,
  st: SafetensorsFile,
  prefix: string,
  where: string,
  options: LoadGeneformerOptions,
  ort: OrtRuntime,
  name: string,
  ext: Awaited<ReturnType<typeof externalFile>>,
  rep: ReturnType<typeof progressReporter>,
): Promise<GeneformerModel> {
  const { signal } = options;
  const sizes = checkBertConfig(config);
  let externalBytes = 0;
  const bytes = await buildBertOnnx(
    config,
    async (name, shape) => {
      let full = prefix + name;
      if (!st.tensors.has(full) && /LayerNorm\.(weight|bias)$/.test(full)) full = full.replace(/weight$/, "gamma").replace(/bias$/, "beta");
      const e = st.tensors.get(full);
      if (!e) throw new HypedError("FORMAT", `${where}: the weights have no '${prefix + name}'`, { name: prefix + name });
      if (e.shape.length !== shape.length || e.shape.some((d, i) => d !== shape[i])) {
        throw new HypedError("FORMAT", `${where}: '${full}' has shape [${e.shape.join(", ")}], config.json implies [${shape.join(", ")}]`, {
          name: full,
        });
      }
      rep.tick();
      if (ext && (e.dtype === "F32" || e.dtype === "F16" || e.dtype === "BF16")) {
        // the graph references row 0 only of the token-type table (type 0), the whole of every other tensor
        externalBytes += name === "embeddings.token_type_embeddings.weight" ? e.byteLength / (e.shape[0] as number) : e.byteLength;
        return { location: ext.location, offset: e.offset, length: e.byteLength, dtype: e.dtype };
      }
      return st.readFloat32(full, { signal });
    },
    { signal, contribOps: options.contribOps ?? name !== "custom" },
  );
  if (name === "onnxruntime-web") await defaultWasmThreads(ort, options.numThreads);
  let session: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
  try {
    const lazy = ext?.lazy;
    const first = await ort.InferenceSession.create(bytes, sessionOptions(name, { ...options, ...ext?.sessionExtra })).catch((e) => {
      if (lazy) return undefined;
      throw e;
    });
    if (lazy && (!first || lazy.served < externalBytes)) {
      // the runtime did not read the weights through LazyFile.subarray: start again from the file's bytes
      await first?.release?.();
      const { readFile } = await import("node:fs/promises");
      const buf = await readFile(lazy.path);
      const data = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      session = await ort.InferenceSession.create(
        bytes,
        sessionOptions(name, { ...options, externalData: [{ path: ext.location, data }] }),
      );
    } else session = first as NonNullable<typeof first>;
  } catch (e) {
    throw new HypedError(
      "FORMAT",
      `${name} could not load the generated BERT graph: ${e instanceof Error ? e.message : String(e)}`,
      {},
      { cause: e },
    );
  }
  if (signal?.aborted) {
    await session.release?.();
    throwIfAborted(signal, "loadGeneformer");
  }
  rep.finish();
  return new GeneformerModel({ ort, runtime: name, session, config, sizes, tokenDictionary: options.tokenDictionary });
}
