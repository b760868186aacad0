/**
 * The published shape of every package, checked from the repo (the consumer check in .ci/run then installs the
 * real tarballs): engines, export conditions, the build entries behind each export, and which dependencies
 * are hard. Regression tests for issue 19 (TS7016 from a missing type package, EBADENGINE, a 39 MB
 * metrics-only install, ERR_PACKAGE_PATH_NOT_EXPORTED on require(), a compile at install, Vite warnings).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../../../..");
const json = (p: string) => JSON.parse(readFileSync(p, "utf8"));
const rootPkg = json(join(root, "package.json"));
const names = readdirSync(join(root, "packages")).filter((p) => existsSync(join(root, "packages", p, "package.json")));
const pkgs = names.map((dir) => ({ dir, pkg: json(join(root, "packages", dir, "package.json")) }));
const built = pkgs.filter(({ pkg }) => pkg.scripts?.build);
type Conditions = Record<string, string>;

describe("package manifests", () => {
  it.each(pkgs.map(({ dir, pkg }) => [dir, pkg]))("%s declares the Node range the repo claims", (_dir, pkg) => {
    expect(pkg.engines?.node).toBe(rootPkg.engines.node);
  });

  it.each(built.map(({ dir, pkg }) => [dir, pkg]))(
    "%s: every export has types, browser (unless Node-only) and default",
    async (dir, pkg) => {
      const { default: configs } = await import(join(root, "packages", dir, "tsup.config.ts"));
      const [nodeBuild, browserBuild] = configs as { entry: Record<string, string> }[];
      const pub = pkg.publishConfig.exports as Record<string, Conditions | string>;
      expect(Object.keys(pub)).toEqual(Object.keys(pkg.exports));
      for (const [sub, c] of Object.entries(pkg.exports as Record<string, Conditions | string>)) {
        if (typeof c === "string") continue;
        const entry = /^\.\/dist\/(.+)\.js$/.exec(c.default ?? "")?.[1] as string;
        // the conditions in the order resolvers need: types first, default last
        expect(Object.keys(c).filter((k) => k !== "@hyped/source")).toEqual(["types", ...(c.browser ? ["browser"] : []), "default"]);
        expect(c.types).toBe(`./dist/${entry}.d.ts`);
        expect(existsSync(join(root, "packages", dir, c["@hyped/source"] as string)), `${sub} source`).toBe(true);
        expect(`./${nodeBuild?.entry[entry]}`, `${sub}: tsup entry ${entry}`).toBe(c["@hyped/source"]);
        if (c.browser) {
          expect(c.browser).toBe(`./dist/browser/${entry}.js`);
          expect(`./${browserBuild?.entry[entry]}`, `${sub}: browser entry`).toBe(c["@hyped/source"]);
        }
        const { "@hyped/source": _, ...published } = c;
        expect(pub[sub]).toEqual(published);
      }
    },
  );

  it("core's own dependencies stay tiny; HDF5, plotting and the addon are optional peers", () => {
    const core = json(join(root, "packages/core/package.json"));
    expect(Object.keys(core.dependencies).sort()).toEqual(["@types/ndarray", "ndarray", "ndarray-ops"]);
    for (const peer of ["h5wasm", "vega", "vega-lite", "@hyped/native"]) expect(core.peerDependenciesMeta[peer]?.optional, peer).toBe(true);
  });

  it("native accelerators are opt-in: no package installs or builds one by default", () => {
    for (const { pkg } of pkgs) {
      expect(pkg.optionalDependencies ?? {}, pkg.name).toEqual({});
      for (const native of ["@hyped/native", "zstd-napi"]) expect(pkg.dependencies?.[native], `${pkg.name} -> ${native}`).toBeUndefined();
    }
  });

  it("the CLI brings the versions that support the claimed Node range (commander 14, vega-lite 6.4)", () => {
    const cli = json(join(root, "packages/cli/package.json"));
    expect(cli.dependencies.commander).toMatch(/^\^14\./);
    expect(cli.dependencies["vega-lite"]).toMatch(/^~6\.4\./);
  });
});
