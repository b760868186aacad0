/** Shared by the image-metric reference tests: the committed cases and how to check one. */
import { readFileSync } from "node:fs";
import { type AnyNdArray, fromTyped, isHypedError, readNpy } from "@hyped/core";
import { expect } from "vitest";
import { syntheticPair } from "../../internal/lcg.js";
import { psnr, type SsimOptions, ssim } from "../index.js";

export interface Check {
  metric: "psnr" | "ssim";
  options: Record<string, number | boolean>;
  value?: number | "Infinity";
  value_f64?: number;
  error?: string;
}
export interface Case {
  name: string;
  dtype: string;
  shape: number[];
  files?: [string, string];
  recipe?: { kind: "synthetic" | "synthetic_f32"; rows: number; cols: number; seed: number };
  checks: Check[];
}
const dir = new URL("../../../reference/image/", import.meta.url);
export const ref = JSON.parse(readFileSync(new URL("cases.json", dir), "utf8")) as {
  meta: { synthetic_42_digest: { clean_sum: number; noisy_sum: number; noisy_first: number[]; noisy_last: number[] } };
  cases: Case[];
};
export const npy = (f: string) => readNpy(new Uint8Array(readFileSync(new URL(f, dir))));

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

export function pair(c: Case): [AnyNdArray, AnyNdArray] {
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

export function checkCase(c: Case) {
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
