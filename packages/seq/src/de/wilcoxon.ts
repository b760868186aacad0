/** Wilcoxon rank-sum z-scores of `rank_genes_groups` (scanpy's `wilcoxon` method), gene by gene. */
import { isSparse, throwIfAborted } from "@hyped/core";
import type { Matrix } from "../anndata/index.js";
import { asCsc, denseValues, numbers, shapeOf } from "../preprocess/matrix.js";

/**
 * Wilcoxon z-scores for each tested group (keyed by category index), by average ranks per gene over the
 * cells involved. Sparse input ranks only stored values; the implicit zeros form one tied block.
 */
export function wilcoxonAll(
  X: Matrix,
  codes: Int32Array,
  nCats: number,
  tested: number[],
  iref: number,
  tieCorrect: boolean,
  signal?: AbortSignal,
): Map<number, Float64Array> {
  const [n, g] = shapeOf(X);
  const out = new Map<number, Float64Array>(tested.map((i) => [i, new Float64Array(g)]));
  const col = columnReader(X);
  const groupSize = new Float64Array(nCats + 1);
  for (let i = 0; i < n; i++) groupSize[(codes[i] as number) < 0 ? nCats : (codes[i] as number)]! += 1;
  const vals = new Float64Array(n);
  const rows = new Int32Array(n);
  const sorted = new Float64Array(n);
  const rankSum = new Float64Array(nCats + 1);
  const nzIn = new Float64Array(nCats + 1);
  // comparisons: vs rest → one ranking over all cells; vs reference → one ranking per tested group
  const comparisons: Array<{ members: ((c: number) => boolean) | null; groups: number[] }> =
    iref < 0 ? [{ members: null, groups: tested }] : tested.map((i) => ({ members: (c: number) => c === i || c === iref, groups: [i] }));
  for (let j = 0; j < g; j++) {
    if ((j & 255) === 0) throwIfAborted(signal, "rank_genes_groups (wilcoxon)");
    const len = col(j, vals, rows);
    for (const cmp of comparisons) {
      // gather the stored values of the cells in this comparison
      let m = 0;
      let N = n;
      if (cmp.members) {
        const ig = cmp.groups[0] as number;
        N = (groupSize[ig] as number) + (groupSize[iref] as number);
        for (let p = 0; p < len; p++) {
          const c = codes[rows[p] as number] as number;
          if (cmp.members(c)) {
            sorted[m] = vals[p] as number;
            m++;
          }
        }
      } else {
        for (let p = 0; p < len; p++) sorted[p] = vals[p] as number;
        m = len;
      }
      const s = sorted.subarray(0, m).sort();
      // explicit zeros among stored values join the implicit zero block
      let neg = 0;
      while (neg < m && (s[neg] as number) < 0) neg++;
      let zEnd = neg;
      while (zEnd < m && (s[zEnd] as number) === 0) zEnd++;
      const zeros = N - m + (zEnd - neg);
      const zeroRank = neg + (zeros + 1) / 2;
      rankSum.fill(0);
      nzIn.fill(0);
      for (let p = 0; p < len; p++) {
        const c = codes[rows[p] as number] as number;
        const slot = c < 0 ? nCats : c;
        if (cmp.members && !cmp.members(c)) continue;
        const v = vals[p] as number;
        if (v === 0) continue;
        rankSum[slot]! += rankOf(s, m, N, v);
        nzIn[slot]! += 1;
      }
      let T = 1;
      if (tieCorrect) {
        let ties = zeros > 1 ? zeros * zeros * zeros - zeros : 0;
        for (let a = 0; a < m; ) {
          let b = a + 1;
          while (b < m && s[b] === s[a]) b++;
          const t = b - a;
          if (s[a] !== 0 && t > 1) ties += t * t * t - t;
          a = b;
        }
        T = N > 1 ? 1 - ties / (N * N * N - N) : 1;
      }
      for (const ig of cmp.groups) {
        const n1 = groupSize[ig] as number;
        const n2 = N - n1;
        const R = (rankSum[ig] as number) + (n1 - (nzIn[ig] as number)) * zeroRank;
        const sd = Math.sqrt((T * n1 * n2 * (N + 1)) / 12);
        const z = (R - (n1 * (N + 1)) / 2) / sd;
        (out.get(ig) as Float64Array)[j] = Number.isNaN(z) ? 0 : z;
      }
    }
  }
  return out;
}

/**
 * Average rank (1-based) of the stored non-zero value `v` among N cells, `s` holding the m stored values sorted:
 * its position among stored values, shifted past the N − m implicit zeros when positive.
 */
function rankOf(s: Float64Array, m: number, N: number, v: number): number {
  let lo = 0;
  let hi = m;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((s[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  const first = lo;
  hi = m;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((s[mid] as number) <= v) lo = mid + 1;
    else hi = mid;
  }
  const avg = (first + lo - 1) / 2 + 1; // 1-based average position among stored values
  return v < 0 ? avg : avg + (N - m);
}

/** Returns a function that copies column j's stored (row, value) pairs into the buffers and returns their count. */
function columnReader(X: Matrix): (j: number, vals: Float64Array, rows: Int32Array) => number {
  const [n, g] = shapeOf(X);
  if (isSparse(X)) {
    const c = asCsc(X);
    const d = numbers(c.data);
    return (j, vals, rows) => {
      let len = 0;
      for (let p = Number(c.indptr[j]); p < Number(c.indptr[j + 1]); p++) {
        vals[len] = d[p] as number;
        rows[len++] = c.indices[p] as number;
      }
      return len;
    };
  }
  const d = denseValues(X);
  return (j, vals, rows) => {
    for (let i = 0; i < n; i++) {
      vals[i] = d[i * g + j] as number;
      rows[i] = i;
    }
    return n;
  };
}
