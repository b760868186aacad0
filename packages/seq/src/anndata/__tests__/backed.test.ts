/** Lazy access: slices read only the bytes they need; every selection agrees with the in-memory matrix. */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type AnyNdArray, contiguous, convertSparse, isSparse, type SparseMatrix, sparseToDense } from "@hyped/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AnnData, DataFrame, type Matrix, openH5ad, readH5ad, subsetMatrix, writeH5ad } from "../index.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hyped-h5ad-backed-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A deterministic CSR matrix: about `density` of the entries set, integer counts (LCG). */
function lcgCsr(rows: number, cols: number, density: number, seed = 12345): SparseMatrix {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const perRow = Math.max(1, Math.round(cols * density));
  const indptr = new Int32Array(rows + 1);
  const indices = new Int32Array(rows * perRow);
  const data = new Float32Array(rows * perRow);
  let p = 0;
  const used = new Uint8Array(cols);
  for (let i = 0; i < rows; i++) {
    const row: number[] = [];
    while (row.length < perRow) {
      const j = Math.floor(next() * cols);
      if (!used[j]) {
        used[j] = 1;
        row.push(j);
      }
    }
    row.sort((a, b) => a - b);
    for (const j of row) {
      used[j] = 0;
      indices[p] = j;
      data[p++] = 1 + Math.floor(next() * 20);
    }
    indptr[i + 1] = p;
  }
  return { format: "csr", shape: [rows, cols], data, indices, indptr };
}

function dense(m: Matrix): number[][] {
  const d = isSparse(m) ? sparseToDense(m) : contiguous(m as unknown as AnyNdArray);
  const [r, c] = d.shape as [number, number];
  const v = d.data as unknown as ArrayLike<number>;
  return Array.from({ length: r }, (_, i) => Array.from({ length: c }, (_, j) => Number(v[i * c + j])));
}

const big = { rows: 20000, cols: 2000 };
let bigFile = "";
let bigX: SparseMatrix;

beforeAll(async () => {
  bigX = lcgCsr(big.rows, big.cols, 0.02);
  const names = (p: string, n: number) => Array.from({ length: n }, (_, i) => `${p}${i}`);
  const a = new AnnData({ X: bigX, obs: new DataFrame(names("c", big.rows)), var: new DataFrame(names("g", big.cols)) });
  bigFile = path.join(tmp, "big.h5ad");
  await writeH5ad(bigFile, a, { compression: "gzip" });
}, 60_000);

describe("openH5ad", () => {
  it("a 100-row slice of a 20,000 × 2,000 CSR file reads a small fraction of it", async () => {
    const size = statSync(bigFile).size;
    const b = await openH5ad(bigFile);
    try {
      const afterOpen = b.file.io.bytesRead;
      expect(b.X?.kind).toBe("csr");
      expect(b.X?.nnz).toBe(bigX.data.length);
      const before = b.file.io.bytesRead;
      const m = b.X?.rows(10_000, 10_100) as SparseMatrix;
      const sliceBytes = b.file.io.bytesRead - before;
      expect(m.shape).toEqual([100, big.cols]);
      expect(Array.from(m.data as Float32Array)).toEqual(
        Array.from(bigX.data.subarray(Number(bigX.indptr[10_000]), Number(bigX.indptr[10_100])) as Float32Array),
      );
      // 100 rows × 40 values × 8 B ≈ 32 KB of values; 32 Ki-value gzip chunks: at most two chunks per dataset
      expect(sliceBytes).toBeLessThan(size * 0.05);
      // open reads annotations (20,000 vlen obs names are most of it) and indptr, never X's values
      expect(afterOpen).toBeLessThan(size * 0.4);
    } finally {
      b.close();
    }
  });

  it("uncompressed: the slice reads about the bytes of its values", async () => {
    const file = path.join(tmp, "big-plain.h5ad");
    const a = new AnnData({ X: bigX });
    await writeH5ad(file, a);
    const b = await openH5ad(file);
    try {
      const before = b.file.io.bytesRead;
      b.X?.rows(5000, 5100);
      const got = b.file.io.bytesRead - before;
      const need = (Number(bigX.indptr[5100]) - Number(bigX.indptr[5000])) * 8;
      expect(got).toBeLessThan(need + 2 * 64 * 1024 + 8192); // HDF5's 64 KiB sieve buffer per dataset
      expect(got).toBeLessThan(statSync(file).size * 0.05);
    } finally {
      b.close();
    }
  });

  it("rows, rowsAt, cols, colsAt and iterateRows agree with the in-memory matrix (csr, csc, dense)", async () => {
    const X = lcgCsr(60, 25, 0.2, 7);
    const file = path.join(tmp, "small.h5ad");
    const denseX = sparseToDense(X) as unknown as Matrix;
    const a = new AnnData({ X, layers: { csc: convertSparse(X, "csc"), dense: denseX } });
    await writeH5ad(file, a, { compression: "gzip" });
    const b = await openH5ad(file);
    try {
      for (const key of ["X", "csc", "dense"]) {
        const m = key === "X" ? b.X : b.layers.get(key);
        if (!m) throw new Error(key);
        const rows = Int32Array.from([5, 6, 7, 40, 2, 2]);
        const cols = Int32Array.from([0, 24, 3, 4]);
        expect(dense(m.rows(10, 20)), key).toEqual(
          dense(
            subsetMatrix(
              X,
              Int32Array.from({ length: 10 }, (_, i) => 10 + i),
              null,
            ),
          ),
        );
        expect(dense(m.rowsAt(rows)), key).toEqual(dense(subsetMatrix(X, rows, null)));
        expect(dense(m.cols(3, 9)), key).toEqual(dense(subsetMatrix(X, null, Int32Array.from([3, 4, 5, 6, 7, 8]))));
        expect(dense(m.colsAt(cols)), key).toEqual(dense(subsetMatrix(X, null, cols)));
        const seen: number[][] = [];
        for (const batch of m.iterateRows(16)) seen.push(...dense(batch.matrix));
        expect(seen, key).toEqual(dense(X));
        expect(dense(m.read()), key).toEqual(dense(X));
      }
      expect(Array.from(b.obsVector("3"))).toEqual(dense(X).map((r) => r[3]));
      expect(Array.from(b.obsVector("3", "csc"))).toEqual(dense(X).map((r) => r[3]));
      const sub = b.obsSubset([1, 3, 5]);
      expect(dense(sub.X as Matrix)).toEqual(dense(subsetMatrix(X, Int32Array.from([1, 3, 5]), null)));
      expect(sub.obsNames).toEqual(["1", "3", "5"]);
      expect(() => b.X?.rows(0, 61)).toThrow(expect.objectContaining({ code: "OUT_OF_RANGE" }));
      const mem = b.toMemory();
      expect(mem.shape).toEqual([60, 25]);
    } finally {
      b.close();
    }
  });

  it("iterateRows is cancellable and reports progress", async () => {
    const b = await openH5ad(bigFile);
    try {
      const ac = new AbortController();
      const events: number[] = [];
      let n = 0;
      expect(() => {
        for (const _ of b.iterateRows(5000, { signal: ac.signal, onProgress: (e) => events.push(e.done) })) {
          if (++n === 2) ac.abort();
        }
      }).toThrow(expect.objectContaining({ code: "ABORTED" }));
      expect(n).toBe(2);
    } finally {
      b.close();
    }
  });

  it("reads a browser-style Blob (bytes) lazily-compatible", async () => {
    const bytes = new Uint8Array((await import("node:fs")).readFileSync(path.join(tmp, "small.h5ad")));
    const b = await openH5ad(new Blob([bytes]));
    try {
      expect(b.shape).toEqual([60, 25]);
      expect(b.X?.rows(0, 2).shape).toEqual([2, 25]);
    } finally {
      b.close();
    }
    const full = await readH5ad(bytes);
    expect(full.nObs).toBe(60);
  });
});
