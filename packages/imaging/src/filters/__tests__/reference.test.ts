/**
 * Agreement with scikit-image 0.19.3 / scipy 1.10 on 11 generated images (reference/filters/small.json,
 * made by scripts/make_filters_reference.py).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { type AnyNdArray, fromTyped, markBool } from "@hyped/core";
import { describe, expect, it } from "vitest";
import {
  binaryDilation,
  binaryErosion,
  binaryOpening,
  distanceTransformEdt,
  fillHoles,
  gaussianFilter,
  label,
  peakLocalMax,
  percentiles,
  regionProps,
  removeSmallObjects,
  rescaleIntensity,
  thresholdOtsu,
  watershed,
} from "../index.js";
import { canon, castImage, flatList, samplePositions, synth } from "./synth.js";

interface Ref {
  name: string;
  shape: [number, number];
  dtype: string;
  spec: number[];
  gaussian: Record<string, unknown>;
  otsu: number;
  otsu_nbins64: number;
  otsu_gauss: number;
  percentile: number[];
  mask: number[][];
  edt: number[][];
  edt_sampling: number[];
  label8: number[][];
  label4: number[][];
  label_values: number[][];
  peaks: Record<string, number[][]>;
  markers: number[][];
  watershed: Record<string, number[][]>;
  regionprops: Record<string, unknown[]>;
  morphology: Record<string, number[][]>;
  rescale: Record<string, number[]>;
}

const file = resolve(__dirname, "../../../reference/filters/small.json");
const ref = JSON.parse(readFileSync(file, "utf8")) as { versions: Record<string, string>; images: Ref[] };

function build(r: Ref): AnyNdArray {
  const [rows, cols, nb, rmax, amp, base, noise, seed] = r.spec as [number, number, number, number, number, number, number, number];
  return castImage(synth(rows, cols, nb, rmax, amp, base, noise, seed), rows, cols, r.dtype);
}

const nd = (a: number[][], ctor: "int32" | "float64" | "bool" = "int32"): AnyNdArray => {
  const rows = a.length;
  const cols = a[0]?.length ?? 0;
  const flat = flatList(a);
  if (ctor === "float64") return fromTyped(Float64Array.from(flat), [rows, cols]) as AnyNdArray;
  if (ctor === "bool") return markBool(fromTyped(Uint8Array.from(flat), [rows, cols])) as AnyNdArray;
  return fromTyped(Int32Array.from(flat), [rows, cols]) as AnyNdArray;
};

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function range(a: ArrayLike<number>): number {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < a.length; i++) {
    lo = Math.min(lo, a[i]!);
    hi = Math.max(hi, a[i]!);
  }
  return hi - lo || 1;
}

const at = (data: ArrayLike<number>, pos: number[]) => pos.map((p) => data[p]!);

console.log(
  `reference: scikit-image ${ref.versions.skimage}, scipy ${ref.versions.scipy}, numpy ${ref.versions.numpy}; ${ref.images.length} images`,
);

describe.each(ref.images.map((r) => [r.name, r] as const))("%s", (_name, r) => {
  const img = build(r);
  const [rows, cols] = r.shape;
  const size = rows * cols;
  const pos = samplePositions(300, size, 99);

  it("gaussianFilter matches skimage.filters.gaussian (max abs diff <= 1e-6 of range)", () => {
    const full = gaussianFilter(img, 1);
    expect(full.data instanceof Float32Array).toBe(r.dtype === "float32");
    const want = flatList(r.gaussian.s1_nearest);
    expect(maxAbs(full.data, want) / range(want)).toBeLessThanOrEqual(1e-6);
    const variants: [string, () => AnyNdArray][] = [
      ["s2.5_reflect", () => gaussianFilter(img, 2.5, { mode: "reflect" })],
      ["s1.5_constant", () => gaussianFilter(img, 1.5, { mode: "constant", cval: 0.25 })],
      ["s0.7_mirror_t3", () => gaussianFilter(img, 0.7, { mode: "mirror", truncate: 3 })],
      ["s1_wrap_pr", () => gaussianFilter(img, [1.2, 0.8], { mode: "wrap", preserveRange: true })],
    ];
    for (const [k, f] of variants) {
      const w = r.gaussian[k] as number[];
      const got = at(f().data as ArrayLike<number>, pos);
      expect(maxAbs(got, w) / range(w), k).toBeLessThanOrEqual(1e-6);
    }
  });

  it("thresholdOtsu is identical to skimage.filters.threshold_otsu", () => {
    expect(thresholdOtsu(img)).toBe(r.otsu);
    expect(thresholdOtsu(img, { nbins: 64 })).toBe(r.otsu_nbins64);
    expect(thresholdOtsu(gaussianFilter(img, 1))).toBe(r.otsu_gauss);
  });

  it("percentiles match numpy.percentile (linear)", () => {
    const got = percentiles(img, [0, 2, 50, 98, 99.5, 100]);
    got.forEach((v, i) => {
      expect(Math.abs(v - r.percentile[i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(v)));
    });
  });

  const mask = nd(r.mask, "bool");

  it("distanceTransformEdt matches scipy (<= 1e-9)", () => {
    expect(maxAbs(distanceTransformEdt(mask).data, flatList(r.edt))).toBeLessThanOrEqual(1e-9);
    expect(maxAbs(at(distanceTransformEdt(mask, { sampling: [0.5, 1.25] }).data, pos), r.edt_sampling)).toBeLessThanOrEqual(1e-9);
  });

  it("label is identical up to renumbering", () => {
    expect(Array.from(canon(label(mask).data))).toEqual(Array.from(canon(flatList(r.label8))));
    expect(Array.from(canon(label(mask, { connectivity: 1 }).data))).toEqual(Array.from(canon(flatList(r.label4))));
    expect(Array.from(canon(label(img).data))).toEqual(Array.from(canon(flatList(r.label_values))));
  });

  it("peakLocalMax gives identical peaks (same order)", () => {
    const edt = nd(r.edt, "float64");
    const lab8 = nd(r.label8);
    const cases: [string, () => AnyNdArray][] = [
      ["edt_md3", () => peakLocalMax(edt, { minDistance: 3 })],
      [
        "edt_md1_labels",
        () =>
          peakLocalMax(edt, {
            minDistance: 1,
            footprint: nd(
              [
                [1, 1, 1],
                [1, 1, 1],
                [1, 1, 1],
              ],
              "bool",
            ),
            labels: lab8,
            excludeBorder: false,
          }),
      ],
      ["edt_md4_mask", () => peakLocalMax(edt, { minDistance: 4, labels: nd(r.mask), excludeBorder: false })],
      ["img_md2_rel", () => peakLocalMax(img, { minDistance: 2, thresholdRel: 0.3 })],
      ["img_md5_np7", () => peakLocalMax(img, { minDistance: 5, numPeaks: 7, excludeBorder: 1 })],
      ["img_md2_p2", () => peakLocalMax(img, { minDistance: 2, pNorm: 2, excludeBorder: false })],
    ];
    for (const [k, f] of cases) expect(Array.from(f().data as Int32Array), k).toEqual(flatList(r.peaks[k]));
  });

  it("watershed matches skimage.segmentation.watershed (tie pixels counted, < 0.01%)", () => {
    const edt = nd(r.edt, "float64");
    const neg = fromTyped(
      Float64Array.from(flatList(r.edt), (v) => -v),
      [rows, cols],
    ) as AnyNdArray;
    void edt;
    const markers = nd(r.markers);
    const cases: [string, () => AnyNdArray][] = [
      ["edt_c1", () => watershed(neg, markers, { mask })],
      ["edt_c2", () => watershed(neg, markers, { mask, connectivity: 2 })],
      ["edt_line", () => watershed(neg, markers, { mask, watershedLine: true })],
      ["edt_compact", () => watershed(neg, markers, { mask, compactness: 0.5 })],
      ["img_nomask", () => watershed(img, markers)],
    ];
    const counts: string[] = [];
    for (const [k, f] of cases) {
      const got = f().data as Int32Array;
      const want = flatList(r.watershed[k]);
      let diff = 0;
      for (let i = 0; i < size; i++) if (got[i] !== want[i]) diff++;
      counts.push(`${k}=${diff}`);
      expect(diff / size, k).toBeLessThan(1e-4);
    }
    console.log(`${r.name}: watershed differing (tie) pixels of ${size}: ${counts.join(", ")}`);
  });

  it("regionProps matches skimage.measure.regionprops", () => {
    const t = regionProps(nd(r.label8), img);
    const rp = r.regionprops;
    expect(Array.from(t.label)).toEqual(rp.label);
    expect(Array.from(t.area)).toEqual(rp.area);
    const close = (got: ArrayLike<number>, want: number[], tol: number, what: string) => {
      want.forEach((w, i) => {
        expect(Math.abs(got[i]! - w), `${what}[${i}]`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(w)));
      });
    };
    close(
      t.centroidRow,
      (rp.centroid as number[][]).map((c) => c[0]!),
      1e-12,
      "centroidRow",
    );
    close(
      t.centroidCol,
      (rp.centroid as number[][]).map((c) => c[1]!),
      1e-12,
      "centroidCol",
    );
    expect(
      (rp.bbox as number[][]).map((b, i) => [t.bboxMinRow[i], t.bboxMinCol[i], t.bboxMaxRow[i], t.bboxMaxCol[i]].map((v, j) => v! - b[j]!)),
    ).toEqual((rp.bbox as number[][]).map(() => [0, 0, 0, 0]));
    const I = t.intensity.intensity!;
    close(I.mean, rp.mean_intensity as number[], 1e-6, "mean");
    close(I.min, rp.min_intensity as number[], 0, "min");
    close(I.max, rp.max_intensity as number[], 0, "max");
    close(t.eccentricity!, rp.eccentricity as number[], 1e-7, "eccentricity");
    close(t.majorAxisLength!, rp.major_axis_length as number[], 1e-9, "major");
    close(t.minorAxisLength!, rp.minor_axis_length as number[], 1e-7, "minor");
    // orientation is defined modulo π: ±π/2 are the same axis (the sign of a zero cross-moment decides)
    (rp.orientation as number[]).forEach((w, i) => {
      const d = Math.abs(t.orientation![i]! - w);
      expect(Math.min(d, Math.abs(Math.PI - d)), `orientation[${i}]`).toBeLessThanOrEqual(1e-7);
    });
    close(t.perimeter!, rp.perimeter as number[], 1e-12, "perimeter");
    close(t.solidity!, rp.solidity as number[], 1e-12, "solidity");
  });

  it("binary morphology matches scipy.ndimage / skimage.morphology", () => {
    const m = r.morphology;
    const eq = (got: AnyNdArray, k: string) => expect(Array.from(got.data as Uint8Array | Int32Array), k).toEqual(flatList(m[k]));
    eq(binaryErosion(mask), "erosion");
    eq(binaryErosion(mask, { structure: 2, iterations: 2 }), "erosion_sq2");
    eq(binaryDilation(mask), "dilation");
    eq(binaryOpening(mask), "opening");
    eq(binaryErosion(mask, { borderValue: 1 }), "erosion_border1");
    eq(fillHoles(mask), "fill_holes");
    eq(removeSmallObjects(mask, { minSize: 20 }), "remove_small_20");
    eq(removeSmallObjects(nd(r.label8), { minSize: 30 }), "remove_small_labels_30");
  });

  it("rescaleIntensity matches skimage.exposure.rescale_intensity", () => {
    const d = at(rescaleIntensity(img).data as ArrayLike<number>, pos);
    expect(maxAbs(d, r.rescale.default!)).toBeLessThanOrEqual(1e-6 * range(r.rescale.default!));
    const p98 = percentiles(img, [98])[0]!;
    const s = at(rescaleIntensity(img, { inRange: [0, p98], outRange: [0, 1] }).data as ArrayLike<number>, pos);
    expect(maxAbs(s, r.rescale.in_0_p98_out_01!)).toBeLessThanOrEqual(1e-6);
  });
});
