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
