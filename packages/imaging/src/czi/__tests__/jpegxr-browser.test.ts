/**
 * The JPEG XR fixtures decode exactly in headless Chromium too, in the page and on Web Workers: builds
 * `browser/` (a page that runs the same reader on every fixture and its uncompressed twin) with Vite, serves it on 127.0.0.1 and drives Debian's
 * chromium through playwright-core (as examples/__tests__/viewer.test.ts). Skips only when chromium is absent.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CHROMIUM_SKIP_NOTE,
  HAVE_CHROMIUM,
  launchChromium,
  type StaticServer,
  serveStatic,
} from "../../../../../scripts/browser-harness.mjs";

const page = resolve(import.meta.dirname, "browser");
const fixtures = resolve(import.meta.dirname, "../../../reference/czi-jxr");

describe.skipIf(!HAVE_CHROMIUM)(`JPEG XR in headless Chromium${CHROMIUM_SKIP_NOTE}`, () => {
  let dir = "";
  let server: StaticServer | undefined;
  let browser: BrowserContext | undefined;
  let p: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "hyped-jxr-browser-"));
    const dist = join(dir, "dist");
    const { build } = await import("vite");
    await build({
      root: page,
      base: "./",
      configFile: false,
      logLevel: "error",
      resolve: { conditions: ["@hyped/source", "browser", "module", "import", "default"] },
      worker: { format: "es" },
      build: { outDir: dist, emptyOutDir: true, target: "es2022", reportCompressedSize: false, rollupOptions: { external: [/^node:/] } },
    });
    server = await serveStatic(dist, { mounts: { "/fixtures/": fixtures } });
    ({ context: browser, page: p } = await launchChromium(join(dir, "profile")));
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("every tile and plane of every fixture equals its uncompressed twin", async () => {
    await p.goto(server?.url ?? "");
    await p.waitForFunction(() => document.body.dataset.state !== "busy", null, { timeout: 120_000 });
    const state = await p.evaluate(() => document.body.dataset.state);
    const raw = (await p.evaluate(() => document.body.dataset.result)) ?? "";
    expect(state, raw).toBe("done");
    const result = JSON.parse(raw) as Record<string, { tiles: number; tilesEqual: number; planes: number; planesEqual: number }>;
    const cases = JSON.parse(readFileSync(join(fixtures, "cases.json"), "utf8")) as { name: string; tiles: number }[];
    expect(Object.keys(result).sort()).toEqual(cases.map((c) => c.name).sort());
    for (const c of cases) {
      const r = result[c.name];
      expect(r, c.name).toEqual({ tiles: c.tiles, tilesEqual: c.tiles, planes: r?.planes, planesEqual: r?.planes });
      expect(r?.planes, c.name).toBeGreaterThan(0);
    }
    // The same tiles on two Web Workers (setJpegXrWorkers + serveJpegXrWorker).
    const pool = JSON.parse((await p.evaluate(() => document.body.dataset.pool)) ?? "{}") as {
      workers: number;
      pooled: number;
      pooledEqual: number;
    };
    const tiles = cases.reduce((a, c) => a + c.tiles, 0);
    expect(pool).toEqual({ workers: 2, pooled: tiles, pooledEqual: tiles });
  }, 180_000);
});
