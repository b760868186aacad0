/**
 * Choosing and loading ONNX Runtime: `onnxruntime-node` (native, multi-threaded, optional CUDA) where it is
 * installed and we run in Node, `onnxruntime-web` (WebAssembly) otherwise. Both are optional peer dependencies,
 * imported only when a model is loaded.
 */
import { HypedError } from "@hyped/core";

/** The parts of an ONNX Runtime module (`onnxruntime-node` or `onnxruntime-web`) that we use. */
export interface OrtRuntime {
  InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtInferenceSession> };
  Tensor: new (type: "int64", data: BigInt64Array, dims: number[]) => unknown;
  env?: { wasm?: { numThreads?: number; simd?: boolean } };
}

/** The parts of an ONNX Runtime session that we use. */
export interface OrtInferenceSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(
    feeds: Record<string, unknown>,
    fetches?: string[],
  ): Promise<Record<string, { data: unknown; dims: readonly number[]; dispose?(): void }>>;
  release?(): Promise<void>;
}

/** Which ONNX Runtime to use: `"auto"` (default), `"node"`, `"web"`, or a module you imported yourself. */
export type RuntimeChoice = "auto" | "node" | "web" | OrtRuntime;

const isNode = () => typeof process !== "undefined" && typeof process.versions?.node === "string";

async function importByName(name: string): Promise<OrtRuntime> {
  let m: OrtRuntime & { default?: OrtRuntime };
  if (name === "onnxruntime-web") m = (await import("onnxruntime-web")) as unknown as typeof m;
  else {
    // A computed specifier keeps browser bundlers from resolving the Node-only package.
    const spec = name;
    m = (await import(/* @vite-ignore */ spec)) as typeof m;
  }
  return m.InferenceSession ? m : (m.default as OrtRuntime);
}

/** Resolve a {@link RuntimeChoice} to a module and its name (`"onnxruntime-node"`, `"onnxruntime-web"` or `"custom"`). */
export async function loadRuntime(choice: RuntimeChoice = "auto"): Promise<{ ort: OrtRuntime; name: string }> {
  if (typeof choice === "object") return { ort: choice, name: "custom" };
  const tried: string[] = [];
  const order =
    choice === "node"
      ? ["onnxruntime-node"]
      : choice === "web"
        ? ["onnxruntime-web"]
        : isNode()
          ? ["onnxruntime-node", "onnxruntime-web"]
          : ["onnxruntime-web"];
  for (const name of order) {
    try {
      return { ort: await importByName(name), name };
    } catch (e) {
      tried.push(`${name}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
    }
  }
  throw new HypedError(
    "NOT_FOUND",
    `no ONNX Runtime could be loaded (install onnxruntime-node for Node or onnxruntime-web for browsers; both are optional peer dependencies). Tried ${tried.join("; ")}`,
    { tried },
  );
}

/** Session options for the runtime in use. */
export function sessionOptions(
  name: string,
  o: {
    executionProviders?: string[];
    numThreads?: number;
    prepack?: boolean;
    spinWait?: boolean;
    /** onnxruntime-node: the folder external-data locations are relative to. */
    externalFolder?: string;
    /** onnxruntime-web: the external-data files, by location. */
    externalData?: Array<{ path: string; data: unknown }>;
  },
): Record<string, unknown> {
  const session: Record<string, string> = {};
  // Without prepacking, ONNX Runtime keeps one copy of each weight matrix instead of two (plain + packed).
  if (!o.prepack) session.disable_prepacking = "1";
  // The folder that external-data locations of a model given as bytes are relative to.
  if (o.externalFolder) session.model_external_initializers_file_folder_path = o.externalFolder;
  // Idle worker threads sleep instead of spin-waiting (ONNX Runtime's default): on a machine shared with other
  // work, spinning burns the CPU time the other threads need (measured: 0.44 vs 0.29 CPU-s per 2,048-token cell).
  if (!o.spinWait) session["intra_op.allow_spinning"] = "0";
  const extra = Object.keys(session).length ? { extra: { session } } : {};
  if (name === "onnxruntime-node") {
    return {
      executionProviders: o.executionProviders ?? ["cpu"],
      graphOptimizationLevel: "all",
      logSeverityLevel: 3,
      ...extra,
      ...(o.numThreads ? { intraOpNumThreads: o.numThreads } : {}),
    };
  }
  return {
    executionProviders: o.executionProviders ?? ["wasm"],
    graphOptimizationLevel: "all",
    logSeverityLevel: 3,
    ...extra,
    ...(o.externalData ? { externalData: o.externalData } : {}),
  };
}
