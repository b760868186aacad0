/**
 * Writes .h5ad files with our writer for `check_h5ad_with_anndata.py` (not run by CI):
 *
 *     cd /work/main && node --conditions=@hyped/source --import tsx packages/seq/scripts/write_check_files.ts /tmp/h5ad-check
 *     /usr/bin/python3 packages/seq/scripts/check_h5ad_with_anndata.py /tmp/h5ad-check
 *
 * Each `<name>.h5ad` gets `<name>.json` with what we wrote (shape, names, columns, categories, sums, keys).
 * `*-KNOWN-GAP` files hold what anndata 0.8 is documented not to read (non-ASCII strings in a rec-array;
 * see docs/anndata.md).
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { contiguous, isSparse } from "@hyped/core";
import { everyEncoding } from "../src/anndata/__tests__/every-encoding.js";
import { type AnnData, type Column, type RecArray, readH5ad, writeH5ad } from "../src/index.js";

const out = process.argv[2] ?? "/tmp/h5ad-check";
mkdirSync(out, { recursive: true });
const fixtures = path.resolve(import.meta.dirname, "../../../../shared/fixtures/h5ad");

function sum(m: AnnData["X"]): number | null {
  if (!m) return null;
  const d = (isSparse(m) ? m.data : contiguous(m as never).data) as unknown as ArrayLike<number | bigint>;
  let s = 0;
  for (let i = 0; i < d.length; i++) s += Number(d[i]);
  return s;
}

function describeFrame(df: AnnData["obs"]) {
  return df.columns.map((name) => {
    const c = df.column(name) as Column;
    return {
      name,
      kind: c.kind,
      ...(c.kind === "categorical" ? { categories: c.categories, ordered: c.ordered, codes: Array.from(c.codes) } : {}),
      ...("mask" in c ? { mask: Array.from(c.mask) } : {}),
    };
  });
}

async function emit(name: string, a: AnnData, compression: "gzip" | "none" | "lzf") {
  const file = path.join(out, `${name}.h5ad`);
  await writeH5ad(file, a, { compression });
  const facts = {
    shape: a.shape,
    obs_names: a.obsNames,
    var_names: a.varNames,
    X_sum: sum(a.X),
    X_kind: a.X ? (isSparse(a.X) ? a.X.format : "dense") : null,
    obs: describeFrame(a.obs),
    var: describeFrame(a.var),
    layers: [...a.layers.keys()].sort(),
    obsm: [...a.obsm.keys(), ...a.obsmFrames.keys()].sort(),
    obsp: [...a.obsp.keys()].sort(),
    uns_keys: Object.keys(a.uns).sort(),
    raw_shape: a.raw ? [a.nObs, a.raw.var.nRows] : null,
  };
  writeFileSync(path.join(out, `${name}.json`), JSON.stringify(facts));
  console.log("wrote", file);
}

await emit("every-encoding", everyEncoding(), "gzip");
await emit("every-encoding-lzf", everyEncoding(), "lzf");
const walk = (d: string): string[] =>
  readdirSync(d).flatMap((e) =>
    statSync(path.join(d, e)).isDirectory() ? walk(path.join(d, e)) : e.endsWith(".h5ad") ? [path.join(d, e)] : [],
  );
for (const f of walk(fixtures)) await emit(`fixture-${path.basename(path.dirname(f))}`, await readH5ad(f), "gzip");

// the one documented gap: non-ASCII strings inside a rec-array are stored as fixed-length UTF-8, which
// anndata 0.8's structured-array decoding cannot handle
const gap = everyEncoding();
gap.uns.rec = { kind: "rec-array", length: 2, fields: { name: ["café", "naïve"], score: new Float64Array([1, 2]) } } satisfies RecArray;
await emit("recarray-nonascii-KNOWN-GAP", gap, "gzip");
