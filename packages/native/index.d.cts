/**
 * The addon's functions. Both read `span` bytes of file descriptor `fd` at byte `position` into a
 * per-thread buffer, then copy the runs of a box out of it into `dst`:
 *
 * - a run is `runBytes` contiguous bytes;
 * - runs are indexed row-major by `counts` (outermost first; an empty list means one run);
 * - run `i` starts at `sum(i_k * srcStrides[k])` bytes into the span and lands at
 *   `dstOffset + sum(i_k * dstStrides[k])` bytes into `dst`'s bytes.
 *
 * Every argument is checked before any byte moves: integers must be non-negative and exact, at most 32
 * dimensions, `span` at most 4 GiB, and the last run must end inside the span and inside `dst`
 * (`RangeError` otherwise). A file shorter than `position + span` fails with code `SHORT_READ`, an
 * operating-system error with code `IO` and its message.
 */
export interface NativeBinding {
  /** The read and copy run on libuv's thread pool; `dst` is kept alive until the promise settles. */
  readBox(...args: BoxArgs): Promise<void>;
  /** The same on the calling thread. */
  readBoxSync(...args: BoxArgs): void;
  /**
   * The foreground mask of one or two channels, on the calling thread: `out[i] = (c0[i] > t) | (c1[i] > t)`
   * as 0 or 1 for `i < n`, with JavaScript's `>` (NaN is never above, -0 equals 0; float32 pixels are compared
   * as the float64 values JavaScript reads). Bytes of `out` from `n` on are not touched. `c1` may be `null` (one
   * channel); otherwise it has `c0`'s type.
   *
   * Checked before any byte is read or written: `TypeError` when a channel is not a `Float64Array` or
   * `Float32Array` (or `c1` not of `c0`'s type), `n` or `t` is not a number, or `out` is not a `Uint8Array`;
   * `RangeError` when `n` is not a non-negative integer, is larger than a channel's or `out`'s length, or when
   * `out` shares bytes with a channel. Absent from builds of the addon older than this function: check
   * `typeof binding.maskAbove === "function"`.
   */
  maskAbove?(c0: Float64Array | Float32Array, c1: Float64Array | Float32Array | null, n: number, t: number, out: Uint8Array): void;
}

/** The arguments of {@link NativeBinding.readBox}, described above it. */
export type BoxArgs = [
  fd: number,
  position: number,
  span: number,
  dst: ArrayBufferView,
  dstOffset: number,
  runBytes: number,
  counts: readonly number[],
  srcStrides: readonly number[],
  dstStrides: readonly number[],
];

/** What {@link load} found: the binding, or `null` and why (`reason` is empty when loaded). */
export interface NativeLoad {
  binding: NativeBinding | null;
  reason: string;
}

/** Load the addon once (later calls return the same result). `HYPED_NATIVE=0` in the environment turns it off. */
export function load(): NativeLoad;
