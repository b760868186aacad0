/** The LCG dataset of scripts/make_perturb_reference.py, shared by the perturbation and CLI tests. */
import { fromTyped } from "@hyped/core";
import { AnnData, categoricalFrom, DataFrame } from "../../anndata/index.js";

/** A 32-bit LCG: `s = 1664525·s + 1013904223 mod 2³²`. */
export function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(1664525, s) + 1013904223) >>> 0;
    return s;
  };
}

/** The dataset of make_perturb_reference.py. */
export function makeData(): AnnData {
  const next = lcg(7);
  const conds = ["ctrl", "g1", "g2", "g1+g2"];
  const phases = ["G1", "S", "G2M"];
  const n = 60;
  const g = 12;
  const x = new Float64Array(n * g);
  const cond = Array.from({ length: n }, (_, i) => conds[i % 4] as string);
  const phase = Array.from({ length: n }, (_, i) => phases[Math.floor(i / 4) % 3] as string);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < g; j++) {
      let v = (next() % 1000) / 100;
      const parts = (cond[i] as string).split("+");
      if (parts.includes("g1") && (j === 3 || j === 4)) v += 2 + (phase[i] === "S" ? 0.5 : 0);
      if (parts.includes("g2") && j >= 5 && j <= 7) v -= 1;
      x[i * g + j] = v;
    }
  }
  return new AnnData({
    X: fromTyped(x, [n, g]),
    obs: new DataFrame(
      cond.map((_, i) => `c${i}`),
      { condition: categoricalFrom(cond), phase: categoricalFrom(phase) },
    ),
    varNames: Array.from({ length: g }, (_, j) => `g${j}`),
  });
}
