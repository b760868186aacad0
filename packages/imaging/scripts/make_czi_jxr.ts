/**
 * Builds the JPEG XR CZI fixtures in `reference/czi-jxr/` with Debian's `JxrEncApp`/`JxrDecApp`
 * (`apt-get install libjxr-tools`). Tests only read the committed outputs; they never need the tools.
 *
 * For every case it writes `<case>.czi` (JPEG XR subblocks, compression 4, payloads straight from JxrEncApp)
 * and `<case>.ref.czi` (the same subblocks uncompressed): for lossless encodes the source pixels, for lossy
 * encodes what `JxrDecApp` decodes from the very payloads in `<case>.czi`. `cases.json` lists the cases.
 *
 * Run: `node --conditions=@hyped/source --import tsx packages/imaging/scripts/make_czi_jxr.ts`
 * (from `packages/imaging`). Sources come from a fixed-seed generator, so reruns give the same inputs.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type CziPixelType, type CziWriteSubblock, writeCzi } from "../src/index.js";

const OUT = join(dirname(fileURLToPath(import.meta.url)), "..", "reference", "czi-jxr");
const TMP = mkdtempSync(join(tmpdir(), "czi-jxr-"));

/** JxrEncApp/JxrDecApp `-c` codes, the TIFF samples they read/write, and sample width. */
const FORMATS: Record<string, { c: number; samples: number; bytes: number; float?: boolean; bgr?: boolean }> = {
  Gray8: { c: 2, samples: 1, bytes: 1 },
  Gray16: { c: 3, samples: 1, bytes: 2 },
  Gray32Float: { c: 8, samples: 1, bytes: 4, float: true },
  // JxrEncApp turns TIFF RGB into 24bppBGR / 32bppBGRA: the TIFF holds R,G,B(,A), the stream B,G,R(,A).
  Bgr24: { c: 0, samples: 3, bytes: 1, bgr: true },
  Bgra32: { c: 22, samples: 4, bytes: 1, bgr: true },
  // libCZI stores Bgr48 as 48bppRGB holding B,G,R: no swap anywhere.
  Bgr48: { c: 10, samples: 3, bytes: 2 },
};

let seed = 0x2545f491;
function rand(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** A smooth image with noise, as file-order bytes (B,G,R for colour), little-endian. */
function source(pt: string, w: number, h: number, max: number): Uint8Array {
  const f = FORMATS[pt]!;
  const n = w * h * f.samples;
  const fx = 1 + rand() * 3;
  const fy = 1 + rand() * 3;
  const vals = new Float64Array(n);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let s = 0; s < f.samples; s++) {
        const base = 0.5 + 0.35 * Math.sin((fx * x) / w + s) * Math.cos((fy * y) / h - s);
        vals[(y * w + x) * f.samples + s] = Math.min(1, Math.max(0, base + (rand() - 0.5) * 0.2)) * max;
      }
  if (f.float) return new Uint8Array(Float32Array.from(vals, (v) => v - max / 4).buffer);
  if (f.bytes === 2) return new Uint8Array(Uint16Array.from(vals, Math.round).buffer);
  return Uint8Array.from(vals, Math.round);
}

/** A little-endian baseline TIFF of `fileBytes` (file order), samples reordered to R,G,B(,A) where needed. */
function toTiff(pt: string, w: number, h: number, fileBytes: Uint8Array): Uint8Array {
  const f = FORMATS[pt]!;
  const data = f.bgr ? swapRB(fileBytes, f.samples) : fileBytes;
  const entries: [number, number, number, number | number[]][] = [
    [256, 4, 1, w],
    [257, 4, 1, h],
    [258, 3, f.samples, Array(f.samples).fill(f.bytes * 8)],
    [259, 3, 1, 1],
    [262, 3, 1, f.samples >= 3 ? 2 : 1],
    [273, 4, 1, 0],
    [277, 3, 1, f.samples],
    [278, 4, 1, h],
    [279, 4, 1, data.length],
    [284, 3, 1, 1],
    ...(f.samples === 4 ? [[338, 3, 1, 2] as [number, number, number, number]] : []),
    [339, 3, f.samples, Array(f.samples).fill(f.float ? 3 : 1)],
  ];
  const ifdSize = 2 + entries.length * 12 + 4;
  const extra = entries.reduce((a, e) => a + (Array.isArray(e[3]) && e[3].length > 2 ? e[3].length * 2 : 0), 0);
  const dataPos = 8 + ifdSize + extra;
  const out = new Uint8Array(dataPos + data.length);
  const v = new DataView(out.buffer);
  out.set([0x49, 0x49, 42, 0], 0);
  v.setUint32(4, 8, true);
  v.setUint16(8, entries.length, true);
  let extraPos = 8 + ifdSize;
  entries.forEach(([tag, type, count, value], i) => {
    const p = 10 + 12 * i;
    v.setUint16(p, tag, true);
    v.setUint16(p + 2, type, true);
    v.setUint32(p + 4, count, true);
    const vals = tag === 273 ? [dataPos] : Array.isArray(value) ? value : [value];
    if (type === 3 && vals.length > 2) {
      v.setUint32(p + 8, extraPos, true);
      for (const x of vals) {
        v.setUint16(extraPos, x, true);
        extraPos += 2;
      }
    } else if (type === 3) {
      for (let k = 0; k < vals.length; k++) v.setUint16(p + 8 + 2 * k, vals[k]!, true);
    } else v.setUint32(p + 8, vals[0]!, true);
  });
  out.set(data, dataPos);
  return out;
}

function swapRB(b: Uint8Array, samples: number): Uint8Array {
  const o = new Uint8Array(b);
  for (let i = 0; i + 2 < o.length; i += samples) {
    o[i] = b[i + 2]!;
    o[i + 2] = b[i]!;
  }
  return o;
}

/** The pixel bytes of a little-endian, one-strip, uncompressed TIFF as written by JxrDecApp (file order back). */
function fromTiff(pt: string, tif: Uint8Array): Uint8Array {
  const v = new DataView(tif.buffer, tif.byteOffset, tif.byteLength);
  if (v.getUint16(0, true) !== 0x4949) throw new Error("JxrDecApp wrote a big-endian TIFF");
  const ifd = v.getUint32(4, true);
  const tags = new Map<number, number>();
  for (let i = 0; i < v.getUint16(ifd, true); i++) {
    const p = ifd + 2 + 12 * i;
    const type = v.getUint16(p + 2, true);
    if (v.getUint32(p + 4, true) !== 1 && (v.getUint16(p, true) === 273 || v.getUint16(p, true) === 279))
      throw new Error("multi-strip TIFF");
    tags.set(v.getUint16(p, true), type === 3 ? v.getUint16(p + 8, true) : v.getUint32(p + 8, true));
  }
  const data = new Uint8Array(tif.subarray(tags.get(273)!, tags.get(273)! + tags.get(279)!));
  const f = FORMATS[pt]!;
  return f.bgr ? swapRB(data, f.samples) : data;
}

let counter = 0;
/** Encode one tile with JxrEncApp; returns the payload and what JxrDecApp decodes from it. */
function encode(pt: string, w: number, h: number, raw: Uint8Array, quality: number): { jxr: Uint8Array; decoded: Uint8Array } {
  const f = FORMATS[pt]!;
  const base = join(TMP, `t${counter++}`);
  writeFileSync(`${base}.tif`, toTiff(pt, w, h, raw));
  const q = quality < 1 ? ["-q", String(quality)] : [];
  execFileSync("JxrEncApp", ["-i", `${base}.tif`, "-o", `${base}.jxr`, "-c", String(f.c), ...q, ...(f.samples === 4 ? ["-a", "2"] : [])], {
    stdio: "ignore",
  });
  execFileSync("JxrDecApp", ["-i", `${base}.jxr`, "-o", `${base}.out.tif`, "-c", String(f.c)], { stdio: "ignore" });
  return { jxr: readFileSync(`${base}.jxr`), decoded: fromTiff(pt, readFileSync(`${base}.out.tif`)) };
}

/** File-order bytes (B,G,R for colour) as the R,G,B-ordered typed array writeCzi takes. */
function asData(pt: string, fileBytes: Uint8Array) {
  const f = FORMATS[pt]!;
  const b = new Uint8Array(fileBytes);
  const a = f.float ? new Float32Array(b.buffer) : f.bytes === 2 ? new Uint16Array(b.buffer) : b;
  if (f.samples >= 3) {
    for (let i = 0; i + 2 < a.length; i += f.samples) {
      const t = a[i]!;
      a[i] = a[i + 2]!;
      a[i + 2] = t;
    }
  }
  return a;
}

interface Tile {
  x: number;
  y: number;
  w: number;
  h: number;
  coords: CziWriteSubblock["coords"];
}
interface Case {
  name: string;
  pixelType: CziPixelType;
  quality: number;
  max: number;
  tiles: Tile[];
}

const one = (w: number, h: number): Tile[] => [{ x: 0, y: 0, w, h, coords: { C: 0 } }];
const CASES: Case[] = [
  { name: "gray8-lossless", pixelType: "Gray8", quality: 1, max: 255, tiles: one(37, 21) },
  { name: "gray8-lossy", pixelType: "Gray8", quality: 0.7, max: 255, tiles: one(37, 21) },
  { name: "gray16-14bit-lossless", pixelType: "Gray16", quality: 1, max: 16383, tiles: one(45, 29) },
  { name: "gray16-lossy", pixelType: "Gray16", quality: 0.8, max: 65535, tiles: one(45, 29) },
  { name: "gray32float-lossy", pixelType: "Gray32Float", quality: 0.9, max: 1000, tiles: one(33, 17) },
  { name: "bgr24-lossless", pixelType: "Bgr24", quality: 1, max: 255, tiles: one(37, 21) },
  { name: "bgr24-lossy", pixelType: "Bgr24", quality: 0.7, max: 255, tiles: one(37, 21) },
  { name: "bgr48-lossless", pixelType: "Bgr48", quality: 1, max: 65535, tiles: one(29, 19) },
  { name: "bgr48-lossy", pixelType: "Bgr48", quality: 0.8, max: 65535, tiles: one(29, 19) },
  { name: "bgra32-lossless", pixelType: "Bgra32", quality: 1, max: 255, tiles: one(25, 18) },
  {
    name: "mosaic-2x2-gray16-lossless",
    pixelType: "Gray16",
    quality: 1,
    max: 4095,
    tiles: [0, 1, 2, 3].map((m) => ({ x: (m % 2) * 32, y: Math.floor(m / 2) * 24, w: 40, h: 30, coords: { C: 0, M: m } })),
  },
  {
    name: "multi-c2-t3-gray8-lossy",
    pixelType: "Gray8",
    quality: 0.8,
    max: 255,
    tiles: [0, 1, 2].flatMap((t) => [0, 1].map((c) => ({ x: 0, y: 0, w: 24, h: 20, coords: { C: c, T: t } }))),
  },
];

/** Float32 lossless is not bit-exact in jxrlib (it converts to its internal float form): checked, and kept lossy. */
async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const manifest: { name: string; pixelType: string; lossless: boolean; tiles: number }[] = [];
  for (const c of CASES) {
    const jxrTiles: CziWriteSubblock[] = [];
    const refTiles: CziWriteSubblock[] = [];
    for (const t of c.tiles) {
      const raw = source(c.pixelType, t.w, t.h, c.max);
      const { jxr, decoded } = encode(c.pixelType, t.w, t.h, raw, c.quality);
      if (c.quality === 1 && !Buffer.from(decoded).equals(Buffer.from(raw)))
        throw new Error(`${c.name}: JxrDecApp does not give the source back`);
      const ref = c.quality === 1 ? raw : decoded;
      const common = { width: t.w, height: t.h, x: t.x, y: t.y, pixelType: c.pixelType, coords: t.coords };
      jxrTiles.push({ ...common, data: asData(c.pixelType, raw), encoded: { code: 4, bytes: jxr } });
      refTiles.push({ ...common, data: asData(c.pixelType, ref) });
    }
    const guid = `5f0e7a3c-0000-4000-8000-00000000000${manifest.length % 10}`;
    await writeCzi(join(OUT, `${c.name}.czi`), jxrTiles, { fileGuid: guid, metadata: { acquisitionTime: "2026-01-01T00:00:00Z" } });
    await writeCzi(join(OUT, `${c.name}.ref.czi`), refTiles, { fileGuid: guid, metadata: { acquisitionTime: "2026-01-01T00:00:00Z" } });
    manifest.push({ name: c.name, pixelType: c.pixelType, lossless: c.quality === 1, tiles: c.tiles.length });
  }
  writeFileSync(join(OUT, "cases.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  rmSync(TMP, { recursive: true, force: true });
  console.log(`wrote ${manifest.length} cases to ${OUT}`);
}

await main();
