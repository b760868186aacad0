/**
 * Numeric reads of `H5File`: the checks before a read (element type, selection, filters, memory budget,
 * the caller's output buffer), the h5wasm path in staging-sized pieces, and the finishing touches
 * (booleans normalised, float16 widened).
 */
import { type AnyTypedArray, allocate, type DType, dtypeSize, markFloat16, widenHalf } from "../dtype.js";
import { HypedError } from "../errors.js";
import { type AnyNdArray, markBool, ndarray } from "../ndarray.js";
import { checkOutBuffer } from "../outbuf.js";
import { throwIfAborted } from "../progress.js";
import { hyperslab } from "./info.js";
import { MAX_STAGING_BYTES, WASM_HEAP_LIMIT } from "./module.js";
import type { H5Filter, H5Info, H5ReadAsyncOptions, H5ReadOptions } from "./types.js";

export type { H5ReadAsyncOptions };

/** A numeric read after its checks: the selection, the destination, and whether the direct path applies. */
export interface PreparedRead {
  path: string;
  info: H5Info;
  shape: number[];
  count: number[];
  offset: number[];
  stride: number[];
  n: number;
  dtype: DType;
  out: AnyTypedArray;
  /** float16 datasets: the stored bit patterns, widened into `out` by finishRead. */
  bits?: Uint16Array;
  outBytes: Uint8Array;
  direct: boolean;
  ds: { shape: number[]; elementSize: number; filters: H5Filter[] };
}

/**
 * Check a numeric read of dataset `path` of file `file` and set up its destination. `canDirect`: the file
 * reads directly; `checkFilters(through)` is `H5File.checkFilters` for this dataset.
 */
export function prepareRead(
  file: string,
  path: string,
  info: H5Info,
  options: H5ReadOptions,
  canDirect: boolean,
  checkFilters: (through: "any" | "h5wasm") => void,
): PreparedRead {
  if (!info.dtype) {
    throw new HypedError("UNSUPPORTED", `${file}: dataset ${path} has ${info.typeClass} elements; use readStrings or readRaw`, {
      file,
      element: path,
      typeClass: info.typeClass,
    });
  }
  const shape = info.shape ?? [];
  const { count, offset, stride } = hyperslab(shape, options.select, file, path);
  // float16 is read as its 16-bit patterns, then widened (finishRead)
  const stored: DType = info.half ? "uint16" : info.dtype;
  const direct = canDirect && stride.every((x) => x === 1) && info.size === dtypeSize(stored) && info.raw.littleEndian !== false;
  // filters the direct path decodes itself need no h5wasm plugin unless the read falls back (checked then)
  checkFilters(direct ? "any" : "h5wasm");
  const n = count.reduce((a, b) => a * b, 1);
  const dtype = info.dtype;
  const esz = info.size;
  // float16 needs its stored bits and the widened float32 result at once
  const nbytes = n * (info.half ? esz + dtypeSize(dtype) : esz);
  const budget = options.budgetBytes ?? 2 ** 31;
  if (nbytes > budget) {
    throw new HypedError("OUT_OF_RANGE", `${file}: reading ${path} [${count}] needs ${nbytes} bytes, above the budget of ${budget}`, {
      file,
      element: path,
      bytes: nbytes,
      budget,
    });
  }
  let out: AnyTypedArray;
  if (options.out) {
    checkOutBuffer(options.out, dtype, n, `${file}: reading ${path} [${count}]`, { file, element: path });
    out = options.out;
  } else out = allocate(dtype, n);
  const bits = info.half ? allocate("uint16", n) : undefined;
  const target = bits ?? out;
  const outBytes = new Uint8Array(target.buffer, target.byteOffset, target.byteLength);
  const ds = { shape, elementSize: esz, filters: info.filters };
  return { path, info, shape, count, offset, stride, n, dtype, out, ...(bits ? { bits } : {}), outBytes, direct, ds };
}

/**
 * Fill `r` through h5wasm in pieces of at most the staging limit along the first axis: `start()` once the
 * size checks pass, then `readPiece(count, offset, stride, dst)` per piece.
 */
export function readStaged(
  r: PreparedRead,
  file: string,
  signal: AbortSignal | undefined,
  start: () => void,
  readPiece: (count: number[], offset: number[], stride: number[], dst: Uint8Array, mismatch: number) => void,
): void {
  const { path, count, offset, stride, shape, outBytes, info, dtype } = r;
  const rowElems = count.slice(1).reduce((a, b) => a * b, 1);
  const rowBytes = rowElems * info.size;
  if (rowBytes > WASM_HEAP_LIMIT / 2) {
    throw new HypedError("OUT_OF_RANGE", `${file}: one row of ${path} is ${rowBytes} bytes, beyond the wasm heap limit`, {
      file,
      element: path,
      bytes: rowBytes,
    });
  }
  const rowsPerPiece = Math.max(1, Math.floor(MAX_STAGING_BYTES / Math.max(1, rowBytes)));
  const total0 = count[0] ?? 1;
  start();
  for (let i = 0; i < total0; i += rowsPerPiece) {
    throwIfAborted(signal, `reading ${path}`);
    const k = Math.min(rowsPerPiece, total0 - i);
    const c = shape.length ? [k, ...count.slice(1)] : [];
    const o = shape.length ? [(offset[0] as number) + i * (stride[0] as number), ...offset.slice(1)] : [];
    readPiece(
      c,
      o,
      stride,
      outBytes.subarray(i * rowBytes, (i + k) * rowBytes),
      info.size === dtypeSize(r.bits ? "uint16" : dtype) ? 0 : info.size,
    );
  }
}

/** Normalise booleans and wrap the destination as an ndarray. */
export function finishRead(r: PreparedRead): AnyNdArray {
  const { dtype, outBytes, n, count } = r;
  if (dtype === "bool") for (let i = 0; i < n; i++) if (outBytes[i] !== 0) outBytes[i] = 1;
  if (r.bits) widenHalf(r.bits, r.out as Float32Array);
  const arr = ndarray(r.out as never, count.length ? count : [1]) as unknown as AnyNdArray;
  if (dtype === "bool") markBool(arr);
  if (r.bits) markFloat16(markFloat16(arr).data);
  return arr;
}

/**
 * The options of `H5File.readAsync`'s direct read, and its `onFilled` reporting: the direct reader's byte
 * ranges of `r`'s destination become element ranges of `r.out` (not for booleans and float16, finished after
 * the read); `finish(result, fellBack)` reports the whole result when the ranges could not be (those dtypes, a
 * range not on element boundaries, or a read that fell back to h5wasm), and returns `result`.
 */
export function filledReporter(
  r: PreparedRead,
  options: H5ReadAsyncOptions,
): {
  direct: { signal?: AbortSignal; concurrency?: number; onFilled?: (start: number, end: number) => void };
  finish: (result: AnyNdArray, fellBack: boolean) => AnyNdArray;
} {
  const { onFilled, ...direct } = options;
  if (!onFilled) return { direct, finish: (result) => result };
  const esz = r.n > 0 ? r.outBytes.length / r.n : 0;
  let whole = r.bits !== undefined || r.dtype === "bool" || !Number.isInteger(esz) || esz <= 0;
  const bytes = (s: number, e: number) => {
    if (s % esz || e % esz) whole = true;
    else onFilled(r.out, s / esz, e / esz);
  };
  return {
    direct: whole ? direct : { ...direct, onFilled: bytes },
    finish(result, fellBack) {
      if ((whole || fellBack) && r.n > 0) onFilled(r.out, 0, r.n);
      return result;
    },
  };
}
