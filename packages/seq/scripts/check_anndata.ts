/**
 * `pnpm check:anndata` (not part of `pnpm test`: it needs Debian's Python with anndata 0.8 and h5py).
 *
 * Reads every file of the round-trip corpus (reference/anndata/roundtrip/, made by make_anndata_roundtrip.py)
 * with our reader, writes it back with our writer (plain, and gzip-compressed), then has anndata read each
 * rewrite (check_anndata_roundtrip.py): it must open and have the fingerprint of its source. Exits non-zero
 * on any difference.
 *
 *     pnpm check:anndata [folder for the rewrites, default a temporary one]
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { readH5ad, writeH5ad } from "../src/index.js";

const here = import.meta.dirname;
const corpus = path.resolve(here, "../reference/anndata/roundtrip");
const out = process.argv[2] ?? mkdtempSync(path.join(tmpdir(), "hyped-check-anndata-"));
mkdirSync(out, { recursive: true });

const files = readdirSync(corpus).filter((f) => f.endsWith(".h5ad"));
for (const f of files) {
  const a = await readH5ad(path.join(corpus, f));
  for (const compression of ["none", "gzip"] as const)
    await writeH5ad(path.join(out, compression === "none" ? f : f.replace(/\.h5ad$/, ".gzip.h5ad")), a, { compression });
}
process.stdout.write(`rewrote ${files.length} files (plain and gzip) into ${out}\n`);
const r = spawnSync("/usr/bin/python3", [path.join(here, "check_anndata_roundtrip.py"), corpus, out], { stdio: "inherit" });
if (r.error) {
  process.stderr.write(`cannot run /usr/bin/python3: ${r.error.message}\n`);
  process.exit(2);
}
process.exit(r.status ?? 1);
