/**
 * Filter plugins for h5wasm: which filter ids beyond h5wasm's built-in ones can be decoded, and lazy
 * loaders that install a plugin into an h5wasm instance when a dataset first needs it. Filter ids and names
 * come from the filter table (`filters.ts`).
 */
import { HypedError } from "../errors.js";
import { BUILTIN_FILTERS, FILTER_IDS, FILTERS } from "./filters.js";
import type { H5Runtime } from "./module.js";
import type { H5Filter } from "./types.js";

/** Plugin filter ids that have been registered at run time (see {@link registerFilterPlugin}). */
const pluginFilters = new Set<number>();
/** Record that a filter plugin is available (after the caller made it loadable for h5wasm). */
export function registerFilterPlugin(id: number): void {
  pluginFilters.add(id);
}
/** True if a filter id can be decoded. */
export function filterAvailable(id: number): boolean {
  return BUILTIN_FILTERS.has(id) || pluginFilters.has(id);
}

/**
 * A lazy filter plugin: returns the plugin's compiled bytes (an h5wasm-plugins `libH5Z*.so`) synchronously,
 * or `undefined` when it cannot be had in this environment.
 */
export type FilterPluginLoader = () => Uint8Array | undefined;
const filterLoaders = new Map<number, { fileName: string; load: FilterPluginLoader }>();

/**
 * Register a plugin that is installed only when a dataset first needs filter `id`: the loader's bytes are
 * written as `fileName` into h5wasm's plugin folder and the filter is marked available
 * ({@link registerFilterPlugin}). Example: LZF is `registerFilterLoader(FILTER_IDS.lzf, "libH5Zlzf.so", load)`.
 */
export function registerFilterLoader(id: number, fileName: string, load: FilterPluginLoader): void {
  filterLoaders.set(id, { fileName, load });
}

function tryLoadFilter(rt: H5Runtime, id: number): boolean {
  const l = filterLoaders.get(id);
  if (!l) return false;
  let bytes: Uint8Array | undefined;
  try {
    bytes = l.load();
  } catch {
    bytes = undefined;
  }
  if (!bytes) return false;
  const M = rt.Module;
  const dir = (M.get_plugin_search_paths() as string[])[0] ?? "/usr/local/hdf5/lib/plugin";
  rt.FS.mkdirTree(dir);
  rt.FS.writeFile(`${dir}/${l.fileName}`, bytes);
  rt.plugins ??= new Set();
  rt.plugins.add(id);
  registerFilterPlugin(id);
  return true;
}

/**
 * True if filter `id` can be decoded by this h5wasm instance: built in, installed into it from a registered
 * loader (now if not yet: a fresh instance after a corrupt file has an empty plugin folder), or registered
 * by the caller with {@link registerFilterPlugin}.
 */
export function pluginReady(rt: H5Runtime, id: number): boolean {
  if (BUILTIN_FILTERS.has(id) || rt.plugins?.has(id)) return true;
  if (tryLoadFilter(rt, id)) return true;
  return pluginFilters.has(id) && !filterLoaders.has(id);
}

/**
 * Throws `UNSUPPORTED` naming the filter, dataset `path` and file `file` unless h5wasm instance `rt` can
 * decode filter `f` (built in or a ready plugin), and for LZF without its chunk-size parameter, which the
 * LZF plugin would overrun memory on.
 */
export function checkH5wasmFilter(rt: H5Runtime, file: string, path: string, f: H5Filter): void {
  if (f.id === FILTER_IDS.lzf && f.cdValues.length < 3) {
    // the LZF plugin sizes its output from cd_values[2]; without it (some h5py builds omit it) it overruns memory
    throw new HypedError(
      "UNSUPPORTED",
      `${file}: dataset ${path} uses the lzf filter (id ${FILTER_IDS.lzf}) without its chunk-size parameter in a layout our JavaScript LZF decoder does not read (it reads chunked little-endian numbers and strings), and the LZF plugin cannot decode it`,
      { file, element: path, filter: "lzf", filterId: FILTER_IDS.lzf },
    );
  }
  if (!pluginReady(rt, f.id)) {
    throw new HypedError(
      "UNSUPPORTED",
      `${file}: dataset ${path} uses the ${f.name} filter (id ${f.id}), which this build cannot decode${
        f.id === FILTER_IDS.lzf
          ? " in this read without h5wasm's LZF plugin (our own decoder reads chunked little-endian numbers and strings; for other reads install the optional peer h5wasm-plugins in Node, or pass the plugin with @hyped/seq's setLzfPluginBytes)"
          : FILTERS.get(f.id)?.h5wasm === false
            ? " without its h5wasm plugin (see registerFilterLoader)"
            : ""
      }`,
      { file, element: path, filter: f.name, filterId: f.id },
    );
  }
}
