/**
 * `pnpm bench anndata`: `.h5ad` reading against Debian's anndata 0.8 on the same machine, in turns (issue 25).
 *
 * Rows (ours/peer, wall and CPU, medians over the rounds; the verdict reads CPU when the machine is loaded):
 * - full read of an N × 36,000 CSR (2,880 stored float32 values per cell; N = 5,000, 20,000, 80,000), gzip
 *   and uncompressed: `readH5ad` vs `anndata.read_h5ad`;
 * - open + 100 backed rows: `openH5ad` then `X.rows(a, a + 100)` then `close`, vs
 *   `read_h5ad(f, backed="r")` then `adata.X[a:a + 100]` then closing the file (both read obs/var at open);
 * - cold process, 5,000 cells uncompressed: a whole command that starts the runtime, imports the library and
 *   reads the file once (`node` on this bench's bundle, which imports `@hyped/seq`, vs `python3 -c "import
 *   anndata; anndata.read_h5ad(f)"`), timed as commands with {@link commandPeer}, in turns: what a script that
 *   reads one file pays, start-up and first-call costs included;
 * - peak RSS of our full read of the 20,000-cell file (in a child process) against the matrix's size.
 *
 * Our side runs in this process with the HDF5 runtime loaded first (the peer imports anndata/h5py before its
 * clock starts too); each of our calls starts with the previous result unreachable, as the peer frees its
 * result inside its own timed call. The files come from `packages/seq/scripts/make_anndata_bench.py` (run
 * here for each missing size; set HYPED_BENCH_DIR to keep them elsewhere than /tmp/hyped-bench,
 * HYPED_BENCH_SIZES=5000,20000 to skip some). The 80,000-cell matrix takes 1.8 GB in each process.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import path from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { h5ready } from "@hyped/core/hdf5";
import { openH5ad, readH5ad } from "@hyped/seq";
import {
  commandPeer,
  inTurns,
  median,
  type PeerTime,
  PythonPeer,
  pythonWith,
  rerunSelfArgs,
  type TurnResult,
  type TurnRow,
  verdictTable,
} from "../../../scripts/bench-utils.js";

const dir = process.env.HYPED_BENCH_DIR ?? "/tmp/hyped-bench";
const sizes = (process.env.HYPED_BENCH_SIZES ?? "5000,20000,80000").split(",").map(Number);
const fileOf = (n: number, kind: "gzip" | "none") => path.join(dir, `csr_${n}x36000_${kind}.h5ad`);
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(" ");

// cold mode: one full read in a fresh process and nothing else (the cold-process row times the whole command)
if (process.argv[2] === "--child-cold") {
  const a = await readH5ad(process.argv[3] as string);
  if (!a.X) throw new Error("no X");
  process.exit(0);
}

// child mode: one full read, then print peak RSS and the matrix's bytes
if (process.argv[2] === "--child-read") {
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
for (const n of sizes) {
  if (existsSync(fileOf(n, "gzip")) && existsSync(fileOf(n, "none"))) continue;
  if (!py) {
    console.log(`bench files for ${n} cells missing and no Python with anndata to make them; skipping`);
    process.exit(0);
  }
  console.log(`generating the ${n}-cell files in ${dir} (anndata 0.8 writes both)`);
  spawnSync(py, [path.join(import.meta.dirname, "../scripts/make_anndata_bench.py"), dir, String(n)], { stdio: "inherit" });
}

// an explicit collection before the largest reads keeps this process near one matrix in memory
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

await h5ready();
const peer = await PythonPeer.start("import anndata as ad, gc", "anndata", "h5py");
if (!peer) console.log("anndata 0.8 is absent on this machine: printing our figures without ratios");
console.log(`load average at the start ${load()} on ${availableParallelism()} cores`);

const rows: TurnRow[] = [];
for (const n of sizes) {
  for (const kind of ["none", "gzip"] as const) {
    const f = fileOf(n, kind);
    const big = n >= 80_000;
    rows.push({
      name: `full read, ${kind}, ${n.toLocaleString("en")} cells`,
      ours: () => {
        if (big) gc(); // the previous result is unreachable already
        return readH5ad(f);
      },
      peer: `ad.read_h5ad(${JSON.stringify(f)})`,
      peerName: "anndata 0.8",
      rounds: big ? 3 : 5,
    });
  }
}
for (const n of sizes) {
  for (const kind of ["none", "gzip"] as const) {
    const f = fileOf(n, kind);
    const a = n / 2;
    rows.push({
      name: `open + 100 backed rows, ${kind}, ${n.toLocaleString("en")} cells`,
      ours: async () => {
        const b = await openH5ad(f);
        try {
          return b.X?.rows(a, a + 100);
        } finally {
          b.close();
        }
      },
      peer: `(lambda b: (b.X[${a}:${a + 100}], b.file.close()))(ad.read_h5ad(${JSON.stringify(f)}, backed="r"))`,
      peerName: "anndata 0.8",
      rounds: 7,
    });
  }
}
const results = await inTurns(rows, peer);
peer?.close();
const cold = py ? await coldRow(py, fileOf(sizes.includes(5000) ? 5000 : (sizes[0] as number), "none")) : undefined;
if (cold) results.push(cold);

// peak RSS of one full read in a fresh process
const n20 = sizes.includes(20_000) ? 20_000 : (sizes[0] as number);
const r = spawnSync(process.execPath, [...rerunSelfArgs(), "--child-read", fileOf(n20, "none")], { encoding: "utf8" });
if (r.status === 0) {
  const m = JSON.parse(r.stdout.trim().split("\n").pop() as string) as { ms: number; rssMiB: number; matrixMiB: number };
  console.log(
    `peak RSS of one uncompressed ${n20}-cell read in a fresh process: ${m.rssMiB.toFixed(0)} MiB for a ${m.matrixMiB.toFixed(0)} MiB matrix (${(m.rssMiB / m.matrixMiB).toFixed(2)}x); that read took ${m.ms.toFixed(0)} ms`,
  );
} else console.log(`peak RSS child failed: ${r.stderr.slice(0, 400)}`);

verdictTable(results);
console.log(`load average at the end ${load()} on ${availableParallelism()} cores`);

/**
 * The cold-process row: our bench bundle in `--child-cold` mode against `python3 -c "import anndata; ..."`, both
 * timed as whole commands (wall, and CPU of the process and its children), one warm-up each (the file in the page
 * cache), then 7 rounds alternating which goes first.
 */
async function coldRow(python: string, f: string): Promise<TurnResult> {
  const ours = commandPeer(process.execPath, [...rerunSelfArgs(), "--child-cold", f]);
  const theirs = commandPeer(python, ["-c", `import anndata as ad; a = ad.read_h5ad(${JSON.stringify(f)}); assert a.X is not None`]);
  const o: PeerTime[] = [];
  const t: PeerTime[] = [];
  await ours();
  await theirs();
  for (let r = 0; r < 7; r++) {
    if (r % 2 === 0) o.push(await ours());
    t.push(await theirs());
    if (r % 2 === 1) o.push(await ours());
  }
  const name = `cold process: start, import, full read, none, ${path.basename(f).split("_")[1]?.split("x")[0]} cells`;
  const res: TurnResult = {
    name,
    peerName: "anndata 0.8",
    ours: o.map((x) => x.wall),
    peer: t.map((x) => x.wall),
    oursCpu: o.map((x) => x.cpu),
    peerCpu: t.map((x) => x.cpu),
    ratio: median(o.map((x) => x.wall)) / median(t.map((x) => x.wall)),
    cpuRatio: median(o.map((x) => x.cpu)) / median(t.map((x) => x.cpu)),
    goal: 1,
  };
  const span = (xs: number[]) => `${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
  console.log(
    `${name}: wall ours ${span(res.ours)}, anndata ${span(res.peer)}; CPU ours ${span(res.oursCpu)}, anndata ${span(res.peerCpu)}; ours/anndata = ${(res.ratio as number).toFixed(2)}x wall, ${(res.cpuRatio as number).toFixed(2)}x CPU (7 rounds in turns)`,
  );
  return res;
}
