import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { fromTyped, isHypedError } from "@hyped/core";
import { describe, expect, it } from "vitest";
import { AnnData, categoricalFrom, DataFrame } from "../../anndata/index.js";
import { embeddingBenchmark } from "../../perturb/index.js";
import { buildTinyBert, OnnxEmbeddingModel, resolveLayerOutput, TINY_BERT_EPS, type TinyBertWeights } from "../index.js";

/** Plain float64 forward pass of the tiny BERT, written from the BERT equations (independent of ONNX Runtime). */
function forward(w: TinyBertWeights, ids: number[]): number[][][] {
  const { hidden: H, heads: NH, intermediate: I } = w.config;
  const S = ids.length;
  const hd = H / NH;
  const lin = (x: number[], W: Float32Array, b: Float32Array, nIn: number, nOut: number) =>
    Array.from({ length: nOut }, (_, o) => {
      let s = b[o] as number;
      for (let i = 0; i < nIn; i++) s += (x[i] as number) * (W[i * nOut + o] as number);
      return s;
    });
  const ln = (x: number[], g: Float32Array, b: Float32Array) => {
    const m = x.reduce((a, v) => a + v, 0) / x.length;
    const v = x.reduce((a, t) => a + (t - m) ** 2, 0) / x.length;
    return x.map((t, i) => ((t - m) / Math.sqrt(v + TINY_BERT_EPS)) * (g[i] as number) + (b[i] as number));
  };
  const erf = (x: number) => {
    // Abramowitz–Stegun 7.1.26 is too coarse; use a series/continued fraction via Math: high-precision erf
    const t = 1 / (1 + 0.5 * Math.abs(x));
    const y =
      1 -
      t *
        Math.exp(
          -x * x -
            1.26551223 +
            t *
              (1.00002368 +
                t *
                  (0.37409196 +
                    t *
                      (0.09678418 +
                        t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
        );
    return x >= 0 ? y : -y;
  };
  let h = ids.map((id, s) =>
    ln(
      Array.from({ length: H }, (_, j) => (w.wordEmb[id * H + j] as number) + (w.posEmb[s * H + j] as number)),
      w.embLnGamma,
      w.embLnBeta,
    ),
  );
  const states = [h];
  for (const L of w.layers) {
    const q = h.map((x) => lin(x, L.wq, L.bq, H, H));
    const k = h.map((x) => lin(x, L.wk, L.bk, H, H));
    const v = h.map((x) => lin(x, L.wv, L.bv, H, H));
    const ctx = h.map(() => new Array<number>(H).fill(0));
    for (let a = 0; a < NH; a++) {
      for (let s = 0; s < S; s++) {
        const sc = Array.from({ length: S }, (_, t) => {
          let d = 0;
          for (let j = 0; j < hd; j++) d += (q[s]?.[a * hd + j] as number) * (k[t]?.[a * hd + j] as number);
          return d / Math.sqrt(hd);
        });
        const mx = Math.max(...sc);
        const e = sc.map((x) => Math.exp(x - mx));
        const z = e.reduce((x, y) => x + y, 0);
        for (let t = 0; t < S; t++)
          for (let j = 0; j < hd; j++) {
            const row = ctx[s] as number[];
            row[a * hd + j] = (row[a * hd + j] as number) + ((e[t] as number) / z) * (v[t]?.[a * hd + j] as number);
          }
      }
    }
    const h1 = h.map((x, s) =>
      ln(
        lin(ctx[s] as number[], L.wo, L.bo, H, H).map((t, j) => t + (x[j] as number)),
        L.ln1Gamma,
        L.ln1Beta,
      ),
    );
    h = h1.map((x) => {
      const f = lin(x, L.w1, L.b1, H, I).map((t) => 0.5 * t * (1 + erf(t / Math.SQRT2)));
      return ln(
        lin(f, L.w2, L.b2, I, H).map((t, j) => t + (x[j] as number)),
        L.ln2Gamma,
        L.ln2Beta,
      );
    });
    states.push(h);
  }
  return states;
}

const refDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../reference/perturb");

describe("tiny BERT ONNX bytes", () => {
  it("are deterministic and equal the file the ONNX checker (python3-onnx 1.12, full_check + strict shape inference) accepted", () => {
    const { bytes, weights } = buildTinyBert({ seed: 1 });
    expect(Buffer.from(bytes).equals(readFileSync(path.join(refDir, "tiny-bert.onnx")))).toBe(true);
    const check = JSON.parse(readFileSync(path.join(refDir, "tiny-bert.check.json"), "utf8"));
    expect(check.ir_version).toBe(8);
    expect(check.outputs.map((o: [string]) => o[0])).toEqual([
      "hidden_states_0",
      "hidden_states_1",
      "hidden_states_2",
      "last_hidden_state",
    ]);
    expect(Array.from(weights.wordEmb.subarray(0, 4))).toEqual(check.word_emb_first);
  });
});

describe("tiny BERT in ONNX, run by onnxruntime-web in Node", () => {
  const { bytes, weights } = buildTinyBert({ seed: 3 });

  it("matches a plain forward pass for every layer, with padding masked", async () => {
    const seqs = [Int32Array.from([5, 9, 2, 33, 17]), Int32Array.from([40, 8, 3])];
    for (let layer = 0; layer >= -2; layer--) {
      const m = await OnnxEmbeddingModel.create(bytes, { layer });
      expect(m.outputName).toBe(`hidden_states_${2 + layer}`);
      const got = await m.embed(seqs);
      seqs.forEach((s, b) => {
        const st = forward(weights, Array.from(s))[2 + layer] as number[][];
        const want = Array.from({ length: 8 }, (_, j) => st.reduce((a, r) => a + (r[j] as number), 0) / st.length);
        for (let j = 0; j < 8; j++) expect(Math.abs((got[b]?.[j] as number) - (want[j] as number))).toBeLessThan(2e-4);
      });
      await m.dispose();
    }
  });

  it("cls pooling takes position 0; cell pooling skips <cls>/<eos>; batching does not change results", async () => {
    const seq = Int32Array.from([1, 10, 11, 12, 2]);
    const cls = await OnnxEmbeddingModel.create(bytes, { layer: 0, pooling: "cls" });
    const st = forward(weights, Array.from(seq))[2] as number[][];
    const [c] = await cls.embed([seq]);
    for (let j = 0; j < 8; j++) expect(Math.abs((c?.[j] as number) - (st[0]?.[j] as number))).toBeLessThan(2e-4);
    const cell = await OnnxEmbeddingModel.create(bytes, { layer: 0, specialTokens: { cls: 1, eos: 2 } });
    const [v] = await cell.embed([seq]);
    for (let j = 0; j < 8; j++) {
      const want = ((st[1]?.[j] as number) + (st[2]?.[j] as number) + (st[3]?.[j] as number)) / 3;
      expect(Math.abs((v?.[j] as number) - want)).toBeLessThan(2e-4);
    }
    const alone = await cell.embed([Int32Array.from([7, 8])]);
    const together = await cell.embed([Int32Array.from([7, 8]), Int32Array.from([3, 4, 5, 6, 9, 10])]);
    for (let j = 0; j < 8; j++) expect(Math.abs((alone[0]?.[j] as number) - (together[0]?.[j] as number))).toBeLessThan(1e-5);
  });

  it("typed errors for bad layers and inputs", async () => {
    expect(() => resolveLayerOutput(["hidden_states_0", "hidden_states_1"], -2)).toThrow(/outside/);
    expect(() => resolveLayerOutput(["out"], -1)).toThrow(/no hidden_states/);
    expect(resolveLayerOutput(["out"], 0)).toBe("out");
    await expect(OnnxEmbeddingModel.create(bytes, { inputIdsName: "ids" })).rejects.toThrow(/no input 'ids'/);
    try {
      await OnnxEmbeddingModel.create(Uint8Array.from([1, 2, 3]));
      expect.unreachable();
    } catch (e) {
      expect(isHypedError(e, "FORMAT")).toBe(true);
    }
  });

  it("embeddingBenchmark (Algorithm 1) runs end to end on the ONNX model", async () => {
    // 4 genes A..D; perturbed cells express D highest; control cells do not express D
    const tokenDictionary = { "<pad>": 0, "<mask>": 1, A: 10, B: 11, C: 12, D: 13 };
    const geneMedians = { A: 1, B: 1, C: 1, D: 1 };
    const n = 24;
    const x = new Float64Array(n * 4);
    const cond: string[] = [];
    const phase: string[] = [];
    for (let i = 0; i < n; i++) {
      const pert = i % 2 === 1;
      cond.push(pert ? "D_up" : "ctrl");
      phase.push(["G1", "S", "G2M"][i % 3] as string);
      x.set(pert ? [3 + (i % 3), 2, 1, 9] : [3 + (i % 3), 2, 1, 0], i * 4);
    }
    const ad = new AnnData({
      X: fromTyped(x, [n, 4]),
      obs: new DataFrame(
        cond.map((_, i) => `c${i}`),
        {
          assigned_condition: categoricalFrom(cond),
          phase: categoricalFrom(phase),
          n_counts: {
            kind: "numeric",
            values: Float64Array.from({ length: n }, (_, i) => x.subarray(i * 4, i * 4 + 4).reduce((a, b) => a + b, 0)),
          },
        },
      ),
      var: new DataFrame(["A", "B", "C", "D"], { ensembl_id: { kind: "string", values: ["A", "B", "C", "D"] } }),
    });
    const model = await OnnxEmbeddingModel.create(bytes, { layer: 0 });
    const rows = await embeddingBenchmark(model, ad, {
      control: "ctrl",
      perturbed: "D_up",
      perturbations: { overexpress: ["D"] },
      tokenize: { tokenDictionary, geneMedians },
      batchSize: 5,
    });
    expect(rows.map((r) => r.group).sort()).toEqual(["G1", "G2M", "S", "all"]);
    for (const r of rows) {
      expect(r.nPerturbed).toBeGreaterThan(0);
      // moving D to the top makes the control encodings identical to the perturbed ones here
      expect(r.cosine).toBeCloseTo(1, 5);
      expect(r.mse).toBeLessThan(1e-8);
      expect(r.cosineUnperturbed).toBeLessThan(r.cosine);
    }
  });
});
