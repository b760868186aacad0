/**
 * Test-only reference: the per-pixel two-pass labelling that `labelFlat` used before the run-based scan (issue
 * #25), kept verbatim so the property tests can check that the run-based labels are identical.
 */
/** Root of provisional label `l` with path halving (labels only ever point to smaller labels). */
function findRoot(parent: Int32Array, l: number): number {
  let p = parent[l]!;
  while (p !== l) {
    const gp = parent[p]!;
    parent[l] = gp;
    l = p;
    p = gp;
  }
  return l;
}

/** Merge the sets of provisional labels `a` and `b`; the smaller root wins (it was created first in raster order). */
function unite(parent: Int32Array, a: number, b: number): number {
  const ra = findRoot(parent, a);
  const rb = findRoot(parent, b);
  if (ra < rb) {
    parent[rb] = ra;
    return ra;
  }
  parent[ra] = rb;
  return rb;
}

/**
 * Label a flat image; returns labels (int32, raster-ordered 1..count) and the count.
 *
 * Two raster passes over flat indices: the first gives each pixel a provisional label (a new one when no
 * back neighbour of the same value exists, else the neighbour's, merging sets in a typed-array union-find
 * whose roots are always the smallest provisional label, i.e. the one created at the region's first pixel);
 * the second maps provisional labels to final ones numbered in order of their roots. Writes every element of
 * `into` when given (its length must be `rows * cols`).
 */
export function labelPixels(
  data: ArrayLike<number>,
  rows: number,
  cols: number,
  connectivity: 1 | 2,
  background = 0,
  into?: Int32Array,
): { labels: Int32Array; count: number } {
  const n = rows * cols;
  const labels = into ?? new Int32Array(n);
  if (n === 0) return { labels, count: 0 };
  // background pixels are never written below: one memset instead of a store per background pixel
  if (into) into.fill(0, 0, n);
  let parent = new Int32Array(Math.min(n + 1, 65536));
  let next = 1;
  const full = connectivity === 2;
  for (let y = 0; y < rows; y++) {
    const b = y * cols;
    for (let x = 0; x < cols; x++) {
      const i = b + x;
      const v = data[i]!;
      if (v === background) continue;
      let l = 0;
      if (y > 0) {
        const u = i - cols;
        if (data[u] === v) l = labels[u]!;
        else if (full) {
          // up is different: up-left and up-right may belong to different sets
          if (x > 0 && data[u - 1] === v) l = labels[u - 1]!;
          if (x < cols - 1 && data[u + 1] === v) {
            const r = labels[u + 1]!;
            l = l === 0 ? r : l === r ? l : unite(parent, l, r);
          }
        }
      }
      if (x > 0 && data[i - 1] === v) {
        const r = labels[i - 1]!;
        l = l === 0 ? r : l === r ? l : unite(parent, l, r);
      }
      if (l === 0) {
        if (next === parent.length) {
          const p2 = new Int32Array(Math.min(n + 1, parent.length * 2));
          p2.set(parent);
          parent = p2;
        }
        parent[next] = next;
        l = next++;
      }
      labels[i] = l;
    }
  }
  // final numbering: roots in creation (= raster) order get 1, 2, ...
  let count = 0;
  for (let l = 1; l < next; l++) {
    const p = parent[l]!;
    // p < l was already renumbered, so parent[p] holds its (and l's) final label
    parent[l] = p === l ? ++count : parent[p]!;
  }
  // no set was ever merged: every provisional label is already its final one (raster order), no relabel pass
  if (count === next - 1) return { labels, count };
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    if (l !== 0) labels[i] = parent[l]!;
  }
  return { labels, count };
}
