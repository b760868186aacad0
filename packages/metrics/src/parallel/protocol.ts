/** Messages between `@hyped/metrics/parallel` and its worker. @internal */
import type { RowData, SsimKernelParams } from "../image/kernel.js";
import type { RowMetric } from "../rows/impl.js";

/** SSIM for rows `[r0, r1)`, given image rows from `rowOffset`. */
export interface SsimTask {
  kind: "ssim";
  x: RowData;
  y: RowData;
  rowOffset: number;
  H: number;
  W: number;
  r0: number;
  r1: number;
  params: SsimKernelParams;
  full: boolean;
}

/** A row-wise metric over a block of rows (row 0 of the block is `a[0]`). */
export interface RowsTask {
  kind: "rows";
  metric: RowMetric;
  a: ArrayBufferView;
  b: ArrayBufferView;
  rows: number;
  cols: number;
  broadcast: boolean;
  /** Index of the block's first row in the whole matrix (for error messages). */
  rowBase: number;
}

export type Task = SsimTask | RowsTask;

/** The worker's answer: an SSIM band's sum (and map rows with `full`) or a block's values. */
export interface Result {
  sum?: number;
  out?: Float64Array;
}
