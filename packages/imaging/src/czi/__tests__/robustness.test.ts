/**
 * Malformed files: each failure is a HypedError FORMAT naming the segment, and nothing is allocated from an
 * unchecked header field.
 */
import { HypedError, isHypedError, memorySource } from "@hyped/core";
import { describe, expect, it } from "vitest";
import { encodeCzi, encodeZstd1, openCzi, registerCziDecoder, unregisterCziDecoder } from "../index.js";

async function sample(compression: "none" | "zstd1" = "none") {
  const tiles = [0, 1].map((m) => ({
    data: Uint16Array.from({ length: 32 * 16 }, (_, i) => i + m),
    width: 32,
    height: 16,
    x: m * 30,
    coords: { C: 0, M: m },
  }));
  return encodeCzi(tiles, { compression, fileGuid: "00000000-0000-0000-0000-000000000001" });
}

function header(b: Uint8Array) {
  const v = new DataView(b.buffer, b.byteOffset);
  return {
    dir: Number(v.getBigInt64(32 + 52, true)),
    meta: Number(v.getBigInt64(32 + 60, true)),
    attdir: Number(v.getBigInt64(32 + 72, true)),
  };
}

async function expectFormat(p: Promise<unknown>, segment: RegExp) {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err, "expected a failure").toBeInstanceOf(HypedError);
  expect((err as HypedError).code).toBe("FORMAT");
  expect((err as HypedError).message).toMatch(segment);
}

describe("CZI robustness", () => {
  it("not a CZI / truncated header", async () => {
    await expectFormat(openCzi(new Uint8Array(100)), /ZISRAWFILE at 0/);
    await expectFormat(openCzi(new Uint8Array(10)), /ZISRAWFILE at 0/);
  });

  it("truncated files: directory and subblock data cut off", async () => {
    const b = await sample();
    const h = header(b);
    await expectFormat(openCzi(b.slice(0, h.dir + 40)), /ZISRAWDIRECTORY/);
    await expectFormat(openCzi(b.slice(0, h.meta + 100)), /ZISRAWMETADATA|ZISRAWDIRECTORY|ZISRAWATT/);
  });

  it("directory entries pointing past the end, or at a non-subblock segment", async () => {
    const b = await sample();
    const h = header(b);
    const c = b.slice();
    const v = new DataView(c.buffer);
    const e0 = h.dir + 32 + 128; // first DV entry
    v.setBigInt64(e0 + 6, BigInt(b.length + 1000), true);
    await expectFormat(openCzi(c), /ZISRAWDIRECTORY at \d+: entry 0 points at offset/);
    v.setBigInt64(e0 + 6, BigInt(h.meta), true);
    const czi = await openCzi(c);
    await expectFormat(czi.readSubblock(0), /ZISRAWSUBBLOCK 0 at \d+: directory entry points at a "ZISRAWMETADATA" segment/);
    v.setBigInt64(e0 + 6, -5n, true);
    await expectFormat(openCzi(c), /ZISRAWDIRECTORY.*FilePosition -5/);
  });

  it("sizes that overflow: DataSize, entry count, huge stored size", async () => {
    const b = await sample();
    const h = header(b);
    const sb = 544; // first subblock segment (after the 32 + 512 file header)
    const c = b.slice();
    const v = new DataView(c.buffer);
    v.setBigInt64(sb + 32 + 8, 2n ** 40n, true);
    await expectFormat((await openCzi(c)).readSubblock(0), /ZISRAWSUBBLOCK 0 at 544: .*exceed/);
    v.setBigInt64(sb + 32 + 8, 2n ** 62n, true);
    await expectFormat((await openCzi(c)).readSubblock(0), /ZISRAWSUBBLOCK 0 at 544: DataSize 4611686018427387904 is not a valid size/);
    v.setBigInt64(sb + 32 + 8, -1n, true);
    await expectFormat((await openCzi(c)).readSubblock(0), /ZISRAWSUBBLOCK 0 at 544: DataSize -1/);
    const d = b.slice();
    new DataView(d.buffer).setInt32(h.dir + 32, 0x7fffffff, true);
    await expectFormat(openCzi(d), /ZISRAWDIRECTORY at \d+: EntryCount 2147483647/);
    // Stored size 2^31-1 x 2^31-1 in the directory: refused before allocating, naming the subblock.
    const e = b.slice();
    const ev = new DataView(e.buffer);
    const e0 = h.dir + 32 + 128;
    for (const k of [0, 1]) {
      ev.setInt32(e0 + 32 + 20 * k + 8, 0x7fffffff, true);
      ev.setInt32(e0 + 32 + 20 * k + 16, 0x7fffffff, true);
    }
    const czi = await openCzi(e);
    await expectFormat(czi.readSubblock(0), /ZISRAWSUBBLOCK 0 at 544: stored size 2147483647x2147483647/);
    // The same entry in a plane: the plane limit is checked before the canvas is allocated.
    await expect(czi.readPlane({})).rejects.toSatisfy((x) => isHypedError(x, "OUT_OF_RANGE") || isHypedError(x, "FORMAT"));
    // Segment sizes beyond 2^53.
    const f = b.slice();
    new DataView(f.buffer).setBigInt64(h.dir + 16, 2n ** 60n, true);
    await expectFormat(openCzi(f), /ZISRAWDIRECTORY at \d+: AllocatedSize/);
  });

  it("a zstd payload whose decoded size does not match the tile", async () => {
    const b = await sample("zstd1");
    const h = header(b);
    const c = b.slice();
    const v = new DataView(c.buffer);
    const e0 = h.dir + 32 + 128;
    // Directory says 32x8 stored/logical: the payload decodes to 32x16.
    v.setInt32(e0 + 32 + 20 + 8, 8, true);
    v.setInt32(e0 + 32 + 20 + 16, 8, true);
    const czi = await openCzi(c);
    await expectFormat(czi.readSubblock(0), /ZISRAWSUBBLOCK 0 at 544: zstd frame declares 1024 bytes, the tile needs 512/);
    // Bare zstd frame too short for the tile.
    const raw = Uint16Array.from({ length: 16 }, (_, i) => i);
    const payload = await encodeZstd1(new Uint8Array(raw.buffer), true);
    const noise = Uint16Array.from({ length: 64 }, (_, i) => Math.imul(i + 1, 2654435761) >>> 16);
    const t = await encodeCzi([{ data: noise, width: 8, height: 8, compression: "zstd1" }]);
    // Replace the subblock payload by one that decodes to 32 bytes (tile needs 128).
    const hh = header(t);
    const tt = new Uint8Array(t.length + payload.length);
    tt.set(t);
    const dv = new DataView(tt.buffer);
    const dataOff = 544 + 32 + 256;
    const oldLen = Number(dv.getBigInt64(544 + 32 + 8, true));
    expect(oldLen).toBeGreaterThan(payload.length);
    tt.set(payload, dataOff);
    dv.setBigInt64(544 + 32 + 8, BigInt(payload.length), true);
    expect(hh.dir).toBeGreaterThan(dataOff);
    await expectFormat(
      (await openCzi(tt.subarray(0, t.length))).readSubblock(0),
      /ZISRAWSUBBLOCK 0 at 544: zstd frame declares 32 bytes, the tile needs 128|decoded to 32 bytes/,
    );
  });

  it("metadata XML that does not parse, or has a bad size", async () => {
    const b = await sample();
    const h = header(b);
    const c = b.slice();
    const xmlStart = h.meta + 32 + 256;
    c.set(new TextEncoder().encode("<Image><Broken"), xmlStart + 20);
    await expectFormat(openCzi(c), new RegExp(`ZISRAWMETADATA at ${h.meta}: metadata XML does not parse`));
    const d = b.slice();
    new DataView(d.buffer).setInt32(h.meta + 32, 1 << 30, true);
    await expectFormat(openCzi(d), new RegExp(`ZISRAWMETADATA at ${h.meta}: XmlSize`));
  });

  it("attachment directory and TimeStamps payload", async () => {
    const b = await sample();
    const h = header(b);
    const c = b.slice();
    new DataView(c.buffer).setInt32(h.attdir + 32, 1000, true);
    await expectFormat(openCzi(c), /ZISRAWATTDIR at \d+: EntryCount 1000/);
    const czi = await openCzi(b);
    const ts = czi.attachments.find((a) => a.name === "TimeStamps");
    if (!ts) throw new Error("no TimeStamps");
    const d = b.slice();
    new DataView(d.buffer).setInt32(ts.filePosition + 32 + 256 + 4, 99, true);
    await expectFormat((await openCzi(d)).readTimestamps(), /TimeStamps attachment at \d+: 99 time stamps/);
  });

  it("DELETED segments: skipped by the segment scan when there is no directory; refused when referenced", async () => {
    const b = await sample();
    const h = header(b);
    // Mark subblock 0 as DELETED and drop the directory: the scan finds only subblock 1.
    const c = b.slice();
    c.set(new TextEncoder().encode("DELETED\0\0\0\0\0\0\0\0\0"), 544);
    new DataView(c.buffer).setBigInt64(32 + 52, 0n, true);
    const czi = await openCzi(c);
    expect(czi.subblocks).toHaveLength(1);
    expect(czi.subblocks[0]?.coords.M).toBe(1);
    const p = await czi.readPlane({});
    expect(p.origin).toEqual([30, 0]);
    expect(p.data[0]).toBe(1);
    // With the directory still pointing at it, reading it is a FORMAT error naming the subblock.
    const d = b.slice();
    d.set(new TextEncoder().encode("DELETED\0\0\0\0\0\0\0\0\0"), 544);
    expect(h.dir).toBeGreaterThan(0);
    await expectFormat((await openCzi(d)).readSubblock(0), /ZISRAWSUBBLOCK 0 at 544: directory entry points at a "DELETED" segment/);
  });

  it("the directory wins over the subblock's own entry", async () => {
    const b = await sample();
    const c = b.slice();
    // Change the X start and C index inside subblock 0's own copy of its entry; the directory is untouched.
    const v = new DataView(c.buffer);
    v.setInt32(544 + 32 + 16 + 32 + 4, 999, true);
    const czi = await openCzi(memorySource(c));
    expect(czi.subblocks[0]?.x).toBe(0);
    const p = await czi.readPlane({});
    expect(p.origin).toEqual([0, 0]);
    expect(p.shape).toEqual([16, 62]);
  });

  it("unknown compression codes are UNSUPPORTED naming code and subblock; the registry is user-extensible", async () => {
    const b = await sample();
    const h = header(b);
    const c = b.slice();
    const e0 = h.dir + 32 + 128;
    new DataView(c.buffer).setInt32(e0 + 18, 77, true);
    const czi = await openCzi(c);
    await expect(czi.readSubblock(0)).rejects.toThrow(/subblock 0 \(at 544\) uses compression 77/);
    await expect(czi.readSubblock(0)).rejects.toSatisfy((e) => isHypedError(e, "UNSUPPORTED"));
    registerCziDecoder(77, (payload) => payload.map((x) => 255 - x));
    try {
      const t = await czi.readSubblock(0);
      expect(t.data[0]).toBe(0xffff);
    } finally {
      unregisterCziDecoder(77);
    }
    // Per-file decoders.
    const d = await openCzi(c, { decoders: new Map([[77, (p: Uint8Array) => p]]) });
    expect((await d.readSubblock(0)).data[5]).toBe(5);
  });

  it("JPEG XR (code 4): raw pixels labelled JPEG XR are read; a broken JPEG XR stream is FORMAT", async () => {
    const b = await sample();
    const h = header(b);
    const c = b.slice();
    const e0 = h.dir + 32 + 128;
    new DataView(c.buffer).setInt32(e0 + 18, 4, true);
    const czi = await openCzi(c);
    expect((await czi.readSubblock(0)).data[7]).toBe(7);
    c.set([0x49, 0x49, 0xbc, 0x01], 544 + 32 + 256);
    const czi2 = await openCzi(c);
    await expect(czi2.readSubblock(0)).rejects.toMatchObject({ code: "FORMAT", message: expect.stringMatching(/JPEG XR/) });
  });
});
