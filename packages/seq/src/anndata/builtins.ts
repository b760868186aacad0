/** The built-in element readers, registered by (encoding-type, encoding-version) as anndata writes them. */
import { readArray, readNull, readNumericScalar, readStringArray, readStringScalar } from "./encodings/array.js";
import { readCategorical, readDataFrame, readNullableBoolean, readNullableInteger, readNullableString } from "./encodings/dataframe.js";
import { readAwkward, readDict, readRecArray } from "./encodings/misc.js";
import { readSparse } from "./encodings/sparse.js";
import { EncodingRegistry } from "./registry.js";

/** A new registry with every encoding anndata 0.7–0.13 writes. */
export function createDefaultRegistry(): EncodingRegistry {
  const r = new EncodingRegistry();
  r.register("array", "0.2.0", readArray);
  r.register("string-array", "0.2.0", readStringArray);
  r.register("numeric-scalar", "0.2.0", readNumericScalar);
  r.register("string", "0.2.0", readStringScalar);
  r.register("null", "0.1.0", readNull);
  r.register("dict", "0.1.0", readDict);
  r.register("csr_matrix", "0.1.0", (c, p) => readSparse(c, p, "csr"));
  r.register("csc_matrix", "0.1.0", (c, p) => readSparse(c, p, "csc"));
  r.register("dataframe", "0.1.0", readDataFrame);
  r.register("dataframe", "0.2.0", readDataFrame);
  r.register("categorical", "0.2.0", readCategorical);
  r.register("nullable-integer", "0.1.0", readNullableInteger);
  r.register("nullable-boolean", "0.1.0", readNullableBoolean);
  r.register("nullable-string-array", "0.1.0", readNullableString);
  r.register("rec-array", "0.2.0", readRecArray);
  r.register("awkward-array", "0.1.0", readAwkward);
  return r;
}

/**
 * The registry `readH5ad`/`openH5ad` use unless given another. Add readers for your own encodings with
 * `defaultRegistry.register(type, version, reader)`, or pass `{ registry }` built from
 * `createDefaultRegistry()` to keep them local.
 */
export const defaultRegistry: EncodingRegistry = createDefaultRegistry();
