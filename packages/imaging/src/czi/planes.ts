/**
 * Plane enumeration from the subblocks that exist. A directory's dimension ranges (first..last start index,
 * libCZI's statistics) can be stretched to millions by one corrupt entry; enumerating those ranges would hang
 * or run out of memory. Everything here is bounded by the number of subblocks.
 */
import type { CziSubblockEntry } from "./directory.js";

/** Start and size of one dimension (as `CziFile.dims`). */
type DimRange = { start: number; size: number };

/** Distinct start indices of dimension `letter` over `subblocks`, ascending. */
export function dimValuesOf(subblocks: readonly CziSubblockEntry[], letter: string): number[] {
  const seen = new Set<number>();
  for (const e of subblocks) {
    const v = e.coords[letter];
    if (v !== undefined) seen.add(v);
  }
  return [...seen].sort((a, b) => a - b);
}

const ORDER = ["S", "T", "C", "Z"];

/**
 * The planes at least one subblock backs, sorted S, T, C, Z (then the other letters): S/T/C/Z take the values
 * the subblocks hold; other dimensions stay at their start unless `select` names them; `select` keeps only the
 * listed values. X, Y and M are not plane coordinates.
 */
export function backedPlanes(
  subblocks: readonly CziSubblockEntry[],
  dims: Readonly<Record<string, DimRange>>,
  select: Partial<Record<string, number[]>>,
): Record<string, number>[] {
  const letters = Object.keys(dims).filter((l) => l !== "X" && l !== "Y" && l !== "M");
  const sorted = [...letters.filter((l) => !ORDER.includes(l)), ...ORDER.filter((l) => letters.includes(l))];
  const wanted = new Map<string, Set<number>>();
  for (const [l, vs] of Object.entries(select)) if (vs) wanted.set(l, new Set(vs));
  const keys = new Map<string, Record<string, number>>();
  for (const e of subblocks) {
    const c: Record<string, number> = {};
    let ok = true;
    for (const l of sorted) {
      const d = dims[l] as DimRange;
      const own = e.coords[l];
      const free = ORDER.includes(l) || wanted.has(l);
      const v = free ? (own ?? d.start) : d.start;
      // A subblock at another value of a dimension held at its start is not in these planes.
      if (!free && own !== undefined && own !== d.start) ok = false;
      if (wanted.has(l) && !wanted.get(l)?.has(v)) ok = false;
      c[l] = v;
    }
    if (!ok) continue;
    const k = sorted.map((l) => c[l]).join(",");
    if (!keys.has(k)) keys.set(k, c);
  }
  const rank = (c: Record<string, number>) => [...ORDER.map((l) => c[l] ?? 0), ...sorted.map((l) => c[l] ?? 0)];
  return [...keys.values()].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return (ra[i] as number) - (rb[i] as number);
    return 0;
  });
}
