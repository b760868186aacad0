import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { denseToCsr, fromTyped, isHypedError } from "@hyped/core";
import { describe, expect, it } from "vitest";
import { AnnData } from "../../anndata/index.js";
import { rankGenesGroups } from "../../de/index.js";
import {
  AdditiveModel,
  EVAL_COLUMNS,
  eDistance,
  evaluatePerturbation,
  GearsPredictions,
  LinearModel,
  MeanPerturbationModel,
  NoChangeModel,
  rowsToCsv,
  splitCondition,
  trainingDataFromAnnData,
} from "../index.js";
import { lcg, makeData } from "./make-data.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const ref = JSON.parse(readFileSync(path.resolve(here, "../../../reference/perturb/perturb_reference.json"), "utf8"));

const close = (a: ArrayLike<number>, b: number[], tol = 1e-9) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < b.length; i++)
    expect(Math.abs((a[i] as number) - (b[i] as number))).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b[i] as number)));
};

describe("baselines", () => {
  const ad = makeData();
  const data = trainingDataFromAnnData(ad, { conditionColumn: "condition", control: "ctrl", train: ["g1", "g2"] });

  it("splitCondition follows GEARS naming", () => {
    expect(splitCondition("MYOD1+PRRX1")).toEqual(["MYOD1", "PRRX1"]);
    expect(splitCondition("PRRX1+ctrl")).toEqual(["PRRX1"]);
  });

  it("no-change and mean-of-perturbations", () => {
    const nc = new NoChangeModel();
    nc.fit(data);
    close(nc.predict("g1+g2"), Array.from(data.control), 0);
    const mp = new MeanPerturbationModel();
    mp.fit(data);
    const g1 = data.perturbations.get("g1") as Float64Array;
    const g2 = data.perturbations.get("g2") as Float64Array;
    close(
      mp.predict("anything"),
      Array.from(g1, (v, j) => (v + (g2[j] as number)) / 2),
      1e-12,
    );
  });

  it("additive matches numpy", () => {
    const m = new AdditiveModel();
    m.fit(data);
    for (const c of ["g1", "g2", "g1+g2"]) close(m.predict(c), ref.additive[c]);
    expect(() => m.predict("g9")).toThrow(/g9/);
  });

  it("linear model (Ahlmann-Eltze et al. 2025, λ = 0.1) matches numpy", () => {
    const m = new LinearModel();
    m.fit(data);
    for (const c of ["g1", "g2", "g1+g2"]) close(m.predict(c), ref.linear_small[c], 1e-8);
    // 40 genes × 8 perturbations, K = 3
    const next = lcg(11);
    const genes = Array.from({ length: 40 }, (_, j) => `g${j}`);
    const y = genes.map(() => Array.from({ length: 8 }, () => (next() % 10000) / 1000));
    const perturbations = new Map(Array.from({ length: 8 }, (_, k) => [`g${k}`, Float64Array.from(y, (row) => row[k] as number)] as const));
    const big = new LinearModel({ nComponents: 3 });
    big.fit({ genes, control: new Float64Array(40), perturbations });
    for (const c of ["g0", "g3+g5", "g7"]) close(big.predict(c), ref.linear_large[c], 1e-8);
    try {
      big.predict("NOPE");
      expect.unreachable();
    } catch (e) {
      expect(isHypedError(e, "NOT_FOUND")).toBe(true);
    }
  });

  it("GEARS adapter reads wide, long and transposed CSV and h5ad-like AnnData, aligning genes", () => {
    const genes = ad.varNames;
    const prof = Array.from({ length: 12 }, (_, j) => j / 10);
    const wide = `condition,${[...genes].reverse().join(",")}\ng1_g2,${[...prof].reverse().join(",")}\n`;
    const gp = GearsPredictions.fromCsv(wide);
    gp.fit(data);
    close(gp.predict("g1+g2"), prof, 0);
    close(gp.predict("g2+g1"), prof, 0);
    const long = `gene,condition,value\n${genes.map((g, j) => `${g},g1+ctrl,${prof[j]}`).join("\n")}\n`;
    const gl = GearsPredictions.fromCsv(long);
    gl.fit(data);
    close(gl.predict("g1"), prof, 0);
    const tr = `gene,g1,g2\n${genes.map((g, j) => `${g},${prof[j]},0`).join("\n")}\n`;
    const gt = GearsPredictions.fromCsv(tr, { transposed: true });
    gt.fit(data);
    close(gt.predict("g1"), prof, 0);
    const a = new AnnData({ X: fromTyped(Float64Array.from(prof), [1, 12]), obsNames: ["g1"], varNames: genes });
    const ga = GearsPredictions.fromAnnData(a);
    ga.fit(data);
    close(ga.predict("g1"), prof, 0);
    expect(() => GearsPredictions.fromCsv("condition,g0\nx,abc\n")).toThrow(/abc/);
    const partial = GearsPredictions.fromCsv("condition,g0\ng1,1\n");
    expect(() => partial.fit(data)).toThrow(/lack 11/);
  });
});

describe("evaluatePerturbation", () => {
  it("matches numpy/scipy per condition × phase, and is the same on sparse X", async () => {
    const ad = makeData();
    const add = new AdditiveModel();
    add.fit(trainingDataFromAnnData(ad, { conditionColumn: "condition", control: "ctrl", train: ["g1", "g2"] }));
    // E-distance check: cell-level predictions = observed cells + 0.25
    const cellPredictions = new Map();
    const conds = ad.obs.get("condition").values();
    const phases = ad.obs.get("phase").values();
    const X = ad.X as ReturnType<typeof fromTyped>;
    for (const c of ["g1", "g2", "g1+g2"])
      for (const p of ["G1", "S", "G2M", "all"]) {
        const rows = conds.flatMap((v, i) => (v === c && (p === "all" || phases[i] === p) ? [i] : []));
        const d = new Float64Array(rows.length * 12);
        rows.forEach((i, r) => {
          for (let j = 0; j < 12; j++) d[r * 12 + j] = Number(X.get(i, j)) + 0.25;
        });
        cellPredictions.set(`${c}|${p}`, fromTyped(d, [rows.length, 12]));
      }
    for (const variant of [ad, new AnnData({ X: denseToCsr(X), obs: ad.obs, var: ad.var })]) {
      const rows = await evaluatePerturbation(variant, add, {
        conditionColumn: "condition",
        control: "ctrl",
        groupBy: "phase",
        topN: 4,
        cellPredictions,
      });
      expect(rows.length).toBe(12);
      for (const want of ref.rows) {
        const got = rows.find((r) => r.condition === want.condition && r.group === want.group);
        expect(got, `${want.condition}/${want.group}`).toBeDefined();
        if (!got) continue;
        expect(got.model).toBe("additive");
        expect(got.nCells).toBe(want.nCells);
        for (const k of [
          "cosine",
          "mse",
          "mae",
          "pearson",
          "pearsonDe",
          "pearsonDelta",
          "pearsonDeltaDe",
          "directionFraction",
          "discrimination",
        ] as const) {
          expect(Math.abs(got[k] - want[k]), `${k} ${want.condition}/${want.group}`).toBeLessThan(1e-9);
        }
        expect(got.eDistance).toBeCloseTo(want.eDistanceShift025, 9);
        expect(got.overlapAtN).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it("perfect predictions score perfectly; CSV has every column", async () => {
    const ad = makeData();
    const perfect = (cond: string, group: string) => {
      const conds = ad.obs.get("condition").values();
      const ph = ad.obs.get("phase").values();
      const rows = conds.flatMap((v, i) => (v === cond && (group === "all" || ph[i] === group) ? [i] : []));
      const X = ad.X as ReturnType<typeof fromTyped>;
      return Float64Array.from({ length: 12 }, (_, j) => rows.reduce((s, i) => s + Number(X.get(i, j)), 0) / rows.length);
    };
    const rows = await evaluatePerturbation(ad, perfect, {
      conditionColumn: "condition",
      control: "ctrl",
      groupBy: "phase",
      topN: 4,
      model: "oracle",
    });
    for (const r of rows) {
      expect(r.cosine).toBeCloseTo(1, 12);
      expect(r.mse).toBeCloseTo(0, 12);
      expect(r.pearsonDelta).toBeCloseTo(1, 12);
      expect(r.directionFraction).toBe(1);
      expect(r.overlapAtN).toBe(1);
      expect(r.discrimination).toBe(1);
      expect(Number.isNaN(r.eDistance)).toBe(true);
    }
    const csv = rowsToCsv(rows, EVAL_COLUMNS);
    expect(csv.split("\n")[0]).toBe(EVAL_COLUMNS.join(","));
    expect(csv.trim().split("\n").length).toBe(rows.length + 1);
    await expect(evaluatePerturbation(ad, new Map(), { conditionColumn: "condition", control: "ctrl" })).rejects.toThrow(/no prediction/);
    await expect(evaluatePerturbation(ad, perfect, { conditionColumn: "condition", control: "nope" })).rejects.toThrow(/nope/);
  });

  it("deMethod ranks DE genes with rankGenesGroups (reference = control, by |score|); cancellation is ABORTED", async () => {
    const ad = makeData();
    const add = new AdditiveModel();
    add.fit(trainingDataFromAnnData(ad, { conditionColumn: "condition", control: "ctrl", train: ["g1", "g2"] }));
    const de = rankGenesGroups(ad.obsSubset(ad.obs.get("condition").isIn(["ctrl", "g1"])), "condition", {
      method: "t-test",
      reference: "ctrl",
      groups: ["g1"],
      nGenes: 3,
      rankbyAbs: true,
    }).names;
    const viaMethod = await evaluatePerturbation(ad, add, {
      conditionColumn: "condition",
      control: "ctrl",
      conditions: ["g1"],
      topN: 3,
      deMethod: "t-test",
    });
    const viaGiven = await evaluatePerturbation(ad, add, {
      conditionColumn: "condition",
      control: "ctrl",
      conditions: ["g1"],
      topN: 3,
      deGenes: de,
    });
    expect(viaMethod).toEqual(viaGiven);
    expect(de.g1?.length).toBe(3);
    expect(Number.isFinite(viaMethod[0]?.pearsonDe)).toBe(true);
    const ac = new AbortController();
    ac.abort();
    await expect(evaluatePerturbation(ad, add, { conditionColumn: "condition", control: "ctrl", signal: ac.signal })).rejects.toThrow(
      /cancelled/,
    );
  });

  it("E-distance: sqeuclidean closed form equals the pairwise definition; euclidean is symmetric and zero on equal sets", () => {
    const next = lcg(3);
    const x = Float64Array.from({ length: 20 * 5 }, () => (next() % 100) / 10);
    const y = Float64Array.from({ length: 15 * 5 }, () => (next() % 100) / 10 + 1);
    const pw = (a: Float64Array, na: number, b: Float64Array, nb: number) => {
      let s = 0;
      for (let i = 0; i < na; i++)
        for (let k = 0; k < nb; k++) {
          let t = 0;
          for (let j = 0; j < 5; j++) t += ((a[i * 5 + j] as number) - (b[k * 5 + j] as number)) ** 2;
          s += t;
        }
      return s / (na * nb);
    };
    const want = 2 * pw(x, 20, y, 15) - pw(x, 20, x, 20) - pw(y, 15, y, 15);
    expect(eDistance(x, 20, y, 15, 5)).toBeCloseTo(want, 9);
    expect(eDistance(x, 20, y, 15, 5, { metric: "euclidean" })).toBeCloseTo(eDistance(y, 15, x, 20, 5, { metric: "euclidean" }), 12);
    expect(eDistance(x, 20, x, 20, 5, { metric: "euclidean" })).toBeCloseTo(0, 12);
  });
});
