import { type DenseMatrix, denseToCsr, fromTyped, type SparseMatrix, sparseToDense } from "@hyped/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AnnData } from "../../anndata/index.js";
import { colMeanVar, highlyVariableGenesMatrix, log1p, log1pMatrix, normalizeTotal, normalizeTotalMatrix } from "../index.js";
import { csrColMeanVarOnePass, toDenseF64 } from "../matrix.js";
import { mapMemo, ScalarMemo } from "../memo.js";
import { lcgCounts } from "../synthetic.js";

const bits = (a: ArrayLike<number>) => Array.from(a, (v) => (Object.is(v, -0) ? "-0" : String(v)));
const f32 = (m: SparseMatrix): SparseMatrix => ({ ...m, data: Float32Array.from(m.data as Float64Array) });

describe("memoised element-wise maps (memo.ts)", () => {
  it("property: mapMemo gives exactly Math.log1p / Math.expm1 of every value, ±0 and NaN included", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double(), fc.constantFrom(0, -0, 1, 2, 0.5, Number.NaN)), { maxLength: 300 }), (xs) => {
        const src = Float64Array.from([...xs, ...xs]);
        for (const f of [Math.log1p, Math.expm1]) {
          const out = new Float64Array(src.length);
          mapMemo(src, out, f);
          expect(bits(out)).toEqual(bits(Array.from(src, f)));
          const memo = new ScalarMemo(f);
          expect(bits(Array.from(src, (v) => memo.get(v)))).toEqual(bits(Array.from(src, f)));
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("normalizeTotal / log1p in place (scanpy's copy=False)", () => {
  const counts = () => lcgCounts({ nCells: 60, nGenes: 25, seed: 5 }).X;

  it("property: in place and copy give the same bits on CSR, CSC and dense, float32 and float64", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.boolean(), fc.constantFrom("csr", "csc", "dense"), (seed, single, layout) => {
        let m: SparseMatrix = lcgCounts({ nCells: 12, nGenes: 9, seed }).X;
        if (single) m = f32(m);
        const make = (): SparseMatrix | DenseMatrix =>
          layout === "dense" ? sparseToDense(m) : layout === "csc" ? (toCsc(m) as SparseMatrix) : { ...m, data: m.data.slice() as never };
        const a = make();
        const before = bits(toDenseF64(a));
        const copy = normalizeTotalMatrix(a);
        expect(bits(toDenseF64(a))).toEqual(before); // the default leaves X alone
        const b = make();
        const inPlace = normalizeTotalMatrix(b, { inplace: true });
        expect(inPlace.X).toBe(b);
        expect(bits(toDenseF64(inPlace.X))).toEqual(bits(toDenseF64(copy.X)));
        expect((inPlace.X as { data: unknown }).data).toBeInstanceOf(single ? Float32Array : Float64Array);
        const l1 = log1pMatrix(copy.X, { base: 2 });
        const l2 = log1pMatrix(inPlace.X, { base: 2, inplace: true });
        expect(l2).toBe(b);
        expect(bits(toDenseF64(l2))).toEqual(bits(toDenseF64(l1)));
      }),
      { numRuns: 60 },
    );
  });

  it("float32 follows scanpy's float32 arithmetic: float32 totals, target and factors, one rounding per value", () => {
    const X = f32(counts());
    const r = normalizeTotalMatrix(X);
    const d = X.data as Float32Array;
    const ip = X.indptr as ArrayLike<number>;
    const tot = Array.from({ length: 60 }, (_, i) => {
      let s = 0;
      for (let k = ip[i] as number; k < (ip[i + 1] as number); k++) s += d[k] as number;
      return Math.fround(s);
    });
    const pos = tot.filter((t) => t > 0).sort((a, b) => a - b);
    const t = Math.fround((pos[(pos.length - 1) >> 1]! + pos[pos.length >> 1]!) / 2);
    expect(r.targetSum).toBe(t);
    const want = new Float32Array(d.length);
    for (let i = 0; i < 60; i++) {
      const f = Math.fround(tot[i]! / t) || 1;
      for (let k = ip[i] as number; k < (ip[i + 1] as number); k++) want[k] = (d[k] as number) / f;
    }
    expect(bits((r.X as SparseMatrix).data as Float32Array)).toEqual(bits(want));
    expect(r.normFactor).toBeInstanceOf(Float32Array);
  });

  it("integer counts become float32, as scanpy's astype(np.float32), with the float32 path's bits", () => {
    const X = counts();
    const ints: SparseMatrix = { ...X, data: Int32Array.from(X.data as Float64Array) };
    const r = normalizeTotalMatrix(ints, { inplace: true });
    expect((r.X as SparseMatrix).data).toBeInstanceOf(Float32Array);
    expect(r.X).not.toBe(ints);
    expect(bits((r.X as SparseMatrix).data as Float32Array)).toEqual(
      bits((normalizeTotalMatrix(f32(X)).X as SparseMatrix).data as Float32Array),
    );
    expect(Array.from(ints.data as Int32Array)).toEqual(Array.from(X.data as Float64Array));
  });

  it("dense input must be 2-D (INVALID_ARGUMENT)", () => {
    const v = fromTyped(new Float64Array([1, 2, 3]), [3]) as unknown as DenseMatrix;
    expect(() => normalizeTotalMatrix(v)).toThrow(/2-D/);
    expect(() => log1pMatrix(v)).toThrow(/2-D/);
  });

  it("normalizeTotal(adata) and log1p(adata) overwrite X's values; copy: true leaves them alone", () => {
    const X = counts();
    const data = X.data as Float64Array;
    const orig = data.slice();
    const ad = new AnnData({ X });
    normalizeTotal(ad, { targetSum: 1e4, keyAdded: "nf" });
    log1p(ad);
    expect((ad.X as SparseMatrix).data).toBe(data);
    const want = toDenseF64(log1pMatrix(normalizeTotalMatrix({ ...X, data: orig }, { targetSum: 1e4 }).X));
    expect(bits(toDenseF64(ad.X!))).toEqual(bits(want));
    const kept = data.slice();
    const other = new AnnData({ X: { ...X, data } });
    normalizeTotal(other, { copy: true });
    log1p(other, { copy: true });
    expect(bits(data)).toEqual(bits(kept));
    expect((other.X as SparseMatrix).data).not.toBe(data);
  });
});

describe("HVG seurat statistics in one pass over CSR (csrColMeanVarOnePass)", () => {
  it("property: means bit-identical to the two-pass colMeanVar, variances to 1e-13, constant genes exactly", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 2, max: 40 }), fc.boolean(), (seed, n, single) => {
        let X: SparseMatrix = lcgCounts({ nCells: n, nGenes: 11, seed, dropoutBase: 0 }).X;
        // gene 0 constant (5 in every cell), gene 1 nearly constant (1e6 + tiny noise): the recomputed columns
        const d = sparseToDense(X);
        for (let i = 0; i < n; i++) {
          d.set(i, 0, 5);
          d.set(i, 1, 1e6 + (i % 3) * 1e-3);
        }
        X = denseToCsr(d);
        if (single) X = f32(X);
        for (const memo of [undefined, new ScalarMemo(Math.expm1)]) {
          const Y = memo ? { ...X, data: Float64Array.from(X.data as ArrayLike<number>, (v) => Math.min(v, 20) / 7) } : X;
          const a = csrColMeanVarOnePass(Y, 1, memo);
          const b = colMeanVar(Y, 1, memo);
          expect(bits(a.mean)).toEqual(bits(b.mean));
          expect(a.var[0]).toBe(b.var[0]);
          if (!memo) {
            expect(a.var[0]).toBe(0);
            expect(a.var[1]).toBe(b.var[1]);
          }
          for (let j = 0; j < 11; j++) expect(Math.abs(a.var[j]! - b.var[j]!)).toBeLessThanOrEqual(1e-13 * Math.abs(b.var[j]!));
        }
      }),
      { numRuns: 100 },
    );
  });

  it("highlyVariableGenesMatrix selects the same genes from CSR and dense input", () => {
    const X = log1pMatrix(normalizeTotalMatrix(lcgCounts({ nCells: 200, nGenes: 300, seed: 9 }).X, { targetSum: 1e4 }).X) as SparseMatrix;
    const a = highlyVariableGenesMatrix(X, { nTopGenes: 50 });
    const b = highlyVariableGenesMatrix(sparseToDense(X), { nTopGenes: 50 });
    expect(Array.from(a.highlyVariable)).toEqual(Array.from(b.highlyVariable));
    expect(bits(a.means)).toEqual(bits(b.means));
  });
});

import { convertSparse } from "@hyped/core";

function toCsc(m: SparseMatrix): SparseMatrix {
  return convertSparse({ ...m, data: m.data.slice() as never }, "csc");
}
