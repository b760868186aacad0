/**
 * A minimal writer for the parts of the ONNX protobuf schema (`onnx.proto3`, IR version 8) that a BERT-shaped
 * graph needs: ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto.
 * Field numbers follow onnx.proto; only what we write is implemented.
 */

/**
 * Protobuf wire writer. Bytes are kept as a list of parts and a nested message is appended by reference, so
 * large tensors (model weights) are copied once, into the final buffer, by {@link Writer.finish}.
 */
class Writer {
  private parts: Uint8Array[] = [];
  private small: number[] = [];
  /** Bytes written so far. */
  length = 0;
  private flush(): void {
    if (this.small.length) {
      this.parts.push(Uint8Array.from(this.small));
      this.small = [];
    }
  }
  private push(b: number): void {
    this.small.push(b);
    this.length++;
  }
  varint(v: number | bigint): this {
    let x = BigInt.asUintN(64, BigInt(v));
    do {
      let b = Number(x & 0x7fn);
      x >>= 7n;
      if (x) b |= 0x80;
      this.push(b);
    } while (x);
    return this;
  }
  tag(field: number, wire: number): this {
    return this.varint((field << 3) | wire);
  }
  int(field: number, v: number | bigint): this {
    return this.tag(field, 0).varint(v);
  }
  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2).varint(b.length);
    if (b.length < 64) for (const x of b) this.push(x);
    else {
      this.flush();
      this.parts.push(b);
      this.length += b.length;
    }
    return this;
  }
  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }
  float(field: number, v: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(new Float32Array([v]).buffer);
    for (const x of b) this.push(x);
    return this;
  }
  message(field: number, m: Writer): this {
    this.tag(field, 2).varint(m.length);
    m.flush();
    this.flush();
    for (const p of m.parts) this.parts.push(p);
    this.length += m.length;
    return this;
  }
  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** ONNX tensor element types used here (TensorProto.DataType). */
export const OnnxType = { FLOAT: 1, INT32: 6, INT64: 7, FLOAT16: 10, BFLOAT16: 16 } as const;

/**
 * Where an initializer's values live outside the model bytes (ONNX external data): `length` raw little-endian
 * bytes at byte `offset` of the file `location`, a path relative to the folder ONNX Runtime resolves external data
 * against. A safetensors file stores tensors exactly this way, so a graph can point into it.
 */
export interface OnnxExternalData {
  location: string;
  offset: number;
  length: number;
  /** Element type ({@link OnnxType}): FLOAT, FLOAT16 or BFLOAT16. */
  type: number;
}

/** A constant tensor (initializer): its values inline (`data`) or in an external file (`external`). */
export type OnnxTensor =
  | {
      name: string;
      dims: number[];
      /** FLOAT → Float32Array, INT64 → BigInt64Array, INT32 → Int32Array. */
      data: Float32Array | BigInt64Array | Int32Array;
    }
  | { name: string; dims: number[]; external: OnnxExternalData };

/** A node attribute. */
export type OnnxAttr = number | number[] | string | { float: number } | { floats: number[] };

/** A graph node. */
export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attrs?: Record<string, OnnxAttr>;
  /** Operator domain; default the ONNX domain. `"com.microsoft"` for ONNX Runtime's contrib operators. */
  domain?: string;
}

/** A graph input or output: name, element type and dims (a string dim is symbolic). */
export interface OnnxValueInfo {
  name: string;
  type: number;
  dims: Array<number | string>;
}

/** A whole model. */
export interface OnnxModelSpec {
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  /** Default opset 17. */
  opset?: number;
  /** Extra operator-set imports, e.g. `{ "com.microsoft": 1 }`. */
  domains?: Record<string, number>;
  graphName?: string;
  producer?: string;
}

function tensorProto(t: OnnxTensor): Writer {
  const w = new Writer();
  for (const d of t.dims) w.int(1, d);
  if ("external" in t) {
    const x = t.external;
    w.int(2, x.type).string(8, t.name);
    const entry = (k: string, v: string) => new Writer().string(1, k).string(2, v); // StringStringEntryProto
    w.message(13, entry("location", x.location));
    w.message(13, entry("offset", String(x.offset)));
    w.message(13, entry("length", String(x.length)));
    return w.int(14, 1); // data_location = EXTERNAL
  }
  const type = t.data instanceof Float32Array ? OnnxType.FLOAT : t.data instanceof BigInt64Array ? OnnxType.INT64 : OnnxType.INT32;
  w.int(2, type);
  w.string(8, t.name);
  w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)); // raw_data, little-endian
  return w;
}

function attrProto(name: string, v: OnnxAttr): Writer {
  const w = new Writer().string(1, name);
  if (typeof v === "number") return w.int(3, v).int(20, 2); // INT
  if (typeof v === "string") return w.bytes(4, new TextEncoder().encode(v)).int(20, 3); // STRING
  if (Array.isArray(v)) {
    for (const x of v) w.int(8, x);
    return w.int(20, 7); // INTS
  }
  if ("float" in v) return w.float(2, v.float).int(20, 1); // FLOAT
  for (const x of v.floats) w.float(7, x);
  return w.int(20, 6); // FLOATS
}

function valueInfo(v: OnnxValueInfo): Writer {
  const shape = new Writer();
  for (const d of v.dims) shape.message(1, typeof d === "number" ? new Writer().int(1, d) : new Writer().string(2, d));
  const tensorType = new Writer().int(1, v.type).message(2, shape);
  const type = new Writer().message(1, tensorType);
  return new Writer().string(1, v.name).message(2, type);
}

/** Serialise a model to ONNX protobuf bytes (IR version 8). */
export function encodeOnnxModel(spec: OnnxModelSpec): Uint8Array {
  const g = new Writer();
  spec.nodes.forEach((n, i) => {
    const nw = new Writer();
    for (const x of n.inputs) nw.string(1, x);
    for (const x of n.outputs) nw.string(2, x);
    nw.string(3, n.name ?? `${n.op}_${i}`);
    nw.string(4, n.op);
    for (const [k, v] of Object.entries(n.attrs ?? {})) nw.message(5, attrProto(k, v));
    if (n.domain) nw.string(7, n.domain);
    g.message(1, nw);
  });
  g.string(2, spec.graphName ?? "graph");
  for (const t of spec.initializers) g.message(5, tensorProto(t));
  for (const v of spec.inputs) g.message(11, valueInfo(v));
  for (const v of spec.outputs) g.message(12, valueInfo(v));
  const opset = new Writer().string(1, "").int(2, spec.opset ?? 17);
  const model = new Writer()
    .int(1, 8)
    .string(2, spec.producer ?? "hyped")
    .message(7, g)
    .message(8, opset);
  for (const [d, v] of Object.entries(spec.domains ?? {})) model.message(8, new Writer().string(1, d).int(2, v));
  return model.finish();
}
