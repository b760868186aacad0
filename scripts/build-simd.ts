/**
 * Compiles every WebAssembly SIMD kernel in the repo (`packages/*\/src/**\/*.wat`) with wabt and writes the
 * sibling `<name>-wasm.ts` (the bytes as base64). Run after editing a `.wat`, and commit both files:
 * `pnpm build:simd` (from the repo root). `scripts/__tests__/simd-wat.test.ts` fails when a committed module
 * differs from what its `.wat` compiles to.
 */
import { writeFileSync } from "node:fs";
import { compileWat, listWatFiles, renderWasmModule, repoPath, wasmModulePath } from "./simd-wat.js";

for (const wat of listWatFiles()) {
  const bytes = await compileWat(wat);
  const out = wasmModulePath(wat);
  writeFileSync(out, renderWasmModule(wat, bytes));
  console.log(`wrote ${repoPath(out)} (${bytes.length} bytes of wasm)`);
}
