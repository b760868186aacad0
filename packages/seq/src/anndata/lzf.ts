/**
 * LZF (HDF5 filter `FILTER_IDS.lzf` of core's filter table), which anndata 0.7 used by default. Reading decodes it with core's JavaScript
 * decoder in every environment (no plugin). h5wasm's plugin (the h5wasm-plugins build of `libH5Zlzf.so`)
 * is needed only to *write* LZF and for the rare reads that fall back to h5wasm (strided selections,
 * big-endian or compound datasets). It is installed into h5wasm only when first needed (core's
 * `registerFilterLoader`). In Node the bytes come from the installed `h5wasm-plugins` package; in a browser
 * pass them yourself with {@link setLzfPluginBytes} (e.g. fetched from a URL you serve).
 */
import { FILTER_IDS, registerFilterLoader } from "@hyped/core/hdf5";

/** The HDF5 filter id of LZF: core's `FILTER_IDS.lzf` (the filter table), under its old name. */
export const LZF_FILTER_ID: typeof FILTER_IDS.lzf = FILTER_IDS.lzf;

let pluginBytes: Uint8Array | undefined;
let nodeReader: (() => Uint8Array | undefined) | undefined;
let prepared: Promise<void> | undefined;

/** Provide the `libH5Zlzf.so` bytes (browsers); they are installed into h5wasm only when needed. */
export function setLzfPluginBytes(bytes: Uint8Array): void {
  pluginBytes = bytes;
  register();
}

function register(): void {
  registerFilterLoader(LZF_FILTER_ID, "libH5Zlzf.so", () => pluginBytes ?? nodeReader?.());
}

/**
 * Make LZF loadable (once). In Node this locates `h5wasm-plugins` without reading it; the plugin file is
 * read only when a dataset uses LZF. Called by `readH5ad`/`openH5ad`/`writeH5ad`.
 */
export function prepareLzf(): Promise<void> {
  prepared ??= (async () => {
    try {
      const { createRequire } = await import("node:module");
      const fs = await import("node:fs");
      const path = await import("node:path");
      const req = createRequire(import.meta.url);
      const dir = path.dirname(req.resolve("h5wasm-plugins/package.json"));
      const file = path.join(dir, "plugins", "libH5Zlzf.so");
      nodeReader = () => (fs.existsSync(file) ? new Uint8Array(fs.readFileSync(file)) : undefined);
    } catch {
      // not Node, or the package is absent: only setLzfPluginBytes can help
    }
    register();
  })();
  return prepared;
}
