/**
 * The round-trip contract on files written by anndata 0.8 (and h5py where anndata 0.8 cannot write the
 * element): packages/seq/scripts/make_anndata_roundtrip.py wrote reference/anndata/roundtrip/ and the
 * fingerprint of each file as anndata reads it. We must read each file to the same fingerprint, and read our
 * own rewrite back to it too. (`pnpm check:anndata` has anndata read the rewrites.)
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { filterAvailable, H5File } from "@hyped/core/hdf5";
import { describe, expect, it } from "vitest";
import { formatH5adSummary, openH5ad, readH5ad, readH5mu, summarizeAnnData, summarizeH5ad, writeH5adBytes } from "../index.js";
import { fingerprint, muFingerprint } from "./fingerprint.js";

const dir = fileURLToPath(new URL("../../../reference/anndata/roundtrip/", import.meta.url));
const ref = (f: string) => `${dir}${f}`;
const expected = JSON.parse(readFileSync(ref("fingerprints.json"), "utf8")) as Record<string, { note: string; fingerprint: unknown }>;
const files = readdirSync(dir).filter((f) => f.endsWith(".h5ad"));

describe("round trip: anndata writes → we read → we write → we read", () => {
  it("the corpus holds at least 25 anndata-written objects", () => {
    expect(files.length).toBeGreaterThanOrEqual(25);
    expect(
      Object.keys(expected)
        .filter((f) => f.endsWith(".h5ad"))
        .sort(),
    ).toEqual(files.sort());
  });

  for (const file of files) {
    it(`${file}: ${expected[file]?.note}`, async () => {
      const a = await readH5ad(ref(file));
      expect(fingerprint(a)).toEqual(expected[file]?.fingerprint);
      const back = await readH5ad(await writeH5adBytes(a));
      expect(fingerprint(back)).toEqual(expected[file]?.fingerprint);
    });
  }
});

describe("cases that once broke", () => {
  it("float16 is read as float32 and written back as float16 (X, layers, obsm, uns)", async () => {
    const a = await readH5ad(ref("10-float16-elsewhere.h5ad"));
    expect(a.layers.get("half")?.data).toBeInstanceOf(Float32Array);
    expect(summarizeAnnData(a).layers.half?.dtype).toBe("float16");
    const f = await H5File.open(await writeH5adBytes(a));
    try {
      for (const p of ["/layers/half", "/obsm/X_half", "/uns/half"])
        expect(f.info(p)).toMatchObject({ typeClass: "float", size: 2, half: true });
    } finally {
      f.close();
    }
    const cols = await readH5ad(ref("18-columns.h5ad"));
    expect(summarizeAnnData(cols).obs_columns.find((c) => c.name === "f16")).toEqual({ name: "f16", kind: "numeric", dtype: "float16" });
    const g = await H5File.open(await writeH5adBytes(cols));
    try {
      expect(g.info("/obs/f16")).toMatchObject({ size: 2, half: true });
    } finally {
      g.close();
    }
    const b = await openH5ad(ref("09-float16-X.h5ad"));
    try {
      expect(summarizeH5ad(b).X?.dtype).toBe("float16");
      expect(b.X?.dtype).toBe("float32");
    } finally {
      b.close();
    }
  });

  it("awkward arrays in obsm, varm and uns are kept, listed with kind and length, and written back", async () => {
    const a = await readH5ad(ref("26-awkward.h5ad"));
    expect(a.other.obsm.get("ragged")).toMatchObject({ kind: "awkward-array", length: 12 });
    expect(a.other.varm.get("ragged_var")).toMatchObject({ kind: "awkward-array", length: 7 });
    expect(a.toString()).toContain("obsm: 'X_pca', 'ragged' (awkward-array, length 12)");
    expect(summarizeAnnData(a).obsm.ragged).toEqual({ kind: "awkward-array", shape: [12], dtype: "object", length: 12 });
    const b = await openH5ad(ref("26-awkward.h5ad"));
    try {
      const s = summarizeH5ad(b);
      expect(s.obsm.ragged).toEqual({ kind: "awkward-array", shape: [12], dtype: "object", length: 12 });
      expect(formatH5adSummary(s)).toContain("'ragged' (awkward-array, length 12)");
    } finally {
      b.close();
    }
    expect(() => a.obsSubset([0, 1])).toThrow(expect.objectContaining({ code: "UNSUPPORTED" }));
  });

  it("empty string arrays are written as variable-length UTF-8 strings", async () => {
    const a = await readH5ad(ref("17-empty-strings.h5ad"));
    const f = await H5File.open(await writeH5adBytes(a));
    try {
      for (const p of ["/obs/nothing/categories", "/uns/no_names"])
        expect(f.info(p)).toMatchObject({ typeClass: "string", vlen: true, shape: [0] });
    } finally {
      f.close();
    }
    const z = await readH5ad(ref("16-zero-0x0-csc.h5ad"));
    const g = await H5File.open(await writeH5adBytes(z));
    try {
      expect(g.info("/obs/_index")).toMatchObject({ typeClass: "string", shape: [0] });
      expect(g.info("/var/_index")).toMatchObject({ typeClass: "string", shape: [0] });
    } finally {
      g.close();
    }
  });

  it("zero-size objects (0 × n, n × 0, 0 × 0; dense and sparse) read with their shapes", async () => {
    const shapes: Record<string, [number, number]> = {
      "11-zero-0x7-dense.h5ad": [0, 7],
      "12-zero-12x0-dense.h5ad": [12, 0],
      "13-zero-0x0-dense.h5ad": [0, 0],
      "14-zero-0x7-csr.h5ad": [0, 7],
      "15-zero-12x0-csr.h5ad": [12, 0],
      "16-zero-0x0-csc.h5ad": [0, 0],
    };
    for (const [file, shape] of Object.entries(shapes)) {
      const a = await readH5ad(ref(file));
      expect(a.shape, file).toEqual(shape);
      expect(a.X?.shape, file).toEqual(shape);
    }
  });

  it("LZF chunks (numbers and strings) are decoded by our JavaScript decoder: no h5wasm plugin is ever loaded", async () => {
    const lzf = await readH5ad(ref("25-lzf.h5ad"));
    const gz = await readH5ad(ref("24-gzip.h5ad"));
    expect(fingerprint(lzf)).toEqual(fingerprint(gz));
    const b = await openH5ad(ref("25-lzf.h5ad"));
    try {
      expect(b.X?.rows(100, 110)).toEqual(b.X ? (await openH5ad(ref("24-gzip.h5ad"))).X?.rows(100, 110) : null);
      expect(summarizeH5ad(b).obs_columns.map((c) => c.kind)).toEqual(["categorical", "numeric", "boolean"]);
    } finally {
      b.close();
    }
    expect(filterAvailable(32000)).toBe(false);
    // a read our decoder does not take (strided) of strings h5py stored without LZF's chunk-size parameter
    // says why, instead of overrunning h5wasm's plugin
    const f = await H5File.open(ref("25-lzf.h5ad"));
    try {
      const strided = () => f.readStrings("/obs/_index", { select: [[0, 10, 2]] });
      expect(strided).toThrow(expect.objectContaining({ code: "UNSUPPORTED" }));
      expect(strided).toThrow(/our JavaScript LZF decoder/);
      expect(f.readStrings("/obs/_index", { select: [[0, 3]] }).values).toEqual(["c0", "c1", "c2"]);
    } finally {
      f.close();
    }
  });

  it("a corrupt global heap under LZF strings is a typed error, never garbage", async () => {
    const bytes = new Uint8Array(readFileSync(ref("25-lzf.h5ad")));
    const at = Buffer.from(bytes).indexOf("GCOL");
    expect(at).toBeGreaterThan(0);
    bytes.set([0x58, 0x58, 0x58, 0x58], at); // the strings' heap collection loses its signature
    const err = await readH5ad(bytes).then(
      () => null,
      (e) => e,
    );
    expect(err).toMatchObject({ code: expect.stringMatching(/^(UNSUPPORTED|FORMAT)$/) });
  });

  it("a MuData file is refused by readH5ad (FORMAT naming readH5mu), whatever its extension, and read by readH5mu", async () => {
    const bytes = new Uint8Array(readFileSync(ref("mudata.h5mu")));
    for (const src of [ref("mudata.h5mu"), bytes])
      await expect(readH5ad(src)).rejects.toMatchObject({ code: "FORMAT", message: expect.stringMatching(/MuData.*readH5mu/) });
    const md = await readH5mu(bytes);
    expect([...md.mod.keys()]).toEqual(["rna", "prot"]); // mod-order
    expect(muFingerprint(md)).toEqual(expected["mudata.h5mu"]?.fingerprint);
    expect(md.uns).toEqual({ study: "HYPED" });
    expect(md.obsm.get("X_mofa")?.shape).toEqual([12, 2]);
    await expect(readH5mu(ref("01-dense-f32.h5ad"))).rejects.toMatchObject({ code: "FORMAT" });
  });
});
