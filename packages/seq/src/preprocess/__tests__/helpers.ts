/** Test helpers: load committed reference JSON, compare arrays, build inputs. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

const here = path.dirname(fileURLToPath(import.meta.url));
/** Root of the repository. */
export const repoRoot = path.resolve(here, "../../../../..");
/** `../shared/fixtures` beside the repository. */
export const fixturesDir = path.resolve(repoRoot, "../shared/fixtures");

/** Parse a JSON file from packages/seq/reference/preprocess (null → NaN in arrays). */
export function loadRef<T = Record<string, unknown>>(name: string): T {
  const text = readFileSync(path.resolve(repoRoot, "packages/seq/reference/preprocess", name), "utf8");
  return JSON.parse(text, (_k, v) => (v === null ? Number.NaN : v)) as T;
}

/** Expect |a − b| ≤ atol + rtol·|b| elementwise (NaN equals NaN). */
export function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, rtol: number, atol = 0, what = "values"): void {
  expect(a.length, `${what}: length`).toBe(b.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < b.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (Number.isNaN(y) || Number.isNaN(x)) {
      expect(Number.isNaN(x) && Number.isNaN(y), `${what}[${i}]: ${x} vs ${y}`).toBe(true);
      continue;
    }
    if (x === y) continue;
    const excess = Math.abs(x - y) - (atol + rtol * Math.abs(y));
    if (excess > worst) {
      worst = excess;
      at = i;
    }
  }
  expect(at, `${what}: worst at ${at}: ${a[at]} vs ${b[at]}`).toBe(-1);
}

/** Flatten a nested number array. */
export function flat(rows: number[][]): Float64Array {
  return Float64Array.from(rows.flat());
}

/** Parse packages/seq/reference/scanpy/parity.json (made by scripts/make_scanpy_parity_reference.py; null → NaN). */
export function loadParity<T = Record<string, unknown>>(): T {
  const text = readFileSync(path.resolve(repoRoot, "packages/seq/reference/scanpy/parity.json"), "utf8");
  return JSON.parse(text, (_k, v) => (v === null ? Number.NaN : v)) as T;
}
