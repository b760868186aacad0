import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromTyped, writeNpy } from "@hyped/core";
import { mse, pearson, psnr, snr, ssim } from "@hyped/metrics";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "hyped-metrics-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const H = 20;
const W = 24;
const A = Uint16Array.from({ length: H * W }, (_, i) => (i * 2654435761) % 16384);
const B = Uint16Array.from(A, (v, i) => Math.min(16383, v + ((i * 7) % 300)));
const M = Uint8Array.from(A, (v) => (v > 8000 ? 1 : 0));
const a = fromTyped(A, [H, W]);
const b = fromTyped(B, [H, W]);
const fa = fromTyped(
  Float32Array.from(A, (v) => v / 16383),
  [H, W],
);
const save = (name: string, x: Parameters<typeof writeNpy>[0]) => {
  const p = join(dir, name);
  writeFileSync(p, writeNpy(x));
  return p;
};
const pa = save("a.npy", a);
const pb = save("b.npy", b);
const pm = save("m.npy", fromTyped(M, [H, W]));
const pf = save("f.npy", fa);
const pv = save("v.npy", fromTyped(new Float64Array([1, 2, 3]), [3]));

const cli = runCli;

describe("hyped metrics", () => {
  it("prints the value, and {value} with --json", async () => {
    const t = await cli(["metrics", "mse", pa, pb]);
    expect(t.code).toBe(0);
    expect(Number(t.out.trim())).toBe(mse(a, b));
    const j = await cli(["metrics", "pearson", pa, pb, "--json"]);
    expect(JSON.parse(j.out)).toEqual({ value: pearson(a, b) });
  });

  it("psnr and ssim take --data-range and the ssim flags", async () => {
    const p = await cli(["metrics", "psnr", pa, pb, "--data-range", "16383", "--json"]);
    expect(JSON.parse(p.out).value).toBe(psnr(a, b, { dataRange: 16383 }));
    const s = await cli([
      "metrics",
      "ssim",
      pa,
      pb,
      "--gaussian-weights",
      "--no-sample-covariance",
      "--sigma",
      "1.2",
      "--win-size",
      "9",
      "--json",
    ]);
    expect(JSON.parse(s.out).value).toBe(ssim(a, b, { gaussianWeights: true, useSampleCovariance: false, sigma: 1.2, winSize: 9 }));
    const same = await cli(["metrics", "psnr", pa, pa, "--json"]);
    expect(JSON.parse(same.out)).toEqual({ value: "Infinity" });
  });

  it("snr takes an image and a mask", async () => {
    const r = await cli(["metrics", "snr", pb, pm, "--definition", "(mean-fg - mean-bg)/std-bg", "--unit", "dB"]);
    expect(r.code).toBe(0);
    expect(Number(r.out.trim())).toBe(snr(b, M, { definition: "(mean-fg - mean-bg)/std-bg", unit: "dB" }));
  });

  it("exit 1 with a typed message on bad data, 2 on bad usage", async () => {
    const f = await cli(["metrics", "psnr", pf, pf]);
    expect(f.code).toBe(1);
    expect(f.err).toMatch(/INVALID_ARGUMENT: psnr: floating-point input/);
    const m = await cli(["metrics", "mse", pa, pv]);
    expect(m.code).toBe(1);
    expect(m.err).toMatch(/SHAPE_MISMATCH/);
    expect((await cli(["metrics", "nope", pa, pb])).code).toBe(2);
    expect((await cli(["metrics", "ssim", pa, pb, "--win-size", "x"])).code).toBe(2);
  });
});
