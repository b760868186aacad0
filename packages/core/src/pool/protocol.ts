/**
 * The messages between a {@link WorkerPool} and its workers, and how a {@link HypedError} crosses the thread
 * boundary (structured clone keeps an `Error`'s message but drops `code` and `context`, so errors travel as
 * plain `{ code, message, context }` records and are rebuilt on the other side). @internal
 */
import { type ErrorContext, HypedError, type HypedErrorCode, isHypedError } from "../errors.js";

/** A HypedError as plain data. */
export interface ErrorShape {
  code: HypedErrorCode;
  message: string;
  context: ErrorContext;
}

/** Pool → worker: one task. */
export interface JobMessage {
  id: number;
  task: unknown;
}

/** Worker → pool. */
export type ReplyMessage = { ready: true } | { fatal: string } | { id: number; result: unknown } | { id: number; error: ErrorShape };

/** `context` as something structured clone accepts (bigints as strings when a plain clone fails). */
function cloneableContext(c: ErrorContext): ErrorContext {
  try {
    return structuredClone(c);
  } catch {
    try {
      return JSON.parse(JSON.stringify(c, (_k, v) => (typeof v === "bigint" ? String(v) : v))) as ErrorContext;
    } catch {
      return {};
    }
  }
}

/** Any thrown value as an {@link ErrorShape}; errors that are not HypedErrors get `fallbackCode`. */
export function toErrorShape(e: unknown, fallbackCode: HypedErrorCode): ErrorShape {
  if (isHypedError(e)) return { code: e.code, message: e.message, context: cloneableContext(e.context ?? {}) };
  return { code: fallbackCode, message: e instanceof Error ? e.message : String(e), context: {} };
}

/** The {@link HypedError} an {@link ErrorShape} describes. */
export function fromErrorShape(s: ErrorShape): HypedError {
  return new HypedError(s.code, s.message, s.context ?? {});
}

/** A worker's result with the buffers to transfer (not copy) back; made by {@link withTransfer}. */
export class Transferred<R> {
  constructor(
    readonly value: R,
    readonly transfer: readonly ArrayBuffer[],
  ) {}
}

/**
 * Return this from a worker handler to transfer `transfer` (e.g. the result's `ArrayBuffer`s) back to the
 * pool instead of copying them; the pool's caller receives `value`.
 */
export function withTransfer<R>(value: R, transfer: readonly ArrayBuffer[]): Transferred<R> {
  return new Transferred(value, transfer);
}
