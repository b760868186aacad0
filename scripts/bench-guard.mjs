/**
 * Preloaded (`node --import`) into every bench process by `pnpm bench`: prints where `@hyped/core` resolves for
 * the bench being run (its `dist/` or its `src/`, following the process's export conditions) and exits with
 * code 2 if it is `src/` while `BENCH_SOURCE=1` is not set: benches measure the built `dist/` that users run.
 * Plain JavaScript, so that it runs in plain Node before anything else.
 */
import { createRequire } from "node:module";
import path from "node:path";

const entry = process.argv[1];
if (entry) {
  let where;
  try {
    where = createRequire(path.resolve(entry)).resolve("@hyped/core");
  } catch (e) {
    where = `unresolved (${e.code ?? e.message})`;
  }
  const kind = /[/\\]src[/\\]/.test(where) ? "src" : /[/\\]dist[/\\]/.test(where) ? "dist" : "other";
  console.log(`@hyped/core -> ${path.relative(process.cwd(), where) || where} (${kind})`);
  if (kind === "src" && process.env.BENCH_SOURCE !== "1") {
    console.error("bench guard: @hyped/core resolved to its sources; benches measure dist/ (set BENCH_SOURCE=1 to measure the sources)");
    process.exit(2);
  }
}
