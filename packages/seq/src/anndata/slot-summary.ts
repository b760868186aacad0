/**
 * The metadata summary of one mapping entry (`{kind, shape, dtype}`), shared by the in-memory and the
 * lazily opened (backed) summaries.
 */
import { dtypeOf, isFloat16, isSparse, ndDtype } from "@hyped/core";
import { elementKind, matrixShape } from "./anndata.js";
import type { Matrix } from "./matrix.js";

/**
 * One entry of a mapping as `inspect --json` prints it. `kind` is `dense`, `csr`, `csc`, `dataframe`, or the
 * element's encoding for other elements (`awkward-array`, ...), which also give their `length` (entries along
 * the mapping's axis; `shape` is then `[length]`).
 */
export interface SlotSummary {
  kind: string;
  shape: number[];
  dtype: string;
  length?: number;
}

/** The summary of an element that is not a matrix: its kind (encoding) and, when it has one, its length. */
export function otherSummary(v: unknown): SlotSummary {
  const { kind, length } = elementKind(v);
  return length === undefined ? { kind, shape: [], dtype: "object" } : { kind, shape: [length], dtype: "object", length };
}

/** `{kind, shape, dtype}` of a matrix slot. */
export function slotSummary(m: Matrix): { kind: string; shape: number[]; dtype: string } {
  if (isSparse(m)) return { kind: m.format, shape: [...m.shape], dtype: isFloat16(m.data) ? "float16" : dtypeOf(m.data) };
  return { kind: "dense", shape: [...matrixShape(m)], dtype: isFloat16(m) ? "float16" : ndDtype(m) };
}
