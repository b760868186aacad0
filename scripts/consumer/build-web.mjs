// Builds web/ with the consumer's own Vite and default browser settings; records every warning Vite logs.
// The one setting: the chunk-size limit, since an app that reads HDF5 carries h5wasm (~4.7 MB with its wasm inlined).
import { writeFileSync } from "node:fs";
import { build, createLogger } from "vite";

const warnings = [];
const logger = createLogger("warn");
const warn = logger.warn;
logger.warn = (msg, options) => {
  warnings.push(msg);
  warn(msg, options);
};
logger.warnOnce = logger.warn;
await build({
  root: "web",
  base: "./",
  logLevel: "warn",
  customLogger: logger,
  build: { outDir: "dist", emptyOutDir: true, reportCompressedSize: false, chunkSizeWarningLimit: 6000 },
});
writeFileSync("web-build.json", JSON.stringify({ warnings }));
