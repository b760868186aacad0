/**
 * Compiles the WebAssembly SIMD kernels `src/simd/kernels.wat` with wabt and writes `src/simd/kernels-wasm.ts`
 * (the bytes as base64). Run after editing the WAT, and commit both files:
 * `node --conditions=@hyped/source --import tsx packages/imaging/scripts/build-simd.ts` (from the repo root).
 * `src/simd/__tests__/simd.test.ts` fails when the committed bytes differ from what the WAT compiles to.
 */
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileKernelsWat, renderKernelsModule } from "../src/simd/__tests__/compile-wat.js";

const bytes = await compileKernelsWat();
const out = join(dirname(fileURLToPath(import.meta.url)), "..", "src", "simd", "kernels-wasm.ts");
writeFileSync(out, renderKernelsModule(bytes));
console.log(`wrote ${out} (${bytes.length} bytes of wasm)`);
