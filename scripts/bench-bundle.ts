/**
 * Turns one bench script (`packages/<pkg>/bench/*.bench.ts`, or a TypeScript helper a bench runs in a child
 * process) into a plain ESM file that Node runs without any loader hook, so that the library code it measures
 * is the built `dist/` that users run.
 *
 * Why an esbuild bundle of the bench file rather than `node --import tsx`: tsx's hooks also resolve and load the
 * library's `dist/` files, and they accept what plain Node refuses (an extensionless `zstd-napi/binding` loaded
 * under tsx and failed from `dist/` in plain Node, so published users silently got the 3x slower wasm decoder,
 * #25). The bundle holds only the bench file and what it imports by relative path (bench-utils, data
 * generators); every bare import (`@hyped/*` and third-party packages) stays external and is resolved by Node
 * itself, from the bench's own package, through each package's `exports` (`default` condition: `dist/`).
 *
 * The bundle is written to `packages/<pkg>/bench/dist/` (git- and lint-ignored like every `dist/`), in the
 * bench's package, so that Node resolves bare imports exactly as it would for the bench file, and `import.meta.url`,
 * `.dirname` and `.filename` are replaced in each inlined file by that file's own values (paths relative to a
 * bench or generator keep working).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

/** A bundled bench: the file to run, and the library source files it inlined (generators, test helpers). */
export interface BenchBundle {
  /** The `.mjs` file to run with plain `node`. */
  file: string;
  /** Files under `packages/<pkg>/src/` inlined into the bundle (repo-relative): not measured, listed for review. */
  inlinedSources: string[];
  /** Those of them that the bench's own files import directly (the rest come with them). */
  directSources: string[];
}

/**
 * Where the bundle of `entry` goes: `packages/<pkg>/bench/dist/<name>.mjs` for a bench, and
 * `packages/<pkg>/bench/dist/helpers/<name>.mjs` for another file of the package (e.g. a memory probe under
 * `src/**\/__tests__`), so that no bundle lands in a source tree; outside a package, `<dir>/dist/<name>.mjs`.
 */
export function bundlePath(entry: string): string {
  const abs = path.resolve(entry);
  const name = `${path.basename(abs).replace(/\.[cm]?tsx?$/, "")}.mjs`;
  const m = /^(.*[/\\]packages[/\\][^/\\]+)[/\\](.+)$/.exec(abs);
  if (!m) return path.join(path.dirname(abs), "dist", name);
  const [, pkg, rest] = m as unknown as [string, string, string];
  const inBench = /^bench[/\\][^/\\]+$/.test(rest);
  return path.join(pkg, "bench", "dist", ...(inBench ? [] : ["helpers"]), name);
}

/** Replace `import.meta.url|dirname|filename` in `code` by the values they have for the file `file`. */
export function pinImportMeta(code: string, file: string): string {
  const values: Record<string, string> = {
    url: pathToFileURL(file).href,
    dirname: path.dirname(file),
    filename: file,
  };
  return code.replace(/\bimport\.meta\.(url|dirname|filename)\b/g, (_, k: string) => JSON.stringify(values[k]));
}

/** Bundle `entry` (see the module comment). `root` is the repository root, for the inlined-source list. */
export async function bundleBench(entry: string, root = process.cwd()): Promise<BenchBundle> {
  const esbuild = await import("esbuild");
  const outfile = bundlePath(entry);
  const inlined = new Set<string>();
  const result = await esbuild.build({
    entryPoints: [path.resolve(entry)],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: "inline",
    logLevel: "error",
    metafile: true,
    plugins: [
      {
        name: "hyped-bench-import-meta",
        setup(b) {
          b.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (a) => {
            if (a.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
            const rel = path.relative(root, a.path);
            if (/^packages\/[^/]+\/src\//.test(rel)) inlined.add(rel);
            const loader = /\.[cm]?tsx?$/.test(a.path) ? "ts" : "js";
            return { contents: pinImportMeta(readFileSync(a.path, "utf8"), a.path), loader };
          });
        },
      },
    ],
  });
  if (result.errors.length) throw new Error(`esbuild could not bundle ${entry}`);
  // The library sources that bench-side files (the bench, bench-utils, mosaic.ts) import directly.
  const isSrc = (f: string) => /^packages\/[^/]+\/src\//.test(f);
  const direct = new Set<string>();
  for (const [file, input] of Object.entries(result.metafile.inputs)) {
    if (isSrc(path.relative(root, path.resolve(file)))) continue;
    for (const i of input.imports) {
      const rel = path.relative(root, path.resolve(i.path));
      if (isSrc(rel)) direct.add(rel);
    }
  }
  return { file: outfile, inlinedSources: [...inlined].sort(), directSources: [...direct].sort() };
}

/** One line on what a bundle inlined from the library's sources ("" if nothing). */
export function inlinedNote(b: BenchBundle): string {
  if (!b.inlinedSources.length) return "";
  const more = b.inlinedSources.length - b.directSources.length;
  return `inlined from the sources (only data generators and test helpers may be; measured code comes from dist/): ${b.directSources.join(", ")}${more > 0 ? ` (+${more} files they import)` : ""}`;
}
