/**
 * `pnpm bench anndata`: `.h5ad` reading against Debian's anndata 0.8 on the same machine, same run.
 *
 * - full read of a 20,000 × 36,000 CSR (~8% density, 57.6 M values; gzip and uncompressed) vs
 *   `anndata.read_h5ad`;
 * - a 100-row backed slice (`openH5ad` + `X.rows`) vs `read_h5ad(backed='r').X[a:b]`;
 * - peak RSS of our full read (in a child process) against the matrix's in-memory size.
 *
 * The files come from `packages/seq/scripts/make_anndata_bench.py` (run here when missing; set
 * HYPED_BENCH_DIR to keep them elsewhere than /tmp/hyped-bench).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { h5ready } from "@hyped/core/hdf5";
import { openH5ad, readH5ad } from "@hyped/seq";
import { pythonWith, report, rerunSelfArgs, runPython, timeIt } from "../../../scripts/bench-utils.js";

const dir = process.env.HYPED_BENCH_DIR ?? "/tmp/hyped-bench";
const files = { gzip: path.join(dir, "csr_20000x36000_gzip.h5ad"), none: path.join(dir, "csr_20000x36000_none.h5ad") };

// child mode: one full read, then print peak RSS and the matrix's bytes
if (process.argv[2] === "--child-read") {
  // load and compile h5wasm first, as the peer has imported anndata/h5py before its clock starts
  await h5ready();
  const t = performance.now();
  const a = await readH5ad(process.argv[3] as string);
  const ms = performance.now() - t;
  const X = a.X as { data: ArrayBufferView; indices: ArrayBufferView; indptr: ArrayBufferView };
  const bytes = X.data.byteLength + X.indices.byteLength + X.indptr.byteLength;
  console.log(JSON.stringify({ ms, rssMiB: process.resourceUsage().maxRSS / 1024, matrixMiB: bytes / 2 ** 20 }));
  process.exit(0);
}

const py = pythonWith("anndata", "h5py");
if (!existsSync(files.gzip) || !existsSync(files.none)) {
  if (!py) {
    console.log("bench files missing and no Python with anndata to make them; skipping");
    process.exit(0);
  }
  console.log(`generating ${dir} (anndata 0.8 writes both files; about a minute)`);
  spawnSync(py, [path.join(import.meta.dirname, "../scripts/make_anndata_bench.py"), dir], { stdio: "inherit" });
}
if (!py) console.log("anndata 0.8 is absent on this machine: printing our figures without ratios");

for (const [kind, file] of Object.entries(files)) {
  // our full read, each in a fresh process so the RSS figure is clean
  const runs: Array<{ ms: number; rssMiB: number; matrixMiB: number }> = [];
  for (let i = 0; i < 3; i++) {
    const r = spawnSync(process.execPath, [...rerunSelfArgs(), "--child-read", file], {
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(r.stderr);
    runs.push(JSON.parse(r.stdout.trim().split("\n").pop() as string));
  }
  runs.sort((a, b) => a.ms - b.ms);
  const ours = runs[1] as (typeof runs)[number];
  let peer: number | undefined;
  let peerRss: number | undefined;
  if (py) {
    const res = runPython<{ ms: number; rss: number }>(
      `
import time, json, resource, anndata as ad
ts = []
for _ in range(3):
    t = time.perf_counter(); a = ad.read_h5ad(${JSON.stringify(file)}); ts.append((time.perf_counter() - t) * 1000); del a
ts.sort()
print(json.dumps({"ms": ts[1], "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
`,
      py,
    );
    peer = res.ms;
    peerRss = res.rss;
  }
  report(`full read, ${kind} (20,000 × 36,000 CSR, 57.6 M values)`, ours.ms, peer, "anndata 0.8");
  console.log(
    `  peak RSS ours ${ours.rssMiB.toFixed(0)} MiB for a ${ours.matrixMiB.toFixed(0)} MiB matrix: ratio ${(ours.rssMiB / ours.matrixMiB).toFixed(2)}x` +
      (peerRss ? `; anndata process peak ${peerRss.toFixed(0)} MiB` : ""),
  );
}

// backed 100-row slice
const slice = async (file: string) => {
  const b = await openH5ad(file);
  try {
    b.X?.rows(10_000, 10_100);
  } finally {
    b.close();
  }
};
for (const [kind, file] of Object.entries(files)) {
  const b = await openH5ad(file);
  const sliceMs = await timeIt(() => b.X?.rows(10_000, 10_100), 5);
  b.close();
  const withOpen = await timeIt(() => slice(file), 3);
  let peer: number | undefined;
  if (py) {
    peer = runPython<{ ms: number }>(
      `
import time, json, anndata as ad
a = ad.read_h5ad(${JSON.stringify(file)}, backed="r")
a.X[10000:10100]
ts = []
for _ in range(5):
    t = time.perf_counter(); a.X[10000:10100]; ts.append((time.perf_counter() - t) * 1000)
ts.sort()
print(json.dumps({"ms": ts[2]}))
`,
      py,
    ).ms;
  }
  report(`backed 100-row slice, ${kind}`, sliceMs, peer, "anndata 0.8");
  console.log(`  including openH5ad (annotations + indptr): ${withOpen.toFixed(1)} ms; target < 50 ms for the slice`);
}
