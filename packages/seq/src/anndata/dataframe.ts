/**
 * A small typed, column-oriented DataFrame for AnnData's `obs` and `var`.
 *
 * Columns are one of a few kinds; `get(name)` returns the column with its kind so callers can switch on it.
 * Missing values: categorical code −1; nullable kinds carry a `mask` (1 = missing, as anndata's mask).
 */
import { type AnyTypedArray, type DType, HypedError, type NumericTypedArray } from "@hyped/core";

/** A numeric column (any TypedArray; BigInt arrays allowed for int64). */
export interface NumericColumn {
  kind: "numeric";
  values: AnyTypedArray;
}
/** A boolean column (0/1 bytes). */
export interface BooleanColumn {
  kind: "boolean";
  values: Uint8Array;
}
/** A string column. */
export interface StringColumn {
  kind: "string";
  values: string[];
}
/** A categorical column: `codes` index `categories`; −1 is missing. */
export interface CategoricalColumn {
  kind: "categorical";
  codes: Int32Array;
  categories: string[] | number[];
  ordered: boolean;
  /** Stored dtype of numeric categories (kept for round trips); absent for string categories. */
  categoriesDtype?: DType;
}
/** anndata's nullable-integer: values plus a missing mask (1 = missing). */
export interface NullableIntegerColumn {
  kind: "nullable-integer";
  values: NumericTypedArray | BigInt64Array | BigUint64Array;
  mask: Uint8Array;
}
/** anndata's nullable-boolean. */
export interface NullableBooleanColumn {
  kind: "nullable-boolean";
  values: Uint8Array;
  mask: Uint8Array;
}
/** anndata's nullable-string-array. */
export interface NullableStringColumn {
  kind: "nullable-string";
  values: string[];
  mask: Uint8Array;
}

/** Any column. */
export type Column =
  | NumericColumn
  | BooleanColumn
  | StringColumn
  | CategoricalColumn
  | NullableIntegerColumn
  | NullableBooleanColumn
  | NullableStringColumn;
/** The kinds of column. */
export type ColumnKind = Column["kind"];

/** Length of a column. */
export function columnLength(c: Column): number {
  return c.kind === "categorical" ? c.codes.length : c.values.length;
}

/** The value at `i` as a plain JS value (`null` when missing; categoricals give their category). */
export function columnValue(c: Column, i: number): string | number | boolean | bigint | null {
  switch (c.kind) {
    case "numeric":
      return c.values[i] as number | bigint;
    case "boolean":
      return c.values[i] !== 0;
    case "string":
      return c.values[i] as string;
    case "categorical": {
      const k = c.codes[i] as number;
      return k < 0 ? null : (c.categories[k] as string | number);
    }
    case "nullable-integer":
      return c.mask[i] ? null : (c.values[i] as number | bigint);
    case "nullable-boolean":
      return c.mask[i] ? null : c.values[i] !== 0;
    case "nullable-string":
      return c.mask[i] ? null : (c.values[i] as string);
  }
}

/** All values of a column as plain JS values (see {@link columnValue}). */
export function columnValues(c: Column): Array<string | number | boolean | bigint | null> {
  const n = columnLength(c);
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = columnValue(c, i);
  return out;
}

/** Take rows `idx` of a column (a new column of the same kind; categoricals keep all categories). */
export function takeColumn(c: Column, idx: ArrayLike<number>): Column {
  const n = idx.length;
  const pick = <T extends { length: number; [i: number]: unknown }>(a: T, make: (n: number) => T): T => {
    const o = make(n);
    for (let i = 0; i < n; i++) o[i] = a[idx[i] as number];
    return o;
  };
  const typed = <T extends AnyTypedArray>(a: T): T => pick(a as never, (m) => new (a.constructor as new (n: number) => T)(m) as never) as T;
  switch (c.kind) {
    case "numeric":
      return { kind: "numeric", values: typed(c.values) };
    case "boolean":
      return { kind: "boolean", values: typed(c.values) };
    case "string":
      return { kind: "string", values: pick(c.values, (m) => new Array<string>(m)) };
    case "categorical":
      return {
        kind: "categorical",
        codes: typed(c.codes),
        categories: c.categories,
        ordered: c.ordered,
        ...(c.categoriesDtype ? { categoriesDtype: c.categoriesDtype } : {}),
      };
    case "nullable-integer":
      return { kind: "nullable-integer", values: typed(c.values as AnyTypedArray) as NullableIntegerColumn["values"], mask: typed(c.mask) };
    case "nullable-boolean":
      return { kind: "nullable-boolean", values: typed(c.values), mask: typed(c.mask) };
    case "nullable-string":
      return { kind: "nullable-string", values: pick(c.values, (m) => new Array<string>(m)), mask: typed(c.mask) };
  }
}

/** A column accessor with comparison helpers that return row masks. */
export class ColumnView {
  constructor(
    readonly name: string,
    readonly column: Column,
  ) {}
  get kind(): ColumnKind {
    return this.column.kind;
  }
  get length(): number {
    return columnLength(this.column);
  }
  /** Plain values (categories resolved, `null` for missing). */
  values(): Array<string | number | boolean | bigint | null> {
    return columnValues(this.column);
  }
  /** Row mask (1 where equal) for `value`; for categoricals compares the category. */
  eq(value: string | number | boolean | null): Uint8Array {
    const n = this.length;
    const out = new Uint8Array(n);
    const c = this.column;
    if (c.kind === "categorical") {
      const k = (c.categories as Array<string | number>).indexOf(value as string | number);
      for (let i = 0; i < n; i++) out[i] = value === null ? (c.codes[i] === -1 ? 1 : 0) : k >= 0 && c.codes[i] === k ? 1 : 0;
      return out;
    }
    for (let i = 0; i < n; i++) {
      const v = columnValue(c, i);
      out[i] = v === value || (typeof v === "bigint" && typeof value === "number" && Number(v) === value) ? 1 : 0;
    }
    return out;
  }
  /** Row mask where the value is one of `values`. */
  isIn(values: Array<string | number | boolean>): Uint8Array {
    const out = new Uint8Array(this.length);
    for (const v of values) {
      const m = this.eq(v);
      for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) | (m[i] as number);
    }
    return out;
  }
  /** Numbers as float64 (numeric, boolean, nullable kinds; missing → NaN). */
  toFloat64(): Float64Array {
    const n = this.length;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = columnValue(this.column, i);
      out[i] = v === null ? Number.NaN : typeof v === "boolean" ? (v ? 1 : 0) : Number(v);
    }
    return out;
  }
}

/** A DataFrame: an index of row names plus named columns of equal length, in order. */
export class DataFrame {
  readonly index: string[];
  /** Name of the index column as written in files (`_index` attribute); default `_index`. */
  indexName: string;
  private readonly cols = new Map<string, Column>();
  private indexLookup?: Map<string, number>;

  constructor(index: string[], columns: Record<string, Column> | Map<string, Column> = {}, indexName = "_index") {
    this.index = index;
    this.indexName = indexName;
    const entries = columns instanceof Map ? [...columns] : Object.entries(columns);
    for (const [k, c] of entries) this.set(k, c);
  }

  /** Number of rows. */
  get nRows(): number {
    return this.index.length;
  }
  /** Column names in order. */
  get columns(): string[] {
    return [...this.cols.keys()];
  }
  /** True if the column exists. */
  has(name: string): boolean {
    return this.cols.has(name);
  }
  /** The column `name` with helpers; `NOT_FOUND` if absent. */
  get(name: string): ColumnView {
    const c = this.cols.get(name);
    if (!c) throw new HypedError("NOT_FOUND", `no column '${name}' (have: ${this.columns.join(", ") || "none"})`, { column: name });
    return new ColumnView(name, c);
  }
  /** The raw column or undefined. */
  column(name: string): Column | undefined {
    return this.cols.get(name);
  }
  /** Add or replace a column; `SHAPE_MISMATCH` if its length differs from the index. */
  set(name: string, c: Column): this {
    const n = columnLength(c);
    if (n !== this.index.length) {
      throw new HypedError("SHAPE_MISMATCH", `column '${name}' has ${n} values, the frame has ${this.index.length} rows`, { column: name });
    }
    this.cols.set(name, c);
    return this;
  }
  /** Remove a column. */
  delete(name: string): boolean {
    return this.cols.delete(name);
  }
  /** Row position of an index name (O(1) after the first call), or −1. */
  position(name: string): number {
    if (!this.indexLookup) {
      this.indexLookup = new Map();
      this.index.forEach((k, i) => {
        if (!this.indexLookup?.has(k)) this.indexLookup?.set(k, i);
      });
    }
    return this.indexLookup.get(name) ?? -1;
  }
  /** Rows `idx` as a new frame. */
  take(idx: ArrayLike<number>): DataFrame {
    const index = Array.from(idx, (i) => this.index[i] as string);
    const out = new DataFrame(index, {}, this.indexName);
    for (const [k, c] of this.cols) out.set(k, takeColumn(c, idx));
    return out;
  }
  /** Rows as plain objects (for printing); `limit` rows at most. */
  toRows(limit = Number.POSITIVE_INFINITY): Record<string, unknown>[] {
    const n = Math.min(limit, this.nRows);
    const out: Record<string, unknown>[] = [];
    for (let i = 0; i < n; i++) {
      const r: Record<string, unknown> = { [this.indexName]: this.index[i] };
      for (const [k, c] of this.cols) r[k] = columnValue(c, i);
      out.push(r);
    }
    return out;
  }
}

/** Build a categorical column from plain values (categories sorted, as pandas does; `null` → −1). */
export function categoricalFrom(values: Array<string | null>, categories?: string[], ordered = false): CategoricalColumn {
  const cats = categories ?? [...new Set(values.filter((v): v is string => v !== null))].sort();
  const lookup = new Map(cats.map((c, i) => [c, i]));
  const codes = new Int32Array(values.length);
  values.forEach((v, i) => {
    codes[i] = v === null ? -1 : (lookup.get(v) ?? -1);
  });
  return { kind: "categorical", codes, categories: cats, ordered };
}
