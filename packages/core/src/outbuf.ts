/**
 * The one check of a caller's output buffer: readers that fill a caller's array (`H5File.read`'s `out`,
 * `CziFile.readPlane`'s `out`, `FrameStore.loadFrames`'s `into`) accept exactly a TypedArray of the
 * dtype's class in the dtype table ({@link DTYPE_CTORS}) with exactly the selection's element count.
 */
import { DTYPE_CTORS, type DType, type TypedArrayFor } from "./dtype.js";
import { type ErrorContext, HypedError } from "./errors.js";

/**
 * Throws `SHAPE_MISMATCH` unless `out` is a TypedArray of `dtype`'s class (`DTYPE_CTORS[dtype]`, so `bool`
 * takes a `Uint8Array`; a subclass or a `Uint8ClampedArray` does not pass) holding exactly `length`
 * elements. The message reads `<what> needs a <dtype> array (<class>) of <length> elements[ <shape>], got a
 * <class> of <n>`; `context` gains `expected` and `got` (element counts).
 *
 * @param what - the read, for the message, e.g. `file.h5: reading /x [2,3]`.
 * @param shape - optional shape words for the message, e.g. `[2,3,4]`.
 */
export function checkOutBuffer<D extends DType>(
  out: unknown,
  dtype: D,
  length: number,
  what: string,
  context: ErrorContext = {},
  shape?: string,
): asserts out is TypedArrayFor<D> {
  const ctor = DTYPE_CTORS[dtype] as unknown;
  const o = out as { constructor?: { name?: string }; length?: unknown } | null | undefined;
  if (o != null && o.constructor === ctor && o.length === length) return;
  const gotClass = o?.constructor?.name ?? String(o);
  const gotLength = typeof o?.length === "number" ? o.length : undefined;
  throw new HypedError(
    "SHAPE_MISMATCH",
    `${what} needs a ${dtype} array (${(ctor as { name: string }).name}) of ${length} elements${shape ? ` ${shape}` : ""}, got a ${gotClass}${gotLength === undefined ? "" : ` of ${gotLength}`}`,
    { ...context, expected: length, got: gotLength },
  );
}
