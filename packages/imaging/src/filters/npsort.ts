/**
 * numpy 1.24's default `argsort` (`kind='quicksort'`: an introsort with median-of-three partitioning, an
 * insertion sort below 16 elements and a heapsort fallback). It is not stable, and where keys tie the order it
 * produces is part of what `peak_local_max` returns; reproducing it makes our peak lists identical.
 */

const SMALL_QUICKSORT = 15;

function msb(n: number): number {
  let d = 0;
  while (n > 1) {
    n = Math.floor(n / 2);
    d++;
  }
  return d;
}

/** Argsort of `v` ascending, in numpy's quicksort order for ties. Returns indices into `v`. */
export function numpyArgsort(v: ArrayLike<number>): Int32Array {
  const num = v.length;
  const t = new Int32Array(num);
  for (let i = 0; i < num; i++) t[i] = i;
  if (num < 2) return t;
  const stack: number[] = [];
  const depth: number[] = [];
  let pl = 0;
  let pr = num - 1;
  let cdepth = msb(num) * 2;
  for (;;) {
    let heap = false;
    if (cdepth < 0) {
      aheapsort(v, t, pl, pr - pl + 1);
      heap = true;
    } else {
      while (pr - pl > SMALL_QUICKSORT) {
        const pm = pl + ((pr - pl) >> 1);
        let tmp: number;
        if (v[t[pm]!]! < v[t[pl]!]!) {
          tmp = t[pm]!;
          t[pm] = t[pl]!;
          t[pl] = tmp;
        }
        if (v[t[pr]!]! < v[t[pm]!]!) {
          tmp = t[pr]!;
          t[pr] = t[pm]!;
          t[pm] = tmp;
        }
        if (v[t[pm]!]! < v[t[pl]!]!) {
          tmp = t[pm]!;
          t[pm] = t[pl]!;
          t[pl] = tmp;
        }
        const vp = v[t[pm]!]!;
        let pi = pl;
        let pj = pr - 1;
        tmp = t[pm]!;
        t[pm] = t[pj]!;
        t[pj] = tmp;
        for (;;) {
          do ++pi;
          while (v[t[pi]!]! < vp);
          do --pj;
          while (vp < v[t[pj]!]!);
          if (pi >= pj) break;
          tmp = t[pi]!;
          t[pi] = t[pj]!;
          t[pj] = tmp;
        }
        const pk = pr - 1;
        tmp = t[pi]!;
        t[pi] = t[pk]!;
        t[pk] = tmp;
        if (pi - pl < pr - pi) {
          stack.push(pi + 1, pr);
          pr = pi - 1;
        } else {
          stack.push(pl, pi - 1);
          pl = pi + 1;
        }
        depth.push(--cdepth);
      }
    }
    if (!heap) {
      for (let pi = pl + 1; pi <= pr; pi++) {
        const vi = t[pi]!;
        const vp = v[vi]!;
        let pj = pi;
        let pk = pi - 1;
        while (pj > pl && vp < v[t[pk]!]!) {
          t[pj--] = t[pk--]!;
        }
        t[pj] = vi;
      }
    }
    if (stack.length === 0) break;
    pr = stack.pop()!;
    pl = stack.pop()!;
    cdepth = depth.pop()!;
  }
  return t;
}

/** numpy's `aheapsort` on `t[start .. start+n)`. */
function aheapsort(v: ArrayLike<number>, t: Int32Array, start: number, n: number): void {
  const a = (k: number) => start + k - 1; // 1-based heap index to array index
  let tmp: number;
  let i: number;
  let j: number;
  for (let l = n >> 1; l > 0; --l) {
    tmp = t[a(l)]!;
    for (i = l, j = l << 1; j <= n; ) {
      if (j < n && v[t[a(j)]!]! < v[t[a(j + 1)]!]!) j += 1;
      if (v[tmp]! < v[t[a(j)]!]!) {
        t[a(i)] = t[a(j)]!;
        i = j;
        j += j;
      } else break;
    }
    t[a(i)] = tmp;
  }
  for (; n > 1; ) {
    tmp = t[a(n)]!;
    t[a(n)] = t[a(1)]!;
    n -= 1;
    for (i = 1, j = 2; j <= n; ) {
      if (j < n && v[t[a(j)]!]! < v[t[a(j + 1)]!]!) j++;
      if (v[tmp]! < v[t[a(j)]!]!) {
        t[a(i)] = t[a(j)]!;
        i = j;
        j += j;
      } else break;
    }
    t[a(i)] = tmp;
  }
}
