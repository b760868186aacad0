/**
 * The fuzz corpus: real files from `../shared/fixtures` (when present) and small files the project writes
 * itself (npy, h5ad, MEX, a frame store converted from a CZI fixture). Each seed is a folder; the target
 * opens `entry` inside it and the fuzzer mutates one of `mutable`.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ndarray, type SparseMatrix, writeNpy } from "@hyped/core";
import { convertCziToFrames } from "@hyped/imaging";
import { AnnData, DataFrame, writeH5ad, writeMex } from "@hyped/seq";
import type { TargetName } from "./targets.js";

/** One seed input of a target. */
export interface Seed {
  name: string;
  /** The seed's folder. */
  dir: string;
  /** What the target opens, relative to `dir` (`""`: the folder itself). */
  entry: string;
  /** Files (relative to `dir`) a case may mutate. */
  mutable: string[];
}

const FIXTURES = join(import.meta.dirname, "../../../../shared/fixtures");
/** JPEG XR CZIs that `packages/imaging/scripts/make_czi_jxr.ts` wrote with Debian's JxrEncApp (#16). */
const JXR_CZIS = join(import.meta.dirname, "../../imaging/reference/czi-jxr");

function seedDir(root: string, target: string, name: string): string {
  const d = join(root, target, name);
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d, { recursive: true });
  return d;
}

function fixture(root: string, target: TargetName, rel: string): Seed | undefined {
  const src = rel.startsWith("czi-jxr/") ? join(JXR_CZIS, rel.slice("czi-jxr/".length)) : join(FIXTURES, rel);
  if (!existsSync(src)) return undefined;
  const name = rel.replace(/[/\\]/g, "_");
  const d = seedDir(root, target, name);
  const base = rel.split("/").pop() as string;
  copyFileSync(src, join(d, base));
  return { name, dir: d, entry: base, mutable: [base] };
}

/** The same array as `.npy` format 3.0 (4-byte header length, UTF-8 header). */
function npyV3(v1: Uint8Array): Uint8Array {
  const hlen = new DataView(v1.buffer, v1.byteOffset).getUint16(8, true);
  const header = v1.subarray(10, 10 + hlen);
  const out = new Uint8Array(12 + header.length + (v1.length - 10 - hlen));
  out.set(v1.subarray(0, 6));
  out[6] = 3;
  out[7] = 0;
  new DataView(out.buffer).setUint32(8, header.length, true);
  out.set(header, 12);
  out.set(v1.subarray(10 + hlen), 12 + header.length);
  return out;
}

function smallCsr(n: number, m: number): SparseMatrix {
  const indptr = new Int32Array(n + 1);
  const idx: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i % 3; j < m; j += 3) {
      idx.push(j);
      val.push(1 + ((i * 7 + j) % 5));
    }
    indptr[i + 1] = idx.length;
  }
  return { format: "csr", shape: [n, m], data: Float32Array.from(val), indices: Int32Array.from(idx), indptr };
}

async function generated(root: string, target: TargetName): Promise<Seed[]> {
  const seeds: Seed[] = [];
  if (target === "npy") {
    const f32 = writeNpy(
      ndarray(
        Float32Array.from({ length: 35 }, (_, i) => i / 3),
        [7, 5],
      ) as never,
    );
    const arrays: Array<[string, Uint8Array]> = [
      ["f32.npy", f32],
      [
        "i64.npy",
        writeNpy(
          ndarray(
            BigInt64Array.from({ length: 10 }, (_, i) => BigInt(i - 5)),
            [10],
          ) as never,
        ),
      ],
      [
        "u16.npy",
        writeNpy(
          ndarray(
            Uint16Array.from({ length: 24 }, (_, i) => i * 1000),
            [2, 3, 4],
          ) as never,
        ),
      ],
      ["f32-v3.npy", npyV3(f32)],
    ];
    for (const [name, bytes] of arrays) {
      const d = seedDir(root, target, name);
      writeFileSync(join(d, name), bytes);
      seeds.push({ name, dir: d, entry: name, mutable: [name] });
    }
  } else if (target === "h5ad" || target === "h5ad-backed") {
    const d = seedDir(root, target, "generated.h5ad");
    const n = 12;
    const m = 9;
    const obsNames = Array.from({ length: n }, (_, i) => `cell${i}`);
    const obs = new DataFrame(obsNames, {
      cond: { kind: "string", values: obsNames.map((_, i) => (i % 2 ? "ctrl" : "MYOD1")) },
      n: { kind: "numeric", values: Float64Array.from(obsNames, (_, i) => i) },
    } as never);
    const a = new AnnData({ X: smallCsr(n, m), obs, var: new DataFrame(Array.from({ length: m }, (_, j) => `g${j}`)) });
    await writeH5ad(join(d, "g.h5ad"), a);
    seeds.push({ name: "generated.h5ad", dir: d, entry: "g.h5ad", mutable: ["g.h5ad"] });
  } else if (target === "mex") {
    for (const gzip of [false, true]) {
      const name = gzip ? "mex-gz" : "mex-plain";
      const d = seedDir(root, target, name);
      const n = 10;
      const m = 6;
      await writeMex(
        d,
        {
          X: smallCsr(n, m),
          barcodes: Array.from({ length: n }, (_, i) => `BC${i}-1`),
          featureIds: Array.from({ length: m }, (_, j) => `ENSG${j}`),
          featureNames: Array.from({ length: m }, (_, j) => `G${j}`),
          featureTypes: new Array(m).fill("Gene Expression"),
        },
        { gzip },
      );
      seeds.push({ name, dir: d, entry: "", mutable: readdirSync(d).sort() });
    }
  } else if (target === "frames") {
    const czi = join(FIXTURES, "czi/CellDivision_T3_Z5_CH2_X240_Y170_comp1.czi");
    if (existsSync(czi)) {
      const d = seedDir(root, target, "store");
      await convertCziToFrames([czi], d, { workers: 0, sourceChecksum: false });
      const files = (readdirSync(d, { recursive: true }) as string[]).filter((f) => f.endsWith(".h5") || f.endsWith(".json")).sort();
      seeds.push({ name: "store", dir: d, entry: "", mutable: files.map((f) => f.split("\\").join("/")) });
    }
  }
  return seeds;
}

const FIXTURE_FILES: Partial<Record<TargetName, string[]>> = {
  npy: ["czi/RGB-8bit_Gplane.npy"],
  h5ad: [
    "h5ad/anndata-0.11.4/adata.h5ad",
    "h5ad/anndataR/anndataR_example.h5ad",
    "h5ad/anndata-0.7.8/adata.h5ad",
    "h5ad/scanpy/10x_pbmc68k_reduced.h5ad",
  ],
  "h5ad-backed": ["h5ad/anndata-0.11.4/adata.h5ad", "h5ad/anndataR/anndataR_example.h5ad", "h5ad/anndata-0.7.8/adata.h5ad"],
  czi: [
    "czi/s_1_t_1_c_1_z_1.czi",
    "czi/CellDivision_T3_Z5_CH2_X240_Y170_comp1.czi",
    "czi/newCZI_compressed.czi",
    "czi/tiles.czi",
    "czi/RGB-8bit.czi",
    // JPEG XR subblocks: mutations reach jxrlib's wasm decoder (a trap must come out as a typed error)
    "czi-jxr/gray16-14bit-lossless.czi",
    "czi-jxr/bgr24-lossy.czi",
  ],
};

/** Build (or rebuild) the seeds of `target` under `root`. */
export async function buildSeeds(root: string, target: TargetName): Promise<Seed[]> {
  const seeds: Seed[] = [];
  for (const rel of FIXTURE_FILES[target] ?? []) {
    const s = fixture(root, target, rel);
    if (s) seeds.push(s);
  }
  seeds.push(...(await generated(root, target)));
  return seeds;
}
