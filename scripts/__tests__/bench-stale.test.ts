import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { staleDists } from "../bench-stale.js";

let root = "";
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A package with a build script, one source file and one dist file, at the given times (seconds). */
function pkg(name: string, t: { src: number; dist?: number; test?: number; manifest?: number }, build = true): void {
  const dir = path.join(root, "packages", name);
  const put = (rel: string, when: number) => {
    const f = path.join(dir, rel);
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, "x");
    utimesSync(f, when, when);
  };
  put("package.json", t.manifest ?? 0);
  writeFileSync(path.join(dir, "package.json"), JSON.stringify(build ? { scripts: { build: "tsup" } } : {}));
  utimesSync(path.join(dir, "package.json"), t.manifest ?? 0, t.manifest ?? 0);
  put("src/index.ts", t.src);
  if (t.dist !== undefined) {
    put("dist/index.js", t.dist);
    put("dist/chunk.js", t.dist + 5);
  }
  if (t.test !== undefined) put("src/__tests__/a.test.ts", t.test);
}

describe("staleDists", () => {
  it("is empty when every dist/ is newer than its sources, and ignores tests and packages without a build", () => {
    root = mkdtempSync(path.join(tmpdir(), "bench-stale-"));
    pkg("core", { src: 1000, dist: 2000, test: 5000 });
    pkg("native", { src: 9000 }, false);
    expect(staleDists(root)).toEqual([]);
  });

  it("names a package whose source, manifest or missing dist/ makes it stale", () => {
    root = mkdtempSync(path.join(tmpdir(), "bench-stale-"));
    pkg("core", { src: 3000, dist: 2000 });
    pkg("imaging", { src: 1000, dist: 2000, manifest: 2100 });
    pkg("seq", { src: 1000 });
    // the oldest dist file (2000) dates the build: a source at 2003 is newer even though a chunk says 2005
    pkg("metrics", { src: 2003, dist: 2000 });
    expect(staleDists(root).sort()).toEqual([
      "packages/core: sources newer than dist/ by 1000 s",
      "packages/imaging: sources newer than dist/ by 100 s",
      "packages/metrics: sources newer than dist/ by 3 s",
      "packages/seq: no dist/",
    ]);
  });
});
