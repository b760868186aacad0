/**
 * The browser consumer: bundled by Vite from the packed tarballs (the `browser` export condition), run in
 * headless Chromium. Computes a metric, round-trips an `.h5ad` through h5wasm in memory, and checks that a
 * Node-only path fails with UNSUPPORTED rather than a bundler shim. Sets body[data-state] and prints JSON.
 */
import { fromTyped, HypedError } from "@hyped/core";
import { CziFile, openCzi } from "@hyped/imaging";
import { gaussianFilter } from "@hyped/imaging/filters";
import { pearson } from "@hyped/metrics";
import { AnnData, readH5ad, writeH5adBytes } from "@hyped/seq";
import { readMex } from "@hyped/seq/mex";

async function run(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  out.pearson = pearson([1, 2, 3, 4, 5, 6], [2, 4, 6, 8, 10, 12.5]);
  const X = fromTyped(
    Float32Array.from({ length: 12 }, (_, i) => i * i),
    [3, 4],
  );
  const back = await readH5ad(await writeH5adBytes(new AnnData({ X })));
  out.h5ad = [back.obs.nRows, back.var.nRows];
  out.blur = gaussianFilter(X, 1).shape;
  out.czi = typeof CziFile === "function" && typeof openCzi === "function";
  try {
    await readMex("/no/such/folder");
    out.nodeOnly = "no error";
  } catch (e) {
    out.nodeOnly = e instanceof HypedError ? e.code : `not a HypedError: ${String(e)}`;
  }
  return out;
}

const pre = document.getElementById("out") as HTMLElement;
run().then(
  (r) => {
    pre.textContent = JSON.stringify(r);
    document.body.dataset.state = "done";
  },
  (e: unknown) => {
    pre.textContent = String((e as Error)?.stack ?? e);
    document.body.dataset.state = "error";
  },
);
