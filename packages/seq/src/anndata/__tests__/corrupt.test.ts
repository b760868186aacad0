/**
 * Deliberately corrupted files: each gives a HypedError FORMAT naming the element (never a wasm abort, a hang
 * or a silently wrong matrix).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { isHypedError } from "@hyped/core";
import { H5File } from "@hyped/core/hdf5";
import { afterAll, describe, expect, it } from "vitest";
import { openContext, prefetchMatrices } from "../h5ad.js";
import { openH5ad, readH5ad, writeH5ad } from "../index.js";
import { everyEncoding } from "./every-encoding.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hyped-h5ad-bad-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Parts {
  index: string[] | Float64Array;
  indexEncoding: string;
  codes: Int8Array | Float32Array;
  shape: BigInt64Array;
  indptr: Int32Array | Float32Array;
  indices: Int32Array;
  data: Float32Array;
  /** Chunk length of `/X/indices` (default: contiguous). */
  indicesChunk?: number;
}

/** A minimal anndata file (4 cells × 3 genes, one categorical) with parts replaced by `bad`. */
async function minimal(name: string, bad: Partial<Parts> = {}): Promise<string> {
  const p: Parts = {
    index: ["a", "b", "c", "d"],
    indexEncoding: "string-array",
    codes: new Int8Array([0, 1, -1, 1]),
    shape: new BigInt64Array([4n, 3n]),
    indptr: new Int32Array([0, 1, 2, 2, 4]),
    indices: new Int32Array([0, 2, 1, 2]),
    data: new Float32Array([1, 2, 3, 4]),
    ...bad,
  };
  const file = path.join(tmp, name);
  const f = await H5File.create(file);
  const enc = (at: string, t: string, v: string) => {
    f.setAttr(at, "encoding-type", t);
    f.setAttr(at, "encoding-version", v);
  };
  enc("/", "anndata", "0.1.0");
  f.createGroup("/obs");
  enc("/obs", "dataframe", "0.2.0");
  f.setAttr("/obs", "_index", "_index");
  f.setAttr("/obs", "column-order", ["cat"]);
  f.writeDataset("/obs/_index", p.index);
  enc("/obs/_index", p.indexEncoding, "0.2.0");
  f.createGroup("/obs/cat");
  enc("/obs/cat", "categorical", "0.2.0");
  f.setAttr("/obs/cat", "ordered", false);
  f.writeDataset("/obs/cat/codes", p.codes);
  f.writeDataset("/obs/cat/categories", ["x", "y"]);
  f.createGroup("/var");
  enc("/var", "dataframe", "0.2.0");
  f.setAttr("/var", "_index", "_index");
  f.setAttr("/var", "column-order", new Float64Array(0));
  f.writeDataset("/var/_index", ["g1", "g2", "g3"]);
  enc("/var/_index", "string-array", "0.2.0");
  f.createGroup("/X");
  enc("/X", "csr_matrix", "0.1.0");
  f.setAttr("/X", "shape", p.shape);
  f.writeDataset("/X/indptr", p.indptr);
  f.writeDataset("/X/indices", p.indices, p.indicesChunk ? { chunks: [p.indicesChunk] } : {});
  f.writeDataset("/X/data", p.data);
  f.close();
  return file;
}

async function expectFormat(run: () => Promise<unknown>, element: RegExp): Promise<void> {
  let err: unknown;
  try {
    await run();
  } catch (e) {
    err = e;
  }
  expect(isHypedError(err), `expected a HypedError, got ${String(err)}`).toBe(true);
  expect((err as { code: string }).code).toBe("FORMAT");
  const where = `${String((err as { context: { element?: string } }).context.element)} ${(err as Error).message}`;
  expect(where).toMatch(element);
}

describe("corrupted .h5ad files give FORMAT naming the element", () => {
  it("the minimal file itself is fine", async () => {
    const a = await readH5ad(await minimal("ok.h5ad"));
    expect(a.shape).toEqual([4, 3]);
  });

  it("codes out of range", async () => {
    const f = await minimal("codes.h5ad", { codes: new Int8Array([0, 1, 2, 1]) });
    await expectFormat(() => readH5ad(f), /\/obs\/cat\/codes/);
    await expectFormat(() => openH5ad(f), /\/obs\/cat\/codes/);
  });

  it("wrong types where the encoding promises others", async () => {
    await expectFormat(async () => readH5ad(await minimal("idx.h5ad", { index: new Float64Array([1, 2, 3, 4]) })), /\/obs\/_index/);
    await expectFormat(async () => readH5ad(await minimal("fcodes.h5ad", { codes: new Float32Array([0, 1, 0, 1]) })), /\/obs\/cat\/codes/);
    await expectFormat(async () => readH5ad(await minimal("findptr.h5ad", { indptr: new Float32Array([0, 1, 2, 2, 4]) })), /\/X\/indptr/);
  });

  it("indptr not monotonic", async () => {
    const f = await minimal("mono.h5ad", { indptr: new Int32Array([0, 2, 1, 3, 4]) });
    await expectFormat(() => readH5ad(f), /\/X/);
    await expectFormat(() => openH5ad(f), /\/X/);
  });

  it("indices out of bounds", async () => {
    const f = await minimal("oob.h5ad", { indices: new Int32Array([0, 2, 1, 7]) });
    await expectFormat(() => readH5ad(f), /\/X/);
    const b = await openH5ad(f); // lazily: found when the rows are read
    try {
      expect(b.X?.rows(0, 2).shape).toEqual([2, 3]);
      await expectFormat(async () => b.X?.rows(2, 4), /\/X\/indices/);
    } finally {
      b.close();
    }
  });

  it("indices out of bounds in matrices the read-ahead checks (>= 4 MiB of indices, checked while data is read)", async () => {
    // 4 rows of 2^18 stored values each (repeated columns are allowed in CSR): 4 MiB of int32 indices
    const n = 1 << 20;
    const indptr = new Int32Array([0, n / 4, n / 2, (3 * n) / 4, n]);
    const good = Int32Array.from({ length: n }, (_, k) => k % 3);
    const data = new Float32Array(n).fill(1);
    const ok = await minimal("big-ok.h5ad", { indices: good, indptr, data });
    const ctx = await openContext(ok);
    try {
      await prefetchMatrices(ctx);
      const indices = ctx.prefetched?.get("/X/indices")?.data;
      expect(indices).toBeInstanceOf(Int32Array);
      expect(ctx.checkedIndices?.get(indices as object)).toBe(3); // checked during the read-ahead
    } finally {
      ctx.f.close();
    }
    const a = await readH5ad(ok);
    expect(Array.from((a.X as { indices: Int32Array }).indices.subarray(n - 4))).toEqual(Array.from(good.subarray(n - 4)));
    for (const [at, bad] of [
      [0, 3],
      [n - 1, -1],
      [n >> 1, 2 ** 31 - 1],
    ] as const) {
      const indices = good.slice();
      indices[at] = bad;
      const f = await minimal(`big-bad-${at}.h5ad`, { indices, indptr, data });
      const c = await openContext(f);
      try {
        await prefetchMatrices(c);
        expect(c.checkedIndices?.get(c.prefetched?.get("/X/indices")?.data as object)).toBeUndefined();
      } finally {
        c.f.close();
      }
      let err: unknown;
      await readH5ad(f).catch((e) => {
        err = e;
      });
      expect(isHypedError(err) && err.code === "FORMAT").toBe(true);
      expect((err as Error).message).toContain(`/X: indices[${at}] = ${bad} is out of bounds for extent 3`);
    }
  });

  it("indices out of bounds at the edges of the pieces the read-ahead checks as they land (8 MiB pieces, chunks)", async () => {
    // 3 Mi stored values: a contiguous read lands in two pieces (8 MiB, then 4 MiB); a chunked one chunk by chunk
    const n = 3 << 20;
    const piece = 1 << 21;
    const chunk = 300_007;
    const indptr = new Int32Array([0, n / 4, n / 2, (3 * n) / 4, n]);
    const good = Int32Array.from({ length: n }, (_, k) => k % 3);
    const data = new Float32Array(n).fill(1);
    const cases: Array<[number | undefined, number]> = [
      [undefined, piece - 1],
      [undefined, piece],
      [undefined, n - 1],
      [chunk, chunk - 1],
      [chunk, chunk],
      [chunk, 3 * chunk + 1],
      [chunk, Math.floor(n / chunk) * chunk], // first entry of the last, partial chunk
      [chunk, n - 1],
    ];
    for (const [indicesChunk, at] of cases) {
      const indices = good.slice();
      indices[at] = at % 2 ? -1 : 3;
      const f = await minimal(`piece-${indicesChunk ?? 0}-${at}.h5ad`, {
        indices,
        indptr,
        data,
        ...(indicesChunk ? { indicesChunk } : {}),
      });
      let err: unknown;
      await readH5ad(f).catch((e) => {
        err = e;
      });
      expect(isHypedError(err) && err.code === "FORMAT", `${indicesChunk} ${at}`).toBe(true);
      expect((err as Error).message).toContain(`/X: indices[${at}] = ${indices[at]} is out of bounds for extent 3`);
      rmSync(f);
    }
    // and the same layouts without a bad entry are read whole, their indices marked checked by the read-ahead
    for (const indicesChunk of [undefined, chunk]) {
      const f = await minimal(`piece-ok-${indicesChunk ?? 0}.h5ad`, {
        indices: good,
        indptr,
        data,
        ...(indicesChunk ? { indicesChunk } : {}),
      });
      const ctx = await openContext(f);
      try {
        await prefetchMatrices(ctx);
        const got = ctx.prefetched?.get("/X/indices")?.data as Int32Array;
        expect(ctx.checkedIndices?.get(got)).toBe(3);
        expect(got.length).toBe(n);
        expect(got.findIndex((v, k) => v !== good[k])).toBe(-1);
      } finally {
        ctx.f.close();
      }
      rmSync(f);
    }
  });

  it("a shape attribute that disagrees with the data", async () => {
    await expectFormat(async () => readH5ad(await minimal("shape.h5ad", { shape: new BigInt64Array([5n, 3n]) })), /\/X/);
    await expectFormat(async () => openH5ad(await minimal("shape2.h5ad", { shape: new BigInt64Array([5n, 3n]) })), /\/X/);
    // agrees with indptr but not with obs
    const f = await minimal("shape3.h5ad", { shape: new BigInt64Array([4n, 9n]) });
    await expectFormat(() => readH5ad(f), /\/X/);
  });

  it("truncated files, at many cut points, never escape as anything but FORMAT", async () => {
    const good = path.join(tmp, "good.h5ad");
    await writeH5ad(good, everyEncoding(), { compression: "gzip" });
    const bytes = readFileSync(good);
    for (const frac of [0.02, 0.2, 0.5, 0.8, 0.95, 0.999]) {
      const cut = path.join(tmp, `cut-${frac}.h5ad`);
      writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * frac)));
      await expectFormat(() => readH5ad(cut), /./);
    }
    // the runtime still works afterwards
    expect((await readH5ad(good)).nObs).toBe(12);
  });
});
