/**
 * The JPEG XR fixtures decode exactly in headless Chromium too, in the page and on Web Workers: builds
 * `browser/` (a page that runs the same reader on every fixture and its uncompressed twin) with Vite, serves it on 127.0.0.1 and drives Debian's
 * chromium through playwright-core (as examples/__tests__/viewer.test.ts). Skips only when chromium is absent.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, resolve } from "node:path";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const page = resolve(import.meta.dirname, "browser");
const fixtures = resolve(import.meta.dirname, "../../../reference/czi-jxr");
const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".wasm": "application/wasm",
  ".json": "application/json",
};

describe.skipIf(!existsSync(CHROMIUM))(`JPEG XR in headless Chromium${existsSync(CHROMIUM) ? "" : ` (skipped: no ${CHROMIUM})`}`, () => {
  let dir = "";
  let server: Server;
  let url = "";
  let browser: BrowserContext;

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
    server = createServer((req, res) => {
      const p = decodeURIComponent((req.url ?? "/").split("?")[0] as string);
      const [base, rel] = p.startsWith("/fixtures/")
        ? [fixtures, p.slice("/fixtures/".length)]
        : [dist, p === "/" ? "index.html" : p.slice(1)];
      const file = join(base, rel);
      if (!file.startsWith(base) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    const a = server.address();
    url = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}/`;
    const { chromium } = await import("playwright-core");
    browser = await chromium.launchPersistentContext(join(dir, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((ok) => (server ? server.close(ok) : ok(undefined)));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("every tile and plane of every fixture equals its uncompressed twin", async () => {
    const p = browser.pages()[0] ?? (await browser.newPage());
    await p.goto(url);
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
