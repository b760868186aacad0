/**
 * The built-in encodings, one family per file in `encodings/`, put together in one registry.
 *
 * Writers are asked newest registration first, so the list below goes from the most general (`dict`, any
 * plain object) to the most specific; the built-in writers otherwise accept disjoint values.
 */
import { arrayEncoding } from "./encodings/array.js";
import { awkwardEncoding } from "./encodings/awkward.js";
import { categoricalEncoding } from "./encodings/categorical.js";
import { dataFrameEncoding } from "./encodings/dataframe.js";
import { dictEncoding } from "./encodings/dict.js";
import { nullableBooleanEncoding, nullableIntegerEncoding, nullableStringEncoding } from "./encodings/nullable.js";
import { recArrayEncoding } from "./encodings/rec-array.js";
import { nullEncoding, numericScalarEncoding, stringEncoding } from "./encodings/scalar.js";
import { cscEncoding, csrEncoding } from "./encodings/sparse.js";
import { stringArrayEncoding } from "./encodings/string-array.js";
import { readUnencoded } from "./legacy.js";
import { type Encoding, EncodingRegistry } from "./registry.js";

/** Every built-in encoding, in registration order. */
const BUILTINS: ReadonlyArray<Encoding<never>> = [
  dictEncoding,
  arrayEncoding,
  stringArrayEncoding,
  numericScalarEncoding,
  stringEncoding,
  nullEncoding,
  csrEncoding,
  cscEncoding,
  dataFrameEncoding,
  categoricalEncoding,
  nullableIntegerEncoding,
  nullableBooleanEncoding,
  nullableStringEncoding,
  recArrayEncoding,
  awkwardEncoding,
];

/**
 * A new registry with every encoding anndata 0.7–0.13 writes (readers and writers), and the legacy reader
 * (`legacy.ts`) as the fallback for elements without encoding attributes (anndata < 0.7).
 */
export function createDefaultRegistry(): EncodingRegistry {
  const r = new EncodingRegistry();
  for (const e of BUILTINS) r.define(e as Encoding);
  return r.setFallback(readUnencoded);
}

/**
 * The registry `readH5ad`/`openH5ad`/`writeH5ad` use unless given another. Add your own encodings with
 * `defaultRegistry.define({ type, version, read, accepts, write })` (or readers alone with `register`), or
 * pass `{ registry }` built from `createDefaultRegistry()` to keep them local.
 */
export const defaultRegistry: EncodingRegistry = createDefaultRegistry();
