/** read → write → read is identical for every fixture and for generated files covering each encoding. */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type AnyNdArray, contiguous, dtypeOf, isNdArray, isSparse, ndDtype, type SparseMatrix } from "@hyped/core";
import { H5File } from "@hyped/core/hdf5";
import { afterAll, describe, expect, it } from "vitest";
import { type AnnData, type Column, DataFrame, readH5ad, scalarDtype, writeH5ad, writeH5adBytes } from "../index.js";
import { everyEncoding } from "./every-encoding.js";

const root = fileURLToPath(new URL("../../../../../", import.meta.url));
const fixtures = path.resolve(root, "../shared/fixtures/h5ad");
const tmp = mkdtempSync(path.join(tmpdir(), "hyped-h5ad-rt-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function findH5ad(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) out.push(...findH5ad(p));
    else if (e.endsWith(".h5ad")) out.push(p);
  }
  return out.sort();
}

/** Index of the first differing value (NaN equals NaN), or -1; plain loop because toEqual on 10^5 values is slow. */
function firstDiff(a: ArrayLike<unknown>, b: ArrayLike<unknown>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x !== y && !(typeof x === "number" && typeof y === "number" && Number.isNaN(x) && Number.isNaN(y))) return i;
  }
  return -1;
}
const expectValues = (b: unknown, a: unknown, where: string) =>
  expect(firstDiff(a as ArrayLike<unknown>, b as ArrayLike<unknown>), `${where}: first differing value`).toBe(-1);

/** Deep comparison of two element values, dtypes included. */
function same(a: unknown, b: unknown, where: string): void {
  if (isSparse(a)) {
    expect(isSparse(b), where).toBe(true);
    const s = b as SparseMatrix;
    expect(s.format, where).toBe(a.format);
    expect([...s.shape], where).toEqual([...a.shape]);
    expect(dtypeOf(s.data), `${where} dtype`).toBe(dtypeOf(a.data));
    expectValues(s.data, a.data, `${where} data`);
    expectValues(Array.from(s.indices, Number), Array.from(a.indices, Number), `${where} indices`);
    expectValues(Array.from(s.indptr, Number), Array.from(a.indptr, Number), `${where} indptr`);
    return;
  }
  if (isNdArray(a)) {
    expect(isNdArray(b), where).toBe(true);
    const x = a as AnyNdArray;
    const y = b as AnyNdArray;
    expect(y.shape, where).toEqual(x.shape);
    expect(ndDtype(y), `${where} dtype`).toBe(ndDtype(x));
    expectValues(contiguous(y).data, contiguous(x).data, where);
    return;
  }
  if (a instanceof DataFrame) {
    expect(b).toBeInstanceOf(DataFrame);
    const d = b as DataFrame;
    expect(d.index, `${where} index`).toEqual(a.index);
    expect(d.columns, `${where} columns`).toEqual(a.columns);
    for (const c of a.columns) sameColumn(a.column(c) as Column, d.column(c) as Column, `${where}.${c}`);
    return;
  }
  if (
    a &&
    typeof a === "object" &&
    typeof (a as Column).kind === "string" &&
    ("codes" in a || "mask" in a || "values" in a) &&
    !("fields" in a)
  ) {
    sameColumn(a as Column, b as Column, where);
    return;
  }
  if (ArrayBuffer.isView(a)) {
    expect(dtypeOf(b as ArrayBufferView), where).toBe(dtypeOf(a));
    expectValues(b, a, where);
    return;
  }
  if (Array.isArray(a)) {
    expect(b, where).toEqual(a);
    return;
  }
  if (a && typeof a === "object") {
    expect(Object.keys(b as object).sort(), where).toEqual(Object.keys(a).sort());
    for (const k of Object.keys(a)) {
      same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${where}/${k}`);
      const dt = scalarDtype(a as Record<string, unknown>, k);
      if (dt) expect(scalarDtype(b as Record<string, unknown>, k), `${where}/${k} scalar dtype`).toBe(dt);
    }
    return;
  }
  if (typeof a === "number" && Number.isNaN(a)) expect(Number.isNaN(b), where).toBe(true);
  else expect(b, where).toEqual(a);
}

function sameColumn(a: Column, b: Column, where: string): void {
  expect(b.kind, where).toBe(a.kind);
  if (a.kind === "categorical" && b.kind === "categorical") {
    expect(b.categories, where).toEqual(a.categories);
    expect(b.ordered, where).toBe(a.ordered);
    expect(Array.from(b.codes), where).toEqual(Array.from(a.codes));
    expect(b.categoriesDtype, where).toBe(a.categoriesDtype);
    return;
  }
  const av = (a as { values: ArrayLike<unknown> }).values;
  const bv = (b as { values: ArrayLike<unknown> }).values;
  if (ArrayBuffer.isView(av)) expect(dtypeOf(bv as unknown as ArrayBufferView), `${where} dtype`).toBe(dtypeOf(av));
  expectValues(bv, av, where);
  if ("mask" in a) expect(Array.from((b as { mask: Uint8Array }).mask), where).toEqual(Array.from(a.mask));
}

function sameMaps(a: Map<string, unknown>, b: Map<string, unknown>, where: string): void {
  expect([...b.keys()].sort(), where).toEqual([...a.keys()].sort());
  for (const [k, v] of a) same(v, b.get(k), `${where}/${k}`);
}

function sameAnnData(a: AnnData, b: AnnData): void {
  expect(b.shape).toEqual(a.shape);
  if (a.X) same(a.X, b.X, "X");
  else expect(b.X).toBeNull();
  same(a.obs, b.obs, "obs");
  same(a.var, b.var, "var");
  sameMaps(a.layers, b.layers, "layers");
  sameMaps(a.obsm, b.obsm, "obsm");
  sameMaps(a.varm, b.varm, "varm");
  sameMaps(a.obsp, b.obsp, "obsp");
  sameMaps(a.varp, b.varp, "varp");
  sameMaps(a.obsmFrames, b.obsmFrames, "obsmFrames");
  sameMaps(a.varmFrames, b.varmFrames, "varmFrames");
  same(a.uns, b.uns, "uns");
  if (a.raw) {
    same(a.raw.var, b.raw?.var, "raw/var");
    if (a.raw.X) same(a.raw.X, b.raw?.X, "raw/X");
    sameMaps(a.raw.varm ?? new Map(), b.raw?.varm ?? new Map(), "raw/varm");
  } else expect(b.raw).toBeNull();
}

describe("round trip: read → write → read", () => {
  const files = findH5ad(fixtures);
  for (const file of files) {
    it(`fixture ${path.relative(fixtures, file)}`, async () => {
      const a = await readH5ad(file);
      const out = path.join(tmp, `${path.basename(path.dirname(file))}.h5ad`);
      await writeH5ad(out, a, { compression: "gzip" });
      const b = await readH5ad(out);
      sameAnnData(a, b);
    });
  }

  it("every encoding the writer knows, with each compression", async () => {
    const a = everyEncoding();
    for (const compression of ["none", "gzip", "lzf"] as const) {
      const out = path.join(tmp, `every-${compression}.h5ad`);
      await writeH5ad(out, a, { compression });
      const b = await readH5ad(out);
      sameAnnData(a, b);
      if (compression === "none") sameAnnData(b, await readH5ad(await writeH5adBytes(b))); // in-memory writer too
      const f = await H5File.open(out);
      expect(f.attr("/obs/level", "ordered")).toBe(true);
      expect(f.info("/obs/flag").typeClass).toBe("enum");
      expect(f.info("/obs/nbool/mask").dtype).toBe("bool");
      expect(f.info("/obs/cond/codes").dtype).toBe("int8");
      if (compression !== "none") expect(f.info("/uns/ramp").filters.map((x) => x.id)).toContain(compression === "gzip" ? 1 : 32000);
      f.close();
    }
  });

  it("writes atomically: a failed write leaves nothing", async () => {
    const a = everyEncoding();
    a.uns.bad = new Map([["x", 1]]); // not writable
    const out = path.join(tmp, "failed.h5ad");
    await expect(writeH5ad(out, a)).rejects.toMatchObject({ code: "UNSUPPORTED" });
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(tmp).filter((f) => f.startsWith("failed.h5ad"))).toEqual([]);
  });

  it("cancels through the signal", async () => {
    const ac = new AbortController();
    ac.abort();
    const out = path.join(tmp, "cancelled.h5ad");
    await expect(writeH5ad(out, everyEncoding(), { signal: ac.signal })).rejects.toMatchObject({ code: "ABORTED" });
    expect(existsSync(out)).toBe(false);
  });
});
