/**
 * A loaded Geneformer: cell embeddings with Geneformer's EmbExtractor semantics, batched by length.
 */
import { HypedError, type LongTaskOptions, progressReporter, throwIfAborted } from "@hyped/core";
import type { BertConfig, checkBertConfig } from "../../onnx/bert.js";
import type { EmbeddingModel } from "../../onnx/model.js";
import { type Dictionary, dictGet } from "../dictionaries.js";
import type { OrtInferenceSession, OrtRuntime } from "./runtime.js";

/** Options of {@link GeneformerModel.embedCells}. */
export interface EmbedCellsOptions extends LongTaskOptions {
  /**
   * Which hidden state, with Geneformer's `emb_layer` meaning: 0 = the last layer's output, −1 (default, as
   * EmbExtractor's) = the second-to-last hidden state, −k = k layers before the last (down to −L, the embeddings).
   */
  layer?: number;
  /**
   * `"mean"` (default; EmbExtractor's `emb_mode="cell"`): the mean over the cell's tokens, leaving out `<cls>`
   * (the first token) and `<eos>` (the last) when the model's token dictionary has them, exactly as EmbExtractor
   * decides from its dictionary. `"cls"` (`emb_mode="cls"`): the first token's state.
   */
  pooling?: "mean" | "cls";
  /** Most padded tokens (batch × longest cell) per forward pass. Default 4096; a cell longer than this runs alone. */
  maxBatchTokens?: number;
  /** Most cells per forward pass. Default 64. */
  maxBatchSize?: number;
}

/** Cell embeddings, one row per cell in input order. */
export interface CellEmbeddings {
  /** Row-major `n × hidden` float32 values. */
  data: Float32Array;
  shape: [number, number];
}

/** What {@link loadGeneformer} hands the model. */
export interface GeneformerParts {
  ort: OrtRuntime;
  runtime: string;
  session: OrtInferenceSession;
  config: BertConfig;
  sizes: ReturnType<typeof checkBertConfig>;
  tokenDictionary?: Dictionary<number>;
}

/**
 * Batches of cell indices: cells sorted by length (longest first, ties in input order), each batch filled while
 * `count × longest ≤ maxBatchTokens` and `count ≤ maxBatchSize`. Cells of similar length share a batch, so little
 * compute goes to padding.
 */
export function lengthBuckets(lengths: ArrayLike<number>, maxBatchTokens = 4096, maxBatchSize = 64): number[][] {
  const order = Array.from({ length: lengths.length }, (_, i) => i).sort(
    (a, b) => (lengths[b] as number) - (lengths[a] as number) || a - b,
  );
  const out: number[][] = [];
  let cur: number[] = [];
  let longest = 0;
  for (const i of order) {
    if (cur.length && ((cur.length + 1) * longest > maxBatchTokens || cur.length >= maxBatchSize)) {
      out.push(cur);
      cur = [];
    }
    if (!cur.length) longest = lengths[i] as number;
    cur.push(i);
  }
  if (cur.length) out.push(cur);
  return out;
}

/** A Geneformer checkpoint ready to embed cells. Made by {@link loadGeneformer}; call {@link dispose} when done. */
export class GeneformerModel implements EmbeddingModel {
  /** The checkpoint's `config.json`. */
  readonly config: BertConfig;
  /** `"onnxruntime-node"`, `"onnxruntime-web"` or `"custom"`. */
  readonly runtime: string;
  /** Hidden size (embedding length). */
  readonly dim: number;
  /** Number of encoder layers. */
  readonly numLayers: number;
  /** Longest cell, in tokens (`max_position_embeddings`). */
  readonly maxLength: number;
  /** `<cls>` / `<eos>` ids from the token dictionary, when it has them. */
  readonly specialTokens: { cls?: number; eos?: number };
  private readonly p: GeneformerParts;

  constructor(parts: GeneformerParts) {
    this.p = parts;
    this.config = parts.config;
    this.runtime = parts.runtime;
    this.dim = parts.sizes.hidden;
    this.numLayers = parts.sizes.layers;
    this.maxLength = parts.sizes.maxPositions;
    const d = parts.tokenDictionary;
    this.specialTokens = d ? { cls: dictGet(d, "<cls>"), eos: dictGet(d, "<eos>") } : {};
  }

  /** The graph output for a Geneformer `emb_layer`. */
  outputFor(layer: number): string {
    if (!Number.isInteger(layer) || layer > 0 || layer < -this.numLayers) {
      throw new HypedError("OUT_OF_RANGE", `layer ${layer} is outside 0…−${this.numLayers} for a ${this.numLayers}-layer model`, { layer });
    }
    return `hidden_states_${this.numLayers + layer}`;
  }

  private checkCell(c: ArrayLike<number>, k: number): void {
    if (c.length < 1 || c.length > this.maxLength) {
      throw new HypedError("OUT_OF_RANGE", `cell ${k} has ${c.length} tokens; the model takes 1…${this.maxLength}`, {
        cell: k,
        length: c.length,
      });
    }
    const V = this.p.sizes.vocab;
    for (let s = 0; s < c.length; s++) {
      const t = c[s] as number;
      if (!Number.isInteger(t) || t < 0 || t >= V) {
        throw new HypedError("OUT_OF_RANGE", `cell ${k}, position ${s}: token ${t} is outside the vocabulary 0…${V - 1}`, {
          cell: k,
          position: s,
          token: t,
        });
      }
    }
  }

  /** One forward pass over cells `idx`; returns the output `[B, S, H]` and S. */
  private async forward(cells: ArrayLike<ArrayLike<number>>, idx: number[], output: string): Promise<{ data: Float32Array; S: number }> {
    const B = idx.length;
    const S = Math.max(...idx.map((i) => (cells[i] as ArrayLike<number>).length));
    const pad = BigInt(typeof this.config.pad_token_id === "number" ? this.config.pad_token_id : 0);
    const ids = new BigInt64Array(B * S).fill(pad);
    const mask = new BigInt64Array(B * S);
    idx.forEach((i, b) => {
      const c = cells[i] as ArrayLike<number>;
      for (let s = 0; s < c.length; s++) {
        ids[b * S + s] = BigInt(c[s] as number);
        mask[b * S + s] = 1n;
      }
    });
    const { Tensor } = this.p.ort;
    const feeds = { input_ids: new Tensor("int64", ids, [B, S]), attention_mask: new Tensor("int64", mask, [B, S]) };
    const res = await this.p.session.run(feeds, [output]);
    const out = res[output];
    if (out?.dims.length !== 3 || out.dims[0] !== B || out.dims[1] !== S || out.dims[2] !== this.dim) {
      throw new HypedError("SHAPE_MISMATCH", `${output} came back as [${out?.dims.join(", ")}], expected [${B}, ${S}, ${this.dim}]`, {});
    }
    return { data: out.data as Float32Array, S };
  }

  /**
   * Embed cells: `cells` are token-id arrays (rank-value encodings), each 1…`maxLength` tokens, with no padding.
   * Matches Geneformer's `EmbExtractor` (`emb_layer`, `emb_mode` "cell"/"cls") on Hugging Face's `BertModel`.
   * Reports progress in cells; `signal` cancels between batches.
   */
  async embedCells(cells: ArrayLike<ArrayLike<number>>, options: EmbedCellsOptions = {}): Promise<CellEmbeddings> {
    const { layer = -1, pooling = "mean", maxBatchTokens = 4096, maxBatchSize = 64, signal, onProgress } = options;
    const output = this.outputFor(layer);
    if (pooling !== "mean" && pooling !== "cls")
      throw new HypedError("INVALID_ARGUMENT", `pooling must be "mean" or "cls", got ${pooling}`, {});
    const n = cells.length;
    const H = this.dim;
    const { cls, eos } = this.specialTokens;
    for (let k = 0; k < n; k++) {
      const c = cells[k] as ArrayLike<number>;
      this.checkCell(c, k);
      if (pooling === "cls" && cls !== undefined && c[0] !== cls) {
        throw new HypedError("INVALID_ARGUMENT", `cls pooling: cell ${k} starts with token ${c[0]}, not <cls> (${cls})`, { cell: k });
      }
      if (pooling === "mean" && cls !== undefined && c.length - (eos !== undefined ? 2 : 1) < 1) {
        throw new HypedError("INVALID_ARGUMENT", `cell ${k} has no gene token between <cls> and <eos>`, { cell: k });
      }
    }
    const data = new Float32Array(n * H);
    const rep = progressReporter(onProgress, "cells", n, "embed");
    const acc = new Float64Array(H);
    for (const batch of lengthBuckets(
      Array.from(cells, (c) => c.length),
      maxBatchTokens,
      maxBatchSize,
    )) {
      throwIfAborted(signal, "embedCells");
      const { data: hs, S } = await this.forward(cells, batch, output);
      batch.forEach((i, b) => {
        const len = (cells[i] as ArrayLike<number>).length;
        // EmbExtractor: with <cls> in the dictionary, drop position 0 and average len−1 (or len−2 with <eos>) tokens
        const start = pooling === "cls" ? 0 : cls !== undefined ? 1 : 0;
        const count = pooling === "cls" ? 1 : cls !== undefined ? len - (eos !== undefined ? 2 : 1) : len;
        acc.fill(0);
        for (let s = start; s < start + count; s++) {
          const o = (b * S + s) * H;
          for (let h = 0; h < H; h++) acc[h] = (acc[h] as number) + (hs[o + h] as number);
        }
        for (let h = 0; h < H; h++) data[i * H + h] = (acc[h] as number) / count;
      });
      rep.tick(batch.length);
    }
    rep.finish();
    return { data, shape: [n, H] };
  }

  /** Every token's hidden state of one cell, `[length, hidden]`, at Geneformer `layer` (default −1). */
  async tokenStates(cell: ArrayLike<number>, { layer = -1 }: { layer?: number } = {}): Promise<CellEmbeddings> {
    this.checkCell(cell, 0);
    const { data } = await this.forward([cell], [0], this.outputFor(layer));
    return { data: data.slice(0, cell.length * this.dim), shape: [cell.length, this.dim] };
  }

  /** {@link EmbeddingModel} interface: mean-pooled embeddings at layer −1, one `Float32Array` per sequence. */
  async embed(tokenBatch: Int32Array[]): Promise<Float32Array[]> {
    const { data } = await this.embedCells(tokenBatch);
    return tokenBatch.map((_, i) => data.slice(i * this.dim, (i + 1) * this.dim));
  }

  /** Release the ONNX Runtime session. */
  async dispose(): Promise<void> {
    await this.p.session.release?.();
  }
}
