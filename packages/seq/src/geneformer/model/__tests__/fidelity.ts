/**
 * The fidelity check shared by the Node and the Chromium tests: our embeddings against the numpy reference of
 * scripts/make_geneformer_model_reference.py (a line-by-line Hugging Face BertModel), per cell, as
 * max |ours − reference| / max |reference|.
 */
import type { GeneformerModel } from "../model.js";

/** The reference models and the relative tolerance each must meet. */
export const MODELS = [
  { name: "relu-f32", tol: 1e-4 },
  { name: "gelu-bf16", tol: 2e-2 },
  { name: "gelu-f16", tol: 1e-4 },
] as const;

/** What expected.json holds. */
export interface Expected {
  cells: number[][];
  layers: Record<"-1" | "0", { mean_all: number[][]; mean_special: Array<number[] | null>; cls: number[][] }>;
  hidden_states_cell1: number[][][];
}

/** Relative error of `ours` (row-major rows) against `ref` rows; one figure per row. */
export function relErrors(ours: Float32Array, ref: ReadonlyArray<ReadonlyArray<number> | null>, H: number): number[] {
  return ref.map((r, i) => {
    if (!r) return 0;
    let d = 0;
    let m = 0;
    for (let h = 0; h < H; h++) {
      d = Math.max(d, Math.abs((ours[i * H + h] as number) - (r[h] as number)));
      m = Math.max(m, Math.abs(r[h] as number));
    }
    return d / m;
  });
}

/** Every comparison of one model: name → worst relative error. */
export async function fidelity(model: GeneformerModel, special: GeneformerModel, exp: Expected): Promise<Record<string, number>> {
  const H = model.dim;
  const out: Record<string, number> = {};
  const worst = (xs: number[]) => Math.max(...xs);
  for (const layer of ["-1", "0"] as const) {
    const l = Number(layer);
    // padded batches: the 1-, 7- and 100-token cells share one forward pass
    const mean = await model.embedCells(exp.cells, { layer: l, maxBatchTokens: 1 << 20 });
    out[`mean layer ${layer}`] = worst(relErrors(mean.data, exp.layers[layer].mean_all, H));
    const alone = await model.embedCells(exp.cells, { layer: l, maxBatchSize: 1 });
    out[`mean layer ${layer}, unbatched`] = worst(relErrors(alone.data, exp.layers[layer].mean_all, H));
    const v2 = exp.cells.slice(1);
    const ms = await special.embedCells(v2, { layer: l });
    out[`mean without <cls>/<eos> layer ${layer}`] = worst(relErrors(ms.data, exp.layers[layer].mean_special.slice(1), H));
    const cls = await special.embedCells(v2, { layer: l, pooling: "cls" });
    out[`cls layer ${layer}`] = worst(relErrors(cls.data, exp.layers[layer].cls.slice(1), H));
  }
  const cell = exp.cells[1] as number[];
  for (let k = 0; k <= model.numLayers; k++) {
    const t = await model.tokenStates(cell, { layer: k - model.numLayers });
    out[`hidden_states[${k}]`] = worst(relErrors(t.data, exp.hidden_states_cell1[k] as number[][], H));
  }
  return out;
}
