/**
 * Seeded mutations of one input file. A case is fully determined by (seed, target, case number), so any case
 * can be replayed with `pnpm fuzz --seed S --target T --case N`.
 */
import { Random } from "@hyped/core";

/**
 * The fuzzer's generator: core's {@link Random} on its mulberry32 stream, the stream every saved case was
 * found with (a case replays from its seed only while the stream stays the same).
 */
export type Prng = Random;

/** A {@link Prng} seeded with a 32-bit `seed` (see {@link caseSeed}). */
export const prng = (seed: number): Prng => Random.mulberry32(seed);

/** One element of `a`, uniformly. */
export const pick = <T>(r: Prng, a: readonly T[]): T => a[r.int(a.length)] as T;

/** Mix seed, a target name and a case number into one 32-bit PRNG seed. */
export function caseSeed(seed: number, target: string, n: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const c of `${target}#${n}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

/** Kinds of mutation, as recorded beside each saved failure. */
export const MUTATIONS = ["bitflip", "byte00", "byteFF", "int4", "int8", "truncate", "dupchunk", "delchunk"] as const;
export type Mutation = (typeof MUTATIONS)[number];

const INT4 = [0, 0xffffffff, 0x80000000];
const INT8: bigint[] = [0n, 0xffffffffffffffffn, 0x80000000n, 0x7fffffffffffffffn];

/**
 * Where to mutate: a position biased toward the start of the file (headers and directories live there) half
 * of the time, anywhere otherwise.
 */
function position(r: Prng, len: number): number {
  if (len <= 1) return 0;
  if (r.next() < 0.5) return r.int(Math.min(len, 4096));
  return r.int(len);
}

/** Apply 1–3 mutations to a copy of `input`; returns the bytes and the operations (see {@link applyOp}). */
export function mutate(input: Uint8Array, r: Prng): { bytes: Uint8Array; ops: string[] } {
  let b: Uint8Array = input.slice();
  const ops: string[] = [];
  const n = 1 + r.int(3);
  for (let k = 0; k < n; k++) {
    const m = pick(r, MUTATIONS);
    const len = b.length;
    if (len === 0) break;
    const at = position(r, len);
    let op: string | undefined;
    switch (m) {
      case "bitflip":
        op = `bitflip@${at}:${r.int(8)}`;
        break;
      case "byte00":
      case "byteFF":
        op = `${m}@${at}`;
        break;
      case "int4":
        if (at + 4 <= len) op = `int4@${at}=${pick(r, INT4)}`;
        break;
      case "int8":
        if (at + 8 <= len) op = `int8@${at}=${pick(r, INT8)}`;
        break;
      case "truncate":
        op = `truncate@${r.int(len)}`;
        break;
      case "dupchunk":
      case "delchunk":
        op = `${m}@${at}+${1 + r.int(Math.min(512, len - at))}`;
        break;
    }
    if (op === undefined) continue;
    b = applyOp(b, op);
    ops.push(op);
  }
  return { bytes: b, ops };
}

/**
 * Apply one recorded mutation (as `mutate` names it: `bitflip@AT:BIT`, `byte00@AT`, `byteFF@AT`,
 * `int4@AT=V`, `int8@AT=V`, `truncate@LEN`, `dupchunk@AT+N`, `delchunk@AT+N`) to `b`. Regression tests replay
 * saved failures this way from the fixture they came from.
 */
export function applyOp(input: Uint8Array, op: string): Uint8Array {
  const m = /^(\w+)@(\d+)(?:[:=+](\d+))?$/.exec(op);
  if (!m) throw new Error(`bad mutation '${op}'`);
  const kind = m[1] as string;
  const at = Number(m[2]);
  const arg = m[3] ?? "0";
  const b = input.slice();
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  switch (kind) {
    case "bitflip":
      b[at] = (b[at] as number) ^ (1 << Number(arg));
      return b;
    case "byte00":
    case "byteFF":
      b[at] = kind === "byte00" ? 0 : 0xff;
      return b;
    case "int4":
      dv.setUint32(at, Number(arg), true);
      return b;
    case "int8":
      dv.setBigUint64(at, BigInt(arg), true);
      return b;
    case "truncate":
      return b.slice(0, at);
    case "delchunk": {
      const size = Number(arg);
      const c = new Uint8Array(b.length - size);
      c.set(b.subarray(0, at));
      c.set(b.subarray(at + size), at);
      return c;
    }
    case "dupchunk": {
      const size = Number(arg);
      const c = new Uint8Array(b.length + size);
      c.set(b.subarray(0, at + size));
      c.set(b.subarray(at, at + size), at + size);
      c.set(b.subarray(at + size), at + 2 * size);
      return c;
    }
  }
  throw new Error(`unknown mutation '${kind}'`);
}
