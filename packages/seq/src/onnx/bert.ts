/**
 * Builds a Hugging Face `BertModel` encoder as an ONNX graph, from its config and weights, so that ONNX Runtime
 * runs a real checkpoint (Geneformer) without PyTorch. The graph follows `transformers`' `modeling_bert.py`:
 *
 * - embeddings: `word_embeddings[input_ids] + token_type_embeddings[0]`, then `+ position_embeddings[0 … S−1]`
 *   (absolute positions), then LayerNorm;
 * - each layer: self-attention with `(q / sqrt(head_dim)) · kᵀ + (1 − mask) · finfo(float32).min`, softmax, output
 *   projection, residual, LayerNorm; then intermediate projection, `hidden_act`, output projection, residual,
 *   LayerNorm (post-LN), every LayerNorm with `layer_norm_eps`;
 * - dropout is the identity (inference).
 *
 * Inputs `input_ids` and `attention_mask` (int64, batch × seq); outputs `hidden_states_0` (embeddings) …
 * `hidden_states_L` (float32, batch × seq × hidden), the tuple `BertModel(output_hidden_states=True)` returns.
 */
import { HypedError } from "@hyped/core";
import { encodeOnnxModel, type OnnxNode, type OnnxTensor, OnnxType } from "./proto.js";

/** The `config.json` fields the graph needs (Hugging Face `BertConfig` names). */
export interface BertConfig {
  vocab_size: number;
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  intermediate_size: number;
  max_position_embeddings: number;
  /** Default 2 (BertConfig's). */
  type_vocab_size?: number;
  /** `"gelu"` (exact, erf), `"relu"`, `"gelu_new"` / `"gelu_pytorch_tanh"` (tanh approximation), `"silu"` / `"swish"`. Default `"gelu"`. */
  hidden_act?: string;
  /** Default 1e-12 (BertConfig's). */
  layer_norm_eps?: number;
  /** Only `"absolute"` (the default) is supported. */
  position_embedding_type?: string;
  /** Token used to pad batches (its positions are masked out). Default 0 (Geneformer's `<pad>`). */
  pad_token_id?: number;
}

/** The activations {@link buildBertOnnx} implements, named as `transformers.activations.ACT2FN` names them. */
export const BERT_ACTIVATIONS = ["gelu", "relu", "gelu_new", "gelu_pytorch_tanh", "silu", "swish"] as const;

const FLOAT32_MIN = -3.4028234663852886e38;

function positiveInt(cfg: BertConfig, key: keyof BertConfig): number {
  const v = cfg[key];
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1) {
    throw new HypedError("FORMAT", `config.json: ${key} must be a positive integer, got ${JSON.stringify(v)}`, { key });
  }
  return v;
}

/** Validate a BERT config; returns the sizes with defaults filled in. Throws `FORMAT` / `UNSUPPORTED`. */
export function checkBertConfig(cfg: BertConfig) {
  const sizes = {
    vocab: positiveInt(cfg, "vocab_size"),
    hidden: positiveInt(cfg, "hidden_size"),
    layers: positiveInt(cfg, "num_hidden_layers"),
    heads: positiveInt(cfg, "num_attention_heads"),
    intermediate: positiveInt(cfg, "intermediate_size"),
    maxPositions: positiveInt(cfg, "max_position_embeddings"),
    typeVocab: cfg.type_vocab_size === undefined ? 2 : positiveInt(cfg, "type_vocab_size"),
    act: cfg.hidden_act ?? "gelu",
    eps: cfg.layer_norm_eps ?? 1e-12,
  };
  if (sizes.hidden % sizes.heads) {
    throw new HypedError("FORMAT", `config.json: hidden_size ${sizes.hidden} is not a multiple of num_attention_heads ${sizes.heads}`, {});
  }
  if (!(BERT_ACTIVATIONS as readonly string[]).includes(sizes.act)) {
    throw new HypedError("UNSUPPORTED", `config.json: hidden_act '${sizes.act}' (supported: ${BERT_ACTIVATIONS.join(", ")})`, {
      act: sizes.act,
    });
  }
  if ((cfg.position_embedding_type ?? "absolute") !== "absolute") {
    throw new HypedError("UNSUPPORTED", `config.json: position_embedding_type '${cfg.position_embedding_type}' (only 'absolute')`, {});
  }
  if (!(typeof sizes.eps === "number" && sizes.eps > 0 && Number.isFinite(sizes.eps))) {
    throw new HypedError("FORMAT", `config.json: layer_norm_eps must be a positive number, got ${JSON.stringify(cfg.layer_norm_eps)}`, {});
  }
  return sizes;
}

/**
 * A weight left in its file: `length` bytes at `offset` of `location` (relative to the folder ONNX Runtime reads
 * external data from), little-endian F32, F16 or BF16, in PyTorch's layout. The graph references it as ONNX
 * external data instead of copying it (F16/BF16 are cast to float32 by a `Cast` node).
 */
export interface BertExternalWeight {
  location: string;
  offset: number;
  length: number;
  dtype: "F32" | "F16" | "BF16";
}

/**
 * Weights of one BERT encoder, by their `BertModel` names without prefix (`embeddings.word_embeddings.weight`,
 * `encoder.layer.{i}.attention.self.query.weight`, ...), in PyTorch's layout (`Linear` weights are out × in):
 * float32 values, or a {@link BertExternalWeight} reference to the bytes in a file. Called once per tensor, in
 * graph order; returned arrays are not modified.
 */
export type BertWeightSource = (name: string, shape: readonly number[]) => Promise<Float32Array | BertExternalWeight>;

const EXTERNAL_TYPES = { F32: OnnxType.FLOAT, F16: OnnxType.FLOAT16, BF16: OnnxType.BFLOAT16 } as const;
const EXTERNAL_SIZE = { F32: 4, F16: 2, BF16: 2 } as const;

/** Collects the nodes and initializers of the graph, reading weights on demand. */
class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly inits: OnnxTensor[] = [];
  private readonly scalars = new Set<string>();
  constructor(
    private readonly weights: BertWeightSource,
    private readonly H: number,
    private readonly eps: number,
    private readonly signal?: AbortSignal,
  ) {}

  /**
   * The weight `name` of the given shape as a float32 graph value named `as`; `firstRow` keeps only row 0 (the
   * token-type table's type-0 row), as a vector.
   */
  async weight(name: string, shape: number[], as: string, firstRow = false): Promise<string> {
    if (this.signal?.aborted) throw new HypedError("ABORTED", "building the BERT graph was cancelled", {});
    const w = await this.weights(name, shape);
    const n = shape.reduce((a, b) => a * b, 1);
    const dims = firstRow ? shape.slice(1) : shape;
    const kept = dims.reduce((a, b) => a * b, 1);
    if (w instanceof Float32Array) {
      if (w.length !== n)
        throw new HypedError("SHAPE_MISMATCH", `weight '${name}' has ${w.length} values, expected [${shape.join(", ")}]`, { name });
      return this.init(as, dims, firstRow ? w.slice(0, kept) : w);
    }
    const size = EXTERNAL_SIZE[w.dtype];
    if (w.length !== n * size)
      throw new HypedError("SHAPE_MISMATCH", `weight '${name}' has ${w.length} bytes, expected [${shape.join(", ")}] × ${size}`, { name });
    const raw = w.dtype === "F32" ? as : `${as}_${w.dtype}`;
    this.inits.push({
      name: raw,
      dims,
      external: { location: w.location, offset: w.offset, length: kept * size, type: EXTERNAL_TYPES[w.dtype] },
    });
    return w.dtype === "F32" ? as : this.op("Cast", [raw], as, { to: OnnxType.FLOAT });
  }
  init(name: string, dims: number[], data: Float32Array | BigInt64Array): string {
    this.inits.push({ name, dims, data });
    return name;
  }
  /** A float scalar initializer, added once. */
  scalar = (name: string, v: number): string => {
    if (!this.scalars.has(name)) this.init(name, [], Float32Array.of(v));
    this.scalars.add(name);
    return name;
  };
  op = (opName: string, inputs: string[], out: string, attrs?: OnnxNode["attrs"], domain?: string): string => {
    this.nodes.push({ op: opName, inputs, outputs: [out], attrs, ...(domain ? { domain } : {}) });
    return out;
  };
  /** LayerNorm over the hidden axis with the weights under `prefix`. */
  async ln(x: string, prefix: string, out: string): Promise<string> {
    const { H } = this;
    const w = await this.weight(`${prefix}.weight`, [H], `${prefix}.weight`);
    const b = await this.weight(`${prefix}.bias`, [H], `${prefix}.bias`);
    return this.op("LayerNormalization", [x, w, b], out, { axis: -1, epsilon: { float: this.eps } });
  }
  /**
   * `x · Wᵀ + b` for a PyTorch `Linear` under `prefix`, on tokens × `nIn` rows: `Gemm` with `transB`, so the
   * weight is used as stored (out × in), without a transposed copy.
   */
  async linear(x: string, prefix: string, nIn: number, nOut: number, out: string): Promise<string> {
    const { y, bias } = await this.linearNoBias(x, prefix, nIn, nOut, out);
    this.nodes.at(-1)?.inputs.push(bias);
    return y;
  }
  /** `x · Wᵀ` (the `Gemm` of {@link linear} without its bias), and the bias's name, for a fused op that adds it. */
  async linearNoBias(x: string, prefix: string, nIn: number, nOut: number, out: string): Promise<{ y: string; bias: string }> {
    const w = await this.weight(`${prefix}.weight`, [nOut, nIn], `${prefix}.weight`);
    const bias = await this.weight(`${prefix}.bias`, [nOut], `${prefix}.bias`);
    return { y: this.op("Gemm", [x, w], out, { transB: 1 }), bias };
  }
  /**
   * LayerNorm(`x · Wᵀ + b + residual`) for the `Linear` under `prefix` and the LayerNorm under `lnPrefix`: with
   * contrib operators one `com.microsoft.SkipLayerNormalization` (bias, residual and normalisation in one pass),
   * else `Gemm`, `Add`, `LayerNormalization`.
   */
  async linearAddNorm(
    x: string,
    residual: string,
    prefix: string,
    lnPrefix: string,
    nIn: number,
    out: string,
    contrib: boolean,
  ): Promise<string> {
    const { H } = this;
    if (!contrib) {
      const y = await this.linear(x, prefix, nIn, H, `${prefix}.y`);
      return this.ln(this.op("Add", [y, residual], `${prefix}.res`), lnPrefix, out);
    }
    const { y, bias } = await this.linearNoBias(x, prefix, nIn, H, `${prefix}.y`);
    const w = await this.weight(`${lnPrefix}.weight`, [H], `${lnPrefix}.weight`);
    const b = await this.weight(`${lnPrefix}.bias`, [H], `${lnPrefix}.bias`);
    return this.op("SkipLayerNormalization", [y, residual, w, b, bias], out, { epsilon: { float: this.eps } }, "com.microsoft");
  }
}

/** Multi-head attention context of one layer from the projected q, k, v (batch × seq × hidden). */
function attention(g: GraphBuilder, p: string, q: string, k: string, v: string, heads: number, fused: boolean): string {
  const { op } = g;
  if (fused) {
    // ONNX Runtime's fused MultiHeadAttention (com.microsoft): softmax(q·kᵀ/√d + mask) · v per head, with padded
    // keys masked out (mask_filter_value finfo(float32).min, as BertModel's extended attention mask)
    return op(
      "MultiHeadAttention",
      [q, k, v, "", "mask_i32"],
      `${p}.ctx`,
      { num_heads: heads, mask_filter_value: { float: FLOAT32_MIN } },
      "com.microsoft",
    );
  }
  const split = (x: string, perm: number[], out: string) => op("Transpose", [op("Reshape", [x, "shape_heads"], `${out}_r`)], out, { perm });
  const qh = split(q, [0, 2, 1, 3], `${p}.qh`);
  const kh = split(k, [0, 2, 3, 1], `${p}.kh`);
  const vh = split(v, [0, 2, 1, 3], `${p}.vh`);
  // q / sqrt(d) before q·kᵀ (as torch's scaled_dot_product_attention path does): a rounding-level difference from
  // dividing the scores, on S × d instead of S × S values
  const scores = op("Add", [op("MatMul", [op("Div", [qh, "sqrt_head"], `${p}.qs`), kh], `${p}.qk`), "mask_bias"], `${p}.scores`);
  const probs = op("Softmax", [scores], `${p}.probs`, { axis: -1 });
  const ctx4 = op("Transpose", [op("MatMul", [probs, vh], `${p}.ctx4`)], `${p}.ctx_t`, { perm: [0, 2, 1, 3] });
  return op("Reshape", [ctx4, "shape_hidden"], `${p}.ctx`);
}

/** Build the ONNX bytes of a `BertModel` encoder (see the module comment for the exact computation). */
export async function buildBertOnnx(
  cfg: BertConfig,
  weights: BertWeightSource,
  options: {
    signal?: AbortSignal;
    /**
     * Use ONNX Runtime's fused contrib operators (domain `com.microsoft`, opset 1) instead of plain ONNX ones:
     * `MultiHeadAttention` (with the padding mask), `SkipLayerNormalization` (bias + residual + LayerNorm) and, for
     * `hidden_act: "gelu"`, `BiasGelu` (exact erf GELU). Same computation, rounding aside. Default false (other
     * ONNX runtimes lack them).
     */
    contribOps?: boolean;
  } = {},
): Promise<Uint8Array> {
  const s = checkBertConfig(cfg);
  const { hidden: H, heads: NH, intermediate: I } = s;
  const fused = options.contribOps ?? false;
  const g = new GraphBuilder(weights, H, s.eps, options.signal);
  const { op } = g;
  g.init("zero1", [1], BigInt64Array.of(0n));
  if (!fused) {
    g.scalar("sqrt_head", Math.sqrt(H / NH));
    g.init("shape_heads", [4], BigInt64Array.of(0n, 0n, BigInt(NH), BigInt(H / NH)));
    g.init("shape_hidden", [3], BigInt64Array.of(0n, 0n, BigInt(H)));
  }

  // embeddings: word + token type 0, then + absolute positions 0 … S−1, then LayerNorm
  const wordTable = await g.weight("embeddings.word_embeddings.weight", [s.vocab, H], "word_embeddings");
  const tt = await g.weight("embeddings.token_type_embeddings.weight", [s.typeVocab, H], "token_type_0", true);
  const withType = op("Add", [op("Gather", [wordTable, "input_ids"], "word"), tt], "word_tt");
  const seqLen = op("Shape", ["input_ids"], "seq_len", { start: 1, end: 2 });
  const posTable = await g.weight("embeddings.position_embeddings.weight", [s.maxPositions, H], "position_embeddings");
  const pos = op("Slice", [posTable, "zero1", seqLen, "zero1"], "pos");
  const h0 = await g.ln(op("Add", [withType, pos], "emb_sum"), "embeddings.LayerNorm", "hidden_states_0");
  // the layers work on tokens × hidden rows (Gemm is 2-D); attention and the outputs see batch × seq × hidden
  const shapeBSH = op(
    "Concat",
    [op("Shape", ["input_ids"], "shape_bs"), g.init("hidden_dim", [1], BigInt64Array.of(BigInt(H)))],
    "shape_bsh",
    {
      axis: 0,
    },
  );
  g.init("shape_rows", [2], BigInt64Array.of(-1n, BigInt(H)));
  const to3 = (x: string, out: string) => op("Reshape", [x, shapeBSH], out);
  let h = op("Reshape", [h0, "shape_rows"], "h0_rows");

  if (fused) op("Cast", ["attention_mask"], "mask_i32", { to: OnnxType.INT32 });
  else {
    // extended attention mask: (1 − mask) · finfo(float32).min, as batch × 1 × 1 × seq
    const inv = op("Sub", [g.scalar("one", 1), op("Cast", ["attention_mask"], "mask_f", { to: OnnxType.FLOAT })], "mask_inv");
    const m3 = op("Mul", [inv, g.scalar("mask_min", FLOAT32_MIN)], "mask_bias3");
    op("Unsqueeze", [m3, g.init("axes12", [2], BigInt64Array.of(1n, 2n))], "mask_bias");
  }

  for (let l = 0; l < s.layers; l++) {
    const p = `encoder.layer.${l}`;
    const q = to3(await g.linear(h, `${p}.attention.self.query`, H, H, `${p}.q2`), `${p}.q`);
    const k = to3(await g.linear(h, `${p}.attention.self.key`, H, H, `${p}.k2`), `${p}.k`);
    const v = to3(await g.linear(h, `${p}.attention.self.value`, H, H, `${p}.v2`), `${p}.v`);
    const ctx = op("Reshape", [attention(g, p, q, k, v, NH, fused), "shape_rows"], `${p}.ctx_rows`);
    const a = await g.linearAddNorm(ctx, h, `${p}.attention.output.dense`, `${p}.attention.output.LayerNorm`, H, `${p}.attn_out`, fused);
    let inter: string;
    if (fused && s.act === "gelu") {
      // com.microsoft.BiasGelu: the exact erf GELU of x + bias (FastGelu, the tanh form, would not match)
      const { y, bias } = await g.linearNoBias(a, `${p}.intermediate.dense`, H, I, `${p}.inter`);
      inter = op("BiasGelu", [y, bias], `${p}.act`, undefined, "com.microsoft");
    } else inter = activation(op, g.scalar, await g.linear(a, `${p}.intermediate.dense`, H, I, `${p}.inter`), s.act, `${p}.act`);
    h = await g.linearAddNorm(inter, a, `${p}.output.dense`, `${p}.output.LayerNorm`, I, `${p}.h_rows`, fused);
    to3(h, `hidden_states_${l + 1}`);
  }
  const hs = (name: string) => ({ name, type: OnnxType.FLOAT, dims: ["batch", "seq", H] as Array<number | string> });
  return encodeOnnxModel({
    nodes: g.nodes,
    initializers: g.inits,
    inputs: [
      { name: "input_ids", type: OnnxType.INT64, dims: ["batch", "seq"] },
      { name: "attention_mask", type: OnnxType.INT64, dims: ["batch", "seq"] },
    ],
    outputs: Array.from({ length: s.layers + 1 }, (_, l) => hs(`hidden_states_${l}`)),
    graphName: "bert",
    domains: fused ? { "com.microsoft": 1 } : {},
  });
}

/** Append the nodes of `hidden_act` applied to `x`; returns the output name. */
function activation(
  op: (o: string, i: string[], out: string, a?: OnnxNode["attrs"]) => string,
  c: (name: string, v: number) => string,
  x: string,
  act: string,
  out: string,
): string {
  switch (act) {
    case "relu":
      return op("Relu", [x], out);
    case "silu":
    case "swish":
      return op("Mul", [x, op("Sigmoid", [x], `${out}_sig`)], out);
    case "gelu_new":
    case "gelu_pytorch_tanh": {
      // 0.5 · x · (1 + tanh(sqrt(2/π) · (x + 0.044715 · x³)))
      const x3 = op("Mul", [op("Mul", [x, x], `${out}_x2`), x], `${out}_x3`);
      const inner = op(
        "Mul",
        [c("tanh_c", Math.sqrt(2 / Math.PI)), op("Add", [x, op("Mul", [c("tanh_k", 0.044715), x3], `${out}_kx3`)], `${out}_sum`)],
        `${out}_in`,
      );
      const t = op("Add", [c("one", 1), op("Tanh", [inner], `${out}_tanh`)], `${out}_t1`);
      return op("Mul", [op("Mul", [c("half", 0.5), x], `${out}_hx`), t], out);
    }
    default: {
      // exact GELU, as torch.nn.functional.gelu: x · 0.5 · (1 + erf(x / √2))
      const e = op("Add", [c("one", 1), op("Erf", [op("Div", [x, c("sqrt2", Math.SQRT2)], `${out}_s`)], `${out}_erf`)], `${out}_e1`);
      return op("Mul", [op("Mul", [x, c("half", 0.5)], `${out}_h`), e], out);
    }
  }
}
