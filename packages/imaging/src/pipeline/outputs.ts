/**
 * How the pipeline writes: atomic files (temp + rename, as the frame store does), reproducible HDF5 bytes
 * (object times cleared), small CSV tables, and shard specs (`i/n`, `auto/n` from the scheduler). Node only.
 */
import { HypedError } from "@hyped/core";
import { clearObjectTimes } from "@hyped/core/hdf5";
import type { OutputFile } from "../frames/atomic.js";
import { sha256Of } from "../frames/hash.js";

export { type OutputFile, writeFileAtomic } from "../frames/atomic.js";

/** Does `dir/f.file` exist with the recorded size and SHA-256? */
export async function outputIntact(dir: string, f: OutputFile, signal?: AbortSignal): Promise<boolean> {
  const fs = await import("node:fs/promises");
  const { join } = await import("node:path");
  const p = join(dir, f.file);
  const st = await fs.stat(p).catch(() => undefined);
  if (!st?.isFile() || st.size !== f.bytes) return false;
  return (await sha256Of(p, signal)) === f.sha256;
}

/**
 * Remove the temp files (`<name>.tmp-<pid>-…`) that a killed run left in `dir` (not recursive), for the
 * final names this run owns (`owns(name)`): other shards writing into the same folder keep theirs.
 */
export async function removeStaleTemps(dir: string, owns: (name: string) => boolean): Promise<void> {
  const fs = await import("node:fs/promises");
  const { join } = await import("node:path");
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const n of names) {
    const m = /^(.*)\.tmp-\d+-[0-9a-z]+$/.exec(n);
    if (m && owns(m[1] as string)) await fs.rm(join(dir, n), { force: true });
  }
}

/**
 * Clear the object times HDF5 stamps into version-2 object headers, in place (returns the headers cleared).
 * The same function as `clearObjectTimes` of `@hyped/core/hdf5`, which owns it; kept under this name for
 * callers of the pipeline API. New code passes `{ reproducible: true }` to `H5File.create` instead.
 */
export const clearHdf5ObjectTimes: (buf: Uint8Array) => number = clearObjectTimes;

/** A table as named columns of equal length (numbers or strings). */
export type Columns = Record<string, ArrayLike<number> | readonly string[]>;

const cell = (v: unknown): string => {
  if (typeof v === "number") return Number.isNaN(v) ? "" : String(v);
  const s = String(v ?? "");
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** CSV text (header line, `\n` line ends) of a column table; numbers in JavaScript's shortest round-trip form, NaN empty. */
export function columnsToCsv(cols: Columns): string {
  const names = Object.keys(cols);
  const n = names.length ? (cols[names[0] as string] as ArrayLike<unknown>).length : 0;
  const lines = [names.map(cell).join(",")];
  for (let i = 0; i < n; i++) lines.push(names.map((k) => cell((cols[k] as ArrayLike<unknown>)[i])).join(","));
  return `${lines.join("\n")}\n`;
}

/**
 * Parse a CSV written by {@link columnsToCsv} into columns: those named in `numeric` become Float64Arrays
 * (empty cells NaN), the others string arrays. Throws `FORMAT` naming `file` on a ragged row or a missing
 * numeric column.
 */
export function csvToColumns(text: string, file: string, numeric: readonly string[]): Record<string, Float64Array | string[]> {
  const rows = parseCsv(text);
  const header = rows.shift() ?? [];
  const out: Record<string, Float64Array | string[]> = {};
  header.forEach((h, c) => {
    if (numeric.includes(h)) {
      const a = new Float64Array(rows.length);
      rows.forEach((r, i) => {
        const v = r[c] ?? "";
        a[i] = v === "" ? Number.NaN : Number(v);
      });
      out[h] = a;
    } else out[h] = rows.map((r) => r[c] ?? "");
  });
  rows.forEach((r, i) => {
    if (r.length !== header.length)
      throw new HypedError("FORMAT", `${file}: row ${i + 2} has ${r.length} fields, the header ${header.length}`, { file, row: i + 2 });
  });
  for (const k of numeric) if (!(k in out)) throw new HypedError("FORMAT", `${file}: no column "${k}"`, { file, column: k });
  return out;
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else if (ch !== "\r") field += ch;
  }
  if (field !== "" || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/**
 * Parse a shard spec: `i/n` (0-based shard i of n), or `auto/n`, which takes i from the scheduler's
 * environment: `SLURM_ARRAY_TASK_ID` (Slurm job arrays; with `SLURM_ARRAY_TASK_MIN` subtracted, so
 * `--array=1-4` works too) or `JOB_COMPLETION_INDEX` (Kubernetes Indexed Jobs). Throws `INVALID_ARGUMENT`
 * for a malformed spec, an index outside `0..n-1`, or `auto` with neither variable set.
 */
export function parseShardSpec(spec: string, env: Record<string, string | undefined> = process.env): [number, number] {
  const m = /^(\d+|auto)\/(\d+)$/.exec(spec.trim());
  const n = Number(m?.[2]);
  if (!m || !(n >= 1)) throw new HypedError("INVALID_ARGUMENT", `shard spec ${JSON.stringify(spec)} is not i/n or auto/n`, { spec });
  let i: number;
  if (m[1] === "auto") {
    const slurm = env.SLURM_ARRAY_TASK_ID;
    const k8s = env.JOB_COMPLETION_INDEX;
    const raw = slurm ?? k8s;
    if (raw === undefined || !/^\d+$/.test(raw)) {
      throw new HypedError(
        "INVALID_ARGUMENT",
        "shard auto/n needs SLURM_ARRAY_TASK_ID (Slurm array job) or JOB_COMPLETION_INDEX (Kubernetes Indexed Job) in the environment",
        { spec },
      );
    }
    i = Number(raw) - (slurm !== undefined && /^\d+$/.test(env.SLURM_ARRAY_TASK_MIN ?? "") ? Number(env.SLURM_ARRAY_TASK_MIN) : 0);
  } else i = Number(m[1]);
  if (!(Number.isSafeInteger(i) && i >= 0 && i < n))
    throw new HypedError("INVALID_ARGUMENT", `shard ${i} of ${n} is outside 0..${n - 1}`, { spec, shard: i, of: n });
  return [i, n];
}
