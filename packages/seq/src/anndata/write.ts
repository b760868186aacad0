/**
 * `writeH5ad`: an {@link AnnData} to `.h5ad` in the current anndata encodings (anndata ≥ 0.8 layout), written
 * atomically (temporary file, then rename). Booleans are real h5py boolean enums (see core's `boolenum.ts`),
 * so anndata 0.8 reads `ordered`, nullable booleans and boolean columns as booleans.
 *
 * This file only lays out the AnnData (root, `obs`, `var`, `X`, the mappings, `uns`, `raw`); every element is
 * written by the registry's writer for it (`encodings/*.ts`), so a registered encoding is written too.
 */
import { HypedError, isSparse, type LongTaskOptions, progressReporter } from "@hyped/core";
import { H5File } from "@hyped/core/hdf5";
import type { AnnData } from "./anndata.js";
import { defaultRegistry } from "./builtins.js";
import { writeMapping } from "./encodings/dict.js";
import { ANNDATA, RAW } from "./encodings/root.js";
import { prepareLzf } from "./lzf.js";
import { type Matrix, matrixShape } from "./matrix.js";
import { createEncodedGroup, type EncodingRegistry, setEncoding, type WriteContext, writeElement } from "./registry.js";

/** Options of {@link writeH5ad}. */
export interface WriteH5adOptions extends LongTaskOptions {
  /** Compression of array datasets: `gzip` (level 4), `lzf` or `none` (default, as anndata). Scalars are never compressed. */
  compression?: "gzip" | "lzf" | "none";
  /** Writers to use (default `defaultRegistry`): elements go to the newest registered writer that accepts them. */
  registry?: EncodingRegistry;
}

function totalValues(a: AnnData): number {
  const size = (m: Matrix) => (isSparse(m) ? m.data.length * 2 : matrixShape(m)[0] * matrixShape(m)[1]);
  let n = a.X ? size(a.X) : 0;
  for (const mp of [a.layers, a.obsm, a.varm, a.obsp, a.varp]) for (const m of mp.values()) n += size(m);
  return n;
}

function writeAll(c: WriteContext, a: AnnData): void {
  setEncoding(c, "/", ANNDATA);
  c.writeAny("/obs", a.obs);
  c.writeAny("/var", a.var);
  if (a.X) c.writeAny("/X", a.X);
  writeMapping(c, "/layers", a.layers, a.other.layers);
  writeMapping(c, "/obsm", a.obsm, a.obsmFrames, a.other.obsm);
  writeMapping(c, "/varm", a.varm, a.varmFrames, a.other.varm);
  writeMapping(c, "/obsp", a.obsp, a.other.obsp);
  writeMapping(c, "/varp", a.varp, a.other.varp);
  c.writeAny("/uns", a.uns);
  if (a.raw) {
    createEncodedGroup(c, "/raw", RAW);
    if (a.raw.X) c.writeAny("/raw/X", a.raw.X);
    c.writeAny("/raw/var", a.raw.var);
    writeMapping(c, "/raw/varm", a.raw.varm);
  }
}

/** A write context for `f` whose `writeAny` dispatches through `registry`. */
function writeContext(
  f: H5File,
  compression: WriteContext["compression"],
  options: WriteH5adOptions,
  tick: (n?: number) => void,
): WriteContext {
  const ctx: WriteContext = {
    f,
    registry: options.registry ?? defaultRegistry,
    compression,
    ...(options.signal ? { signal: options.signal } : {}),
    tick,
    writeAny: (path, value, hint) => writeElement(ctx, path, value, hint),
  };
  return ctx;
}

async function prepare(options: WriteH5adOptions): Promise<WriteContext["compression"]> {
  const comp = options.compression ?? "none";
  if (!["gzip", "lzf", "none"].includes(comp))
    throw new HypedError("INVALID_ARGUMENT", `compression must be gzip, lzf or none, got ${String(comp)}`, { compression: comp });
  if (comp === "lzf") await prepareLzf();
  return comp;
}

/**
 * Write `adata` to `path` as `.h5ad` (matches `AnnData.write_h5ad`; anndata ≥ 0.8 encodings). The file
 * appears only when complete: a failure or cancellation leaves nothing at `path`.
 */
export async function writeH5ad(path: string, adata: AnnData, options: WriteH5adOptions = {}): Promise<void> {
  const comp = await prepare(options);
  const f = await H5File.create(path, { atomic: true });
  const p = progressReporter(options.onProgress, "values", totalValues(adata), `writing ${path}`);
  try {
    writeAll(
      writeContext(f, comp, options, (n = 1) => p.tick(n)),
      adata,
    );
    f.close();
    p.finish();
  } catch (e) {
    f.discard();
    throw e;
  }
}

/** Write `adata` as `.h5ad` bytes in memory (for browsers, or to upload). */
export async function writeH5adBytes(adata: AnnData, options: WriteH5adOptions = {}): Promise<Uint8Array> {
  const comp = await prepare(options);
  const f = await H5File.create(null);
  try {
    writeAll(
      writeContext(f, comp, options, () => {}),
      adata,
    );
    const bytes = f.bytes();
    f.close();
    return bytes;
  } catch (e) {
    f.discard();
    throw e;
  }
}
