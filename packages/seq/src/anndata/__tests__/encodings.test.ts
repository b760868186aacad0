/**
 * Every encoding, from files written by anndata 0.8 and by h5py (packages/seq/scripts/make_anndata_reference.py;
 * expected values in reference/anndata/expected.json).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type AnyNdArray, contiguous, isNdArray, isSparse, sparseToDense } from "@hyped/core";
import { describe, expect, it } from "vitest";
import {
  type AwkwardArray,
  createDefaultRegistry,
  DataFrame,
  openH5ad,
  type RecArray,
  readH5ad,
  SKIPPED,
  type StringNdArray,
  scalarDtype,
} from "../index.js";

const ref = (f: string) => fileURLToPath(new URL(`../../../reference/anndata/${f}`, import.meta.url));
const expected = JSON.parse(readFileSync(ref("expected.json"), "utf8"));

describe("files written by anndata 0.8", () => {
  it("LZF without its chunk-size parameter (Debian's h5py writes it so) is decoded by our JavaScript LZF decoder", async () => {
    // this file once failed with UNSUPPORTED: the h5wasm plugin needs the chunk size among the filter parameters
    const lzf = await readH5ad(ref("anndata08_lzf.h5ad"));
    const gz = await readH5ad(ref("anndata08_all.h5ad"));
    expect(lzf.obs).toEqual(gz.obs);
    expect(lzf.var).toEqual(gz.var);
    expect(lzf.X).toEqual(gz.X);
    expect([...lzf.layers]).toEqual([...gz.layers]);
    expect([...lzf.obsm]).toEqual([...gz.obsm]);
    expect(lzf.uns).toEqual(gz.uns);
    expect(lzf.raw).toEqual(gz.raw);
  });

  for (const file of ["anndata08_all.h5ad", "anndata08_lzf.h5ad"]) {
    it(file, async () => {
      const e = expected[file];
      const a = await readH5ad(ref(file));
      expect(a.shape).toEqual(e.shape);
      expect(a.obs.columns).toEqual(e.obs_columns);
      const cond = a.obs.column("cond");
      if (cond?.kind !== "categorical") throw new Error("cond");
      expect(cond.categories).toEqual(e.cond_categories);
      expect(Array.from(cond.codes)).toEqual(e.cond_codes);
      expect(a.obs.column("level")).toMatchObject({ kind: "categorical", ordered: true });
      expect(a.obs.column("ncat")).toMatchObject({ kind: "categorical", categories: e.ncat_categories, categoriesDtype: "int64" });
      const nint = a.obs.column("nint");
      expect(nint?.kind).toBe("nullable-integer");
      expect(Array.from((nint as { mask: Uint8Array }).mask).flatMap((x, i) => (x ? [i] : []))).toEqual(e.nint_masked);
      expect(Array.from((a.obs.column("nbool") as { mask: Uint8Array }).mask).flatMap((x, i) => (x ? [i] : []))).toEqual(e.nbool_masked);
      const flag = a.obs.column("flag");
      expect(flag?.kind).toBe("boolean");
      expect((flag as { values: Uint8Array }).values.reduce((s, x) => s + x, 0)).toBe(e.flag_true);
      expect(a.obs.column("u16")).toMatchObject({ kind: "numeric" });
      expect((a.obs.column("u16") as { values: unknown }).values).toBeInstanceOf(Uint16Array);
      expect(a.var.column("hv")?.kind).toBe("boolean");
      expect(isSparse(a.X)).toBe(true);
      if (!isSparse(a.X)) return;
      expect(a.X.data.length).toBe(e.X_nnz);
      expect(Array.from(a.X.data as Float32Array).reduce((s, x) => s + x, 0)).toBeCloseTo(e.X_sum, 3);
      expect([...a.layers.keys()].sort()).toEqual(e.layers);
      expect(isSparse(a.layers.get("csc")) && (a.layers.get("csc") as { format: string }).format).toBe("csc");
      expect([...a.obsm.keys(), ...a.obsmFrames.keys()].sort()).toEqual(e.obsm);
      expect(Object.keys(a.uns).sort()).toEqual(e.uns_keys);
      expect(a.uns.title).toBe("HYPED");
      expect(a.uns.n).toBe(15);
      expect(scalarDtype(a.uns, "n")).toBe("int64");
      expect(a.uns.flag).toBe(true);
      expect(a.uns.colors).toEqual(["#ff0000", "#00ff00"]);
      const bools = a.uns.bools;
      expect(isNdArray(bools) && Array.from(contiguous(bools as AnyNdArray).data as Uint8Array)).toEqual([1, 0, 1]);
      expect(a.raw?.var.nRows).toBe(e.shape[1]);
      // the categorical mask helper other analyses use
      expect(a.obsSubset(a.obs.get("cond").eq("siPRRX1")).nObs).toBe(10);
    });
  }
});

describe("elements written by h5py per the anndata spec", () => {
  const e = expected["h5py_elements.h5ad"];

  it("reads every encoding; unknown ones are UNSUPPORTED naming the element", async () => {
    await expect(readH5ad(ref("h5py_elements.h5ad"))).rejects.toMatchObject({
      code: "UNSUPPORTED",
      context: expect.objectContaining({ element: "/uns/future", encodingType: "future-thing" }),
    });
  });

  it("onUnknown: skip and raw", async () => {
    const a = await readH5ad(ref("h5py_elements.h5ad"), { onUnknown: "skip" });
    expect("future" in a.uns).toBe(false);
    expect(a.shape).toEqual(e.shape);
    expect(a.obsNames).toEqual(e.obs_names);
    const nstr = a.obs.column("nstr");
    expect(nstr?.kind).toBe("nullable-string");
    expect(Array.from((nstr as { mask: Uint8Array }).mask)).toEqual(e.nstr_mask);
    expect(a.obs.get("nstr").values()).toEqual(["a", null, "c", "d", null, "f"]);
    expect(a.obs.column("cat_nstr")).toMatchObject({ kind: "categorical", categories: e.cat_nstr_categories });
    expect(a.var.columns).toEqual([]);
    if (!isSparse(a.X)) throw new Error("X");
    expect(a.X.indices).toBeInstanceOf(Uint16Array);
    const d = sparseToDense(a.X);
    expect(Array.from({ length: 6 }, (_, i) => Array.from({ length: 4 }, (_, j) => d.get(i, j)))).toEqual(e.X_dense);
    expect((a.uns.s2d as StringNdArray).shape).toEqual(e.s2d_shape);
    expect((a.uns.s2d as StringNdArray).values).toEqual(["a", "b", "c", "d", "e", "f"]);
    expect(a.uns.none).toBeNull();
    expect(Array.from((a.uns.rec as RecArray).fields.x as Float64Array)).toEqual(e.rec_x);
    const awk = a.uns.awk as AwkwardArray;
    expect(awk.length).toBe(e.awk_length);
    expect(JSON.parse(awk.form).class).toBe("ListOffsetArray");
    expect(Array.from(awk.buffers["node1-data"] as BigInt64Array)).toEqual([7n, 8n, 9n]);
    expect(a.uns.scalar_bool).toBe(true);
    expect(a.uns.str).toBe("hello");
    const legacy = a.uns.h5sparse;
    expect(isSparse(legacy) && legacy.format).toBe("csc");

    const raw = await readH5ad(ref("h5py_elements.h5ad"), { onUnknown: "raw" });
    const fut = raw.uns.future as { payload: unknown };
    expect(isNdArray(fut.payload)).toBe(true);
  });

  it("users can register readers for their own encodings", async () => {
    const registry = createDefaultRegistry().register("future-thing", "9.9.9", (ctx, p) => ({ mine: ctx.f.keys(p) }));
    const a = await readH5ad(ref("h5py_elements.h5ad"), { registry });
    expect(a.uns.future).toEqual({ mine: ["payload"] });
    expect(registry.has("future-thing", "9.9.9")).toBe(true);
    expect(createDefaultRegistry().has("future-thing", "9.9.9")).toBe(false);
    expect(SKIPPED).toBeTypeOf("symbol");
  });

  it("backed access works on the same file", async () => {
    const b = await openH5ad(ref("h5py_elements.h5ad"), { onUnknown: "skip" });
    try {
      expect(b.X?.kind).toBe("csr");
      const r = b.X?.rowsAt([4, 0]);
      if (!r || !isSparse(r)) throw new Error("rows");
      expect(Array.from(sparseToDense(r).data as Float64Array)).toEqual([...e.X_dense[4], ...e.X_dense[0]]);
      expect(b.readElement("/obs")).toBeInstanceOf(DataFrame);
    } finally {
      b.close();
    }
  });
});
