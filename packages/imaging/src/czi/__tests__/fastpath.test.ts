/**
 * The fast read paths of readPlane: uncompressed tiles scattered straight into the canvas rows, reused per-slot
 * tile buffers, clearing only uncovered pixels of a reused `out` plane, cached subblock layouts, and the native
 * zstd decoder with its word-at-a-time hi-lo unpacking. Each is checked against a naive reference.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type ByteSource, countingSource, fileSource, isHypedError, memorySource } from "@hyped/core";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { ZSTD_NAPI_BINDING, zstdBackendName, zstdNative } from "../codecs/zstd.js";
import { type CziWriteSubblock, decodeZstd0, decodeZstd1, encodeCzi, encodeZstd1, openCzi, writeCzi, zstdDecompress } from "../index.js";
import { clearUncovered, mergeAdjacent, paintHiLo16, paintTile } from "../stitch.js";
import { rectArb } from "./rect-arb.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hyped-czi-fast-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const eqBytes = (a: ArrayBufferView, b: ArrayBufferView) =>
  Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

/** A source with only `read` (as a user's own source might be): readPlane must fall back to read + copy. */
function readOnly(src: ByteSource): ByteSource {
  return { size: src.size, name: src.name, read: (o, n, s) => src.read(o, n, s) };
}

type Rect = { x: number; y: number; w: number; h: number };

/** Reference stitcher for `samples` samples per pixel (RGB order in memory): the last tile in M order wins. */
function naive(tiles: CziWriteSubblock[], r: Rect, samples: number, ctor: Uint8ArrayConstructor | Uint16ArrayConstructor) {
  const out = new ctor(r.w * r.h * samples);
  const sorted = [...tiles].sort((a, b) => (a.coords?.M ?? 0) - (b.coords?.M ?? 0));
  for (let y = 0; y < r.h; y++)
    for (let x = 0; x < r.w; x++)
      for (const t of sorted) {
        const tx = r.x + x - (t.x ?? 0);
        const ty = r.y + y - (t.y ?? 0);
        if (tx >= 0 && tx < t.width && ty >= 0 && ty < t.height)
          for (let s = 0; s < samples; s++)
            out[(y * r.w + x) * samples + s] = (t.data as Uint8Array)[(ty * t.width + tx) * samples + s] as number;
      }
  return out;
}

describe("readPlane fast paths", () => {
  it("property: scatter reads, slot buffers and partial clearing of a dirty `out` match the naive painter", async () => {
    let fileNo = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(rectArb(-20, 30, 24), { minLength: 1, maxLength: 7 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.constantFrom("none" as const, "zstd1" as const, "zstd0" as const),
        fc.constantFrom("Gray16" as const, "Bgr24" as const),
        fc.integer({ min: 1, max: 5 }),
        fc.option(rectArb(-5, 30, 40), { nil: undefined }),
        async (rects, seed, compression, pixelType, concurrency, region) => {
          const samples = pixelType === "Bgr24" ? 3 : 1;
          const ctor = pixelType === "Bgr24" ? Uint8Array : Uint16Array;
          const tiles: CziWriteSubblock[] = rects.map((r, i) => {
            const data = new ctor(r.w * r.h * samples);
            for (let k = 0; k < data.length; k++)
              data[k] = (Math.imul(seed + i * 977 + k, 2654435761) >>> 20) & (samples === 3 ? 255 : 0x3fff);
            return { data, width: r.w, height: r.h, x: r.x, y: r.y, pixelType, coords: { C: 0, M: (i * 5 + seed) % 7 } };
          });
          const bytes = await encodeCzi(tiles, { compression });
          const file = path.join(tmp, `m${fileNo++}.czi`);
          await writeCzi(file, tiles, { compression });
          const fsrc = await fileSource(file);
          try {
            for (const src of [memorySource(bytes), readOnly(memorySource(bytes)), fsrc]) {
              const czi = await openCzi(src);
              const bb = czi.boundingBox as Rect;
              const want = region
                ? naive(tiles, { x: bb.x + region.x, y: bb.y + region.y, w: region.w, h: region.h }, samples, ctor)
                : naive(tiles, bb, samples, ctor);
              const fresh = await czi.readPlane({}, { concurrency, ...(region ? { region } : {}) });
              expect(eqBytes(fresh.data, want)).toBe(true);
              // A reused output plane full of garbage: uncovered pixels must still come back 0.
              const out = new ctor(want.length).fill(0xab);
              const again = await czi.readPlane({}, { concurrency, out, ...(region ? { region } : {}) });
              expect(again.data).toBe(out);
              expect(eqBytes(out, want)).toBe(true);
            }
          } finally {
            await fsrc.close?.();
          }
        },
      ),
      { numRuns: 25, seed: 7 },
    );
  });

  it("subblock layouts are cached: a second read of a plane costs one read per tile", async () => {
    const tiles: CziWriteSubblock[] = Array.from({ length: 6 }, (_, m) => ({
      data: Uint16Array.from({ length: 20 * 10 }, (_, i) => i + m),
      width: 20,
      height: 10,
      x: (m % 3) * 18,
      y: Math.floor(m / 3) * 9,
      coords: { C: 0, M: m },
    }));
    const src = countingSource(memorySource(await encodeCzi(tiles)));
    const czi = await openCzi(src);
    const r0 = src.reads;
    await czi.readPlane({});
    const first = src.reads - r0;
    await czi.readPlane({});
    const second = src.reads - r0 - first;
    expect(first).toBe(12); // segment header + pixels per tile
    expect(second).toBe(6); // pixels only
  });

  it("clearUncovered zeroes exactly the pixels no rectangle covers (property)", () => {
    fc.assert(
      fc.property(fc.array(rectArb(-5, 20, 12), { maxLength: 6 }), fc.integer({ min: 1, max: 3 }), (rects, samples) => {
        const cr = { x: 2, y: -1, w: 15, h: 13 };
        const canvas = new Uint16Array(cr.w * cr.h * samples).fill(7);
        clearUncovered(canvas, cr, rects, samples);
        for (let y = 0; y < cr.h; y++)
          for (let x = 0; x < cr.w; x++) {
            const X = cr.x + x;
            const Y = cr.y + y;
            const covered = rects.some((r) => X >= r.x && X < r.x + r.w && Y >= r.y && Y < r.y + r.h);
            for (let s = 0; s < samples; s++) expect(canvas[(y * cr.w + x) * samples + s]).toBe(covered ? 7 : 0);
          }
      }),
      { numRuns: 100, seed: 3 },
    );
  });

  it("paintHiLo16 (unpack while painting, word-wise where aligned) equals unpack + paintTile (property)", async () => {
    const { unpackHiLo } = await import("../codecs/zstd.js");
    const layout = { dtype: "uint16" as const, samples: 1, bytesPerPixel: 2, bgr: false };
    fc.assert(
      fc.property(rectArb(-9, 9, 24, 9), rectArb(-9, 9, 30, 12), fc.integer({ min: 0, max: 3 }), (tr, cr, shift) => {
        const n = tr.w * tr.h;
        const packed = new Uint8Array(2 * n + 4).subarray(shift, shift + 2 * n);
        for (let i = 0; i < packed.length; i++) packed[i] = (i * 73 + shift) & 255;
        const a = new Uint16Array(cr.w * cr.h).fill(5);
        const b = new Uint16Array(cr.w * cr.h).fill(5);
        paintHiLo16(a, cr, packed, tr);
        paintTile(b, cr, new Uint16Array(unpackHiLo(packed).buffer), tr, layout);
        expect(eqBytes(a, b)).toBe(true);
      }),
      { numRuns: 300, seed: 13 },
    );
  });

  it("mergeAdjacent joins views that follow each other in one buffer", () => {
    const a = new Uint8Array(100);
    const b = new Uint8Array(10);
    const m = mergeAdjacent([a.subarray(0, 10), a.subarray(10, 30), a.subarray(40, 50), b, a.subarray(50, 60)]);
    expect(m.map((v) => [v.buffer === a.buffer, v.byteOffset, v.length])).toEqual([
      [true, 0, 30],
      [true, 40, 10],
      [false, 0, 10],
      [true, 50, 10],
    ]);
  });
});

describe("zstd decoding", () => {
  it("hi-lo unpacking: the word-at-a-time path matches the byte loop for any length and alignment", async () => {
    const { unpackHiLo } = await import("../codecs/zstd.js");
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), (n, po, oo) => {
        const buf = new Uint8Array(2 * n + 8);
        for (let i = 0; i < buf.length; i++) buf[i] = (i * 151 + n) & 255;
        const packed = buf.subarray(po, po + 2 * n);
        const out = new Uint8Array(2 * n + 8).subarray(oo, oo + 2 * n);
        unpackHiLo(packed, out);
        for (let i = 0; i < n; i++) {
          expect(out[2 * i]).toBe(packed[i]);
          expect(out[2 * i + 1]).toBe(packed[n + i]);
        }
      }),
      { numRuns: 200, seed: 11 },
    );
  });

  it("decoders fill the `output` buffer they are given; the result equals a fresh decode", async () => {
    const raw = Uint8Array.from({ length: 64 * 48 * 2 }, (_, i) => (i * 7919) >>> 3);
    const info = {
      subblock: 0,
      filePosition: 0,
      compression: 6,
      pixelType: "Gray16" as const,
      width: 64,
      height: 48,
      bytesPerPixel: 2,
      expectedBytes: raw.length,
    };
    for (const hiLo of [true, false]) {
      const payload = await encodeZstd1(raw, hiLo);
      const output = new Uint8Array(raw.length);
      const a = await decodeZstd1(payload, { ...info, output });
      expect(a).toBe(output);
      expect(eqBytes(a, raw)).toBe(true);
      expect(eqBytes(await decodeZstd1(payload, info), raw)).toBe(true);
    }
    const z0 = (await encodeZstd1(raw, false)).subarray(1);
    const out0 = new Uint8Array(raw.length);
    expect(await decodeZstd0(z0, { ...info, compression: 5, output: out0 })).toBe(out0);
    expect(eqBytes(out0, raw)).toBe(true);
  });

  it("a frame without a declared size that decodes to more than the tile is FORMAT, never an overrun", async () => {
    // Hand-made frame: no content size, one raw block of 40 bytes.
    const frame = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00, 0x41, 0x01, 0x00, ...new Uint8Array(40).fill(9)]);
    for (const expected of [32, 48]) {
      const out = new Uint8Array(expected);
      const e = await zstdDecompress(frame, expected, "tile", out).catch((x) => x);
      expect(isHypedError(e, "FORMAT")).toBe(true);
    }
    expect(Array.from(await zstdDecompress(frame, 40, "tile"))).toEqual(Array(40).fill(9));
  });

  it("names its decoder: zstd-napi where the optional native module is installed, else a fallback", async () => {
    const name = await zstdBackendName();
    expect(["zstd-napi", "node:zlib", "wasm", "fzstd"]).toContain(name);
    const nat = await zstdNative();
    expect(nat?.name ?? (name === "wasm" || name === "fzstd" ? undefined : "missing")).toBe(nat ? name : undefined);
  });

  it("finds zstd-napi's binding from plain Node ESM (no tsx, as dist/ runs), when it is installed (#25)", async (ctx) => {
    const { spawnSync } = await import("node:child_process");
    const { createRequire } = await import("node:module");
    const pkgDir = path.resolve(import.meta.dirname, "../../..");
    let built = false;
    try {
      const bindingJs = createRequire(path.join(pkgDir, "package.json")).resolve(ZSTD_NAPI_BINDING);
      built = existsSync(path.join(path.dirname(bindingJs), "build", "Release"));
    } catch {
      built = false;
    }
    if (!built) {
      ctx.skip();
      return;
    }
    const code = "const m = await import(process.argv[1]); const D = (m.default ?? m).DCtx; console.log(typeof D);";
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", code, ZSTD_NAPI_BINDING], { cwd: pkgDir, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("function");
    expect(await zstdBackendName()).toBe("zstd-napi");
  });
});
