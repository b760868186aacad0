/** The encodings of container roots: an AnnData (a file's root or a MuData modality), its `raw`, and MuData. */
import type { EncodingSpec } from "../registry.js";

/** `anndata` 0.1.0: the root of an `.h5ad` file (and of each modality in `.h5mu`). */
export const ANNDATA: EncodingSpec = { type: "anndata", version: "0.1.0" };
/** `raw` 0.1.0: the `raw` group. */
export const RAW: EncodingSpec = { type: "raw", version: "0.1.0" };
/** The root `encoding-type` of a MuData (`.h5mu`) file. */
export const MUDATA_TYPE = "MuData";
