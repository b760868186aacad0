/**
 * writeCzi/encodeCzi round trips: scenes far apart, overlapping M tiles, negative origins, pyramid subblocks,
 * T/C/Z series, colour and float pixel types, and a property test against a naive per-pixel painter.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { countingSource, isHypedError, memorySource } from "@hyped/core";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { type CziWriteSubblock, cziPyramidTile, encodeCzi, openCzi, writeCzi } from "../index.js";
import { rectArb } from "./rect-arb.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hyped-czi-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A deterministic 16-bit tile: value = f(x, y, seed). */
function tile16(w: number, h: number, seed: number): Uint16Array {
  const a = new Uint16Array(w * h);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    a[i] = (s >>> 18) & 0x3fff; // 14-bit like HYPED
  }
  return a;
}

/** Reference stitcher: per pixel, the last tile in ascending-M order that covers it. */
function naivePlane(tiles: CziWriteSubblock[], r: { x: number; y: number; w: number; h: number }): Uint16Array {
  const out = new Uint16Array(r.w * r.h);
  const sorted = [...tiles].sort((a, b) => (a.coords?.M ?? 0) - (b.coords?.M ?? 0));
  for (let y = 0; y < r.h; y++)
    for (let x = 0; x < r.w; x++) {
      const X = r.x + x;
      const Y = r.y + y;
      for (const t of sorted) {
        const tx = t.x ?? 0;
        const ty = t.y ?? 0;
        if (X >= tx && X < tx + t.width && Y >= ty && Y < ty + t.height)
          out[y * r.w + x] = (t.data as Uint16Array)[(Y - ty) * t.width + (X - tx)] as number;
      }
    }
  return out;
}

const eqBytes = (a: ArrayBufferView, b: ArrayBufferView) =>
  Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

describe("writeCzi round trips", () => {
  it("docs/czi.md example runs and prints what it says", async () => {
    const tile = (v: number) => new Uint16Array(64 * 48).fill(v);
    const bytes = await encodeCzi(
      [
        { data: tile(100), width: 64, height: 48, x: 0, y: 0, coords: { S: 0, T: 0, C: 0, M: 0 } },
        { data: tile(200), width: 64, height: 48, x: 56, y: 0, coords: { S: 0, T: 0, C: 0, M: 1 } },
      ],
      { compression: "zstd1", metadata: { channels: [{ name: "H2B", color: "#FFFF0000" }], scalingM: { X: 3.45e-7, Y: 3.45e-7 } } },
    );
    await using czi = await openCzi(bytes);
    const plane = await czi.readPlane({ S: 0, T: 0, C: 0 });
    expect([plane.shape, plane.origin, plane.data[60]]).toEqual([[48, 120], [0, 0], 200]);
    expect(czi.metadata.channels).toEqual([{ id: "Channel:0", name: "H2B", color: "#FFFF0000" }]);
    expect(czi.metadata.scaling).toEqual({ X: 3.45e-7, Y: 3.45e-7 });
  });

  it("scenes far apart: one canvas per scene, only that scene's tiles are read", async () => {
    const tiles: CziWriteSubblock[] = [];
    const origins: Record<number, [number, number][]> = {
      0: [
        [0, 0],
        [90, 0],
      ],
      1: [[5_000_000, 3_000_000]],
      2: [
        [-2_000_000, -1_000_000],
        [-2_000_000, -999_930],
      ],
    };
    let seed = 1;
    for (const [s, list] of Object.entries(origins))
      list.forEach(([x, y], m) => {
        tiles.push({ data: tile16(100, 80, seed++), width: 100, height: 80, x, y, coords: { S: Number(s), T: 0, C: 0, M: m } });
      });
    const bytes = await encodeCzi(tiles, { metadata: { sceneNames: { 0: "A1", 1: "H12", 2: "neg" } } });
    const src = countingSource(memorySource(bytes));
    const czi = await openCzi(src);
    expect(czi.scenes).toEqual([0, 1, 2]);
    expect(czi.sceneBoundingBoxes.get(0)).toEqual({ x: 0, y: 0, w: 190, h: 80 });
    expect(czi.sceneBoundingBoxes.get(1)).toEqual({ x: 5_000_000, y: 3_000_000, w: 100, h: 80 });
    expect(czi.sceneBoundingBoxes.get(2)).toEqual({ x: -2_000_000, y: -1_000_000, w: 100, h: 150 });
    expect(czi.metadata.sceneNames).toEqual({ 0: "A1", 1: "H12", 2: "neg" });
    for (const s of [0, 1, 2]) {
      const before = src.bytesRead;
      const p = await czi.readPlane({ S: s });
      const bb = czi.sceneBoundingBoxes.get(s);
      if (!bb) throw new Error("no bbox");
      expect(p.shape).toEqual([bb.h, bb.w]);
      expect(p.origin).toEqual([bb.x, bb.y]);
      expect(src.bytesRead - before).toBeLessThan(origins[s]!.length * (100 * 80 * 2 + 1024));
      expect(
        eqBytes(
          p.data,
          naivePlane(
            tiles.filter((t) => t.coords?.S === s),
            bb,
          ),
        ),
      ).toBe(true);
    }
  });

  it("overlapping M tiles with negative origins: highest M on top, file order irrelevant", async () => {
    const tiles: CziWriteSubblock[] = [
      { data: tile16(50, 40, 3), width: 50, height: 40, x: -30, y: -20, coords: { C: 0, M: 2 } },
      { data: tile16(50, 40, 1), width: 50, height: 40, x: -60, y: -35, coords: { C: 0, M: 0 } },
      { data: tile16(50, 40, 2), width: 50, height: 40, x: -45, y: -10, coords: { C: 0, M: 1 } },
    ];
    tiles[0]!.acquisitionTime = "2026-11-23T10:00:00.5Z";
    const czi = await openCzi(await encodeCzi(tiles, { compression: "zstd1" }));
    expect(czi.boundingBox).toEqual({ x: -60, y: -35, w: 80, h: 65 });
    expect(await czi.readSubblockMetadata(0)).toContain("<AcquisitionTime>2026-11-23T10:00:00.5Z</AcquisitionTime>");
    expect(await czi.readSubblockMetadata(1)).toBe("");
    const p = await czi.readPlane({ C: 0 });
    expect(p.subblocks.map((i) => czi.subblocks[i]?.coords.M)).toEqual([0, 1, 2]);
    expect(eqBytes(p.data, naivePlane(tiles, { x: -60, y: -35, w: 80, h: 65 }))).toBe(true);
    // A raw-coordinate region straddling the edge: outside pixels are 0.
    const r = await czi.readPlane({ C: 0 }, { region: { x: -70, y: -40, w: 30, h: 20 }, coordinates: "raw" });
    expect(eqBytes(r.data, naivePlane(tiles, { x: -70, y: -40, w: 30, h: 20 }))).toBe(true);
    expect(r.data[0]).toBe(0);
  });

  it("T/C/Z series, written to disk, Zstd1 and uncompressed agree bit-exactly; planes() order and memory", async () => {
    const tiles: CziWriteSubblock[] = [];
    for (let t = 0; t < 3; t++)
      for (let c = 0; c < 2; c++)
        for (let z = 0; z < 4; z++)
          tiles.push({ data: tile16(40, 30, 100 * t + 10 * c + z + 1), width: 40, height: 30, coords: { T: t, C: c, Z: z } });
    const a = path.join(tmp, "tcz.czi");
    const b = path.join(tmp, "tcz_zstd1.czi");
    const opts = { metadata: { timeIncrementS: 600, channels: [{ name: "mCherry" }, { name: "mVenus" }], componentBitCount: 14 } };
    const res = await writeCzi(a, tiles, opts);
    expect(res.subblocks).toBe(24);
    async function* gen() {
      for (const t of tiles) yield t;
    }
    await writeCzi(b, gen(), { ...opts, compression: "zstd1", timestamps: [0, 600.5, 1201] });
    const ca = await openCzi(a);
    const cb = await openCzi(b);
    expect(cb.compressions).toEqual({ Zstd1: 24 });
    expect(ca.metadata.timeIncrementS).toBe(600);
    expect(ca.metadata.componentBitCount).toBe(14);
    expect(Array.from((await ca.readTimestamps()) ?? [])).toEqual([0, 600, 1200]);
    expect(Array.from((await cb.readTimestamps()) ?? [])).toEqual([0, 600.5, 1201]);
    let k = 0;
    const seen: string[] = [];
    for await (const p of ca.planes()) {
      const q = await cb.readPlane(p.coords);
      expect(eqBytes(p.data, q.data)).toBe(true);
      expect(eqBytes(p.data, tiles[k]!.data as Uint16Array)).toBe(true); // tiles were written in T, C, Z order
      seen.push(`${p.coords.T}${p.coords.C}${p.coords.Z}`);
      k++;
    }
    expect(k).toBe(24);
    expect(seen.slice(0, 5)).toEqual(["000", "001", "002", "003", "010"]);
    // Reusing one output buffer gives the same planes (the yielded data is overwritten by the next plane).
    const fresh: Uint16Array[] = [];
    for await (const p of ca.planes()) fresh.push(p.data as Uint16Array);
    let r = 0;
    let shared: unknown;
    for await (const p of ca.planes({ reuse: true })) {
      if (r === 1) shared = p.data;
      if (r > 1) expect(p.data).toBe(shared);
      expect(eqBytes(p.data, fresh[r] as Uint16Array)).toBe(true);
      r++;
    }
    const out = new Uint16Array(40 * 30).fill(9);
    const viaOut = await ca.readPlane({ T: 1, C: 1, Z: 2 }, { out });
    expect(viaOut.data).toBe(out);
    expect(eqBytes(out, tiles[4 * 3 + 2]!.data as Uint16Array)).toBe(true);
    await expect(ca.readPlane({}, { out: new Uint16Array(5) })).rejects.toSatisfy((e) => isHypedError(e, "SHAPE_MISMATCH"));
    await expect(ca.readPlane({}, { out: new Uint8Array(1200) })).rejects.toSatisfy((e) => isHypedError(e, "SHAPE_MISMATCH"));
    const sel: number[] = [];
    for await (const p of ca.planes({ select: { C: [1], T: [2] } })) sel.push(p.coords.Z as number);
    expect(sel).toEqual([0, 1, 2, 3]);
    await ca.close();
    await cb.close();
  });

  it("pyramid subblocks: excluded from layer 0, used by zoom and layer", async () => {
    const full: CziWriteSubblock[] = [
      { data: tile16(64, 64, 7), width: 64, height: 64, x: 0, y: 0, coords: { C: 0, M: 0 } },
      { data: tile16(64, 64, 8), width: 64, height: 64, x: 64, y: 0, coords: { C: 0, M: 1 } },
    ];
    // One pyramid subblock covering both tiles at half resolution (stored 64x32, logical 128x64).
    const stitched = naivePlane(full, { x: 0, y: 0, w: 128, h: 64 });
    const pyr = cziPyramidTile({ data: stitched, width: 128, height: 64, x: 0, y: 0, coords: { C: 0 } }, 2);
    expect([pyr.width, pyr.height, pyr.logicalWidth, pyr.logicalHeight]).toEqual([64, 32, 128, 64]);
    const czi = await openCzi(await encodeCzi([...full, pyr], { compression: "zstd1" }));
    expect(czi.pyramidSubblockCount).toBe(1);
    expect(czi.pyramidLayers).toEqual([1, 0.5]);
    expect(czi.boundingBox).toEqual({ x: 0, y: 0, w: 128, h: 64 });
    expect(czi.subblocks[2]?.pyramidType).toBe(1);
    const full1 = await czi.readPlane({ C: 0 });
    expect(full1.subblocks).toEqual([0, 1]);
    expect(eqBytes(full1.data, stitched)).toBe(true);
    const half = await czi.readPlane({ C: 0 }, { zoom: 0.5 });
    expect(half.shape).toEqual([32, 64]);
    expect(half.subblocks).toEqual([2]);
    expect(eqBytes(half.data, pyr.data as Uint16Array)).toBe(true);
    const l1 = await czi.readPlane({ C: 0 }, { layer: 1 });
    expect(eqBytes(l1.data, pyr.data as Uint16Array)).toBe(true);
    // Zoom below the pyramid's scale samples it further; zoom above it uses layer 0.
    const q = await czi.readPlane({ C: 0 }, { zoom: 0.25 });
    expect(q.shape).toEqual([16, 32]);
    // Output pixel (0,0) samples raw point (2,2) (pixel centre at zoom 0.25) = pyramid pixel (1,1) = raw (2,2).
    expect(q.data[0]).toBe(stitched[2 * 128 + 2]);
    const z75 = await czi.readPlane({ C: 0 }, { zoom: 0.75 });
    expect(z75.subblocks).toEqual([0, 1]);
    expect(z75.shape).toEqual([48, 96]);
    const tileP = await czi.readSubblock(2);
    expect(tileP.shape).toEqual([32, 64]);
  });

  it("colour and float pixel types round trip (RGB in memory, BGR on disk)", async () => {
    const w = 7;
    const h = 5;
    const rgb = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 37) & 255);
    const rgb48 = Uint16Array.from({ length: w * h * 3 }, (_, i) => (i * 4099) & 0xffff);
    const rgba = Uint8Array.from({ length: w * h * 4 }, (_, i) => (i * 11) & 255);
    const f32 = Float32Array.from({ length: w * h }, (_, i) => i / 7 - 2);
    const f64 = Float64Array.from({ length: w * h }, (_, i) => Math.sqrt(i) * 1e-3);
    const i32 = Int32Array.from({ length: w * h }, (_, i) => i * -100003);
    const g8 = Uint8Array.from({ length: w * h }, (_, i) => i);
    const list = [rgb, rgb48, rgba, f32, f64, i32, g8];
    for (const compression of ["none", "zstd1", "zstd0"] as const) {
      const bytes = await encodeCzi(
        list.map((data, c) => ({ data, width: w, height: h, coords: { C: c } })),
        { compression },
      );
      const czi = await openCzi(bytes);
      expect(czi.subblocks.map((e) => e.pixelType)).toEqual(["Bgr24", "Bgr48", "Bgra32", "Gray32Float", "Gray64Float", "Gray32", "Gray8"]);
      for (let c = 0; c < list.length; c++) {
        const t = await czi.readSubblock(c);
        expect(eqBytes(t.data, list[c] as ArrayBufferView)).toBe(true);
        const p = await czi.readPlane({ C: c });
        expect(eqBytes(p.data, list[c] as ArrayBufferView)).toBe(true);
      }
      // On disk the first pixel of the Bgr24 tile is B,G,R.
      const raw = await czi.readSubblockBytes(0);
      expect(Array.from(raw.subarray(0, 3))).toEqual([rgb[2], rgb[1], rgb[0]]);
    }
  });

  it("property: random mosaics stitch like the naive painter, for full planes and regions", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(rectArb(-50, 50, 30), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.integer({ min: 1, max: 1000 }),
        rectArb(-20, 60, 40),
        fc.constantFrom("none" as const, "zstd1" as const),
        async (rects, seed, region, compression) => {
          const order = rects.map((_, i) => i).sort((a, b) => ((a * 7 + seed) % 5) - ((b * 7 + seed) % 5));
          const tiles: CziWriteSubblock[] = rects.map((r, i) => ({
            data: tile16(r.w, r.h, seed + i),
            width: r.w,
            height: r.h,
            x: r.x,
            y: r.y,
            coords: { C: 0, M: order[i] },
          }));
          const czi = await openCzi(await encodeCzi(tiles, { compression }));
          const bb = czi.boundingBox;
          if (!bb) throw new Error("no bbox");
          const p = await czi.readPlane({});
          expect(eqBytes(p.data, naivePlane(tiles, bb))).toBe(true);
          const q = await czi.readPlane({}, { region });
          expect(eqBytes(q.data, naivePlane(tiles, { x: bb.x + region.x, y: bb.y + region.y, w: region.w, h: region.h }))).toBe(true);
        },
      ),
      { numRuns: 60, seed: 42 },
    );
  });

  it("cancellation and progress", async () => {
    const tiles = Array.from({ length: 6 }, (_, m) => ({
      data: tile16(32, 32, m + 1),
      width: 32,
      height: 32,
      x: m * 30,
      coords: { M: m },
    }));
    const czi = await openCzi(await encodeCzi(tiles));
    const events: number[] = [];
    await czi.readPlane({}, { onProgress: (e) => events.push(e.done) });
    expect(events.at(-1)).toBe(6);
    const ac = new AbortController();
    ac.abort();
    await expect(czi.readPlane({}, { signal: ac.signal })).rejects.toSatisfy((e) => isHypedError(e, "ABORTED"));
    await expect(encodeCzi(tiles, { signal: ac.signal })).rejects.toSatisfy((e) => isHypedError(e, "ABORTED"));
    await expect(openCzi(await encodeCzi(tiles), { signal: ac.signal })).rejects.toSatisfy((e) => isHypedError(e, "ABORTED"));
  });

  it("argument errors are typed", async () => {
    const czi = await openCzi(await encodeCzi([{ data: tile16(8, 8, 1), width: 8, height: 8, coords: { C: 0, T: 0 } }]));
    await expect(czi.readPlane({ C: 3 })).rejects.toSatisfy((e) => isHypedError(e, "OUT_OF_RANGE"));
    await expect(czi.readPlane({ Q: 2 })).rejects.toSatisfy((e) => isHypedError(e, "OUT_OF_RANGE"));
    await expect(czi.readPlane({}, { zoom: 2 })).rejects.toSatisfy((e) => isHypedError(e, "INVALID_ARGUMENT"));
    await expect(czi.readPlane({}, { region: { x: 0, y: 0, w: 0, h: 3 } })).rejects.toSatisfy((e) => isHypedError(e, "INVALID_ARGUMENT"));
    await expect(czi.readSubblock(5)).rejects.toSatisfy((e) => isHypedError(e, "OUT_OF_RANGE"));
    await expect(czi.readAttachment("Label")).rejects.toSatisfy((e) => isHypedError(e, "NOT_FOUND"));
    await expect(encodeCzi([{ data: new Uint16Array(10), width: 3, height: 3 }])).rejects.toSatisfy((e) =>
      isHypedError(e, "SHAPE_MISMATCH"),
    );
  });
});
