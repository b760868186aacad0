/** A small AnnData holding every encoding the writer produces (used by tests and scripts/write_check_files.ts). */
import { convertSparse, fromTyped, markBool, type SparseMatrix } from "@hyped/core";
import { AnnData, categoricalFrom, DataFrame, type Matrix, SCALAR_DTYPES } from "../index.js";

/** A small AnnData with every encoding the writer produces. */
export function everyEncoding(): AnnData {
  const n = 12;
  const m = 7;
  const X: SparseMatrix = {
    format: "csr",
    shape: [n, m],
    data: Float32Array.from({ length: 20 }, (_, i) => i + 0.5),
    indices: Int32Array.from({ length: 20 }, (_, i) => (i * 3) % m),
    indptr: Int32Array.from({ length: n + 1 }, (_, i) => Math.min(20, Math.floor((i * 20) / n))),
  };
  // sort indices within rows (a canonical matrix); rows hold at most 2 distinct entries
  for (let r = 0; r < n; r++) {
    const a = X.indptr[r] as number;
    const b = X.indptr[r + 1] as number;
    (X.indices as Int32Array).set(
      Array.from(X.indices.subarray(a, b)).sort((p, q) => p - q),
      a,
    );
  }
  const obs = new DataFrame(
    Array.from({ length: n }, (_, i) => `cell${i}`),
    {
      cond: categoricalFrom(Array.from({ length: n }, (_, i) => (i % 4 === 3 ? null : (["ctrl", "siPRRX1", "siMYOD1"][i % 3] as string)))),
      level: {
        ...categoricalFrom(
          Array.from({ length: n }, (_, i) => ["low", "mid", "high"][i % 3] as string),
          ["low", "mid", "high"],
          true,
        ),
      },
      numcat: {
        kind: "categorical",
        codes: Int32Array.from({ length: n }, (_, i) => i % 2),
        categories: [10, 20],
        ordered: false,
        categoriesDtype: "int64",
      },
      count: { kind: "numeric", values: BigInt64Array.from({ length: n }, (_, i) => BigInt(i * 1000)) },
      frac: { kind: "numeric", values: Float64Array.from({ length: n }, (_, i) => (i === 2 ? Number.NaN : i / 7)) },
      u8: { kind: "numeric", values: Uint8Array.from({ length: n }, (_, i) => 250 - i) },
      flag: { kind: "boolean", values: Uint8Array.from({ length: n }, (_, i) => i % 2) },
      label: { kind: "string", values: Array.from({ length: n }, (_, i) => `lbl-é-${i}`) },
      nint: {
        kind: "nullable-integer",
        values: Int32Array.from({ length: n }, (_, i) => i - 5),
        mask: Uint8Array.from({ length: n }, (_, i) => (i === 4 ? 1 : 0)),
      },
      nbool: {
        kind: "nullable-boolean",
        values: Uint8Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0)),
        mask: Uint8Array.from({ length: n }, (_, i) => (i === 1 ? 1 : 0)),
      },
    },
    "cell_id",
  );
  const varDf = new DataFrame(
    Array.from({ length: m }, (_, j) => `GENE${j}`),
    {
      highly_variable: { kind: "boolean", values: Uint8Array.from({ length: m }, (_, j) => (j < 3 ? 1 : 0)) },
    },
  );
  const dense = fromTyped(
    Float64Array.from({ length: n * m }, (_, i) => Math.sin(i)),
    [n, m],
  ) as unknown as Matrix;
  const boolArr = markBool(fromTyped(Uint8Array.from([1, 0, 1]), [3]));
  const uns: Record<string, unknown> = {
    title: "HYPED é",
    n_neighbors: 15,
    resolution: 1.0,
    flag: true,
    colors: ["#ff0000", "#00ff00"],
    grid: { kind: "string-array", shape: [2, 3], values: ["a", "b", "c", "d", "e", "f"] },
    bools: boolArr,
    ints: fromTyped(new Int16Array([1, -2, 3])),
    ramp: fromTyped(Int32Array.from({ length: 4000 }, (_, i) => i >> 4)),
    nested: { deeper: { arr: fromTyped(new Float32Array([1.5, 2.5])), empty: {} } },
    table: new DataFrame(["r1", "r2"], { v: { kind: "numeric", values: new Float64Array([1, 2]) } }),
    sparse: {
      format: "csc",
      shape: [1, 4],
      data: new BigInt64Array([5n, 6n]),
      indices: new Int32Array([0, 0]),
      indptr: new Int32Array([0, 1, 1, 2, 2]),
    },
  };
  // 1.0 must stay float64
  Object.defineProperty(uns, SCALAR_DTYPES, { value: { resolution: "float64", n_neighbors: "int64", flag: "bool" }, enumerable: false });
  return new AnnData({
    X,
    obs,
    var: varDf,
    layers: { dense, csc: convertSparse(X, "csc") },
    obsm: {
      X_pca: fromTyped(
        Float32Array.from({ length: n * 2 }, (_, i) => i),
        [n, 2],
      ) as unknown as Matrix,
    },
    varm: { PCs: fromTyped(new Float64Array(m * 3).fill(0.25), [m, 3]) as unknown as Matrix },
    obsp: {
      distances: {
        format: "csr",
        shape: [n, n],
        data: new Float64Array([1, 2]),
        indices: new Int32Array([1, 0]),
        indptr: Int32Array.from({ length: n + 1 }, (_, i) => (i === 0 ? 0 : i === 1 ? 1 : 2)),
      },
    },
    varp: {},
    obsmFrames: { meta: new DataFrame(obs.index, { g: categoricalFrom(obs.index.map((_, i) => (i % 2 ? "x" : "y"))) }) },
    uns,
    raw: { X: { ...X, shape: [n, m] }, var: varDf, varm: new Map() },
  });
}
