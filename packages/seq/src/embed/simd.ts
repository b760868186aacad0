/**
 * A dense matrix–vector product in WebAssembly SIMD (f64x2, four accumulators), for the Lanczos PCA on the
 * genes × genes covariance: there the product is compute-bound, and V8's scalar loop peaks at ≈ 0.66 ns per
 * multiply–add on the bench machine. No npm package ships a float64 SIMD kernel for this, and the module is a few
 * hundred bytes, so it is assembled here from its instructions (annotated below; the text form is in the comment
 * of {@link matvecModuleBytes}). Where WebAssembly SIMD is missing (old browsers), {@link wasmSymmetricOperator}
 * returns `null` and the caller keeps its JavaScript loop.
 */

/** Unsigned LEB128 of a non-negative integer (section and body sizes). */
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Instruction helpers: local.get, local.set, the SIMD prefix and the f64x2 ops used. */
const lg = (i: number) => [0x20, i];
const ls = (i: number) => [0x21, i];
const SIMD = 0xfd;
const F64X2_ADD = [SIMD, 0xf0, 0x01];
const F64X2_MUL = [SIMD, 0xf2, 0x01];
/** v128.load, align 8, byte offset < 128. */
const load = (offset: number) => [SIMD, 0x00, 0x03, offset];

/** The inner loop over the columns of one row: aq += G[row + j + 16q] · x[j + 16q] for q < 4, j += 64 bytes. */
function columnLoop(): number[] {
  // biome-ignore format: one instruction per line group reads better than one byte per line
  return [
    0x41, 0x00, ...ls(6), // j = 0
    0x02, 0x40, 0x03, 0x40, // block, loop
    ...lg(6), ...lg(8), 0x4f, 0x0d, 0x01, // if j >= sb break
    ...[0, 1, 2, 3].flatMap((q) => [
      ...lg(9 + q),
      ...lg(7), ...lg(6), 0x6a, ...load(16 * q),
      ...lg(1), ...lg(6), 0x6a, ...load(16 * q),
      ...F64X2_MUL, ...F64X2_ADD, ...ls(9 + q),
    ]),
    ...lg(6), 0x41, 0xc0, 0x00, 0x6a, ...ls(6), // j += 64
    0x0c, 0x00, 0x0b, 0x0b, // continue; end loop, end block
  ];
}

/** The code of the `mv` function (locals and instructions; see {@link matvecModuleBytes}). */
function matvecBody(): number[] {
  const zero16 = new Array<number>(16).fill(0);
  // biome-ignore format: one instruction per line group reads better than one byte per line
  return [
    0x02, 0x04, 0x7f, 0x04, 0x7b, // locals: 4 × i32 (i, j, row, sb), 4 × v128 (a0..a3)
    ...lg(4), 0x41, 0x03, 0x74, ...ls(8), // sb = stride << 3
    ...lg(0), ...ls(7), // row = g
    0x02, 0x40, 0x03, 0x40, // block, loop (rows)
    ...lg(5), ...lg(3), 0x4f, 0x0d, 0x01, // if i >= rows break
    ...[9, 10, 11, 12].flatMap((a) => [SIMD, 0x0c, ...zero16, ...ls(a)]), // aq = 0
    ...columnLoop(),
    ...lg(9), ...lg(10), ...F64X2_ADD, ...lg(11), ...lg(12), ...F64X2_ADD, ...F64X2_ADD, ...ls(9),
    ...lg(2), ...lg(5), 0x41, 0x03, 0x74, 0x6a, // address y + i·8
    ...lg(9), SIMD, 0x21, 0x00, ...lg(9), SIMD, 0x21, 0x01, 0xa0, // lane 0 + lane 1
    0x39, 0x03, 0x00, // f64.store
    ...lg(7), ...lg(8), 0x6a, ...ls(7), // row += sb
    ...lg(5), 0x41, 0x01, 0x6a, ...ls(5), // i += 1
    0x0c, 0x00, 0x0b, 0x0b, // continue rows; end loop, end block
    0x0b, // end function
  ];
}

/**
 * The module, equivalent to this text form:
 * ```wat
 * (module
 *   (import "e" "m" (memory 1))
 *   (func (export "mv") (param $g i32) (param $x i32) (param $y i32) (param $rows i32) (param $stride i32)
 *     ;; y[i] = Σ_j G[i·stride + j]·x[j] for i < rows; stride a multiple of 8 (zero padded), pointers in bytes
 *     (local $i i32) (local $j i32) (local $row i32) (local $sb i32) (local $a0 v128) … (local $a3 v128)
 *     sb = stride·8; row = g
 *     loop over i: a0..a3 = 0; loop over j (bytes, step 64): aq += load(row + j + 16q) · load(x + j + 16q)
 *                  y[i] = lane0(s) + lane1(s) with s = (a0 + a1) + (a2 + a3); row += sb))
 * ```
 */
export function matvecModuleBytes(): Uint8Array<ArrayBuffer> {
  const body = matvecBody();
  const section = (id: number, content: number[]) => [id, ...leb(content.length), ...content];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [0x01, 0x60, 0x05, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x00]), // type: (i32 × 5) → ()
    ...section(2, [0x01, 0x01, 0x65, 0x01, 0x6d, 0x02, 0x00, 0x01]), // import "e" "m" memory min 1
    ...section(3, [0x01, 0x00]), // one function of type 0
    ...section(7, [0x01, 0x02, 0x6d, 0x76, 0x00, 0x00]), // export "mv"
    ...section(10, [0x01, ...leb(body.length), ...body]),
  ]);
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is unavailable. */
function matvecModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      const bytes = matvecModuleBytes();
      compiled = typeof WebAssembly !== "undefined" && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/**
 * `y = G·x` for a symmetric d × d `G` given by its lower triangle (row-major, upper part ignored), with G copied
 * once into WebAssembly memory as full rows padded to a multiple of 8 (8·d·⌈d/8⌉·8 bytes); null when WebAssembly
 * SIMD is unavailable.
 */
export function wasmSymmetricOperator(G: Float64Array, d: number): ((x: Float64Array, y: Float64Array) => void) | null {
  const mod = matvecModule();
  if (!mod) return null;
  const stride = Math.ceil(d / 8) * 8;
  const bytes = 8 * (stride * d + 2 * stride);
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
  const mv = new WebAssembly.Instance(mod, { e: { m: memory } }).exports.mv as (
    g: number,
    x: number,
    y: number,
    rows: number,
    stride: number,
  ) => void;
  const M = new Float64Array(memory.buffer, 0, stride * d);
  for (let a = 0; a < d; a++) {
    const row = a * stride;
    for (let b = 0; b <= a; b++) {
      const v = G[a * d + b] as number;
      M[row + b] = v;
      M[b * stride + a] = v;
    }
  }
  const xOff = 8 * stride * d;
  const yOff = xOff + 8 * stride;
  const X = new Float64Array(memory.buffer, xOff, stride);
  const Y = new Float64Array(memory.buffer, yOff, d);
  return (x, y) => {
    X.set(x.subarray(0, d));
    mv(0, xOff, yOff, d, stride);
    y.set(Y);
  };
}
