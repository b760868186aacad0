/**
 * Attributes read by our own parser (`hdf5/attrs.ts`) against h5wasm: every attribute of every object in
 * the `.h5ad` fixtures and the h5py layout files must read the same both ways, and so must every string
 * dataset (raw elements through the direct path, variable-length ones through our global-heap reader).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path, { join } from "node:path";
import { describe, expect, it } from "vitest";
import { H5File, h5InstanceCount, registerFilterLoader } from "../hdf5/index.js";

const here = import.meta.dirname;
const refDir = path.resolve(here, "../../reference/hdf5");
const fixtures = path.resolve(here, "../../../../../shared/fixtures/h5ad");
// h5wasm (the reference side) decodes LZF only with the h5wasm-plugins build (a dependency of @hyped/seq)
const pluginDir = path.dirname(createRequire(path.resolve(here, "../../../seq/package.json")).resolve("h5wasm-plugins/package.json"));
registerFilterLoader(32000, "libH5Zlzf.so", () => new Uint8Array(readFileSync(join(pluginDir, "plugins", "libH5Zlzf.so"))));

function h5files(): string[] {
  const out: string[] = [];
  if (existsSync(fixtures))
    for (const d of readdirSync(fixtures))
      for (const f of readdirSync(join(fixtures, d))) if (f.endsWith(".h5ad")) out.push(join(fixtures, d, f));
  if (existsSync(refDir)) for (const f of readdirSync(refDir)) if (f.endsWith(".h5")) out.push(join(refDir, f));
  return out;
}

function normalise(v: unknown): unknown {
  if (ArrayBuffer.isView(v)) return { ctor: v.constructor.name, values: Array.from(v as unknown as ArrayLike<unknown>) };
  if (v && typeof v === "object" && !Array.isArray(v)) return `object ${(v as object).constructor.name}`;
  return v;
}

describe("own attribute parser", () => {
  it("reads every attribute of every fixture exactly as h5wasm does", async () => {
    const files = h5files();
    if (files.length === 0) {
      console.warn("no HDF5 fixtures (../shared/fixtures/h5ad, reference/hdf5); skipped");
      return;
    }
    let compared = 0;
    let own0 = 0;
    let fallback = 0;
    let strings = 0;
    for (const file of files) {
      const own = await H5File.open(file);
      const ref = await H5File.open(file, { direct: false });
      try {
        const paths = ["/", ...Array.from(ref.walk("/"), (x) => x.path)];
        for (const p of paths) {
          if (ref.kind(p) !== "group" && ref.kind(p) !== "dataset") continue;
          const names = ref.attrNames(p);
          expect([...own.attrNames(p)].sort(), `${file} ${p}`).toEqual([...names].sort());
          const a = own.attrs(p);
          const b = ref.attrs(p);
          for (const n of names) {
            expect(normalise(a[n]), `${file} ${p} @${n}`).toEqual(normalise(b[n]));
            expect(normalise(own.attr(p, n)), `${file} ${p} @${n}`).toEqual(normalise(b[n]));
            compared++;
          }
          expect(own.attr(p, "no-such-attribute")).toBeUndefined();
          if (ref.kind(p) === "dataset" && ref.info(p).typeClass === "string") {
            expect(own.readStrings(p), `${file} ${p}`).toEqual(ref.readStrings(p));
            strings++;
          }
        }
        own0 += own.readStats.attrsOwn;
        fallback += own.readStats.attrsH5wasm;
      } finally {
        own.close();
        ref.close();
      }
    }
    expect(compared).toBeGreaterThan(100);
    expect(strings).toBeGreaterThan(10);
    // h5py's object references (anndata 0.7 categories) and compound attributes are left to h5wasm
    console.log(`attributes: ${own0} decoded by our parser, ${fallback} by h5wasm`);
    expect(own0).toBeGreaterThan(fallback * 10);
  });
});

describe("a corrupted h5wasm heap never serves another file (issue 24 item 3)", () => {
  it("a wasm trap retires the instance: files open on it fail with IO, the next open gets a fresh, working instance", async () => {
    const file = h5files()[0];
    if (!file) return;
    const a = await H5File.open(file, { direct: false });
    const b = await H5File.open(file, { direct: false });
    const before = h5InstanceCount();
    const keys = b.keys("/");
    // what a corrupt file does inside HDF5's C code: touch memory far outside the wasm heap
    const trap = () => (a as unknown as { rt: { Module: { _free(p: number): void } } }).rt.Module._free(0x7ffffff0);
    expect(() => (a as unknown as { guard(w: string, e: string, f: () => void): void }).guard("reading", "/x", trap)).toThrow(
      expect.objectContaining({ name: "HypedError", code: "FORMAT" }),
    );
    // the other file open on the retired instance refuses to read
    expect(() => b.keys("/")).toThrow(expect.objectContaining({ code: "IO", message: expect.stringContaining("reopen") }));
    a.close();
    b.close();
    const c = await H5File.open(file, { direct: false });
    expect(h5InstanceCount()).toBe(before + 1);
    expect(c.keys("/")).toEqual(keys);
    c.close();
  });
});

describe("a trap in HDF5's close (fuzz frames case 6600: a heap an earlier corrupt file damaged silently)", () => {
  const trapOnClose = (f: H5File) => {
    const h = f as unknown as { f: { close(): void }; rt: { Module: { _free(p: number): void } } };
    h.f.close = () => h.rt.Module._free(0x7ffffff0);
  };

  it("retires the instance; a read-only file closes quietly, and the next open gets a fresh, working instance", async () => {
    const file = h5files()[0];
    if (!file) return;
    const a = await H5File.open(file, { direct: false });
    const keys = a.keys("/");
    const before = h5InstanceCount();
    trapOnClose(a);
    expect(() => a.close()).not.toThrow();
    const b = await H5File.open(file, { direct: false });
    expect(h5InstanceCount()).toBe(before + 1);
    expect(b.keys("/")).toEqual(keys);
    b.close();
  });

  it("a writable file's close throws IO and retires the instance too", async () => {
    const w = await H5File.create(null);
    w.writeDataset("x", new Float32Array(4));
    const before = h5InstanceCount();
    trapOnClose(w);
    expect(() => w.close()).toThrow(expect.objectContaining({ name: "HypedError", code: "IO" }));
    const m = await H5File.create(null);
    expect(h5InstanceCount()).toBe(before + 1);
    m.close();
  });
});

describe("own path and group reader (links.ts)", () => {
  it("lists every group and classifies every path of every fixture exactly as h5wasm does", async () => {
    let groups = 0;
    for (const file of h5files()) {
      const own = await H5File.open(file);
      const ref = await H5File.open(file, { direct: false });
      try {
        const all = Array.from(ref.walk("/"));
        for (const { path: p, kind } of all) {
          expect(own.kind(p), `${file} ${p}`).toBe(kind);
          if (kind === "group") {
            expect(own.keys(p), `${file} ${p}`).toEqual(ref.keys(p));
            groups++;
          }
        }
        expect(own.keys("/"), file).toEqual(ref.keys("/"));
        expect(own.kind("/no/such/thing")).toBe("missing");
        expect(own.has(`${all[0]?.path}/nope`)).toBe(false);
      } finally {
        own.close();
        ref.close();
      }
    }
    if (h5files().length) expect(groups).toBeGreaterThan(20);
  });
});
