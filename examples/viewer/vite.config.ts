/**
 * Vite config of the viewer: builds from our packages' sources (the `@hyped/source` export condition) and keeps
 * Node built-ins out of the bundle (our packages only reach them through dynamic imports on Node code paths).
 */
import { defineConfig } from "vite";

export default defineConfig({
  root: import.meta.dirname,
  base: "./",
  resolve: { conditions: ["@hyped/source", "browser", "module", "import", "default"] },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 8000,
    rollupOptions: { external: [/^node:/] },
  },
  optimizeDeps: { exclude: ["h5wasm"] },
});
