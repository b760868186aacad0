/**
 * Vite config of the viewer: builds from our packages' sources (the `@hyped/source` export condition).
 * Node built-ins (`node:*`, reached by our packages only on Node code paths, often through a guarded dynamic
 * import) resolve to an empty module: left external, the browser would try to fetch `node:module` and log a
 * CORS error on every `.h5ad` load. Every heavy part (h5wasm, vega, onnxruntime) is a dynamic import, so the
 * first download is the small entry chunk (examples/__tests__/viewer.test.ts checks it stays <= 8 MB).
 */
import { defineConfig, type Plugin } from "vite";

const STUB = "\0hyped-node-builtin:";

/** `node:*` → an empty namespace (every named import is undefined), so guarded Node paths fail softly. */
function nodeBuiltinsStub(): Plugin {
  return {
    name: "hyped-node-builtins-stub",
    enforce: "pre",
    resolveId: (id) => (id.startsWith("node:") ? STUB + id : null),
    load: (id) => (id.startsWith(STUB) ? { code: "export default {};", syntheticNamedExports: true } : null),
  };
}

export default defineConfig({
  root: import.meta.dirname,
  base: "./",
  plugins: [nodeBuiltinsStub()],
  resolve: { conditions: ["@hyped/source", "browser", "module", "import", "default"] },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    manifest: true,
    chunkSizeWarningLimit: 8000,
  },
  optimizeDeps: { exclude: ["h5wasm"] },
});
