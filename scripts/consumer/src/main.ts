/**
 * The Node consumer: compiled by `tsc` (strict, node16 resolution, skipLibCheck false) against the packed
 * tarballs, then run. Prints one JSON line that scripts/consumer-check.mjs checks. argv[2]: the fixtures folder
 * (optional; the fixture reads are skipped without it).
 */
import { fromTyped, HypedError, isSparse } from "@hyped/core";
import { nativeStatus } from "@hyped/core/hdf5";
import * as imaging from "@hyped/imaging";
import { openCzi, zstdBackendName } from "@hyped/imaging/czi";
import { gaussianFilter } from "@hyped/imaging/filters";
import { segmentFrame, segmentFrames } from "@hyped/imaging/segmentation";
import { generateFucciTimelapse } from "@hyped/imaging/synth";
import { pearson, ssim } from "@hyped/metrics";
import { ssimParallel } from "@hyped/metrics/parallel";
import * as seq from "@hyped/seq";
import { readH5ad } from "@hyped/seq/anndata";

// No @types/node here on purpose: the packages' types must not need it.
const proc = (globalThis as unknown as { process: { argv: string[] } }).process;
const fixtures = proc.argv[2];
const out: Record<string, unknown> = {};

const a = fromTyped(Float64Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
out.pearson = pearson(a, fromTyped(Float64Array.from([2, 4, 6, 8, 10, 12.5]), [2, 3]));
out.rootExports = { imaging: Object.keys(imaging).length, seq: Object.keys(seq).length };
out.native = nativeStatus();
out.zstd = await zstdBackendName();

// worker threads from the built files: metrics' worker file and imaging's segmentation worker chunk
const img = gaussianFilter(
  fromTyped(
    Float32Array.from({ length: 64 * 64 }, (_, i) => (i * 7919) % 251),
    [64, 64],
  ),
  1,
);
out.ssim = [ssim(img, img, { dataRange: 255 }), await ssimParallel(img, img, { dataRange: 255, workers: 1 })];
const movie = generateFucciTimelapse({ frames: 2, width: 96, height: 96, cells: 6, seed: 3 });
const frames = [movie.frames.pick(0, null, null, null), movie.frames.pick(1, null, null, null)];
const pooled = await segmentFrames(frames, { workers: 1 });
out.segment = [pooled.map((r) => r.objects.id.length), frames.map((f) => segmentFrame(f).objects.id.length)];

if (fixtures) {
  const ad = await readH5ad(`${fixtures}/h5ad/scanpy/10x_pbmc68k_reduced.h5ad`);
  const X = ad.X;
  if (!X || isSparse(X)) throw new HypedError("FORMAT", "expected a dense X", {});
  const nVar = ad.var.nRows;
  out.h5ad = { shape: [ad.obs.nRows, nVar], r01: pearson(X.pick(0, null), X.pick(1, null)) };
  const czi = await openCzi(`${fixtures}/czi/CellDivision_T3_Z5_CH2_X240_Y170_comp1.czi`);
  const raw = await openCzi(`${fixtures}/czi/CellDivision_T3_Z5_CH2_X240_Y170.czi`);
  const [p, q] = [await czi.readPlane({ T: 1, C: 1, Z: 2 }), await raw.readPlane({ T: 1, C: 1, Z: 2 })];
  out.czi = { shape: p.shape, pixelType: p.pixelType, r: pearson(p.data, q.data), equal: p.data.every((v, i) => v === q.data[i]) };
  await czi.close();
  await raw.close();
}
console.log(JSON.stringify(out));
