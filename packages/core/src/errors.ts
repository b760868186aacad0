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

/** Shorthand constructors; each returns (does not throw) a {@link HypedError}. */
export const formatError = (message: string, context?: ErrorContext, cause?: unknown) =>
  new HypedError("FORMAT", message, context, { cause });
/** An {@link HypedError} of code `UNSUPPORTED`. */
export const unsupported = (message: string, context?: ErrorContext, cause?: unknown) =>
  new HypedError("UNSUPPORTED", message, context, { cause });
/** An {@link HypedError} of code `OUT_OF_RANGE`. */
export const outOfRange = (message: string, context?: ErrorContext) => new HypedError("OUT_OF_RANGE", message, context);
/** An {@link HypedError} of code `INVALID_ARGUMENT`. */
export const invalidArgument = (message: string, context?: ErrorContext) => new HypedError("INVALID_ARGUMENT", message, context);
/** An {@link HypedError} of code `SHAPE_MISMATCH`. */
export const shapeMismatch = (message: string, context?: ErrorContext) => new HypedError("SHAPE_MISMATCH", message, context);
/** An {@link HypedError} of code `IO`. */
export const ioError = (message: string, context?: ErrorContext, cause?: unknown) => new HypedError("IO", message, context, { cause });
/** An {@link HypedError} of code `NOT_FOUND`. */
export const notFound = (message: string, context?: ErrorContext) => new HypedError("NOT_FOUND", message, context);

/**
 * Run `fn`; any non-{@link HypedError} it throws becomes a {@link HypedError} of `code` with `context`.
 * Use at the boundary of third-party code (wasm, decoders) so nothing untyped leaks out.
 */
export function wrapErrors<T>(code: HypedErrorCode, message: string, context: ErrorContext, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isHypedError(e)) throw e;
    throw new HypedError(code, `${message}: ${e instanceof Error ? e.message : String(e)}`, context, { cause: e });
  }
}
