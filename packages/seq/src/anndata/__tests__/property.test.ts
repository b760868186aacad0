/** Property: any AnnData we can build survives writeH5adBytes → readH5ad unchanged (fast-check). */
import { type AnyNdArray, contiguous, fromTyped, type SparseMatrix } from "@hyped/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AnnData, categoricalFrom, DataFrame, readH5ad, writeH5adBytes } from "../index.js";

const arbAnnData = fc
  .record({
    n: fc.integer({ min: 1, max: 12 }),
    m: fc.integer({ min: 1, max: 9 }),
    density: fc.double({ min: 0, max: 1, noNaN: true }),
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
    labels: fc.array(fc.constantFrom("ctrl", "siPRRX1", "siMYOD1", "é-ü", null), { minLength: 12, maxLength: 12 }),
    ordered: fc.boolean(),
    csc: fc.boolean(),
    dense: fc.boolean(),
    title: fc.string({ maxLength: 12 }),
  })
  .map((r) => {
    let s = r.seed;
    const next = () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
    const indptr = new Int32Array(r.n + 1);
    const idx: number[] = [];
    const val: number[] = [];
    for (let i = 0; i < r.n; i++) {
      for (let j = 0; j < r.m; j++) {
        if (next() < r.density) {
          idx.push(j);
          val.push(Math.round(next() * 1000) / 8);
        }
      }
      indptr[i + 1] = idx.length;
    }
    const X: SparseMatrix = { format: "csr", shape: [r.n, r.m], data: Float64Array.from(val), indices: Int32Array.from(idx), indptr };
    const obs = new DataFrame(
      Array.from({ length: r.n }, (_, i) => `c${i}`),
      {
        cond: categoricalFrom(r.labels.slice(0, r.n), undefined, r.ordered),
        mask: {
          kind: "nullable-boolean",
          values: Uint8Array.from({ length: r.n }, () => (next() < 0.5 ? 1 : 0)),
          mask: Uint8Array.from({ length: r.n }, () => (next() < 0.2 ? 1 : 0)),
        },
      },
    );
    const layer = fromTyped(
      Int16Array.from({ length: r.n * r.m }, () => Math.floor(next() * 200 - 100)),
      [r.n, r.m],
    );
    return {
      a: new AnnData({
        X,
        obs,
        var: new DataFrame(Array.from({ length: r.m }, (_, j) => `g${j}`)),
        layers: { l: layer },
        uns: { title: r.title },
      }),
      r,
    };
  });

describe("write → read round trip (property)", () => {
  it("keeps X, categoricals, nullable booleans, layers and uns", async () => {
    await fc.assert(
      fc.asyncProperty(arbAnnData, async ({ a, r }) => {
        const b = await readH5ad(
          await writeH5adBytes(r.csc ? a.asFormat("csc") : r.dense ? a.toDense() : a, { compression: r.dense ? "gzip" : "none" }),
        );
        const X = (r.csc ? a.asFormat("csc") : r.dense ? a.toDense() : a).X;
        expect(b.X).toEqual(X);
        expect(b.obs.column("cond")).toEqual(a.obs.column("cond"));
        expect(b.obs.column("mask")).toEqual(a.obs.column("mask"));
        expect(Array.from(contiguous(b.layers.get("l") as unknown as AnyNdArray).data as Int16Array)).toEqual(
          Array.from(contiguous(a.layers.get("l") as unknown as AnyNdArray).data as Int16Array),
        );
        expect(b.uns.title).toBe(r.title);
      }),
      { numRuns: 12, seed: 20261124 },
    );
  }, 60_000);
  it("keeps a categorical whose values are all missing (no categories)", async () => {
    const a = new AnnData({
      X: null,
      obs: new DataFrame(["c0", "c1"], { cond: categoricalFrom([null, null], []) }),
      var: new DataFrame(["g0"]),
    });
    const b = await readH5ad(await writeH5adBytes(a));
    expect(b.obs.column("cond")).toEqual(a.obs.column("cond"));
  });
});
