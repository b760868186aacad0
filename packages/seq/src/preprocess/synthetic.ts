/**
 * Deterministic synthetic count matrices for tests and benchmarks, generated with an integer LCG so the
 * committed Python reference script (`scripts/make_preprocess_reference.py`) builds bit-identical inputs.
 */
import type { SparseMatrix } from "@hyped/core";

/** Options of {@link lcgCounts}. */
export interface LcgCountsOptions {
  nCells: number;
  nGenes: number;
  /** Number of groups; cell i is in group `i % nGroups`. Default 3. */
  nGroups?: number;
  /** LCG seed (uint32). Default 1. */
  seed?: number;
  /** Percent (0..100) of entries that are structurally dropped, varied per gene as `base + (j % 6) * 10`. Default 30. */
  dropoutBase?: number;
}

/**
 * A CSR count matrix (float64 integer values) plus group labels. The generator (all integer arithmetic):
 * `s ← (1664525·s + 1013904223) mod 2³²`, `r = s >>> 8`; for each cell i and gene j, draw r1, r2; the entry is 0
 * when `r1 % 100 < dropoutBase + (j % 6)·10`, else `r2 % (2 + j % 9 + (i % nGroups == j % nGroups ? 3 + j % 4 : 0))`.
 */
export function lcgCounts(options: LcgCountsOptions): { X: SparseMatrix<Float64Array>; groups: Int32Array } {
  const { nCells, nGenes, nGroups = 3, seed = 1, dropoutBase = 30 } = options;
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(1664525, s) + 1013904223) >>> 0;
    return s >>> 8;
  };
  const indptr = new Float64Array(nCells + 1);
  let cap = Math.max(16, Math.ceil(nCells * nGenes * 0.5));
  let indices = new Int32Array(cap);
  let data = new Float64Array(cap);
  let p = 0;
  const groups = new Int32Array(nCells);
  for (let i = 0; i < nCells; i++) {
    const gi = i % nGroups;
    groups[i] = gi;
    for (let j = 0; j < nGenes; j++) {
      const r1 = next();
      const r2 = next();
      if (r1 % 100 < dropoutBase + (j % 6) * 10) continue;
      const hi = 2 + (j % 9) + (gi === j % nGroups ? 3 + (j % 4) : 0);
      const v = r2 % hi;
      if (v === 0) continue;
      if (p === cap) {
        cap *= 2;
        const ni = new Int32Array(cap);
        ni.set(indices);
        indices = ni;
        const nd = new Float64Array(cap);
        nd.set(data);
        data = nd;
      }
      indices[p] = j;
      data[p++] = v;
    }
    indptr[i + 1] = p;
  }
  return {
    X: { format: "csr", shape: [nCells, nGenes], data: data.slice(0, p), indices: indices.slice(0, p), indptr },
    groups,
  };
}
