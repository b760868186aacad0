/**
 * The direct read path (`hdf5/direct/`) against h5wasm: every numeric dataset of h5py-written files that
 * cover the storage layouts, chunk indexes and filters (packages/core/scripts/make_hdf5_layouts.py), of our
 * own writer's files, and of every `.h5ad` fixture, read whole and as random hyperslabs both ways.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path, { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { copyBox } from "../hdf5/direct/index.js";
import { BUILTIN_FILTERS, FILTER_IDS, FILTERS, filterName, jsDecoder, lzfDecompress, unshuffle } from "../hdf5/filters.js";
import { H5File, type H5Selection, nativeStatus, nodeFileIO, registerFilterLoader, setNative } from "../hdf5/index.js";

const here = import.meta.dirname;
const refDir = path.resolve(here, "../../reference/hdf5");
const fixtures = path.resolve(here, "../../../../../shared/fixtures/h5ad");
const tmp = mkdtempSync(join(tmpdir(), "hyped-h5direct-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// h5wasm decodes LZF only with the h5wasm-plugins build (a dependency of @hyped/seq); the direct path needs none
const pluginDir = path.dirname(createRequire(path.resolve(here, "../../../seq/package.json")).resolve("h5wasm-plugins/package.json"));
registerFilterLoader(32000, "libH5Zlzf.so", () => new Uint8Array(readFileSync(join(pluginDir, "plugins", "libH5Zlzf.so"))));

function bytesOf(a: { data: ArrayBufferView }): Uint8Array {
  return new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
}

/** Index of the first differing byte, or -1 (vitest's deep equality is slow on megabyte arrays). */
function firstDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

function numericDatasets(f: H5File): Array<{ p: string; shape: number[] }> {
  const out: Array<{ p: string; shape: number[] }> = [];
  for (const { path: p, kind } of f.walk("/")) {
    if (kind !== "dataset") continue;
    const info = f.info(p);
    if (!info.dtype || info.shape === null) continue;
    out.push({ p, shape: info.shape });
  }
  return out;
}

/**
 * `readAsync(p)` with `onFilled`: the element ranges it reports, each checked against `want` (the bytes of the
 * whole result) at the moment it is reported, when the rest may still be in flight.
 */
async function filledRanges(f: H5File, p: string, want: Uint8Array): Promise<Array<[number, number]>> {
  const ranges: Array<[number, number]> = [];
  let early = -1;
  await f.readAsync(p, {
    concurrency: 3,
    onFilled(out, start, end) {
      ranges.push([start, end]);
      const esz = out.BYTES_PER_ELEMENT;
      const got = new Uint8Array(out.buffer, out.byteOffset + start * esz, (end - start) * esz);
      if (early < 0 && firstDiff(got, want.subarray(start * esz, end * esz)) >= 0) early = start;
    },
  });
  expect(early, `${p}: a reported range did not hold its final values yet`).toBe(-1);
  return ranges;
}

/** The reported ranges are disjoint and cover `[0, n)`, or one of them is the whole result (reported at the end). */
function expectFilledRanges(ranges: Array<[number, number]>, n: number, p: string): void {
  if (n === 0 || ranges.some(([s, e]) => s === 0 && e === n)) return;
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  let at = 0;
  for (const [s, e] of sorted) {
    expect(s, `${p}: ranges overlap or leave a gap at ${at}`).toBe(at);
    expect(e).toBeGreaterThan(s);
    at = e;
  }
  expect(at, p).toBe(n);
}

/** Read every numeric dataset of `file` whole both ways; returns the datasets that took the direct path. */
async function compareWhole(file: string | Uint8Array): Promise<string[]> {
  const d = await H5File.open(file);
  const w = await H5File.open(file, { direct: false });
  const direct: string[] = [];
  try {
    for (const { p } of numericDatasets(d)) {
      const before = d.readStats.direct;
      const a = d.read(p);
      if (d.readStats.direct > before) direct.push(p);
      const b = w.read(p);
      expect(a.shape, p).toEqual(b.shape);
      expect(a.dtype, p).toEqual(b.dtype);
      expect(firstDiff(bytesOf(a), bytesOf(b)), p).toBe(-1);
      const c = await d.readAsync(p, { concurrency: 3 });
      expect(firstDiff(bytesOf(c), bytesOf(b)), `${p} async`).toBe(-1);
      expectFilledRanges(await filledRanges(d, p, bytesOf(b)), b.data.length, p);
    }
    expect(w.readStats.direct).toBe(0);
  } finally {
    d.close();
    w.close();
  }
  return direct;
}

const hyperslab = (shape: number[]) =>
  fc.tuple(
    ...shape.map((n) =>
      fc
        .tuple(fc.integer({ min: 0, max: Math.max(0, n - 1) }), fc.integer({ min: 1, max: Math.max(1, n) }))
        .map(([s, len]) => [s, Math.min(n, s + len)] as [number, number]),
    ),
  );

describe("direct HDF5 reads (h5py-written layouts)", () => {
  const files = ["layouts_earliest.h5", "layouts_latest.h5", "layouts_track_order.h5", "layouts_userblock.h5"];

  it("reads every dataset whole exactly as h5wasm does, and takes the direct path where it should", async () => {
    const earliest = await compareWhole(join(refDir, "layouts_earliest.h5"));
    // B-tree v1 indexes, contiguous, compact, deflate/shuffle/LZF
    for (const p of [
      "/contiguous_1d",
      "/contiguous_3d",
      "/scalar",
      "/compact_2d",
      "/chunked_1d_none",
      "/chunked_2d_gzip",
      "/chunked_3d_gzip",
      "/chunked_2d_shuffle_gzip",
      "/chunked_1d_lzf",
      "/chunked_2d_shuffle_lzf",
      "/chunked_bool",
      "/chunked_u8",
      "/chunked_early_alloc",
      "/resizable_1d",
      "/resizable_2d",
      "/many_chunks",
      "/nested/deeper/x",
    ])
      expect(earliest, p).toContain(p);
    // handed to h5wasm: unallocated chunks (fill value), fletcher32, scale-offset, big-endian
    for (const p of [
      "/chunked_missing",
      "/chunked_1d_fletcher32",
      "/chunked_1d_scaleoffset",
      "/big_endian_chunked",
      "/big_endian_contiguous",
    ])
      expect(earliest, p).not.toContain(p);

    const latest = await compareWhole(join(refDir, "layouts_latest.h5"));
    // v4 layouts: single chunk, implicit (early allocation), non-paged fixed array
    for (const p of [
      "/single_chunk_gzip",
      "/single_chunk_none",
      "/chunked_early_alloc",
      "/chunked_2d_gzip",
      "/chunked_3d_gzip",
      "/compact_2d",
    ])
      expect(latest, p).toContain(p);
    // extensible-array and B-tree v2 indexes, paged fixed arrays: h5wasm
    for (const p of ["/resizable_1d", "/resizable_2d", "/many_chunks"]) expect(latest, p).not.toContain(p);

    expect(await compareWhole(join(refDir, "layouts_track_order.h5"))).toContain("/chunked_2d_gzip");
    // a 512-byte user block moves the base address
    expect(await compareWhole(join(refDir, "layouts_userblock.h5"))).toEqual(["/chunked_2d_gzip", "/contiguous_1d"]);
  }, 60_000);

  it("reads random hyperslabs exactly as h5wasm does (fast-check)", async () => {
    for (const name of files) {
      const file = join(refDir, name);
      const d = await H5File.open(file);
      const w = await H5File.open(file, { direct: false });
      try {
        for (const { p, shape } of numericDatasets(d)) {
          if (shape.length === 0 || shape.some((n) => n === 0)) continue;
          fc.assert(
            fc.property(hyperslab(shape), (sel) => {
              const select = sel as H5Selection;
              expect(firstDiff(bytesOf(d.read(p, { select })), bytesOf(w.read(p, { select }))), `${name} ${p} ${JSON.stringify(sel)}`).toBe(
                -1,
              );
            }),
            { numRuns: 15 },
          );
        }
        if (!d.has("/chunked_missing")) continue;
        // a slice of the partly written dataset lies in allocated chunks only: direct
        const before = d.readStats.direct;
        expect(Array.from(d.read("/chunked_missing", { select: [[20, 40]] }).data as Int32Array)).toEqual(
          Array.from(w.read("/chunked_missing", { select: [[20, 40]] }).data as Int32Array),
        );
        expect(d.readStats.direct).toBe(before + 1);
      } finally {
        d.close();
        w.close();
      }
    }
  }, 60_000);

  it("reads our own writer's files directly (gzip, LZF, none; chunked and not)", async () => {
    const p = join(tmp, "ours.h5");
    const f = await H5File.create(p);
    const x = Float32Array.from({ length: 4 * 300 * 257 }, (_, i) => (i * 31) % 977);
    f.writeDataset("/gzip", x, { shape: [4, 300, 257], chunks: [1, 64, 64], compression: "gzip", level: 1 });
    f.writeDataset("/none", x, { shape: [4, 300, 257], chunks: [1, 64, 64], compression: "none" });
    f.writeDataset("/lzf", x, { shape: [4, 300, 257], chunks: [1, 64, 64], compression: "lzf" });
    f.writeDataset(
      "/flat",
      new Int32Array(5000).map((_, i) => i - 2500),
    );
    f.close();
    const direct = await compareWhole(p);
    expect(direct).toEqual(expect.arrayContaining(["/gzip", "/none", "/flat"]));
    // from bytes in memory too
    expect(await compareWhole(new Uint8Array(readFileSync(p)))).toEqual(direct);
  }, 60_000);

  it("copies tile chunks the same with the native box reader and with JavaScript, sync and async (fast-check)", async () => {
    const p = join(tmp, "tiles.h5");
    const f = await H5File.create(p);
    const x = Uint16Array.from({ length: 3 * 301 * 259 }, (_, i) => (i * 7919) % 65521);
    f.writeDataset("/tiles", x, { shape: [3, 301, 259], chunks: [1, 64, 48], compression: "none" });
    // long runs (140 kB rows, not merged): the preadv scatter path
    f.writeDataset(
      "/wide",
      Uint16Array.from({ length: 4 * 140_000 }, (_, i) => i % 65_000),
      {
        shape: [4, 140_000],
        chunks: [4, 70_000],
        compression: "none",
      },
    );
    f.close();
    const d = await H5File.open(p);
    const w = await H5File.open(p, { direct: false });
    const status = nativeStatus();
    if (!status.active) console.warn(`native box reader not tested: ${status.reason}`);
    try {
      for (const on of status.active ? [true, false] : [false]) {
        setNative(on);
        expect(nativeStatus().active).toBe(on);
        await fc.assert(
          fc.asyncProperty(hyperslab([3, 301, 259]), async (sel) => {
            const select = sel as H5Selection;
            const want = bytesOf(w.read("/tiles", { select }));
            const before = d.readStats.direct;
            expect(firstDiff(bytesOf(d.read("/tiles", { select })), want), `native ${on} sync ${JSON.stringify(sel)}`).toBe(-1);
            expect(firstDiff(bytesOf(await d.readAsync("/tiles", { select })), want), `native ${on} async ${JSON.stringify(sel)}`).toBe(-1);
            expect(d.readStats.direct).toBe(before + 2);
          }),
          { numRuns: 40 },
        );
        for (const select of [
          [
            [0, 4],
            [0, 100_000],
          ],
          [
            [1, 3],
            [69_000, 139_999],
          ],
        ] as H5Selection[]) {
          const want = bytesOf(w.read("/wide", { select }));
          expect(firstDiff(bytesOf(d.read("/wide", { select })), want)).toBe(-1);
          expect(firstDiff(bytesOf(await d.readAsync("/wide", { select })), want)).toBe(-1);
        }
      }
    } finally {
      setNative(true);
      d.close();
      w.close();
    }
  }, 60_000);

  it("reads into a caller's array (`out`), both paths, and rejects one that does not fit", async () => {
    for (const direct of [true, false]) {
      const f = await H5File.open(join(refDir, "layouts_earliest.h5"), { direct });
      const big = new Float64Array(1000).fill(-1);
      const view = big.subarray(100, 100 + 20 * 10);
      const a = f.read("/chunked_2d_gzip", {
        select: [
          [5, 25],
          [3, 13],
        ],
        out: view,
      });
      expect(a.data).toBe(view);
      const b = f.read("/chunked_2d_gzip", {
        select: [
          [5, 25],
          [3, 13],
        ],
      });
      expect(Array.from(view)).toEqual(Array.from(b.data as Float64Array));
      expect(big[99]).toBe(-1);
      expect(big[300]).toBe(-1);
      expect(() =>
        f.read("/chunked_2d_gzip", {
          select: [
            [5, 25],
            [3, 13],
          ],
          out: new Float64Array(199),
        }),
      ).toThrowError(expect.objectContaining({ code: "SHAPE_MISMATCH" }));
      expect(() =>
        f.read("/chunked_2d_gzip", {
          select: [
            [5, 25],
            [3, 13],
          ],
          out: new Float32Array(200),
        }),
      ).toThrowError(expect.objectContaining({ code: "SHAPE_MISMATCH" }));
      f.close();
    }
  });

  it("counts only the bytes a small slice needs", async () => {
    const f = await H5File.open(join(refDir, "layouts_earliest.h5"));
    // the path lookup reads the group's metadata once (our own link reader); count the read itself
    f.info("/chunked_1d_none");
    const before = f.io.bytesRead;
    const a = f.read("/chunked_1d_none", { select: [[130, 140]] });
    expect(Array.from(a.data as BigInt64Array).length).toBe(10);
    // one B-tree node plus one chunk of 64 int64, not the dataset
    expect(f.io.bytesRead - before).toBeLessThan(4096);
    f.close();
  });

  it("cancels a direct read with ABORTED", async () => {
    const f = await H5File.open(join(refDir, "layouts_earliest.h5"));
    const ac = new AbortController();
    ac.abort();
    expect(() => f.read("/chunked_2d_gzip", { signal: ac.signal })).toThrowError(expect.objectContaining({ code: "ABORTED" }));
    await expect(f.readAsync("/chunked_2d_gzip", { signal: ac.signal })).rejects.toMatchObject({ code: "ABORTED" });
    f.close();
  });
});

describe.skipIf(!existsSync(fixtures))("direct HDF5 reads (every .h5ad fixture)", () => {
  const all: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith(".h5ad")) all.push(p);
    }
  };
  if (existsSync(fixtures)) walk(fixtures);
  it.each(all.map((p) => [path.relative(fixtures, p), p]))("%s", async (_name, file) => {
    await compareWhole(file as string);
  });
});

describe("direct-read primitives", () => {
  it("nodeFileIO.readv/readvAsync scatter consecutive bytes over many views (past IOV_MAX, empty views, short at EOF)", async () => {
    const p = join(tmp, "scatter.bin");
    const bytes = new Uint8Array(5000).map((_, i) => (i * 13) % 256);
    writeFileSync(p, bytes);
    const io = await nodeFileIO(p);
    try {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 1500 }),
          fc.integer({ min: 0, max: 4000 }),
          (lens, pos) => {
            const views = lens.map((n) => new Uint8Array(n));
            const total = lens.reduce((a, b) => a + b, 0);
            const got = (io.readv as NonNullable<typeof io.readv>)(views, pos);
            expect(got).toBe(Math.min(total, bytes.length - pos));
            const joined = new Uint8Array(total);
            let o = 0;
            for (const v of views) {
              joined.set(v, o);
              o += v.length;
            }
            expect(firstDiff(joined.subarray(0, got), bytes.subarray(pos, pos + got))).toBe(-1);
          },
        ),
        { numRuns: 40 },
      );
      const views = Array.from({ length: 2100 }, () => new Uint8Array(2));
      expect(await (io.readvAsync as NonNullable<typeof io.readvAsync>)(views, 10)).toBe(4200);
      expect(Array.from(views[2099] as Uint8Array)).toEqual([bytes[10 + 4198], bytes[10 + 4199]]);
    } finally {
      io.close();
    }
  });

  it("copyBox covers each element of the intersection exactly once (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 6 })), {
          minLength: 1,
          maxLength: 3,
        }),
        (dims) => {
          const shape = dims.map(([s]) => s);
          const origin = dims.map(([, o]) => o);
          const count = dims.map(([, , c]) => c);
          const offset = dims.map(() => 2);
          const lo = offset;
          const hi = offset.map((o, i) => o + (count[i] as number));
          const hitsDst = new Map<number, number>();
          copyBox(shape, origin, count, offset, lo, hi, 1, (s, d, n) => {
            for (let k = 0; k < n; k++) hitsDst.set(d + k, (hitsDst.get(d + k) ?? 0) + 1);
            expect(s + n).toBeLessThanOrEqual(shape.reduce((a, b) => a * b, 1));
          });
          // expected: the size of the intersection of [origin, origin+shape) and [lo, hi)
          let expected = 1;
          for (let i = 0; i < shape.length; i++) {
            const a = Math.max(origin[i] as number, lo[i] as number);
            const b = Math.min((origin[i] as number) + (shape[i] as number), hi[i] as number);
            expected *= Math.max(0, b - a);
          }
          expect(hitsDst.size).toBe(expected);
          for (const v of hitsDst.values()) expect(v).toBe(1);
        },
      ),
    );
  });

  it("unshuffle inverts the byte shuffle, trailing bytes kept", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 1, max: 8 }), (raw, esz) => {
        const n = Math.floor(raw.length / esz);
        const shuffled = new Uint8Array(raw.length);
        for (let i = 0; i < n; i++) for (let b = 0; b < esz; b++) shuffled[b * n + i] = raw[i * esz + b] as number;
        shuffled.set(raw.subarray(n * esz), n * esz);
        expect(unshuffle(shuffled, esz)).toEqual(raw);
      }),
    );
  });

  it("lzfDecompress rejects output that does not fit, never overruns (fast-check)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 0, max: 128 }), (input, size) => {
        try {
          const out = lzfDecompress(input, size);
          expect(out.length).toBe(size);
        } catch (e) {
          expect(e).toMatchObject({ code: "FORMAT" });
        }
      }),
    );
  });
});

describe("the filter table", () => {
  it("knows each id once; h5wasm's built-ins and our JavaScript decoders come from it", () => {
    expect(FILTERS.get(FILTER_IDS.lzf)).toMatchObject({ name: "lzf", h5wasm: false, js: "always" });
    expect([...BUILTIN_FILTERS.keys()]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(filterName(32015)).toBe("zstd");
    expect(filterName(99999)).toBe("filter 99999");
    expect(jsDecoder(FILTER_IDS.deflate)).toBeUndefined(); // needs a platform zlib
    expect(jsDecoder(32001)).toBeUndefined();
    // one literal block of 3 bytes decodes through the table's LZF entry
    expect(Array.from(jsDecoder(FILTER_IDS.lzf)?.(Uint8Array.from([2, 7, 8, 9]), 1, 3) ?? [])).toEqual([7, 8, 9]);
  });
});
