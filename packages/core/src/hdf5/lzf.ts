/**
 * Size estimate of LZF compression (the liblzf format of HDF5 filter `FILTER_IDS.lzf`, see `filters.ts`),
 * used before writing with LZF: h5wasm registers filters as mandatory, and the LZF filter fails on a chunk
 * it cannot shrink, which would abort the write. We only ask HDF5 for LZF when every chunk compresses with room to spare.
 */

/**
 * Bytes a greedy liblzf-style compressor produces for `b` (literal runs of ≤ 32 bytes, back references up to
 * 8191 bytes back and 264 long, a 2^14-entry hash of 3-byte prefixes).
 */
export function lzfCompressedSize(b: Uint8Array): number {
  const n = b.length;
  const htab = new Int32Array(1 << 14).fill(-1);
  let out = 0;
  let lit = 0;
  let ip = 0;
  const hash = (i: number) => ((((b[i] as number) << 16) | ((b[i + 1] as number) << 8) | (b[i + 2] as number)) * 2654435761) >>> 18;
  while (ip + 2 < n) {
    const h = hash(ip);
    const ref = htab[h] as number;
    htab[h] = ip;
    const off = ip - ref - 1;
    if (ref >= 0 && off < 8191 && b[ref] === b[ip] && b[ref + 1] === b[ip + 1] && b[ref + 2] === b[ip + 2]) {
      let len = 3;
      const maxlen = Math.min(n - ip, 264);
      while (len < maxlen && b[ref + len] === b[ip + len]) len++;
      if (lit) {
        out += 1 + lit;
        lit = 0;
      }
      out += len - 2 < 7 ? 2 : 3;
      ip += len;
    } else {
      lit++;
      ip++;
      if (lit === 32) {
        out += 33;
        lit = 0;
      }
    }
  }
  lit += n - ip;
  while (lit > 0) {
    const k = Math.min(32, lit);
    out += 1 + k;
    lit -= k;
  }
  return out;
}

/** True if every `chunkBytes`-long piece of `bytes` shrinks to at most `ratio` of its size under LZF. */
export function lzfCompressible(bytes: Uint8Array, chunkBytes: number, ratio = 0.9): boolean {
  const step = Math.max(1, chunkBytes);
  if (step < 64) return false; // tiny chunks never shrink reliably
  for (let a = 0; a < bytes.length; a += step) {
    let piece = bytes.subarray(a, Math.min(bytes.length, a + step));
    if (piece.length < step) {
      // HDF5 filters whole chunks: the tail chunk is padded with the fill value (zeros)
      const full = new Uint8Array(step);
      full.set(piece);
      piece = full;
    }
    if (lzfCompressedSize(piece) > ratio * piece.length) return false;
  }
  return true;
}
