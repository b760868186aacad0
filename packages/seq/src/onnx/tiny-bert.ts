/**
 * Builds a tiny BERT-shaped encoder as ONNX bytes, with seeded weights: the model the ONNX adapter is tested with,
 * and a stand-in for an exported Geneformer in demos. Inputs `input_ids` and `attention_mask` (int64, batch × seq);
 * outputs `hidden_states_0` … `hidden_states_L` (embeddings, then each layer) and `last_hidden_state`
 * (float32, batch × seq × hidden), as `BertModel(output_hidden_states=True)` exports them.
 */
import { HypedError, Random } from "@hyped/core";
import { encodeOnnxModel, type OnnxNode, type OnnxTensor, OnnxType } from "./proto.js";

/** Shape and seed of {@link buildTinyBert}. */
export interface TinyBertConfig {
  /** Vocabulary size (token ids 0 … vocabSize − 1). Default 64. */
  vocabSize?: number;
  /** Hidden size. Default 8. */
  hidden?: number;
  /** Attention heads (must divide `hidden`). Default 2. */
  heads?: number;
  /** Encoder layers. Default 2. */
  layers?: number;
  /** Feed-forward size. Default 16. */
  intermediate?: number;
  /** Maximum sequence length (position embeddings). Default 64. */
  maxPositions?: number;
  /** Weight seed. Default 1. */
  seed?: number;
}

/** The weights of a tiny BERT, row-major float32 (`W` matrices are in × out, applied as x·W). */
export interface TinyBertWeights {
  config: Required<TinyBertConfig>;
  wordEmb: Float32Array;
  posEmb: Float32Array;
  embLnGamma: Float32Array;
  embLnBeta: Float32Array;
  layers: Array<{
    wq: Float32Array;
    bq: Float32Array;
    wk: Float32Array;
    bk: Float32Array;
    wv: Float32Array;
    bv: Float32Array;
    wo: Float32Array;
    bo: Float32Array;
    ln1Gamma: Float32Array;
    ln1Beta: Float32Array;
    w1: Float32Array;
    b1: Float32Array;
    w2: Float32Array;
    b2: Float32Array;
    ln2Gamma: Float32Array;
    ln2Beta: Float32Array;
  }>;
}

/** LayerNorm epsilon used by the graph. */
export const TINY_BERT_EPS = 1e-12;

/** Build the ONNX bytes and the weights of a tiny BERT encoder (opset 17). */
export function buildTinyBert(config: TinyBertConfig = {}): { bytes: Uint8Array; weights: TinyBertWeights } {
  const c: Required<TinyBertConfig> = {
    vocabSize: 64,
    hidden: 8,
    heads: 2,
    layers: 2,
    intermediate: 16,
    maxPositions: 64,
    seed: 1,
    ...config,
  };
  const { vocabSize: V, hidden: H, heads: NH, layers: L, intermediate: I, maxPositions: P } = c;
  if (H % NH !== 0) throw new HypedError("INVALID_ARGUMENT", `hidden (${H}) must be a multiple of heads (${NH})`, {});
  const w = tinyBertWeights(c);
  const inits: OnnxTensor[] = [];
  const f = (name: string, dims: number[], data: Float32Array) => {
    inits.push({ name, dims, data });
    return name;
  };
  const i64 = (name: string, vals: number[]) => {
    inits.push({ name, dims: [vals.length], data: BigInt64Array.from(vals.map(BigInt)) });
    return name;
  };
  const scalar = (name: string, v: number) => {
    inits.push({ name, dims: [], data: Float32Array.of(v) });
    return name;
  };
  const nodes: OnnxNode[] = [];
  const op = (opName: string, inputs: string[], out: string, attrs?: OnnxNode["attrs"]) => {
    nodes.push({ op: opName, inputs, outputs: [out], attrs });
    return out;
  };
  const ln = (x: string, g: string, b: string, out: string) =>
    op("LayerNormalization", [x, g, b], out, { axis: -1, epsilon: { float: TINY_BERT_EPS } });

  f("word_emb", [V, H], w.wordEmb);
  f("pos_emb", [P, H], w.posEmb);
  i64("zero1", [0]);
  i64("axes0", [0]);
  i64("axes12", [1, 2]);
  i64("shape4", [0, 0, NH, H / NH]);
  i64("shape3", [0, 0, H]);
  scalar("one", 1);
  scalar("neg_big", -10000);
  scalar("half", 0.5);
  scalar("inv_sqrt2", Math.SQRT1_2);
  scalar("attn_scale", 1 / Math.sqrt(H / NH));
  const word = op("Gather", ["word_emb", "input_ids"], "word");
  const seqLen = op("Shape", ["input_ids"], "seq_len", { start: 1, end: 2 });
  const pos = op("Slice", ["pos_emb", "zero1", seqLen, "axes0"], "pos");
  const emb = op("Add", [word, pos], "emb");
  let h = ln(emb, f("emb_ln_g", [H], w.embLnGamma), f("emb_ln_b", [H], w.embLnBeta), "h0");
  op("Identity", [h], "hidden_states_0");
  const maskF = op("Cast", ["attention_mask"], "mask_f", { to: OnnxType.FLOAT });
  const inv = op("Sub", ["one", maskF], "mask_inv");
  const bias = op("Mul", [inv, "neg_big"], "mask_bias");
  const bias4 = op("Unsqueeze", [bias, "axes12"], "mask_bias4");
  w.layers.forEach((lw, l) => {
    const p = `l${l}_`;
    const lin = (x: string, wn: string, dims: number[], wd: Float32Array, bd: Float32Array, out: string) =>
      op("Add", [op("MatMul", [x, f(`${p}${wn}_w`, dims, wd)], `${out}_mm`), f(`${p}${wn}_b`, [dims[1] as number], bd)], out);
    const q = lin(h, "q", [H, H], lw.wq, lw.bq, `${p}q`);
    const k = lin(h, "k", [H, H], lw.wk, lw.bk, `${p}k`);
    const v = lin(h, "v", [H, H], lw.wv, lw.bv, `${p}v`);
    const qh = op("Transpose", [op("Reshape", [q, "shape4"], `${p}q4`)], `${p}qh`, { perm: [0, 2, 1, 3] });
    const kh = op("Transpose", [op("Reshape", [k, "shape4"], `${p}k4`)], `${p}kh`, { perm: [0, 2, 3, 1] });
    const vh = op("Transpose", [op("Reshape", [v, "shape4"], `${p}v4`)], `${p}vh`, { perm: [0, 2, 1, 3] });
    const sc = op("Mul", [op("MatMul", [qh, kh], `${p}qk`), "attn_scale"], `${p}sc`);
    const pr = op("Softmax", [op("Add", [sc, bias4], `${p}scm`)], `${p}prob`, { axis: -1 });
    const ctx = op(
      "Reshape",
      [op("Transpose", [op("MatMul", [pr, vh], `${p}ctx4`)], `${p}ctxt`, { perm: [0, 2, 1, 3] }), "shape3"],
      `${p}ctx`,
    );
    const ao = lin(ctx, "o", [H, H], lw.wo, lw.bo, `${p}ao`);
    const h1 = ln(op("Add", [ao, h], `${p}res1`), f(`${p}ln1_g`, [H], lw.ln1Gamma), f(`${p}ln1_b`, [H], lw.ln1Beta), `${p}h1`);
    const ff = lin(h1, "ff1", [H, I], lw.w1, lw.b1, `${p}ff1`);
    const erf = op("Erf", [op("Mul", [ff, "inv_sqrt2"], `${p}ffs`)], `${p}erf`);
    const gelu = op("Mul", [op("Mul", [ff, "half"], `${p}ffh`), op("Add", ["one", erf], `${p}erf1`)], `${p}gelu`);
    const ff2 = lin(gelu, "ff2", [I, H], lw.w2, lw.b2, `${p}ff2`);
    h = ln(op("Add", [ff2, h1], `${p}res2`), f(`${p}ln2_g`, [H], lw.ln2Gamma), f(`${p}ln2_b`, [H], lw.ln2Beta), `${p}out`);
    op("Identity", [h], `hidden_states_${l + 1}`);
  });
  op("Identity", [h], "last_hidden_state");
  const hs = (name: string) => ({ name, type: OnnxType.FLOAT, dims: ["batch", "seq", H] as Array<number | string> });
  const bytes = encodeOnnxModel({
    nodes,
    initializers: inits,
    inputs: [
      { name: "input_ids", type: OnnxType.INT64, dims: ["batch", "seq"] },
      { name: "attention_mask", type: OnnxType.INT64, dims: ["batch", "seq"] },
    ],
    outputs: [...Array.from({ length: L + 1 }, (_, l) => hs(`hidden_states_${l}`)), hs("last_hidden_state")],
    graphName: "tiny_bert",
  });
  return { bytes, weights: w };
}

/** The random weights of a tiny BERT (seeded by `c.seed`; drawn in a fixed order, so equal configs give equal weights). */
function tinyBertWeights(c: Required<TinyBertConfig>): TinyBertWeights {
  const { vocabSize: V, hidden: H, layers: L, intermediate: I, maxPositions: P } = c;
  const rng = Random.mulberry32(c.seed);
  const rand = (n: number, scale: number) => Float32Array.from({ length: n }, () => scale * rng.normal());
  const around1 = (n: number) => Float32Array.from({ length: n }, () => 1 + 0.1 * rng.normal());
  const w: TinyBertWeights = {
    config: c,
    wordEmb: rand(V * H, 1),
    posEmb: rand(P * H, 0.3),
    embLnGamma: around1(H),
    embLnBeta: rand(H, 0.1),
    layers: Array.from({ length: L }, () => ({
      wq: rand(H * H, 0.5),
      bq: rand(H, 0.1),
      wk: rand(H * H, 0.5),
      bk: rand(H, 0.1),
      wv: rand(H * H, 0.5),
      bv: rand(H, 0.1),
      wo: rand(H * H, 0.5),
      bo: rand(H, 0.1),
      ln1Gamma: around1(H),
      ln1Beta: rand(H, 0.1),
      w1: rand(H * I, 0.5),
      b1: rand(I, 0.1),
      w2: rand(I * H, 0.5),
      b2: rand(H, 0.1),
      ln2Gamma: around1(H),
      ln2Beta: rand(H, 0.1),
    })),
  };
  return w;
}
