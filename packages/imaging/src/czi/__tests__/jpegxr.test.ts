/**
 * Compression 4 (JPEG XR) through jxrlib's wasm build. Fixtures: `reference/czi-jxr/`, built by
 * `scripts/make_czi_jxr.ts` with JxrEncApp; each `<case>.ref.czi` holds the same tiles uncompressed (the source
 * pixels for lossless encodes, JxrDecApp's output for lossy ones), so every comparison here is exact.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isHypedError } from "@hyped/core";
import { describe, expect, it } from "vitest";
import { decodeJpegXr } from "../codecs/jpegxr.js";
import { parseJxrContainer } from "../codecs/jpegxr-container.js";
import type { CziDecodeInfo } from "../codecs/types.js";
import { type CziFile, openCzi } from "../index.js";
import { locateSubblock } from "../subblock.js";

const DIR = join(import.meta.dirname, "..", "..", "..", "reference", "czi-jxr");
const CASES = JSON.parse(readFileSync(join(DIR, "cases.json"), "utf8")) as {
  name: string;
  pixelType: string;
  lossless: boolean;
  tiles: number;
}[];

const bytes = (p: string) => new Uint8Array(readFileSync(join(DIR, p)));

/** The stored payload of subblock `i`. */
async function payloadOf(czi: CziFile, i: number): Promise<Uint8Array> {
  const e = czi.subblocks[i];
  if (!e) throw new Error(`no subblock ${i}`);
  const loc = await locateSubblock(czi.source, e);
  return czi.source.read(loc.dataOffset, loc.dataSize);
}

function infoOf(czi: CziFile, i: number, over: Partial<CziDecodeInfo> = {}): CziDecodeInfo {
  const e = czi.subblocks[i];
  if (!e) throw new Error(`no subblock ${i}`);
  const bpp = { Gray8: 1, Gray16: 2, Gray32Float: 4, Bgr24: 3, Bgr48: 6, Bgra32: 4 }[e.pixelType as string] ?? 1;
  return {
    subblock: i,
    filePosition: e.filePosition,
    compression: 4,
    pixelType: e.pixelType as CziDecodeInfo["pixelType"],
    width: e.storedWidth,
    height: e.storedHeight,
    bytesPerPixel: bpp,
    expectedBytes: e.storedWidth * e.storedHeight * bpp,
    ...over,
  };
}

describe("CZI JPEG XR subblocks (jxrlib wasm)", () => {
  it("covers every pixel type, lossless and lossy, a mosaic and several C and T", () => {
    expect(new Set(CASES.map((c) => c.pixelType))).toEqual(new Set(["Gray8", "Gray16", "Gray32Float", "Bgr24", "Bgr48", "Bgra32"]));
    expect(CASES.some((c) => c.lossless) && CASES.some((c) => !c.lossless)).toBe(true);
  });

  for (const c of CASES) {
    it(`${c.name}: every subblock and plane equals the reference exactly (${c.lossless ? "source pixels" : "JxrDecApp"})`, async () => {
      const jxr = await openCzi(bytes(`${c.name}.czi`));
      const ref = await openCzi(bytes(`${c.name}.ref.czi`));
      expect(jxr.compressions).toEqual({ JpegXrFile: c.tiles });
      expect(ref.compressions).toEqual({ Uncompressed: c.tiles });
      for (let i = 0; i < c.tiles; i++) {
        const a = await jxr.readSubblockBytes(i);
        const b = await ref.readSubblockBytes(i);
        expect(a.length).toBe(b.length);
        expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
      }
      for (const coords of jxr.planeCoords()) {
        const p = await jxr.readPlane(coords);
        const q = await ref.readPlane(coords);
        expect(p.shape).toEqual(q.shape);
        expect(p.data).toEqual(q.data);
      }
      await jxr.close();
      await ref.close();
    });
  }

  it("the 2 x 2 mosaic overlaps and stitches like the uncompressed copy", async () => {
    const jxr = await openCzi(bytes("mosaic-2x2-gray16-lossless.czi"));
    expect(jxr.boundingBox).toEqual({ x: 0, y: 0, w: 72, h: 54 });
    expect(jxr.dims.M).toEqual({ start: 0, size: 4 });
    // No pyramid in the file: zoom downsamples layer 0, the same for JPEG XR as for the uncompressed twin.
    const ref = await openCzi(bytes("mosaic-2x2-gray16-lossless.ref.czi"));
    const a = await jxr.readPlane({}, { zoom: 0.5 });
    const b = await ref.readPlane({}, { zoom: 0.5 });
    expect(a.shape).toEqual([27, 36]);
    expect(a.data).toEqual(b.data);
    await jxr.close();
    await ref.close();
  });

  it("fills the caller's output buffer instead of allocating", async () => {
    const czi = await openCzi(bytes("bgr48-lossless.czi"));
    const info = infoOf(czi, 0);
    const out = new Uint8Array(info.expectedBytes);
    const r = await decodeJpegXr(await payloadOf(czi, 0), { ...info, output: out });
    expect(r).toBe(out);
    expect(Buffer.from(out).equals(Buffer.from(await (await openCzi(bytes("bgr48-lossless.ref.czi"))).readSubblockBytes(0)))).toBe(true);
  });

  it("checks the pixel-format GUID against the directory: FORMAT on a mismatch", async () => {
    const czi = await openCzi(bytes("gray16-lossy.czi"));
    const p = await payloadOf(czi, 0);
    expect(parseJxrContainer(p, "t").format).toBe(0x0b);
    // Same stream, directory claiming Gray8 (same size in bytes would need another width: use Bgr24's GUID check).
    const wrongType = infoOf(czi, 0, { pixelType: "Gray8", bytesPerPixel: 1 });
    wrongType.expectedBytes = wrongType.width * wrongType.height;
    await expect(decodeJpegXr(p, wrongType)).rejects.toMatchObject({ code: "FORMAT", message: expect.stringMatching(/16bppGray.*Gray8/) });
    // A GUID byte changed to 24bppRGB (0x0d): not what libCZI writes for any type we read as Gray16.
    const q = p.slice();
    const gpos = new DataView(q.buffer).getUint32(4, true); // IFD offset
    const v = new DataView(q.buffer);
    let guid = -1;
    for (let k = 0; k < v.getUint16(gpos, true); k++)
      if (v.getUint16(gpos + 2 + 12 * k, true) === 0xbc01) guid = v.getUint32(gpos + 10 + 12 * k, true);
    q[guid + 15] = 0x0d;
    await expect(decodeJpegXr(q, infoOf(czi, 0))).rejects.toMatchObject({ code: "FORMAT", message: expect.stringMatching(/24bppRGB/) });
    // A size that disagrees with the directory.
    await expect(decodeJpegXr(p, infoOf(czi, 0, { width: 44, expectedBytes: 44 * 29 * 2 }))).rejects.toMatchObject({ code: "FORMAT" });
  });

  it("keeps ZEN 3.0's raw-pixel fallback; other non-JPEG XR payloads are FORMAT", async () => {
    const czi = await openCzi(bytes("gray8-lossless.czi"));
    const info = infoOf(czi, 0);
    const raw = Uint8Array.from({ length: info.expectedBytes }, (_, i) => i & 0x7f);
    expect(await decodeJpegXr(raw, info)).toEqual(raw);
    await expect(decodeJpegXr(raw.subarray(1), info)).rejects.toMatchObject({ code: "FORMAT" });
  });

  it("truncated and corrupted streams give typed errors, and the next decode still works", async () => {
    const czi = await openCzi(bytes("bgr24-lossy.czi"));
    const p = await payloadOf(czi, 0);
    const info = infoOf(czi, 0);
    const good = await decodeJpegXr(p, info);
    const bad: Uint8Array[] = [p.subarray(0, 12), p.subarray(0, 200), p.subarray(0, p.length >> 1)];
    for (let k = 0; k < 24; k++) {
      const c = p.slice();
      const at = (k * 7919) % c.length;
      c[at] = (c[at] as number) ^ 0xff;
      bad.push(c);
    }
    for (const b of bad) {
      try {
        await decodeJpegXr(b, info);
      } catch (e) {
        expect(isHypedError(e)).toBe(true);
      }
    }
    expect(Buffer.from(await decodeJpegXr(p, info)).equals(Buffer.from(good))).toBe(true);
  });

  it("does not change how the host process reports uncaught errors", async () => {
    const before = process.listeners("uncaughtException").length + process.listeners("unhandledRejection").length;
    const { resetJxrModule, jxrModule } = await import("../codecs/jpegxr-wasm.js");
    resetJxrModule();
    await jxrModule();
    expect(process.listeners("uncaughtException").length + process.listeners("unhandledRejection").length).toBe(before);
  });
});

describe("JPEG XR tiles on worker threads", () => {
  it("a plane's tiles decode on the pool and equal the in-thread decode", async () => {
    const { jxrPool } = await import("../codecs/jpegxr-pool.js");
    const url = new URL("../codecs/jpegxr.ts", import.meta.url).href;
    const prev = process.env.HYPED_JXR_POOL_MIN_BYTES;
    process.env.HYPED_JXR_POOL_MIN_BYTES = "0";
    try {
      const pool = await jxrPool(url);
      expect(pool?.size).toBeGreaterThanOrEqual(2);
      const before = pool?.decoded ?? 0;
      for (const name of ["mosaic-2x2-gray16-lossless", "bgra32-lossless", "multi-c2-t3-gray8-lossy"]) {
        const jxr = await openCzi(bytes(`${name}.czi`));
        const ref = await openCzi(bytes(`${name}.ref.czi`));
        for (const c of jxr.planeCoords()) expect((await jxr.readPlane(c)).data).toEqual((await ref.readPlane(c)).data);
        await jxr.close();
        await ref.close();
      }
      expect((pool?.decoded ?? 0) - before).toBe(4 + 1 + 6);
      // Errors come back typed from the workers.
      const czi = await openCzi(bytes("gray8-lossy.czi"));
      const p = await payloadOf(czi, 0);
      const broken = p.slice();
      const at = parseJxrContainer(p, "t").imageOffset;
      broken.fill(0, at, at + 8); // the codestream's "WMPHOTO" signature
      await expect(decodeJpegXr(broken, infoOf(czi, 0))).rejects.toSatisfy((e) => isHypedError(e, "FORMAT"));
    } finally {
      if (prev === undefined) delete process.env.HYPED_JXR_POOL_MIN_BYTES;
      else process.env.HYPED_JXR_POOL_MIN_BYTES = prev;
    }
  }, 60_000);
});

describe("JPEG XR payload fuzz", () => {
  it("300 seeded mutations of real payloads end in pixels or a HypedError, each within 2 s", async () => {
    let seed = 20261207;
    const rnd = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    const subjects: { p: Uint8Array; info: CziDecodeInfo }[] = [];
    for (const name of ["gray16-lossy", "bgra32-lossless", "bgr24-lossless", "gray32float-lossy"]) {
      const czi = await openCzi(bytes(`${name}.czi`));
      subjects.push({ p: await payloadOf(czi, 0), info: infoOf(czi, 0) });
    }
    const outcomes: Record<string, number> = {};
    for (let k = 0; k < 300; k++) {
      const s = subjects[k % subjects.length] as (typeof subjects)[number];
      let c = s.p.slice();
      const kind = rnd();
      if (kind < 0.4) {
        for (let i = 0; i < 1 + Math.floor(rnd() * 4); i++) {
          const at = Math.floor(rnd() * c.length);
          c[at] = (c[at] as number) ^ (1 << Math.floor(rnd() * 8));
        }
      } else if (kind < 0.7) c[Math.floor(rnd() * c.length)] = rnd() < 0.5 ? 0 : 0xff;
      else if (kind < 0.85) c = c.subarray(0, Math.floor(rnd() * c.length));
      else new DataView(c.buffer).setUint32(Math.floor(rnd() * (c.length - 4)) & ~3, rnd() < 0.5 ? 0xffffffff : 0x80000000, true);
      const t0 = performance.now();
      try {
        await decodeJpegXr(c, s.info);
        outcomes.ok = (outcomes.ok ?? 0) + 1;
      } catch (e) {
        if (!isHypedError(e)) throw new Error(`case ${k}: non-HypedError ${(e as Error)?.stack ?? e}`);
        outcomes[e.code] = (outcomes[e.code] ?? 0) + 1;
      }
      expect(performance.now() - t0).toBeLessThan(2000);
    }
    expect(outcomes.FORMAT ?? 0).toBeGreaterThan(10);
    // After all that, a clean payload still decodes exactly.
    const ref = await openCzi(bytes("gray16-lossy.ref.czi"));
    const s0 = subjects[0] as (typeof subjects)[number];
    expect(Buffer.from(await decodeJpegXr(s0.p, s0.info)).equals(Buffer.from(await ref.readSubblockBytes(0)))).toBe(true);
  }, 120_000);
});
