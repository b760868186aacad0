import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileWat, listWatFiles, renderWasmModule, repoPath, wasmConstName, wasmModulePath } from "../simd-wat.js";

describe("WebAssembly SIMD kernels (every packages/*/src/**/*.wat)", () => {
  const wats = listWatFiles();

  it("finds the kernels (imaging's foreground mask, seq's Lanczos matvec)", () => {
    const found = wats.map(repoPath);
    expect(found).toContain("packages/imaging/src/simd/kernels.wat");
    expect(found).toContain("packages/seq/src/embed/matvec.wat");
    expect(wasmConstName("a/b/matvec.wat")).toBe("MATVEC_WASM_BASE64");
    expect(wasmModulePath("/a/b/kernels.wat")).toMatch(/[\\/]a[\\/]b[\\/]kernels-wasm\.ts$/);
  });

  // one test per kernel, so a failure names the file to rebuild
  for (const wat of wats) {
    it(`${repoPath(wat)}: the committed ${repoPath(wasmModulePath(wat))} is exactly what it compiles to (run pnpm build:simd after editing)`, async () => {
      const out = wasmModulePath(wat);
      expect(existsSync(out)).toBe(true);
      const bytes = await compileWat(wat);
      expect(WebAssembly.validate(bytes)).toBe(true);
      expect(readFileSync(out, "utf8")).toBe(renderWasmModule(wat, bytes));
    });
  }
});
