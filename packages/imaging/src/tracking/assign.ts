/**
 * Sparse minimum-cost assignment with "unmatched" alternatives, solved exactly per connected component with
 * the Hungarian algorithm of `munkres-js` (a maintained npm implementation of Munkres/Kuhn).
 *
 * The problem: left items i and right items j, candidate pairs (i, j, cost), a cost `leftAlone[i]` for leaving
 * i unmatched and `rightAlone[j]` for leaving j unmatched. Minimise the total. Each component of the
 * candidate graph is solved as the square (nL + nR) matrix of Jaqaman et al. (2008): links top-left,
 * "alone" diagonals top-right and bottom-left, zeros bottom-right. Pairs costing at least
 * `leftAlone[i] + rightAlone[j]` can never improve on leaving both alone and are dropped first, which keeps
 * components small.
 */
import munkres from "munkres-js";

/** One candidate pair. */
export interface Candidate {
  left: number;
  right: number;
  cost: number;
}

/** Options of {@link solveSparseAssignment}. */
export interface SparseAssignmentOptions {
  /**
   * Components with more nodes than this are solved greedily (cheapest pair first) instead of exactly, to
   * bound the O(n³) time. Default 400.
   */
  maxExactSize?: number;
}

const BIG = 1e9;

/**
 * Solve the sparse assignment. Returns `leftToRight[i]` = matched right index or −1, and the total cost.
 */
export function solveSparseAssignment(
  nLeft: number,
  nRight: number,
  candidates: readonly Candidate[],
  leftAlone: ArrayLike<number>,
  rightAlone: ArrayLike<number>,
  options: SparseAssignmentOptions = {},
): { leftToRight: Int32Array; rightToLeft: Int32Array; cost: number; exactComponents: number; greedyComponents: number } {
  const maxExact = options.maxExactSize ?? 400;
  const useful = candidates.filter((c) => c.cost < (leftAlone[c.left] as number) + (rightAlone[c.right] as number));
  // union-find over left (0..nL-1) and right (nL..nL+nR-1)
  const parent = new Int32Array(nLeft + nRight);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  const find = (a: number): number => {
    let r = a;
    while (parent[r] !== r) r = parent[r] as number;
    while (parent[a] !== r) {
      const nx = parent[a] as number;
      parent[a] = r;
      a = nx;
    }
    return r;
  };
  for (const c of useful) {
    const a = find(c.left);
    const b = find(nLeft + c.right);
    if (a !== b) parent[a] = b;
  }
  const byRoot = new Map<number, Candidate[]>();
  for (const c of useful) {
    const r = find(c.left);
    const list = byRoot.get(r);
    if (list) list.push(c);
    else byRoot.set(r, [c]);
  }
  const leftToRight = new Int32Array(nLeft).fill(-1);
  const rightToLeft = new Int32Array(nRight).fill(-1);
  let exactComponents = 0;
  let greedyComponents = 0;
  for (const edges of byRoot.values()) {
    const lIdx = [...new Set(edges.map((e) => e.left))];
    const rIdx = [...new Set(edges.map((e) => e.right))];
    const nL = lIdx.length;
    const nR = rIdx.length;
    if (nL === 1 && nR === 1) {
      const e = edges.reduce((a, b) => (b.cost < a.cost ? b : a));
      leftToRight[e.left] = e.right;
      rightToLeft[e.right] = e.left;
      continue;
    }
    if (nL + nR > maxExact) {
      greedyComponents++;
      for (const e of [...edges].sort((a, b) => a.cost - b.cost)) {
        if (leftToRight[e.left] !== -1 || rightToLeft[e.right] !== -1) continue;
        leftToRight[e.left] = e.right;
        rightToLeft[e.right] = e.left;
      }
      continue;
    }
    exactComponents++;
    const lPos = new Map(lIdx.map((v, k) => [v, k]));
    const rPos = new Map(rIdx.map((v, k) => [v, k]));
    const n = nL + nR;
    const m: number[][] = [];
    for (let i = 0; i < n; i++) m.push(new Array<number>(n).fill(BIG));
    for (const e of edges) {
      const i = lPos.get(e.left) as number;
      const j = rPos.get(e.right) as number;
      const row = m[i] as number[];
      row[j] = Math.min(row[j] as number, e.cost);
    }
    for (let i = 0; i < nL; i++) (m[i] as number[])[nR + i] = leftAlone[lIdx[i] as number] as number;
    for (let j = 0; j < nR; j++) (m[nL + j] as number[])[j] = rightAlone[rIdx[j] as number] as number;
    for (let j = 0; j < nR; j++) {
      const row = m[nL + j] as number[];
      for (let i = 0; i < nL; i++) row[nR + i] = 0;
    }
    for (const [i, j] of munkres(m)) {
      if (i < nL && j < nR && ((m[i] as number[])[j] as number) < BIG) {
        const l = lIdx[i] as number;
        const r = rIdx[j] as number;
        leftToRight[l] = r;
        rightToLeft[r] = l;
      }
    }
  }
  let cost = 0;
  const costOf = new Map<number, number>();
  for (const c of candidates) {
    const k = c.left * (nRight + 1) + c.right;
    const prev = costOf.get(k);
    if (prev === undefined || c.cost < prev) costOf.set(k, c.cost);
  }
  for (let i = 0; i < nLeft; i++) {
    const j = leftToRight[i] as number;
    cost += j < 0 ? (leftAlone[i] as number) : (costOf.get(i * (nRight + 1) + j) as number);
  }
  for (let j = 0; j < nRight; j++) if (rightToLeft[j] === -1) cost += rightAlone[j] as number;
  return { leftToRight, rightToLeft, cost, exactComponents, greedyComponents };
}
