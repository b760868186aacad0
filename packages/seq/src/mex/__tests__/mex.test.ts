import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { type SparseMatrix, sparseToDense } from "@hyped/core";
import { afterAll, describe, expect, it } from "vitest";
import { AnnData } from "../../anndata/anndata.js";
import { DataFrame } from "../../anndata/dataframe.js";
import { concatAnnData, makeUnique, readMatrixMarket, readMex, splitFeatureTypes, writeMex } from "../index.js";

const tmp = mkdtempSync(join(tmpdir(), "hyped-mex-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A small cells x features CSR with known values. */
function example(nCells = 5, nFeat = 4): SparseMatrix<Float32Array> {
  const rows: number[][] = [];
  for (let i = 0; i < nCells; i++)
    rows.push(Array.from({ length: nFeat }, (_, j) => ((i * 7 + j * 3) % 5 === 0 ? 0 : ((i + 1) * (j + 2)) % 9)));
  const indptr = new Int32Array(nCells + 1);
  const idx: number[] = [];
  const val: number[] = [];
  rows.forEach((r, i) => {
    r.forEach((v, j) => {
      if (v) {
        idx.push(j);
        val.push(v);
      }
    });
    indptr[i + 1] = idx.length;
  });
  return { format: "csr", shape: [nCells, nFeat], data: Float32Array.from(val), indices: Int32Array.from(idx), indptr };
}
const dense = (m: SparseMatrix) => Array.from(sparseToDense(m).data as ArrayLike<number>);

describe("readMex / writeMex", () => {
  const X = example();
  const content = {
    X,
    barcodes: ["AAAC-1", "AAAG-1", "AACT-1", "AAGG-1", "ACGT-1"],
    featureIds: ["ENSG1", "ENSG2", "ENSG3", "HTO1"],
    featureNames: ["MYOD1", "PRRX1", "MYOD1", "hash-A"],
    featureTypes: ["Gene Expression", "Gene Expression", "Gene Expression", "Antibody Capture"],
  };
  for (const gzip of [true, false]) {
    for (const field of ["integer", "real"] as const) {
      it(`round-trips (${gzip ? "gzip" : "plain"}, ${field})`, async () => {
        const dir = join(tmp, `rt-${gzip}-${field}`);
        await writeMex(dir, content, { gzip, field });
        const a = await readMex(dir);
        expect(a.shape).toEqual([5, 4]);
        expect(a.obsNames).toEqual(content.barcodes);
        expect(a.varNames).toEqual(["MYOD1", "PRRX1", "MYOD1-1", "hash-A"]); // scanpy: unique with -1
        expect(a.var.get("gene_ids").values()).toEqual(content.featureIds);
        expect(a.var.get("feature_types").values()).toEqual(content.featureTypes);
        expect(dense(a.X as SparseMatrix)).toEqual(dense(X));
        expect((a.X as SparseMatrix).data).toBeInstanceOf(Float32Array);
      });
    }
  }
  it("var names from IDs on request, and feature-type filtering/splitting", async () => {
    const dir = join(tmp, "ft");
    await writeMex(dir, content);
    const byId = await readMex(dir, { varNames: "gene_ids" });
    expect(byId.varNames).toEqual(content.featureIds);
    const gex = await readMex(dir, { featureType: "Gene Expression" });
    expect(gex.nVars).toBe(3);
    const parts = splitFeatureTypes(await readMex(dir));
    expect([...parts.keys()].sort()).toEqual(["Antibody Capture", "Gene Expression"]);
    expect(parts.get("Antibody Capture")?.varNames).toEqual(["hash-A"]);
  });
  it("reads the older genes.tsv layout", async () => {
    const dir = join(tmp, "legacy");
    await writeMex(dir, content, { legacyGenes: true, gzip: false });
    const a = await readMex(dir);
    expect(a.var.has("feature_types")).toBe(false);
    expect(a.var.get("gene_symbols").values()).toEqual(content.featureNames);
  });
  it("reads symmetric matrices by mirroring", async () => {
    const f = join(tmp, "sym.mtx");
    writeFileSync(f, "%%MatrixMarket matrix coordinate real symmetric\n% comment\n3 3 4\n1 1 1.5\n2 1 2\n3 2 -3\n3 3 4\n");
    const m = await readMatrixMarket(f);
    expect(m.row.length).toBe(6);
    const cells = new Map<string, number>();
    for (let k = 0; k < m.row.length; k++) cells.set(`${m.row[k]},${m.col[k]}`, m.value[k] as number);
    expect(cells.get("0,1")).toBe(2);
    expect(cells.get("1,0")).toBe(2);
    expect(cells.get("1,2")).toBe(-3);
    expect(cells.get("2,1")).toBe(-3);
  });
  it("reads an empty matrix", async () => {
    const dir = join(tmp, "empty");
    const empty: SparseMatrix = {
      format: "csr",
      shape: [2, 3],
      data: new Float32Array(0),
      indices: new Int32Array(0),
      indptr: new Int32Array(3),
    };
    await writeMex(dir, { X: empty, barcodes: ["a", "b"], featureIds: ["x", "y", "z"], featureNames: ["x", "y", "z"] });
    const a = await readMex(dir);
    expect(a.shape).toEqual([2, 3]);
    expect((a.X as SparseMatrix).data.length).toBe(0);
  });
  it("makes names unique exactly as anndata.utils.make_index_unique", () => {
    // anndata 0.8: make_index_unique(pd.Index(['A','A','B','A','A-1','B','C','A-2']))
    expect(makeUnique(["A", "A", "B", "A", "A-1", "B", "C", "A-2"])).toEqual(["A", "A-3", "B", "A-4", "A-1", "B-1", "C", "A-2"]);
  });
});

describe("malformed MEX input gives FORMAT naming file and line", () => {
  const base = join(tmp, "bad");
  const setup = async () => {
    await writeMex(
      base,
      { X: example(), barcodes: ["a", "b", "c", "d", "e"], featureIds: ["1", "2", "3", "4"], featureNames: ["A", "B", "C", "D"] },
      { gzip: false },
    );
  };
  it("header count disagrees with the entries", async () => {
    await setup();
    const f = join(base, "matrix.mtx");
    const text = readFileSync(f, "utf8");
    writeFileSync(
      f,
      text.replace(/\n(\d+) (\d+) (\d+)\n/, (_, a, b, n) => `\n${a} ${b} ${Number(n) + 2}\n`),
    );
    await expect(readMex(base)).rejects.toMatchObject({ code: "FORMAT", message: expect.stringContaining("matrix.mtx") });
    writeFileSync(f, `${text}1 1 5\n`);
    await expect(readMex(base)).rejects.toMatchObject({ code: "FORMAT", context: expect.objectContaining({ line: expect.any(Number) }) });
  });
  it("an index out of range", async () => {
    await setup();
    const f = join(base, "matrix.mtx");
    const lines = readFileSync(f, "utf8").trimEnd().split("\n");
    lines[lines.length - 1] = "9 1 1";
    writeFileSync(f, `${lines.join("\n")}\n`);
    await expect(readMex(base)).rejects.toMatchObject({ code: "FORMAT", context: expect.objectContaining({ line: lines.length }) });
  });
  it("a truncated gzip", async () => {
    const dir = join(tmp, "trunc");
    await writeMex(dir, {
      X: example(40, 30),
      barcodes: Array.from({ length: 40 }, (_, i) => `c${i}`),
      featureIds: Array.from({ length: 30 }, (_, i) => `g${i}`),
      featureNames: Array.from({ length: 30 }, (_, i) => `G${i}`),
    });
    const f = join(dir, "matrix.mtx.gz");
    const b = readFileSync(f);
    writeFileSync(f, b.subarray(0, Math.floor(b.length * 0.6)));
    await expect(readMex(dir)).rejects.toMatchObject({ code: "FORMAT", message: expect.stringContaining("matrix.mtx.gz") });
  });
  it("barcode count differs from the matrix columns", async () => {
    await setup();
    writeFileSync(join(base, "barcodes.tsv"), "a\nb\nc\n");
    await expect(readMex(base)).rejects.toMatchObject({ code: "FORMAT", message: expect.stringContaining("barcodes") });
  });
  it("garbage never hangs and gives FORMAT", async () => {
    const f = join(tmp, "garbage.mtx.gz");
    writeFileSync(f, gzipSync(Buffer.from("%%MatrixMarket matrix coordinate integer general\n3 3 1\n1 x 2\n")));
    await expect(readMatrixMarket(f)).rejects.toMatchObject({ code: "FORMAT" });
    writeFileSync(f, Buffer.from([0x1f, 0x8b, 1, 2, 3, 4, 5]));
    await expect(readMatrixMarket(f)).rejects.toMatchObject({ code: "FORMAT" });
  });
});

describe("concatAnnData (anndata.concat semantics)", () => {
  const mk = (names: string[], vars: string[], base: number, cond: string) => {
    const n = names.length;
    const m = vars.length;
    const indptr = new Int32Array(n + 1);
    const idx: number[] = [];
    const val: number[] = [];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        idx.push(j);
        val.push(base + i * 10 + j);
      }
      indptr[i + 1] = idx.length;
    }
    const X: SparseMatrix = { format: "csr", shape: [n, m], data: Float32Array.from(val), indices: Int32Array.from(idx), indptr };
    const obs = new DataFrame(names, { cond: { kind: "string", values: names.map(() => cond) } });
    const v = new DataFrame(vars, { gene_ids: { kind: "string", values: vars.map((x) => `id-${x}`) } });
    return new AnnData({ X, obs, var: v });
  };
  const a = mk(["c1", "c2"], ["g1", "g2", "g3"], 1, "ctrl");
  const b = mk(["c1"], ["g3", "g1", "g4"], 100, "myod");
  it("inner join keeps the first object's order of shared variables", () => {
    const c = concatAnnData([a, b], { label: "sample", keys: ["run1", "run2"], indexUnique: "-" });
    expect(c.varNames).toEqual(["g1", "g3"]);
    expect(c.obsNames).toEqual(["c1-run1", "c2-run1", "c1-run2"]);
    expect(c.obs.get("sample").values()).toEqual(["run1", "run1", "run2"]);
    expect(c.obs.get("cond").values()).toEqual(["ctrl", "ctrl", "myod"]);
    expect(dense(c.X as SparseMatrix)).toEqual([1, 3, 11, 13, 101, 100]);
    expect(c.var.get("gene_ids").values()).toEqual(["id-g1", "id-g3"]);
  });
  it("outer join unions (sorted) and fills sparse with zeros", () => {
    const c = concatAnnData([a, b], { join: "outer" });
    expect(c.varNames).toEqual(["g1", "g2", "g3", "g4"]);
    expect(dense(c.X as SparseMatrix)).toEqual([1, 2, 3, 0, 11, 12, 13, 0, 101, 0, 100, 102]);
  });
});

describe("readRun (wf-single-cell layout)", () => {
  it("reads gene and transcript matrices and links isoforms to genes", async () => {
    const { readRun } = await import("../run.js");
    const run = join(tmp, "run1");
    const barcodes = ["AAAC", "AAAG", "AACT", "AAGG", "ACGT"];
    await writeMex(join(run, "gene_processed_feature_bc_matrix"), {
      X: example(5, 4),
      barcodes,
      featureIds: ["ENSG1", "ENSG2", "ENSG3", "ENSG4"],
      featureNames: ["MYOD1", "PRRX1", "DES", "MYOG"],
    });
    await writeMex(join(run, "transcript_processed_feature_bc_matrix"), {
      X: example(5, 3),
      barcodes,
      featureIds: ["ENST1", "ENST2", "ENST3"],
      featureNames: ["MYOD1", "MYOD1", "PRRX1"],
    });
    const r = await readRun(run);
    expect(r.gene.varNames).toEqual(["MYOD1", "PRRX1", "DES", "MYOG"]);
    expect(r.transcript?.varNames).toEqual(["ENST1", "ENST2", "ENST3"]);
    expect(r.transcript?.var.get("gene").values()).toEqual(["MYOD1", "MYOD1", "PRRX1"]);
  });
});
