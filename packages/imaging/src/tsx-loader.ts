/**
 * Worker threads started from the TypeScript sources (tests, `pnpm hyped`) must load tsx's ESM loader
 * themselves; built JavaScript needs nothing. Shared by every worker pool of this package.
 */
import { HypedError } from "@hyped/core";

/**
 * The file URL of tsx's ESM register API when `moduleUrl` (the caller's `import.meta.url`) is a `.ts`
 * source, found through tsx's package.json `exports`; `undefined` for built JavaScript. When tsx cannot be
 * found: `undefined` if `what` is `null` (the caller then works in its own thread), else `UNSUPPORTED`
 * naming `what` (e.g. "segmentation workers").
 */
export async function tsxLoaderFor(moduleUrl: string, what: string | null): Promise<string | undefined> {
  if (!/\.ts$/.test(new URL(moduleUrl).pathname)) return undefined;
  const { createRequire } = await import("node:module");
  const { pathToFileURL } = await import("node:url");
  const { readFileSync } = await import("node:fs");
  const { dirname, join } = await import("node:path");
  try {
    const pkgPath = createRequire(moduleUrl).resolve("tsx/package.json");
    const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { exports: Record<string, { import: { default: string } }> };
    return pathToFileURL(join(dirname(pkgPath), (pkg.exports["./esm/api"] as { import: { default: string } }).import.default)).href;
  } catch (e) {
    if (what === null) return undefined;
    throw new HypedError(
      "UNSUPPORTED",
      `${what} from the TypeScript sources need the tsx package; use workers: 0 or the built package`,
      {},
      { cause: e },
    );
  }
}
