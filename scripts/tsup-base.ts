/**
 * The build of every published package (used by each `packages/<pkg>/tsup.config.ts`). Two builds per package:
 *
 * - **Node / default** (`dist/`): ESM + `.d.ts`, one file per public entry point, shared code in chunks. This is
 *   what the `default` export condition points at: `import` and, on Node >= 20.19, `require()`.
 * - **Browser** (`dist/browser/`): the same entry points (minus Node-only ones) with every `node:*` import
 *   replaced by a module that throws `HypedError("UNSUPPORTED")` when it is first evaluated. Our packages reach
 *   Node built-ins only through dynamic `import("node:…")` on Node code paths, so in a browser those paths
 *   reject with a clear error while the bundle itself holds no Node built-in (a bundler sees none, and Vite
 *   logs no "externalized for browser compatibility" warning). The `browser` export condition points here.
 *
 * `hidden` entries are built but not listed in `exports`: worker entry modules that a worker thread imports
 * by file URL. Listing them as entries makes the chunk that holds a worker body export it by name.
 */
import type { Options } from "tsup";

type Plugin = NonNullable<Options["esbuildPlugins"]>[number];

export interface HypedBuild {
  /** Package name, for the browser stub's message. */
  name: string;
  /** Public entry points: output name (e.g. `czi/index`) -> source file. */
  entries: Record<string, string>;
  /** Entries with static Node built-in imports: built for Node only. */
  nodeOnly?: string[];
  /** Built (Node only) without a `.d.ts` and not exported. */
  hidden?: Record<string, string>;
  /** How the stub reaches `HypedError`: `@hyped/core` (default), or a path for core itself. */
  errorsFrom?: string;
  /**
   * Dependencies bundled into the browser build (their own Node built-in requires are stubbed too): CommonJS
   * emscripten builds such as `jpegxr`, which `require("fs")` behind an is-Node check and so make Vite warn.
   */
  browserBundle?: string[];
  /** Extra tsup options for the Node build (e.g. a shebang banner). */
  node?: Options;
}

/** `node:*` specifiers, and the bare built-in names that bundled CommonJS dependencies require. */
const NODE_BUILTIN = /^(node:.*|fs|path|os|url|module|crypto|zlib|stream|events|util|buffer|worker_threads|child_process)(\/.*)?$/;

/** Replaces every Node built-in import by a module that throws `UNSUPPORTED` when evaluated. */
function nodeBuiltinStub(pkg: string, errorsFrom: string): Plugin {
  return {
    name: "hyped-node-builtin-stub",
    setup(b) {
      b.onResolve({ filter: NODE_BUILTIN }, (a) => ({ path: a.path, namespace: "hyped-node-stub" }));
      b.onLoad({ filter: /.*/, namespace: "hyped-node-stub" }, (a) => ({
        contents:
          `import { HypedError } from ${JSON.stringify(errorsFrom)};\n` +
          `throw new HypedError("UNSUPPORTED", ${JSON.stringify(`${a.path} is not available here: this is the browser build of ${pkg}, and this feature needs Node`)});\n`,
        loader: "js",
        resolveDir: process.cwd(),
      }));
    },
  };
}

/** The tsup configurations (Node build, browser build) of one package. */
export function hypedBuild(o: HypedBuild): Options[] {
  // removeNodeProtocol: false keeps `node:` specifiers (tsup strips them by default), which the browser stub matches
  const common: Options = { format: ["esm"], sourcemap: true, clean: false, target: "node20", removeNodeProtocol: false };
  const browserEntries = Object.fromEntries(Object.entries(o.entries).filter(([k]) => !(o.nodeOnly ?? []).includes(k)));
  const builds: Options[] = [
    {
      ...common,
      entry: { ...o.entries, ...o.hidden },
      dts: { entry: o.entries },
      platform: "neutral",
      external: [/^node:/],
      ...o.node,
    },
  ];
  if (Object.keys(browserEntries).length)
    builds.push({
      ...common,
      entry: browserEntries,
      outDir: "dist/browser",
      dts: false,
      platform: "browser",
      target: "es2022",
      esbuildPlugins: [nodeBuiltinStub(o.name, o.errorsFrom ?? "@hyped/core")],
      noExternal: o.browserBundle ?? [],
    });
  return builds;
}
