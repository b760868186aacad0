/**
 * Every `.h5ad` under ../shared/fixtures/h5ad/ against its `.truth.json` (written by an independent h5py
 * reader, cross-checked with anndata 0.8). Skips when the fixtures folder is absent.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isSparse } from "@hyped/core";
import { describe, expect, it } from "vitest";
import { type AnnData, type Column, type H5adSummary, matrixShape, openH5ad, readH5ad, summarizeAnnData, summarizeH5ad } from "../index.js";

const root = fileURLToPath(new URL("../../../../../", import.meta.url));
const fixtures = path.resolve(root, "../shared/fixtures/h5ad");
const have = existsSync(fixtures);

function findH5ad(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) out.push(...findH5ad(p));
    else if (e.endsWith(".h5ad") && existsSync(`${p}.truth.json`)) out.push(p);
  }
  return out.sort();
}

// biome-ignore lint/suspicious/noExplicitAny: truth JSON
type Truth = any;
const num = (x: unknown) => (x === "NaN" ? Number.NaN : x === "Infinity" ? Infinity : x === "-Infinity" ? -Infinity : (x as number));
const close = (a: number, b: number) => (Number.isNaN(b) ? Number.isNaN(a) : Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)));
const kindOf = (k: string) => (k === "array" || k.startsWith("dense") ? "dense" : k);

function checkColumns(cols: Truth[], df: AnnData["obs"], sum: H5adSummary["obs_columns"]) {
  expect(df.columns).toEqual(cols.map((c: Truth) => c.name));
  for (const t of cols) {
    const c = df.column(t.name) as Column;
    const s = sum.find((x) => x.name === t.name);
    // the truth files call boolean columns "bool"; the toolkit's one name (API, docs, inspect --json) is "boolean"
    expect(s?.kind, t.name).toBe(t.kind === "bool" ? "boolean" : t.kind);
    if (t.kind === "numeric") expect(s?.dtype, t.name).toBe(t.dtype);
    if (t.kind === "categorical" && c.kind === "categorical") {
      expect(c.categories, t.name).toEqual(t.categories);
      expect(c.ordered, t.name).toBe(t.ordered);
      expect(Array.from(c.codes).filter((k) => k < 0).length).toBe(t.n_missing);
    }
    if (t.kind === "nullable-integer" && c.kind === "nullable-integer") {
      expect(c.mask.reduce((a, b) => a + b, 0)).toBe(t.n_masked);
      let s2 = 0;
      c.values.forEach((v, i) => {
        if (!c.mask[i]) s2 += Number(v);
      });
      expect(s2).toBe(t.sum_unmasked);
    }
    if (t.kind === "nullable-boolean" && c.kind === "nullable-boolean") {
      expect(c.mask.reduce((a, b) => a + b, 0)).toBe(t.n_masked);
      expect(Array.from(c.values).filter((v, i) => v && !c.mask[i]).length).toBe(t.n_true_unmasked);
    }
    if (t.kind === "bool" && c.kind === "boolean") expect(c.values.reduce((a, b) => a + b, 0)).toBe(t.n_true);
    if (t.kind === "string" && c.kind === "string") expect(c.values.slice(0, t.first.length)).toEqual(t.first);
  }
}

function checkMatrixStats(got: H5adSummary["X"], t: Truth, what: string) {
  expect(got, what).not.toBeNull();
  if (!got) return;
  expect(got.kind, what).toBe(t.kind);
  expect(got.dtype, what).toBe(t.dtype);
  expect(got.shape, what).toEqual(t.shape);
  if (t.nnz !== undefined) expect(got.nnz, what).toBe(t.nnz);
  expect(close(got.sum_float64, num(t.sum_float64)), `${what} sum ${got.sum_float64} vs ${t.sum_float64}`).toBe(true);
  const head = t.head_0_3_0_5 as number[][];
  head.forEach((row, i) => {
    row.forEach((v, j) => {
      expect(close(got.head_0_3_0_5[i]?.[j] as number, num(v)), `${what} head[${i}][${j}]`).toBe(true);
    });
  });
}

function checkSlots(got: H5adSummary["obsm"], t: Truth, keys: string[] | undefined, what: string) {
  if (keys) expect(Object.keys(got).sort(), what).toEqual([...keys].sort());
  for (const [k, v] of Object.entries((t ?? {}) as Record<string, Truth>)) {
    expect(got[k], `${what}/${k}`).toBeDefined();
    expect(got[k]?.shape, `${what}/${k}`).toEqual(v.shape);
    expect(got[k]?.kind, `${what}/${k}`).toBe(kindOf(v.kind));
    if (v.dtype) expect(got[k]?.dtype, `${what}/${k}`).toBe(v.dtype);
  }
}

describe.skipIf(!have)("h5ad fixtures conform to their truth files", () => {
  const files = have ? findH5ad(fixtures) : [];
  it("finds fixtures", () => expect(files.length).toBeGreaterThanOrEqual(5));
  for (const file of files) {
    const name = path.relative(fixtures, file);
    it(name, async () => {
      const t: Truth = JSON.parse(readFileSync(`${file}.truth.json`, "utf8"));
      const a = await readH5ad(file);
      const s = summarizeAnnData(a);
      expect(a.nObs).toBe(t.n_obs);
      expect(a.nVars).toBe(t.n_vars);
      expect(s.obs_names_first5).toEqual(t.obs_names_first5);
      expect(s.var_names_first5).toEqual(t.var_names_first5);
      expect(a.obsNames.at(-1)).toBe(t.obs_names_last[0]);
      expect(a.varNames.at(-1)).toBe(t.var_names_last[0]);
      expect(a.obsIndex(t.obs_names_first5[2])).toBe(2);
      checkColumns(t.obs_columns, a.obs, s.obs_columns);
      checkColumns(t.var_columns, a.var, s.var_columns);
      for (const c of t.obs_categorical_first3_counts) {
        const col = a.obs.column(c.name);
        if (col?.kind !== "categorical") throw new Error(`${c.name} is not categorical`);
        expect(Array.from(col.codes.slice(0, 5))).toEqual(c.codes_first5);
        const counts = new Array(col.categories.length).fill(0);
        for (const k of col.codes) if (k >= 0) counts[k]++;
        expect(counts).toEqual(c.counts_per_category);
      }
      for (const c of t.obs_numeric_column_sums_first3) {
        const v = a.obs.get(c.name).toFloat64();
        let sum = 0;
        let nans = 0;
        for (const x of v) Number.isNaN(x) ? nans++ : (sum += x);
        expect(nans).toBe(c.n_nan);
        expect(close(sum, num(c.nansum_float64))).toBe(true);
        c.first3.forEach((x: unknown, i: number) => {
          expect(close(v[i] as number, num(x))).toBe(true);
        });
      }
      if (t.X.kind === "absent") expect(a.X).toBeNull();
      else checkMatrixStats(s.X, t.X, "X");
      const keys = t.anndata_crosscheck?.anndata_keys ?? {};
      checkSlots(s.obsm, t.obsm, keys.obsm, "obsm");
      checkSlots(s.varm, t.varm, keys.varm, "varm");
      checkSlots(s.layers, t.layers, keys.layers, "layers");
      checkSlots(s.obsp, t.obsp, keys.obsp, "obsp");
      checkSlots(s.varp, t.varp, keys.varp, "varp");
      if (keys.uns) expect(s.uns_keys.sort()).toEqual([...keys.uns].sort());
      for (const [k, v] of Object.entries((t.layers_sums ?? {}) as Record<string, Truth>)) {
        const m = a.layers.get(k);
        if (!m) throw new Error(`no layer ${k}`);
        const ms = summarizeAnnData({
          ...a,
          nObs: a.nObs,
          nVars: a.nVars,
          obsNames: a.obsNames,
          varNames: a.varNames,
          X: m,
          obs: a.obs,
          var: a.var,
        }).X;
        checkMatrixStats(ms, { ...v, kind: v.kind, dtype: ms?.dtype, shape: matrixShape(m) }, `layers/${k}`);
      }
      if (t.raw) {
        expect(a.raw).not.toBeNull();
        expect(a.raw?.var.nRows).toBe(t.raw.n_vars ?? t.n_vars);
        if (t.raw.var_names_first5) expect(a.raw?.var.index.slice(0, 5)).toEqual(t.raw.var_names_first5);
        if (t.raw.X) {
          const rx = a.raw?.X ?? null;
          expect(rx && isSparse(rx) ? rx.format : "dense").toBe(t.raw.X.kind);
          const rs = summarizeAnnData({
            ...a,
            nObs: a.nObs,
            nVars: a.nVars,
            obsNames: a.obsNames,
            varNames: a.varNames,
            X: rx,
            obs: a.obs,
            var: a.var,
          }).X;
          checkMatrixStats(rs, t.raw.X, "raw/X");
        }
      } else expect(a.raw).toBeNull();

      // the lazy path agrees with the in-memory one
      const b = await openH5ad(file);
      try {
        const bs = summarizeH5ad(b);
        expect(bs.X).toEqual(s.X === null ? null : { ...s.X, nnz: bs.X?.nnz });
        if (t.X.nnz !== undefined && bs.X) expect(bs.X.nnz).toBe(t.X.nnz);
        expect(Object.keys(bs.obsm).sort()).toEqual(Object.keys(s.obsm).sort());
        expect(Object.keys(bs.obsp).sort()).toEqual(Object.keys(s.obsp).sort());
        expect(bs.layers).toEqual(s.layers);
        expect(bs.obs_columns).toEqual(s.obs_columns);
      } finally {
        b.close();
      }
    });
  }
});
