/**
 * A seeded random-weight BERT checkpoint in Hugging Face's `BertForMaskedLM` layout (config.json +
 * model.safetensors, written by our own safetensors writer): a drop-in stand-in for a real Geneformer folder in
 * demos, tests and benchmarks.
 */
import { HypedError, Random } from "@hyped/core";
import type { BertConfig } from "../../onnx/bert.js";
import type { SafetensorsDType } from "../../safetensors/read.js";
import { type SafetensorsTensor, writeSafetensors } from "../../safetensors/write.js";

/** Shape of {@link randomBertCheckpoint}. Defaults are Geneformer V1's shape (6 × 256, ReLU, 2,048 positions). */
export interface RandomBertOptions {
  /** Vocabulary size. Default 25,426 (Geneformer V1's token dictionary). */
  vocabSize?: number;
  /** Default 256. */
  hidden?: number;
  /** Default 6. */
  layers?: number;
  /** Default 4. */
  heads?: number;
  /** Default 512. */
  intermediate?: number;
  /** Default 2048. */
  maxPositions?: number;
  /** Default `"relu"` (V1); V2 uses `"gelu"`. */
  hiddenAct?: string;
  /** Stored element type. Default `"F32"`. */
  dtype?: Extract<SafetensorsDType, "F32" | "F16" | "BF16">;
  /** Default 1. */
  seed?: number;
}

/** Build the two files of a random BERT checkpoint: `config` (config.json as an object) and `weights` (model.safetensors bytes). */
export function randomBertCheckpoint(options: RandomBertOptions = {}): {
  config: BertConfig & Record<string, unknown>;
  weights: Uint8Array;
} {
  const {
    vocabSize: V = 25_426,
    hidden: H = 256,
    layers: L = 6,
    heads = 4,
    intermediate: I = 512,
    maxPositions: P = 2048,
    hiddenAct = "relu",
    dtype = "F32",
    seed = 1,
  } = options;
  if (H % heads) throw new HypedError("INVALID_ARGUMENT", `hidden ${H} is not a multiple of heads ${heads}`, {});
  const rng = Random.mulberry32(seed);
  const t: Record<string, SafetensorsTensor> = {};
  const put = (name: string, shape: number[], f: () => number) => {
    t[name] = { shape, dtype, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, f) };
  };
  const normal = (s: number) => () => s * rng.normal();
  const around1 = () => 1 + 0.1 * rng.normal();
  const std = 0.02 * Math.sqrt(768 / H); // BERT's initializer_range, scaled so small models are not degenerate
  put("bert.embeddings.word_embeddings.weight", [V, H], normal(std));
  put("bert.embeddings.position_embeddings.weight", [P, H], normal(std));
  put("bert.embeddings.token_type_embeddings.weight", [2, H], normal(std));
  put("bert.embeddings.LayerNorm.weight", [H], around1);
  put("bert.embeddings.LayerNorm.bias", [H], normal(0.02));
  for (let l = 0; l < L; l++) {
    const p = `bert.encoder.layer.${l}.`;
    for (const n of ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"]) {
      put(`${p}${n}.weight`, [H, H], normal(1 / Math.sqrt(H)));
      put(`${p}${n}.bias`, [H], normal(0.02));
    }
    put(`${p}attention.output.LayerNorm.weight`, [H], around1);
    put(`${p}attention.output.LayerNorm.bias`, [H], normal(0.02));
    put(`${p}intermediate.dense.weight`, [I, H], normal(1 / Math.sqrt(H)));
    put(`${p}intermediate.dense.bias`, [I], normal(0.02));
    put(`${p}output.dense.weight`, [H, I], normal(1 / Math.sqrt(I)));
    put(`${p}output.dense.bias`, [H], normal(0.02));
    put(`${p}output.LayerNorm.weight`, [H], around1);
    put(`${p}output.LayerNorm.bias`, [H], normal(0.02));
  }
  const config = {
    architectures: ["BertForMaskedLM"],
    model_type: "bert",
    vocab_size: V,
    hidden_size: H,
    num_hidden_layers: L,
    num_attention_heads: heads,
    intermediate_size: I,
    max_position_embeddings: P,
    type_vocab_size: 2,
    hidden_act: hiddenAct,
    layer_norm_eps: 1e-12,
    pad_token_id: 0,
    position_embedding_type: "absolute",
    torch_dtype: dtype === "F32" ? "float32" : dtype === "F16" ? "float16" : "bfloat16",
  };
  return { config, weights: writeSafetensors(t, { metadata: { format: "pt" } }) };
}
