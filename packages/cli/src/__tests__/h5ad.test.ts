import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path, { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AnnData, categoricalFrom, DataFrame, readH5ad, writeH5ad } from "@hyped/seq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "hyped-h5ad-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, "small.h5ad");
const fixtures = path.resolve(fileURLToPath(new URL("../../../../", import.meta.url)), "../shared/fixtures/h5ad");

beforeAll(async () => {
  const X = {
    format: "csr" as const,
    shape: [3, 4] as const,
    data: new Float32Array([1, 2, 3]),
    indices: new Int32Array([0, 3, 1]),
    indptr: new Int32Array([0, 2, 2, 3]),
  };
  const obs = new DataFrame(["c0", "c1", "c2"], { cond: categoricalFrom(["ctrl", "siPRRX1", "ctrl"]) });
  await writeH5ad(
    file,
    new AnnData({
      X,
      obs,
      var: new DataFrame(["A", "B", "C", "D"]),
      obsm: { X_pca: { format: "csr", shape: [3, 2], data: new Float64Array(0), indices: new Int32Array(0), indptr: new Int32Array(4) } },
      uns: { k: 1 },
    }),
  );
});

const cli = runCli;

describe("hyped inspect x.h5ad", () => {
  it("--json prints exactly the documented fields", async () => {
    const r = await cli(["inspect", file, "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual([
      "n_obs",
      "n_vars",
      "obs_names_first5",
      "var_names_first5",
      "X",
      "obs_columns",
      "var_columns",
      "obsm",
      "varm",
      "layers",
      "obsp",
      "varp",
      "uns_keys",
    ]);
    expect(j.n_obs).toBe(3);
    expect(j.X).toEqual({
      kind: "csr",
      dtype: "float32",
      shape: [3, 4],
      nnz: 3,
      sum_float64: 6,
      head_0_3_0_5: [
        [1, 0, 0, 2],
        [0, 0, 0, 0],
        [0, 3, 0, 0],
      ],
    });
    expect(j.obs_columns).toEqual([{ name: "cond", kind: "categorical", dtype: "category", categories: ["ctrl", "siPRRX1"] }]);
    expect(j.obsm).toEqual({ X_pca: { kind: "csr", shape: [3, 2], dtype: "float64" } });
    expect(j.uns_keys).toEqual(["k"]);
  });

  it("text mode reads like anndata's repr", async () => {
    const r = await cli(["inspect", file]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("with n_obs × n_vars = 3 × 4");
    expect(r.out).toContain("obs: 'cond'");
    expect(r.out).toContain("obsm: 'X_pca'");
  });

  it.skipIf(!existsSync(fixtures))("works on a legacy fixture (anndata 0.5)", async () => {
    const r = await cli(["inspect", join(fixtures, "anndata-0.5.0/adata.h5ad"), "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect([j.n_obs, j.n_vars]).toEqual([700, 765]);
    expect(j.X.kind).toBe("dense");
    expect(Object.keys(j.obsp).sort()).toEqual(["connectivities", "distances"]);
  });

  // files written by anndata 0.8 / h5py (packages/seq/scripts/make_anndata_roundtrip.py)
  const corpus = (f: string) => fileURLToPath(new URL(`../../../seq/reference/anndata/roundtrip/${f}`, import.meta.url));

  it("--json names boolean columns 'boolean', as the API does", async () => {
    const j = JSON.parse((await cli(["inspect", corpus("01-dense-f32.h5ad"), "--json"])).out);
    expect(j.obs_columns.find((c: { name: string }) => c.name === "flag")).toEqual({ name: "flag", kind: "boolean", dtype: "bool" });
  });

  it("lists awkward arrays of the mappings with their kind and length, and float16 as float16", async () => {
    const j = JSON.parse((await cli(["inspect", corpus("26-awkward.h5ad"), "--json"])).out);
    expect(j.obsm.ragged).toEqual({ kind: "awkward-array", shape: [12], dtype: "object", length: 12 });
    expect(j.varm.ragged_var).toMatchObject({ kind: "awkward-array", length: 7 });
    const t = await cli(["inspect", corpus("26-awkward.h5ad")]);
    expect(t.out).toContain("obsm: 'X_pca', 'ragged' (awkward-array, length 12)");
    const h = JSON.parse((await cli(["inspect", corpus("10-float16-elsewhere.h5ad"), "--json"])).out);
    expect(h.layers.half).toEqual({ kind: "dense", shape: [12, 7], dtype: "float16" });
  });

  it("inspects a .h5mu file, and refuses it under .h5ad naming readH5mu", async () => {
    const r = await cli(["inspect", corpus("mudata.h5mu"), "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect([j.n_obs, j.n_vars, j.axis]).toEqual([12, 10, 0]);
    expect(Object.keys(j.mod)).toEqual(["rna", "prot"]);
    expect([j.mod.prot.n_obs, j.mod.prot.n_vars]).toEqual([12, 3]);
    const t = await cli(["inspect", corpus("mudata.h5mu")]);
    expect(t.out).toContain("2 modalities");
    const renamed = join(dir, "mudata.h5ad");
    (await import("node:fs")).copyFileSync(corpus("mudata.h5mu"), renamed);
    const bad = await cli(["inspect", renamed, "--json"]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/FORMAT.*MuData.*readH5mu/);
  });

  it("a corrupt file exits 1 with a FORMAT message", async () => {
    const bad = join(dir, "bad.h5ad");
    (await import("node:fs")).writeFileSync(bad, "not hdf5");
    const r = await cli(["inspect", bad, "--json"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("FORMAT");
  });
});

describe("hyped h5ad", () => {
  it("convert rewrites a file in the current encodings", async () => {
    const out = join(dir, "conv.h5ad");
    const r = await cli(["h5ad", "convert", file, out, "--compression", "gzip"]);
    expect(r.code).toBe(0);
    expect((await readH5ad(out)).obs.get("cond").values()).toEqual(["ctrl", "siPRRX1", "ctrl"]);
    expect((await cli(["h5ad", "convert", file, out, "--compression", "zip"])).code).toBe(2);
  });

  it("rows prints a lazily read slice", async () => {
    const r = await cli(["h5ad", "rows", file, "0", "2"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).rows).toEqual([
      { obs: "c0", values: { A: 1, D: 2 } },
      { obs: "c1", values: {} },
    ]);
    expect((await cli(["h5ad", "rows", file, "0", "9"])).code).toBe(1);
  });
});
