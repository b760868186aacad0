/**
 * Fuzz helpers (used by fuzz-a.test.ts and fuzz-b.test.ts): 10,000 seeded mutations (bit flips, truncations, header-field rewrites) of small CZI fixtures and of
 * a generated file with scenes, mosaic tiles, a pyramid subblock and Zstd1. Every case must end in a valid
 * read or a HypedError, never another exception type, within a time bound.
 *
 * Mutations are applied by a ByteSource overlay (no copy of the file per case), biased towards the
 * structures the parser trusts: the file header, directories, segment headers and subblock headers.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { type ByteSource, isHypedError } from "@hyped/core";
import { expect } from "vitest";
import { type CziWriteSubblock, cziPyramidTile, encodeCzi, openCzi } from "../index.js";

export const DIR = path.resolve(__dirname, "../../../../..", "../shared/fixtures/czi");
export const HAVE = existsSync(DIR);
/** Cases in all, over the two fuzz test files (split so that each file stays short and they run in parallel). */
export const TOTAL_CASES = 10_000;
const JXR_DIR = path.resolve(__dirname, "../../../reference/czi-jxr");
const JXR_FILES = ["mosaic-2x2-gray16-lossless.czi", "bgra32-lossless.czi", "bgr48-lossy.czi"];
const PER_CASE_MS = 2_000;

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A source over `base` with byte patches and an optional truncated size. */
function overlaySource(base: Uint8Array, patches: Map<number, number>, size: number): ByteSource {
  return {
    size,
    name: "fuzz",
    async read(offset, length) {
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
        const { HypedError } = await import("@hyped/core");
        throw new HypedError("OUT_OF_RANGE", "read outside fuzz source", {});
      }
      let out = base.subarray(offset, offset + length);
      let copied = false;
      for (const [p, v] of patches) {
        if (p >= offset && p < offset + length) {
          if (!copied) {
            out = out.slice();
            copied = true;
          }
          out[p - offset] = v;
        }
      }
      return out;
    },
  };
}

/** Byte ranges the parser trusts: file header, segment headers, subblock headers, directories. */
function structuralRanges(b: Uint8Array): [number, number][] {
  const ranges: [number, number][] = [[0, 32 + 96]];
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let pos = 0;
  let guard = 0;
  while (pos + 32 <= b.length && guard++ < 5000) {
    const id = new TextDecoder().decode(b.subarray(pos, pos + 16)).replace(/\0.*$/, "");
    const alloc = Number(v.getBigInt64(pos + 16, true));
    if (!id.startsWith("ZISRAW") && id !== "DELETED") break;
    if (id === "ZISRAWSUBBLOCK" || id === "ZISRAWMETADATA" || id === "ZISRAWATTACH") ranges.push([pos, Math.min(b.length, pos + 32 + 320)]);
    else if (id === "ZISRAWDIRECTORY" || id === "ZISRAWATTDIR") ranges.push([pos, Math.min(b.length, pos + 32 + alloc)]);
    else ranges.push([pos, pos + 32]);
    if (!(alloc > 0)) break;
    pos += 32 + alloc;
  }
  return ranges;
}

const INTERESTING32 = [0, 1, -1, 2, 255, 256, 0x7fffffff, -0x80000000, 0x10000, 1 << 24, 31, 32, 33];

function mutate(b: Uint8Array, ranges: [number, number][], rnd: () => number) {
  const patches = new Map<number, number>();
  let size = b.length;
  const pickPos = () => {
    if (rnd() < 0.75) {
      const [s, e] = ranges[Math.floor(rnd() * ranges.length)] as [number, number];
      return s + Math.floor(rnd() * Math.max(1, e - s));
    }
    return Math.floor(rnd() * b.length);
  };
  const kind = rnd();
  const n = 1 + Math.floor(rnd() * 4);
  let label: string;
  if (kind < 0.4) {
    label = "bitflip";
    for (let k = 0; k < n; k++) {
      const p = pickPos();
      patches.set(p, ((patches.get(p) ?? (b[p] as number)) ^ (1 << Math.floor(rnd() * 8))) & 255);
    }
  } else if (kind < 0.55) {
    label = "truncate";
    size = rnd() < 0.5 ? pickPos() : Math.floor(rnd() * b.length);
  } else if (kind < 0.85) {
    label = "int32";
    for (let k = 0; k < n; k++) {
      const p = pickPos() & ~3;
      const val = rnd() < 0.7 ? (INTERESTING32[Math.floor(rnd() * INTERESTING32.length)] as number) : (rnd() * 2 ** 32) | 0;
      for (let i = 0; i < 4; i++) patches.set(p + i, (val >>> (8 * i)) & 255);
    }
  } else {
    label = "int64";
    const p = pickPos() & ~7;
    const vals = [0n, 1n, -1n, BigInt(b.length), BigInt(b.length) - 32n, 2n ** 53n, 2n ** 62n, BigInt(Math.floor(rnd() * b.length))];
    const val = BigInt.asUintN(64, vals[Math.floor(rnd() * vals.length)] as bigint);
    for (let i = 0; i < 8; i++) patches.set(p + i, Number((val >> BigInt(8 * i)) & 255n));
  }
  for (const p of [...patches.keys()]) if (p >= b.length) patches.delete(p);
  return { patches, size, label };
}

async function generated(): Promise<Uint8Array> {
  const tiles: CziWriteSubblock[] = [];
  for (let s = 0; s < 2; s++)
    for (let m = 0; m < 3; m++) {
      const data = Uint16Array.from({ length: 24 * 16 }, (_, i) => (i * 31 + m * 7 + s) & 0x3fff);
      tiles.push({ data, width: 24, height: 16, x: s * 100000 + m * 20, y: -s * 5000, coords: { S: s, T: 0, C: 0, M: m } });
    }
  tiles.push(cziPyramidTile(tiles[0] as CziWriteSubblock, 2));
  // The smallest tile (so the fuzz reads it): an 8-bit JPEG one, to fuzz the JPEG decoder too.
  tiles.push({
    data: Uint8Array.from({ length: 16 * 8 }, (_, i) => i * 2),
    width: 16,
    height: 8,
    coords: { S: 0, T: 0, C: 1, M: 0 },
    compression: "jpeg",
  });
  return encodeCzi(tiles, { compression: "zstd1", fileGuid: "12345678-1234-1234-1234-123456789abc" });
}

/** What a user does with a file: open, read a plane window, the smallest tile, time stamps, sometimes the XML. */
async function exercise(src: ByteSource, full: boolean): Promise<void> {
  const czi = await openCzi(src, { maxTileBytes: 8 << 20, maxPlaneBytes: 16 << 20 });
  await czi.readPlane({}, full ? {} : { region: { x: 5, y: 3, w: 64, h: 48 } });
  if (czi.pyramidLayers.length > 1) await czi.readPlane({}, { zoom: 0.5 });
  // (Single-tile files: the plane above already decoded the only tile.)
  if (czi.subblocks.length > 1) {
    let best = czi.subblocks[0] as (typeof czi.subblocks)[number];
    for (const e of czi.subblocks) if (e.storedWidth * e.storedHeight < best.storedWidth * best.storedHeight) best = e;
    await czi.readSubblock(best.index);
    await czi.readSubblockMetadata(0);
  }
  await czi.readTimestamps();
  if (full) void czi.metadata.document;
}

/** Run `cases` seeded mutations; throws on any non-HypedError outcome or a case over the time bound. */
export async function runFuzz(seed: number, cases: number): Promise<void> {
  {
    const names = HAVE ? ["newCZI_compressed.czi", "tiles.czi", "CellDivision_T3_Z5_CH2_X240_Y170_comp1.czi", "RGB-8bit.czi"] : [];
    if (!HAVE) console.warn(`CZI fixtures not found at ${DIR}: fuzzing the generated file only`);
    const files: { name: string; bytes: Uint8Array; ranges: [number, number][] }[] = [];
    for (const name of names) {
      const bytes = new Uint8Array(readFileSync(path.join(DIR, name)));
      files.push({ name, bytes, ranges: structuralRanges(bytes) });
    }
    const gen = await generated();
    files.push({ name: "generated", bytes: gen, ranges: structuralRanges(gen) });
    // JPEG XR files (committed, so always present): the container and codestream are fuzzed through the reader.
    for (const name of JXR_FILES) {
      const bytes = new Uint8Array(readFileSync(path.join(JXR_DIR, name)));
      files.push({ name, bytes, ranges: structuralRanges(bytes) });
    }
    // The pristine files must read.
    for (const f of files) await exercise(overlaySource(f.bytes, new Map(), f.bytes.length), true);
    // Case mix: mostly the small files; the large-tile fixtures less often (their tiles cost milliseconds to decode).
    const weights: Record<string, number> = {
      generated: 6,
      "tiles.czi": 1,
      "CellDivision_T3_Z5_CH2_X240_Y170_comp1.czi": 2,
      "newCZI_compressed.czi": 0.5,
      "RGB-8bit.czi": 0.5,
    };
    const total = files.reduce((a, f) => a + (weights[f.name] ?? 1), 0);
    const pick = (u: number) => {
      let acc = 0;
      for (const f of files) {
        acc += (weights[f.name] ?? 1) / total;
        if (u < acc) return f;
      }
      return files[files.length - 1] as (typeof files)[number];
    };

    const rnd = mulberry32(seed);
    const started = performance.now();
    const outcomes: Record<string, number> = { ok: 0 };
    let slowest = 0;
    for (let k = 0; k < cases; k++) {
      const f = pick(rnd());
      const { patches, size, label } = mutate(f.bytes, f.ranges, rnd);
      const t0 = performance.now();
      try {
        await exercise(overlaySource(f.bytes, patches, size), k % 25 === 0);
        outcomes.ok = (outcomes.ok ?? 0) + 1;
      } catch (e) {
        if (!isHypedError(e)) {
          throw new Error(
            `case ${k} (${f.name}, ${label}, size ${size}, patches ${JSON.stringify([...patches])}): non-HypedError ${(e as Error)?.stack ?? e}`,
          );
        }
        outcomes[e.code] = (outcomes[e.code] ?? 0) + 1;
      }
      const dt = performance.now() - t0;
      slowest = Math.max(slowest, dt);
      if (dt > PER_CASE_MS) throw new Error(`case ${k} (${f.name}, ${label}) took ${dt.toFixed(0)} ms`);
    }
    console.log(
      `fuzz outcomes over ${cases} cases: ${JSON.stringify(outcomes)}; slowest case ${slowest.toFixed(1)} ms, total ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    expect(Object.values(outcomes).reduce((a, b) => a + b, 0)).toBe(cases);
    expect(outcomes.FORMAT).toBeGreaterThan(cases / 10);
  }
}
