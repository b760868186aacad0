/**
 * The one error hierarchy of the HYPED toolkit.
 *
 * Every failure that a caller can act on is a {@link HypedError} with a machine-readable
 * {@link HypedErrorCode}, a `context` record (file, element path, offset, ...) and an optional `cause`.
 * Use {@link isHypedError} to test for it, optionally narrowing to one code.
 */

/** Machine-readable error codes. */
export type HypedErrorCode =
  /** The bytes do not follow the format they claim (corrupt, truncated, inconsistent). */
  | "FORMAT"
  /** A valid feature of the format that this toolkit does not implement. */
  | "UNSUPPORTED"
  /** A request beyond a bound: index past the end, a read above the memory budget. */
  | "OUT_OF_RANGE"
  /** Arrays whose shapes or lengths must agree do not. */
  | "SHAPE_MISMATCH"
  /** The byte source failed (file system, network). */
  | "IO"
  /** The operation was cancelled through its AbortSignal. */
  | "ABORTED"
  /** A caller passed an argument that is not allowed. */
  | "INVALID_ARGUMENT"
  /** A required item (file, dataset, key, gene) is not there. */
  | "NOT_FOUND";

/** Free-form context attached to an error: where it happened and what was seen. */
export type ErrorContext = Record<string, unknown>;

/** The tagged error class used across all `@hyped/*` packages. */
export class HypedError extends Error {
  /** What kind of failure this is. */
  readonly code: HypedErrorCode;
  /** Where it happened and what was expected/found (file, element, offset, ...). */
  readonly context: ErrorContext;

  constructor(code: HypedErrorCode, message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "HypedError";
    this.code = code;
    this.context = context;
  }
}

/**
 * True if `e` is a {@link HypedError}, and, when `code` is given, carries that code.
 * Works across package copies by checking the tag, not only the prototype.
 */
export function isHypedError(e: unknown, code?: HypedErrorCode): e is HypedError {
  if (e === null || typeof e !== "object") return false;
  const ok =
    e instanceof HypedError || ((e as { name?: unknown }).name === "HypedError" && typeof (e as { code?: unknown }).code === "string");
  return ok && (code === undefined || (e as HypedError).code === code);
}

/** Plain words for the operating-system error codes users meet most. */
const OS_REASONS: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "is a directory",
  ENOTDIR: "a path component is not a directory",
  ELOOP: "too many levels of symbolic links",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EMFILE: "too many open files",
  EEXIST: "already exists",
  EIO: "input/output error",
};

/** True for a Node.js system error (`fs`, `net`, ...): an `Error` with a string `code` such as `ENOENT`. */
export function isSystemError(e: unknown): e is Error & { code: string; syscall?: string; path?: string } {
  return (
    e instanceof Error && typeof (e as { code?: unknown }).code === "string" && /^E[A-Z0-9]+$/.test((e as unknown as { code: string }).code)
  );
}

/**
 * The {@link HypedError} of code `IO` for a failed file-system call: names the path, the action and the
 * operating system's reason, e.g. `cannot read /nope.npy: no such file or directory (ENOENT)`. The OS code
 * is in `context.errno`. A {@link HypedError} passes through unchanged.
 */
export function fsError(e: unknown, path: string, action = "open"): HypedError {
  if (isHypedError(e)) return e;
  const code = isSystemError(e) ? e.code : undefined;
  const message = e instanceof Error ? e.message : String(e);
  // Node's messages read "ENOENT: no such file or directory, open '/x'": keep the reason, drop the rest
  const reason = code ? `${OS_REASONS[code] ?? (message.replace(/^E[A-Z0-9]+: /, "").split(",")[0] as string)} (${code})` : message;
  return new HypedError(
    "IO",
    `cannot ${action} ${path}: ${reason}`,
    { file: path, path, ...(code ? { errno: code } : {}), ...(isSystemError(e) && e.syscall ? { syscall: e.syscall } : {}) },
    { cause: e },
  );
}

/**
 * The `IO` error for a path that is not a regular file (a directory, FIFO, socket or device): readers open
 * only regular files, since a FIFO would block forever and a device never ends.
 */
export function notRegularFile(path: string, stat: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean }): HypedError {
  const what = stat.isDirectory() ? "a directory" : stat.isFIFO() ? "a FIFO" : stat.isSocket() ? "a socket" : "a device or special file";
  return new HypedError("IO", `cannot read ${path}: it is ${what}, not a regular file`, {
    file: path,
    path,
    errno: stat.isDirectory() ? "EISDIR" : "ENOTREG",
  });
}
