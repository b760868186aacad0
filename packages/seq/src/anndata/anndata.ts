/**
 * The in-memory AnnData object: an n_obs × n_vars matrix `X` with annotations, as in anndata.
 */
import { convertSparse, HypedError, isSparse, sparseToDense } from "@hyped/core";
import { DataFrame } from "./dataframe.js";
import { type Matrix, matrixShape, subsetMatrix } from "./matrix.js";

export { type Matrix, matrixShape } from "./matrix.js";

/** The five mappings of an AnnData. */
export type MappingName = "layers" | "obsm" | "varm" | "obsp" | "varp";

/** The mapping names, in anndata's order. */
export const MAPPING_NAMES: readonly MappingName[] = ["layers", "obsm", "varm", "obsp", "varp"];

/**
 * Entries of the mappings that are neither matrices nor dataframes: awkward arrays (anndata's
 * `awkward-array`), or whatever a registered reader returns. Kept, listed and written back as they are.
 */
export type OtherElements = Record<MappingName, Map<string, unknown>>;

/** Constructor input of {@link AnnData}. */
export interface AnnDataInit {
  X?: Matrix | null;
  obs?: DataFrame;
  var?: DataFrame;
  obsNames?: string[];
  varNames?: string[];
  layers?: Record<string, Matrix> | Map<string, Matrix>;
  obsm?: Record<string, Matrix> | Map<string, Matrix>;
  varm?: Record<string, Matrix> | Map<string, Matrix>;
  obsp?: Record<string, Matrix> | Map<string, Matrix>;
  varp?: Record<string, Matrix> | Map<string, Matrix>;
  uns?: Record<string, unknown>;
  raw?: { X: Matrix | null; var: DataFrame; varm?: Map<string, Matrix> } | null;
  /** DataFrames stored in `obsm` (anndata allows them there); one row per observation. */
  obsmFrames?: Record<string, DataFrame> | Map<string, DataFrame>;
  /** DataFrames stored in `varm`; one row per variable. */
  varmFrames?: Record<string, DataFrame> | Map<string, DataFrame>;
  /** Other elements of the mappings (awkward arrays, ...), by mapping; see {@link OtherElements}. */
  other?: Partial<Record<MappingName, Record<string, unknown> | Map<string, unknown>>>;
}

const toMap = (x: Record<string, Matrix> | Map<string, Matrix> | undefined) =>
  x instanceof Map ? new Map(x) : new Map(Object.entries(x ?? {}));

/** An annotated data matrix (anndata's `AnnData`). */
export class AnnData {
  X: Matrix | null;
  obs: DataFrame;
  var: DataFrame;
  layers: Map<string, Matrix>;
  obsm: Map<string, Matrix>;
  varm: Map<string, Matrix>;
  obsp: Map<string, Matrix>;
  varp: Map<string, Matrix>;
  uns: Record<string, unknown>;
  raw: { X: Matrix | null; var: DataFrame; varm?: Map<string, Matrix> } | null;
  /** DataFrames in `obsm` (kept apart from the matrices so `obsm` stays a map of matrices). */
  obsmFrames: Map<string, DataFrame>;
  /** DataFrames in `varm`. */
  varmFrames: Map<string, DataFrame>;
  /**
   * Entries of `layers`/`obsm`/`varm`/`obsp`/`varp` that are neither matrices nor dataframes (awkward arrays,
   * or any element a registered reader returns), by mapping. anndata keeps them; so do we.
   */
  other: OtherElements;

  constructor(init: AnnDataInit) {
    this.X = init.X ?? null;
    const [nObs, nVars] = this.X
      ? matrixShape(this.X)
      : [init.obs?.nRows ?? init.obsNames?.length ?? 0, init.var?.nRows ?? init.varNames?.length ?? 0];
    this.obs = init.obs ?? new DataFrame(init.obsNames ?? Array.from({ length: nObs }, (_, i) => String(i)));
    this.var = init.var ?? new DataFrame(init.varNames ?? Array.from({ length: nVars }, (_, i) => String(i)));
    this.layers = toMap(init.layers);
    this.obsm = toMap(init.obsm);
    this.varm = toMap(init.varm);
    this.obsp = toMap(init.obsp);
    this.varp = toMap(init.varp);
    this.uns = init.uns ?? {};
    this.raw = init.raw ?? null;
    const frames = (x: AnnDataInit["obsmFrames"]) => (x instanceof Map ? new Map(x) : new Map(Object.entries(x ?? {})));
    this.obsmFrames = frames(init.obsmFrames);
    this.varmFrames = frames(init.varmFrames);
    const o = init.other ?? {};
    const om = (k: MappingName) => {
      const x = o[k];
      return x instanceof Map ? new Map(x) : new Map(Object.entries(x ?? {}));
    };
    this.other = { layers: om("layers"), obsm: om("obsm"), varm: om("varm"), obsp: om("obsp"), varp: om("varp") };
    if (this.obs.nRows !== nObs || this.var.nRows !== nVars) {
      throw new HypedError("SHAPE_MISMATCH", `X is ${nObs}×${nVars} but obs has ${this.obs.nRows} rows and var ${this.var.nRows}`, {});
    }
    for (const [k, m] of this.layers) this.checkShape(`layers/${k}`, matrixShape(m), [nObs, nVars]);
  }

  private checkShape(what: string, got: [number, number], want: [number, number]): void {
    if (got[0] !== want[0] || got[1] !== want[1]) {
      throw new HypedError("SHAPE_MISMATCH", `${what} is ${got[0]}×${got[1]}, expected ${want[0]}×${want[1]}`, { element: what });
    }
  }

  /** Number of observations (cells). */
  get nObs(): number {
    return this.obs.nRows;
  }
  /** Number of variables (genes). */
  get nVars(): number {
    return this.var.nRows;
  }
  /** Observation names. */
  get obsNames(): string[] {
    return this.obs.index;
  }
  /** Variable names. */
  get varNames(): string[] {
    return this.var.index;
  }
  /** `[nObs, nVars]`. */
  get shape(): [number, number] {
    return [this.nObs, this.nVars];
  }
  /** Position of an obs name (O(1)), or −1. */
  obsIndex(name: string): number {
    return this.obs.position(name);
  }
  /** Position of a var name (O(1)), or −1. */
  varIndex(name: string): number {
    return this.var.position(name);
  }

  /** The expression of one variable across all observations (float64), from `X` or a layer. */
  obsVector(gene: string, layer?: string): Float64Array {
    const j = this.varIndex(gene);
    if (j < 0) throw new HypedError("NOT_FOUND", `no variable named '${gene}'`, { gene });
    const m = layer ? this.layers.get(layer) : this.X;
    if (!m) throw new HypedError("NOT_FOUND", layer ? `no layer '${layer}'` : "X is empty", { layer });
    const out = new Float64Array(this.nObs);
    if (!isSparse(m)) {
      for (let i = 0; i < this.nObs; i++) out[i] = Number(m.get(i, j));
      return out;
    }
    const csc = convertSparse(m, "csc");
    for (let k = Number(csc.indptr[j]); k < Number(csc.indptr[j + 1]); k++) out[csc.indices[k] as number] = Number(csc.data[k]);
    return out;
  }

  /** Observations selected by index list, boolean mask (`Uint8Array`/`boolean[]`) or names. */
  obsSubset(sel: ArrayLike<number> | Uint8Array | boolean[] | string[]): AnnData {
    return this.subset(
      resolveSelection(sel, this.nObs, (n) => this.obsIndex(n), "obs"),
      null,
    );
  }
  /** Variables selected by index list, mask or names. */
  varSubset(sel: ArrayLike<number> | Uint8Array | boolean[] | string[]): AnnData {
    return this.subset(
      null,
      resolveSelection(sel, this.nVars, (n) => this.varIndex(n), "var"),
    );
  }

  /**
   * Subset both axes (`null` keeps an axis whole). Other elements ({@link AnnData.other}) cannot be subset:
   * `UNSUPPORTED` names them when their axis is selected.
   */
  subset(rows: Int32Array | null, cols: Int32Array | null): AnnData {
    const touched: Array<[MappingName, boolean]> = [
      ["layers", Boolean(rows || cols)],
      ["obsm", Boolean(rows)],
      ["varm", Boolean(cols)],
      ["obsp", Boolean(rows)],
      ["varp", Boolean(cols)],
    ];
    for (const [name, sel] of touched)
      if (sel && this.other[name].size > 0) {
        const keys = [...this.other[name].keys()];
        throw new HypedError("UNSUPPORTED", `cannot subset ${name} entries ${keys.map((k) => `'${k}'`).join(", ")} (not matrices)`, {
          element: `${name}/${keys[0]}`,
        });
      }
    const sub = (m: Matrix) => subsetMatrix(m, rows, cols);
    const mapVals = (mp: Map<string, Matrix>, f: (m: Matrix) => Matrix) => new Map([...mp].map(([k, v]) => [k, f(v)]));
    const pairwise = (m: Matrix, idx: Int32Array | null) => subsetMatrix(m, idx, idx);
    return new AnnData({
      X: this.X ? sub(this.X) : null,
      obs: rows ? this.obs.take(rows) : this.obs,
      var: cols ? this.var.take(cols) : this.var,
      layers: mapVals(this.layers, sub),
      obsm: mapVals(this.obsm, (m) => subsetMatrix(m, rows, null)),
      varm: mapVals(this.varm, (m) => subsetMatrix(m, cols, null)),
      obsp: mapVals(this.obsp, (m) => pairwise(m, rows)),
      varp: mapVals(this.varp, (m) => pairwise(m, cols)),
      uns: this.uns,
      raw:
        this.raw && rows
          ? { X: this.raw.X ? subsetMatrix(this.raw.X, rows, null) : null, var: this.raw.var, varm: this.raw.varm }
          : this.raw,
      obsmFrames: new Map([...this.obsmFrames].map(([k, v]) => [k, rows ? v.take(rows) : v])),
      varmFrames: new Map([...this.varmFrames].map(([k, v]) => [k, cols ? v.take(cols) : v])),
      other: this.other,
    });
  }

  /** A copy with dense `X` (and layers). */
  toDense(): AnnData {
    const d = (m: Matrix) => (isSparse(m) ? sparseToDense(m) : m);
    return new AnnData({ ...this.init(), X: this.X ? d(this.X) : null, layers: new Map([...this.layers].map(([k, v]) => [k, d(v)])) });
  }

  /** A copy with sparse `X` converted to `format` (dense X is left as is). */
  asFormat(format: "csr" | "csc"): AnnData {
    const c = (m: Matrix) => (isSparse(m) ? convertSparse(m, format) : m);
    return new AnnData({ ...this.init(), X: this.X ? c(this.X) : null, layers: new Map([...this.layers].map(([k, v]) => [k, c(v)])) });
  }

  private init(): AnnDataInit {
    return {
      X: this.X,
      obs: this.obs,
      var: this.var,
      layers: this.layers,
      obsm: this.obsm,
      varm: this.varm,
      obsp: this.obsp,
      varp: this.varp,
      uns: this.uns,
      raw: this.raw,
      obsmFrames: this.obsmFrames,
      varmFrames: this.varmFrames,
      other: this.other,
    };
  }

  /** A readable summary like anndata's repr. */
  toString(): string {
    const lines = [`AnnData object with n_obs × n_vars = ${this.nObs} × ${this.nVars}`];
    const add = (label: string, keys: string[]) => {
      if (keys.length) lines.push(`    ${label}: ${keys.map((k) => `'${k}'`).join(", ")}`);
    };
    add("obs", this.obs.columns);
    add("var", this.var.columns);
    add("uns", Object.keys(this.uns));
    // other elements also say what they are: 'ak' (awkward-array, length 40)
    const add2 = (label: MappingName, plain: Iterable<string>[]) => {
      const names = plain.flatMap((x) => [...x]).map((k) => `'${k}'`);
      for (const [k, v] of this.other[label]) {
        const { kind, length } = elementKind(v);
        names.push(`'${k}' (${kind}${length === undefined ? "" : `, length ${length}`})`);
      }
      if (names.length) lines.push(`    ${label}: ${names.join(", ")}`);
    };
    add2("obsm", [this.obsm.keys(), this.obsmFrames.keys()]);
    add2("varm", [this.varm.keys(), this.varmFrames.keys()]);
    add2("layers", [this.layers.keys()]);
    add2("obsp", [this.obsp.keys()]);
    add2("varp", [this.varp.keys()]);
    return lines.join("\n");
  }
}

/**
 * The kind of an element that is not a matrix (its `kind` tag, e.g. `awkward-array`, else its JS type) and its
 * length along the mapping's axis when it has one.
 */
export function elementKind(v: unknown): { kind: string; length?: number } {
  const o = v && typeof v === "object" ? (v as { kind?: unknown; length?: unknown }) : undefined;
  const kind = typeof o?.kind === "string" ? o.kind : Array.isArray(v) ? "list" : typeof v;
  return typeof o?.length === "number" ? { kind, length: o.length } : { kind };
}

function resolveSelection(
  sel: ArrayLike<number> | Uint8Array | boolean[] | string[],
  n: number,
  lookup: (name: string) => number,
  axis: string,
): Int32Array {
  if (sel.length > 0 && typeof (sel as ArrayLike<unknown>)[0] === "string") {
    return Int32Array.from(sel as string[], (name) => {
      const i = lookup(name);
      if (i < 0) throw new HypedError("NOT_FOUND", `no ${axis} named '${name}'`, { axis, name });
      return i;
    });
  }
  const isMask = sel instanceof Uint8Array || (sel.length > 0 && typeof (sel as ArrayLike<unknown>)[0] === "boolean");
  if (isMask) {
    if (sel.length !== n) throw new HypedError("SHAPE_MISMATCH", `${axis} mask has ${sel.length} entries, expected ${n}`, { axis });
    const out: number[] = [];
    for (let i = 0; i < n; i++) if ((sel as ArrayLike<number | boolean>)[i]) out.push(i);
    return Int32Array.from(out);
  }
  const idx = Int32Array.from(sel as ArrayLike<number>);
  for (const i of idx)
    if (i < 0 || i >= n) throw new HypedError("OUT_OF_RANGE", `${axis} index ${i} outside 0..${n - 1}`, { axis, index: i });
  return idx;
}
