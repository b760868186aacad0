import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isHypedError, logGamma as lgamma } from "@hyped/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AnnData } from "../../anndata/index.js";
import {
  assignConditions,
  clrNormalize,
  demultiplexHashtags,
  demuxRows,
  fitNegBinomial,
  negBinomialCdf,
  negBinomialQuantile,
  simulateHashtags,
} from "../index.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const ref = JSON.parse(readFileSync(path.resolve(here, "../../../reference/perturb/demux_nbinom.json"), "utf8"));

function lcgCounts(seed: number, n: number, spread: number): number[] {
  let s = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(1664525, s) + 1013904223) >>> 0;
    const a = s % spread;
    s = (Math.imul(1664525, s) + 1013904223) >>> 0;
    const b = s % spread;
    out.push(Math.floor((a * b) / spread));
  }
  return out;
}

describe("negative binomial (scipy reference)", () => {
  it("lgamma matches scipy.special.gammaln", () => {
    for (const [v, want] of Object.entries(ref.gammaln as Record<string, number>)) expect(lgamma(Number(v))).toBeCloseTo(want, 9);
  });
  it("MLE fit and quantiles match scipy", () => {
    for (const c of ref.cases) {
      const fit = fitNegBinomial(lcgCounts(c.seed, c.n, c.spread));
      expect(fit.mu).toBeCloseTo(c.mu, 12);
      expect(Math.abs(fit.size - c.size) / c.size).toBeLessThan(1e-6);
      for (const [p, q] of Object.entries(c.quantiles as Record<string, number>)) expect(negBinomialQuantile(Number(p), fit)).toBe(q);
    }
  });
  it("quantile is the smallest k with CDF ≥ p (property)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 50, noNaN: true }),
        fc.double({ min: 0.2, max: 20, noNaN: true }),
        fc.double({ min: 0.01, max: 0.999, noNaN: true }),
        (mu, size, p) => {
          const q = negBinomialQuantile(p, { mu, size });
          expect(negBinomialCdf(q, { mu, size })).toBeGreaterThanOrEqual(p - 1e-12);
          if (q > 0) expect(negBinomialCdf(q - 1, { mu, size })).toBeLessThan(p);
        },
      ),
      { numRuns: 60 },
    );
  });
  it("under-dispersed data fit a Poisson", () => {
    expect(fitNegBinomial([3, 3, 3, 4, 2]).size).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("clrNormalize", () => {
  it("follows Seurat's formula (sum over positives, divided by full length)", () => {
    const x = Float64Array.from([0, 10, 5, 0, 20, 1]); // 3 cells × 2 hashtags
    const out = clrNormalize(x, 3, 2);
    const g0 = Math.exp((Math.log1p(5) + Math.log1p(20)) / 3);
    expect(out[2]).toBeCloseTo(Math.log1p(5 / g0), 14);
    expect(out[0]).toBe(0);
  });
});

function score(method: "clr-kmeans" | "gmm", seed: number) {
  const sim = simulateHashtags({ nCells: 1500, nHashtags: 4, seed });
  const r = demultiplexHashtags(sim.counts, { method, hashtags: sim.hashtags });
  let singlets = 0;
  let singletOk = 0;
  let doublets = 0;
  let doubletOk = 0;
  sim.truth.forEach((t, i) => {
    if (t === "Doublet") {
      doublets++;
      if (r.assignment[i] === "Doublet") doubletOk++;
    } else if (t !== "Negative") {
      singlets++;
      if (r.assignment[i] === t) singletOk++;
    }
  });
  return { acc: singletOk / singlets, recall: doubletOk / doublets, r, sim };
}

describe("demultiplexHashtags on simulated data with known truth", () => {
  for (const method of ["clr-kmeans", "gmm"] as const) {
    it(`${method}: singlet accuracy ≥ 0.98 and doublet recall ≥ 0.9 over seeds`, () => {
      for (const seed of [1, 2, 3]) {
        const { acc, recall } = score(method, seed);
        expect(acc).toBeGreaterThanOrEqual(0.98);
        expect(recall).toBeGreaterThanOrEqual(0.9);
      }
    });
  }

  it("reports margin, confidence, cutoffs; writes obs.assigned_condition", () => {
    const { r, sim } = score("clr-kmeans", 4);
    expect(r.cutoffs.every((c) => c > 0 && c < 100)).toBe(true);
    for (let i = 0; i < r.margin.length; i++) {
      expect(r.margin[i]).toBeGreaterThanOrEqual(0);
      expect(r.confidence[i]).toBeGreaterThanOrEqual(0);
      expect(r.confidence[i]).toBeLessThanOrEqual(1);
    }
    // confident singlets have larger margins than doublets on average
    const mean = (f: (i: number) => boolean) => {
      let s = 0;
      let n = 0;
      r.margin.forEach((m, i) => {
        if (f(i)) {
          s += m;
          n++;
        }
      });
      return s / n;
    };
    expect(mean((i) => r.classification[i] === "Singlet")).toBeGreaterThan(mean((i) => r.classification[i] === "Doublet"));
    const medianConf = [...r.confidence].sort((a, b) => a - b)[r.confidence.length >> 1] as number;
    expect(medianConf).toBeGreaterThan(0.9);
    const ad = new AnnData({ obsNames: sim.truth.map((_, i) => `cell${i}`), varNames: [] });
    assignConditions(ad, r, { HTO1: "control", HTO2: "MYOD1", HTO3: "PRRX1", HTO4: "MYOD1+PRRX1" });
    const col = ad.obs.get("assigned_condition").values();
    const i = r.assignment.indexOf("HTO2");
    expect(col[i]).toBe("MYOD1");
    expect(col[r.assignment.indexOf("Doublet")]).toBe("Doublet");
    expect(demuxRows(r)[0]).toHaveProperty("confidence");
    expect(() => assignConditions(ad, r, { HTO1: "a" })).toThrow(/HTO2/);
  });

  it("classic Seurat (positiveQuantile 0.99) gives lower cutoffs than the max-singlet search", () => {
    const sim = simulateHashtags({ nCells: 1500, seed: 1 });
    const classic = demultiplexHashtags(sim.counts, { positiveQuantile: 0.99 });
    const search = demultiplexHashtags(sim.counts);
    for (let j = 0; j < 4; j++) expect(classic.cutoffs[j]).toBeLessThanOrEqual(search.cutoffs[j] as number);
    const singlets = (r: typeof classic) => r.classification.filter((c) => c === "Singlet").length;
    expect(singlets(search)).toBeGreaterThanOrEqual(singlets(classic));
  });

  it("is deterministic and rejects bad input with typed errors", () => {
    const a = score("clr-kmeans", 5).r.assignment;
    const b = score("clr-kmeans", 5).r.assignment;
    expect(a).toEqual(b);
    try {
      demultiplexHashtags([[1], [2], [3]]);
      expect.unreachable();
    } catch (e) {
      expect(isHypedError(e, "INVALID_ARGUMENT")).toBe(true);
    }
    expect(() =>
      demultiplexHashtags([
        [1, 2],
        [3, -1],
        [0, 0],
      ]),
    ).toThrow(/non-negative/);
    expect(() =>
      demultiplexHashtags(
        [
          [1, 2],
          [3, 1],
          [0, 0],
        ],
        { method: "bff" as never },
      ),
    ).toThrow(/bff/);
  });
});
