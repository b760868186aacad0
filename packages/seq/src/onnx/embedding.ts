/**
 * An {@link EmbeddingModel} over ONNX Runtime (the `onnxruntime-web` package, an optional peer dependency that runs
 * in browsers and in Node through WebAssembly, with no native download). Use it with a Geneformer exported to ONNX
 * with `output_hidden_states=True`.
 */
import { HypedError } from "@hyped/core";
import type { EmbeddingModel } from "./model.js";

/** The subset of the `onnxruntime-web` (or `onnxruntime-common`-compatible) module the adapter uses. */
export interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: "int64", data: BigInt64Array, dims: number[]) => unknown;
  env?: { wasm?: { numThreads?: number } };
}

/** The subset of an ONNX Runtime `InferenceSession` the adapter uses. */
export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown; dims: readonly number[] }>>;
  release?(): Promise<void>;
}

/** Options of {@link OnnxEmbeddingModel.create}. */
export interface OnnxEmbeddingOptions {
  /** The ONNX Runtime module. Default: `await import("onnxruntime-web")` (install it; it is an optional peer dependency). */
  ort?: OrtModule;
  /**
   * Layer, with Geneformer's `emb_layer` meaning: 0 = the last layer, −1 = the one before (Geneformer's default),
   * −k = k layers before the last. Resolved against outputs named `hidden_states_<i>` / `hidden_states.<i>`
   * (i = 0 is the embedding layer). Default −1. A model without such outputs supports only 0 (its first output).
   */
  layer?: number;
  /** Use this output instead of resolving `layer`. */
  outputName?: string;
  /**
   * `"cell"` (default): mean of the gene-token embeddings over non-padding positions, excluding `<cls>`/`<eos>` when
   * their ids are given (Geneformer's `emb_mode="cell"`); `"cls"`: the first position's embedding (`emb_mode="cls"`).
   */
  pooling?: "cell" | "cls";
  /** Padding token id. Default 0 (`<pad>` in Geneformer's dictionaries). */
  padToken?: number;
  /** Special tokens left out of the cell mean. */
  specialTokens?: { cls?: number; eos?: number };
  /** Input names. Default `input_ids` and `attention_mask` (`null`: the model has no mask input). */
  inputIdsName?: string;
  attentionMaskName?: string | null;
  /** Truncate sequences longer than this (tokens). Default: no truncation. */
  maxLength?: number;
  /** Threads of the WebAssembly backend. Default 1 (deterministic, no worker threads). */
  numThreads?: number;
}

const HIDDEN = /^hidden_states[._]?(\d+)$/;

/** Pick the output for a Geneformer-style layer index. */
export function resolveLayerOutput(outputNames: readonly string[], layer: number): string {
  const hs = outputNames
    .map((n) => [n, HIDDEN.exec(n)] as const)
    .filter((x): x is readonly [string, RegExpExecArray] => x[1] !== null)
    .map(([n, m]) => [n, Number(m[1])] as const)
    .sort((a, b) => a[1] - b[1]);
  if (!hs.length) {
    if (layer !== 0) {
      throw new HypedError(
        "UNSUPPORTED",
        `layer ${layer}: the model exposes no hidden_states_<i> outputs, only ${outputNames.join(", ")}`,
        { layer },
      );
    }
    return outputNames.includes("last_hidden_state") ? "last_hidden_state" : (outputNames[0] as string);
  }
  const nLayers = (hs[hs.length - 1] as readonly [string, number])[1];
  const want = nLayers + layer;
  const hit = hs.find(([, i]) => i === want);
  if (!Number.isInteger(layer) || layer > 0 || !hit) {
    throw new HypedError("OUT_OF_RANGE", `layer ${layer} is outside 0…−${nLayers} for a model with ${nLayers} layers`, { layer, nLayers });
  }
  return hit[0];
}

/** An {@link EmbeddingModel} backed by an ONNX Runtime session. */
export class OnnxEmbeddingModel implements EmbeddingModel {
  private constructor(
    private readonly ort: OrtModule,
    private readonly session: OrtSession,
    /** The output read. */
    readonly outputName: string,
    private readonly o: Required<Pick<OnnxEmbeddingOptions, "pooling" | "padToken" | "inputIdsName">> & OnnxEmbeddingOptions,
  ) {}

  /** Load a model from ONNX bytes (the caller reads the file). */
  static async create(model: Uint8Array | ArrayBuffer, options: OnnxEmbeddingOptions = {}): Promise<OnnxEmbeddingModel> {
    let ort = options.ort;
    if (!ort) {
      try {
        ort = (await import("onnxruntime-web")) as unknown as OrtModule;
      } catch (e) {
        throw new HypedError(
          "NOT_FOUND",
          "onnxruntime-web is not installed (it is an optional peer dependency: npm i onnxruntime-web)",
          {},
          { cause: e },
        );
      }
    }
    if (ort.env?.wasm) ort.env.wasm.numThreads = options.numThreads ?? 1;
    const bytes = model instanceof Uint8Array ? model : new Uint8Array(model);
    let session: OrtSession;
    try {
      session = await ort.InferenceSession.create(bytes);
    } catch (e) {
      throw new HypedError(
        "FORMAT",
        `ONNX Runtime could not load the model: ${e instanceof Error ? e.message : String(e)}`,
        {},
        { cause: e },
      );
    }
    const inputIdsName = options.inputIdsName ?? "input_ids";
    if (!session.inputNames.includes(inputIdsName)) {
      throw new HypedError("NOT_FOUND", `the model has no input '${inputIdsName}' (inputs: ${session.inputNames.join(", ")})`, {});
    }
    const outputName = options.outputName ?? resolveLayerOutput(session.outputNames, options.layer ?? -1);
    if (!session.outputNames.includes(outputName)) throw new HypedError("NOT_FOUND", `the model has no output '${outputName}'`, {});
    const maskName =
      options.attentionMaskName === undefined
        ? session.inputNames.includes("attention_mask")
          ? "attention_mask"
          : null
        : options.attentionMaskName;
    return new OnnxEmbeddingModel(ort, session, outputName, {
      ...options,
      pooling: options.pooling ?? "cell",
      padToken: options.padToken ?? 0,
      inputIdsName,
      attentionMaskName: maskName,
    });
  }

  /** Embed a batch: pads to the longest sequence, runs the model, pools each sequence. */
  async embed(tokenBatch: Int32Array[]): Promise<Float32Array[]> {
    if (!tokenBatch.length) return [];
    const seqs = this.o.maxLength ? tokenBatch.map((t) => t.subarray(0, this.o.maxLength)) : tokenBatch;
    const B = seqs.length;
    const S = Math.max(1, ...seqs.map((t) => t.length));
    const ids = new BigInt64Array(B * S).fill(BigInt(this.o.padToken));
    const mask = new BigInt64Array(B * S);
    seqs.forEach((t, b) => {
      for (let s = 0; s < t.length; s++) {
        ids[b * S + s] = BigInt(t[s] as number);
        mask[b * S + s] = 1n;
      }
    });
    const feeds: Record<string, unknown> = { [this.o.inputIdsName]: new this.ort.Tensor("int64", ids, [B, S]) };
    if (this.o.attentionMaskName) feeds[this.o.attentionMaskName] = new this.ort.Tensor("int64", mask, [B, S]);
    const out = (await this.session.run(feeds))[this.outputName];
    if (!out) throw new HypedError("FORMAT", `the model did not return '${this.outputName}'`, {});
    const dims = out.dims;
    if (dims.length !== 3 || dims[0] !== B || dims[1] !== S) {
      throw new HypedError(
        "SHAPE_MISMATCH",
        `output '${this.outputName}' has shape [${dims.join(", ")}], expected [${B}, ${S}, hidden]`,
        {},
      );
    }
    const Hd = dims[2] as number;
    const data = out.data as Float32Array;
    const { cls, eos } = this.o.specialTokens ?? {};
    return seqs.map((t, b) => {
      const v = new Float32Array(Hd);
      if (this.o.pooling === "cls") {
        for (let h = 0; h < Hd; h++) v[h] = data[b * S * Hd + h] as number;
        return v;
      }
      const acc = new Float64Array(Hd);
      let n = 0;
      for (let s = 0; s < t.length; s++) {
        const tok = t[s] as number;
        if ((cls !== undefined && s === 0 && tok === cls) || (eos !== undefined && s === t.length - 1 && tok === eos)) continue;
        for (let h = 0; h < Hd; h++) acc[h] = (acc[h] as number) + (data[(b * S + s) * Hd + h] as number);
        n++;
      }
      for (let h = 0; h < Hd; h++) v[h] = n ? (acc[h] as number) / n : Number.NaN;
      return v;
    });
  }

  /** Release the session. */
  async dispose(): Promise<void> {
    await this.session.release?.();
  }
}
