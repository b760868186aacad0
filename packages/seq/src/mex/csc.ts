/**
 * Compressed-column assembly steps of the MatrixMarket parser (`mtx.ts`): regrouping entries that arrived
 * out of column order, and sorting rows within columns while summing duplicates.
 */

/**
 * Stable in-place counting sort of entries `0..n-1` by column: `colOf` (overwritten) gives each entry's
 * column; fills `indptr` and permutes `indices`/`data` by following the permutation's cycles.
 */
export function groupByColumn(
  colOf: Int32Array,
  cols: number,
  n: number,
  indptr: Int32Array,
  indices: Int32Array,
  data: Float32Array | Float64Array,
) {
  indptr.fill(0);
  for (let k = 0; k < n; k++) {
    const c = (colOf[k] as number) + 1;
    indptr[c] = (indptr[c] as number) + 1;
  }
  for (let c = 0; c < cols; c++) indptr[c + 1] = (indptr[c + 1] as number) + (indptr[c] as number);
  const next = indptr.slice(0, cols);
  for (let k = 0; k < n; k++) {
    const c = colOf[k] as number;
    const at = next[c] as number;
    next[c] = at + 1;
    colOf[k] = at; // now: destination of entry k
  }
  for (let s = 0; s < n; s++) {
    let d = colOf[s] as number;
    if (d < 0 || d === s) continue;
    let ci = indices[s] as number;
    let cv = data[s] as number;
    colOf[s] = -1;
    while (d !== s) {
      const ti = indices[d] as number;
      const tv = data[d] as number;
      indices[d] = ci;
      data[d] = cv;
      ci = ti;
      cv = tv;
      const nd = colOf[d] as number;
      colOf[d] = -1;
      d = nd;
    }
    indices[s] = ci;
    data[s] = cv;
  }
}

/**
 * Sort rows within each column (stable) and sum duplicates, compacting in place; columns before `from` are
 * known to be in order. Returns the new entry count.
 */
export function sortAndSum(indptr: Int32Array, indices: Int32Array, data: Float32Array | Float64Array, from: number): number {
  let w = indptr[from] as number;
  let a = w;
  for (let c = from; c + 1 < indptr.length; c++) {
    const b = indptr[c + 1] as number;
    let sorted = true;
    for (let k = a + 1; k < b; k++) {
      if ((indices[k] as number) <= (indices[k - 1] as number)) {
        sorted = false;
        break;
      }
    }
    if (!sorted) {
      sortSegment(indices, data, a, b);
      const w0 = w;
      for (let k = a; k < b; k++) {
        if (w > w0 && indices[w - 1] === indices[k]) data[w - 1] = (data[w - 1] as number) + (data[k] as number);
        else {
          indices[w] = indices[k] as number;
          data[w++] = data[k] as number;
        }
      }
    } else if (w !== a) {
      indices.copyWithin(w, a, b);
      data.copyWithin(w, a, b);
      w += b - a;
    } else w = b;
    indptr[c + 1] = w;
    a = b;
  }
  return w;
}

/** Stable sort of `indices[a, b)` (carrying `data`). */
function sortSegment(indices: Int32Array, data: Float32Array | Float64Array, a: number, b: number) {
  if (b - a <= 32) {
    for (let k = a + 1; k < b; k++) {
      const ik = indices[k] as number;
      const dk = data[k] as number;
      let q = k - 1;
      while (q >= a && (indices[q] as number) > ik) {
        indices[q + 1] = indices[q] as number;
        data[q + 1] = data[q] as number;
        q--;
      }
      indices[q + 1] = ik;
      data[q + 1] = dk;
    }
    return;
  }
  const seg = indices.slice(a, b);
  const vals = data.slice(a, b);
  const order = new Int32Array(b - a);
  for (let k = 0; k < order.length; k++) order[k] = k;
  order.sort((x, y) => (seg[x] as number) - (seg[y] as number) || x - y);
  for (let k = 0; k < order.length; k++) {
    indices[a + k] = seg[order[k] as number] as number;
    data[a + k] = vals[order[k] as number] as number;
  }
}
