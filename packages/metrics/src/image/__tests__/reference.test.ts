import { readFileSync } from "node:fs";
import { type AnyNdArray, fromTyped, isHypedError, readNpy } from "@hyped/core";
import { describe, expect, it } from "vitest";
import { syntheticPair } from "../../internal/lcg.js";
import { psnr, type SsimOptions, ssim } from "../index.js";

interface Check {
  metric: "psnr" | "ssim";
  options: Record<string, number | boolean>;
  value?: number | "Infinity";
  value_f64?: number;
  error?: string;
}
interface Case {
  name: string;
  dtype: string;
  shape: number[];
  files?: [string, string];
  recipe?: { kind: "synthetic" | "synthetic_f32"; rows: number; cols: number; seed: number };
  checks: Check[];
}
const dir = new URL("../../../reference/image/", import.meta.url);
const ref = JSON.parse(readFileSync(new URL("cases.json", dir), "utf8")) as {
  meta: { synthetic_42_digest: { clean_sum: number; noisy_sum: number; noisy_first: number[]; noisy_last: number[] } };
  cases: Case[];
};
const npy = (f: string) => readNpy(new Uint8Array(readFileSync(new URL(f, dir))));

/** scikit-image keyword arguments → our options. */
function opts(o: Check["options"]): SsimOptions {
  const out: SsimOptions = {};
  if (o.data_range !== undefined) out.dataRange = o.data_range as number;
  if (o.win_size !== undefined) out.winSize = o.win_size as number;
  if (o.gaussian_weights !== undefined) out.gaussianWeights = o.gaussian_weights as boolean;
  if (o.sigma !== undefined) out.sigma = o.sigma as number;
  if (o.use_sample_covariance !== undefined) out.useSampleCovariance = o.use_sample_covariance as boolean;
  if (o.K1 !== undefined) out.K1 = o.K1 as number;
  if (o.K2 !== undefined) out.K2 = o.K2 as number;
  return out;
}

function pair(c: Case): [AnyNdArray, AnyNdArray] {
  if (c.files) return [npy(c.files[0]), npy(c.files[1])];
  const r = c.recipe as NonNullable<Case["recipe"]>;
  const { clean, noisy } = syntheticPair(r.rows, r.cols, r.seed);
  if (r.kind === "synthetic") return [fromTyped(clean, [r.rows, r.cols]), fromTyped(noisy, [r.rows, r.cols])];
  const f = (u: Uint16Array) => {
    const out = new Float32Array(u.length);
    for (let i = 0; i < u.length; i++) out[i] = (u[i] as number) / 16383;
    return out;
  };
  return [fromTyped(f(clean), [r.rows, r.cols]), fromTyped(f(noisy), [r.rows, r.cols])];
}

function checkCase(c: Case) {
  const [a, b] = pair(c);
  for (const k of c.checks) {
    const o = opts(k.options);
    const run = () => (k.metric === "psnr" ? psnr(a, b, o) : ssim(a, b, o));
    const label = `${k.metric} ${JSON.stringify(k.options)}`;
    if (k.error) {
      let err: unknown;
      try {
        run();
      } catch (e) {
        err = e;
      }
      expect(isHypedError(err, "INVALID_ARGUMENT"), `${label} should throw`).toBe(true);
      continue;
    }
    const got = run() as number;
    if (k.value === "Infinity") {
      expect(got, label).toBe(Number.POSITIVE_INFINITY);
      continue;
    }
    const want = k.value as number;
    if (c.dtype === "float32") {
      // scikit-image computes float32 input in float32; we compute in float64.
      expect(Math.abs(got - want), `${label}: ${got} vs skimage(float32) ${want}`).toBeLessThanOrEqual(1e-6);
      expect(Math.abs(got - (k.value_f64 as number)), `${label}: ${got} vs skimage(float64) ${k.value_f64}`).toBeLessThanOrEqual(1e-9);
    } else {
      expect(Math.abs(got - want), `${label}: ${got} vs skimage ${want}`).toBeLessThanOrEqual(1e-9);
    }
  }
}

describe("image metrics agree with scikit-image 0.19 (reference/image/cases.json)", () => {
  it("has at least 12 image pairs", () => {
    expect(ref.cases.length).toBeGreaterThanOrEqual(12);
  });
  for (const c of ref.cases.filter((c) => c.files)) {
    it(`${c.name} (${c.dtype} ${c.shape.join("x")})`, () => checkCase(c));
  }

  it("ssim full map equals skimage's map (box and Gaussian)", () => {
    const a = npy("u8_64x80_a.npy");
    const b = npy("u8_64x80_b.npy");
    for (const [file, o] of [
      ["u8_64x80_ssim_map.npy", {}],
      ["u8_64x80_ssim_map_gauss.npy", { gaussianWeights: true }],
    ] as const) {
      const want = npy(file).data as Float64Array;
      const { mssim, map } = ssim(a, b, { ...o, full: true });
      expect(map.shape).toEqual([64, 80]);
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs((map.data[i] as number) - (want[i] as number)));
      expect(worst).toBeLessThan(1e-12);
      expect(mssim).toBeCloseTo(ssim(a, b, o), 15);
    }
  });

  // The 2826x3245 frames are checked in fullsize.test.ts.
});
