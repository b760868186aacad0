/**
 * A stable descending argsort on float64 keys, written for speed (no comparator calls): insertion sort on
 * runs of 24, then bottom-up merging. Ties keep their input order.
 */

/**
 * Sort `idx[0..n)` (positions into `keys`) so that `keys[idx[i]]` is non-increasing; equal keys keep the order
 * they had in `idx`. `tmp` is scratch space of length ≥ n. Returns the array holding the result (`idx` or `tmp`).
 */
export function stableArgsortDesc(keys: Float64Array, idx: Int32Array, tmp: Int32Array, n: number, keysTmp?: Float64Array): Int32Array {
  if (keysTmp && keysTmp.length >= n) return argsortWithKeys(keys, idx, tmp, n, keysTmp);
  const RUN = 24;
  for (let lo = 0; lo < n; lo += RUN) {
    const hi = Math.min(lo + RUN, n);
    for (let i = lo + 1; i < hi; i++) {
      const v = idx[i] as number;
      const kv = keys[v] as number;
      let j = i - 1;
      while (j >= lo && (keys[idx[j] as number] as number) < kv) {
        idx[j + 1] = idx[j] as number;
        j--;
      }
      idx[j + 1] = v;
    }
  }
  let src = idx;
  let dst = tmp;
  for (let width = RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let a = lo;
      let b = mid;
      let o = lo;
      while (a < mid && b < hi) {
        // take from the right run only when strictly larger: keeps ties stable
        if ((keys[src[b] as number] as number) > (keys[src[a] as number] as number)) dst[o++] = src[b++] as number;
        else dst[o++] = src[a++] as number;
      }
      while (a < mid) dst[o++] = src[a++] as number;
      while (b < hi) dst[o++] = src[b++] as number;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  return src;
}

/**
 * The same order as {@link stableArgsortDesc} when `idx` starts as 0…n−1, moving keys with the indices so merging
 * reads them sequentially (faster on long rows). `keys` is permuted in place; `keysTmp` is scratch (length ≥ n).
 */
function argsortWithKeys(keys: Float64Array, idx: Int32Array, tmp: Int32Array, n: number, keysTmp: Float64Array): Int32Array {
  const RUN = 16;
  for (let lo = 0; lo < n; lo += RUN) {
    const hi = Math.min(lo + RUN, n);
    for (let i = lo + 1; i < hi; i++) {
      const v = idx[i] as number;
      const kv = keys[i] as number;
      let j = i - 1;
      while (j >= lo && (keys[j] as number) < kv) {
        idx[j + 1] = idx[j] as number;
        keys[j + 1] = keys[j] as number;
        j--;
      }
      idx[j + 1] = v;
      keys[j + 1] = kv;
    }
  }
  let src = idx;
  let dst = tmp;
  let ks = keys;
  let kd = keysTmp;
  for (let width = RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let a = lo;
      let b = mid;
      let o = lo;
      while (a < mid && b < hi) {
        const ka = ks[a] as number;
        const kb = ks[b] as number;
        if (kb > ka) {
          kd[o] = kb;
          dst[o++] = src[b++] as number;
        } else {
          kd[o] = ka;
          dst[o++] = src[a++] as number;
        }
      }
      while (a < mid) {
        kd[o] = ks[a] as number;
        dst[o++] = src[a++] as number;
      }
      while (b < hi) {
        kd[o] = ks[b] as number;
        dst[o++] = src[b++] as number;
      }
    }
    const t = src;
    src = dst;
    dst = t;
    const tk = ks;
    ks = kd;
    kd = tk;
  }
  return src;
}
