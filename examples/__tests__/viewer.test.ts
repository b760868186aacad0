/**
 * Builds the viewer with Vite, serves it on 127.0.0.1 and drives it in real headless Chromium (Debian's
 * `chromium` through playwright-core): opens a generated frame `.h5` and a generated `.h5ad` through the file
 * input, checks what is drawn and saves screenshots under `.cache/`. Skips only when chromium is absent.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, resolve } from "node:path";
import { convertCziToFrames } from "@hyped/imaging";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeExampleData } from "./data.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const root = resolve(import.meta.dirname, "../..");
const viewer = join(root, "examples/viewer");
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css" };

describe.skipIf(!existsSync(CHROMIUM))(
  `viewer in headless Chromium${existsSync(CHROMIUM) ? "" : ` (skipped: no ${CHROMIUM}; apt-get install chromium)`}`,
  () => {
    let dir = "";
    let server: Server;
    let url = "";
    let browser: BrowserContext;
    let page: Page;
    let frameFile = "";
    let h5ad = "";

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "hyped-viewer-"));
      const [data] = await Promise.all([
        makeExampleData(dir),
        (async () => {
          const { build } = await import("vite");
          await build({ configFile: join(viewer, "vite.config.ts"), logLevel: "error", build: { reportCompressedSize: false } });
        })(),
      ]);
      h5ad = data.h5ad;
      const frames = join(dir, "frames");
      const result = await convertCziToFrames([data.czi], frames, { workers: 0 });
      const control = result.manifest.frames.find((f) => f.condition === "control" && f.t === 2);
      frameFile = join(frames, control?.file as string);

      const dist = join(viewer, "dist");
      server = createServer((req, res) => {
        const path = join(dist, decodeURIComponent((req.url ?? "/").split("?")[0] as string).replace(/^\/$/, "/index.html"));
        if (!path.startsWith(dist) || !existsSync(path)) {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" }).end(readFileSync(path));
      });
      await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
      const address = server.address();
      url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/`;

      const { chromium } = await import("playwright-core");
      // a fresh profile folder per run (playwright passes it as --user-data-dir)
      browser = await chromium.launchPersistentContext(join(dir, "chromium-profile"), {
        executablePath: CHROMIUM,
        headless: true,
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
        ],
      });
      page = browser.pages()[0] ?? (await browser.newPage());
      await page.setViewportSize({ width: 1200, height: 1000 });
      page.on("pageerror", (e) => console.error("page error:", e.message));
    }, 400_000);

    afterAll(async () => {
      await browser?.close();
      await new Promise((ok) => (server ? server.close(ok) : ok(undefined)));
      rmSync(dir, { recursive: true, force: true });
    });

    async function open(file: string): Promise<string> {
      await page.goto(url);
      await page.setInputFiles("#file", file);
      await page.waitForFunction(() => ["ready", "error"].includes(document.body.dataset.state ?? ""), null, { timeout: 120_000 });
      return (await page.textContent("#status")) ?? "";
    }

    it("draws a frame with the segmentation overlay and the phase distribution", async () => {
      const status = await open(frameFile);
      expect(status).toMatch(/^Ready: control, 1 frame\(s\) of 176x176, \d+ nuclei/);
      expect(Number(/(\d+) nuclei/.exec(status)?.[1])).toBeGreaterThan(5);
      const pixels = await page.evaluate(() => {
        const c = document.getElementById("canvas") as HTMLCanvasElement;
        const d = (c.getContext("2d") as CanvasRenderingContext2D).getImageData(0, 0, c.width, c.height).data;
        let lit = 0;
        let outline = 0;
        for (let i = 0; i < d.length; i += 4) {
          if ((d[i] as number) + (d[i + 1] as number) + (d[i + 2] as number) > 60) lit++;
          if (d[i] === 255 && d[i + 1] === 230 && d[i + 2] === 0) outline++;
        }
        return { w: c.width, h: c.height, lit, outline };
      });
      expect(pixels.w).toBe(176);
      expect(pixels.lit).toBeGreaterThan(500);
      expect(pixels.outline).toBeGreaterThan(100);
      expect(await page.locator("#channels input").count()).toBe(4);
      expect(await page.locator("#phases svg").count()).toBe(1);
      expect(await page.locator("#phases svg path").count()).toBeGreaterThan(2); // bars drawn
      // toggling the overlay off removes the outlines
      await page.uncheck("#overlay");
      const outlineOff = await page.evaluate(() => {
        const c = document.getElementById("canvas") as HTMLCanvasElement;
        const d = (c.getContext("2d") as CanvasRenderingContext2D).getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] === 255 && d[i + 1] === 230 && d[i + 2] === 0) n++;
        return n;
      });
      expect(outlineOff).toBeLessThan(pixels.outline / 10);
      await page.check("#overlay");
      mkdirSync(join(root, ".cache"), { recursive: true });
      await page.screenshot({ path: join(root, ".cache/viewer-frame.png"), fullPage: true });
    }, 180_000);

    it("shows the obs table and an embedding scatter for an .h5ad", async () => {
      const status = await open(h5ad);
      expect(status).toBe("Ready: 900 cells x 400 genes, 500 obs rows shown, scatter of X_pca");
      expect(await page.locator("#obs tr").count()).toBe(501);
      expect(await page.locator("#obs th").allTextContents()).toEqual(["", "true_condition", "true_hashtag", "true_phase", "droplet_type"]);
      const marks = await page.locator("#scatter svg path").count();
      expect(marks).toBeGreaterThan(100);
      await page.screenshot({ path: join(root, ".cache/viewer-h5ad.png"), fullPage: true });
      expect(readdirSync(join(root, ".cache")).filter((f) => f.startsWith("viewer-"))).toHaveLength(2);
    }, 180_000);

    it("reads an LZF .h5ad written by anndata (no plugin served or set): same table and scatter as its gzip twin", async () => {
      // written by anndata 0.8 through Debian's h5py, which also omits LZF's chunk-size parameter
      // (packages/seq/scripts/make_anndata_roundtrip.py); the page never calls setLzfPluginBytes
      const corpus = join(root, "packages/seq/reference/anndata/roundtrip");
      const seen: Array<{ status: string; table: string; scatter: string }> = [];
      for (const f of ["25-lzf.h5ad", "24-gzip.h5ad"]) {
        const status = await open(join(corpus, f));
        seen.push({
          status,
          table: (await page.locator("#obs td").allTextContents()).join("|"),
          scatter: (await page.locator("#scatter svg path").evaluateAll((els) => els.map((e) => e.getAttribute("d")).join("|"))) ?? "",
        });
      }
      const [lzf, gz] = seen as [(typeof seen)[0], (typeof seen)[0]];
      expect(lzf.status).toBe("Ready: 300 cells x 40 genes, 300 obs rows shown, scatter of X_pca");
      expect(lzf.table).toContain("c299|siPRRX1|448.5|false");
      expect(lzf.table).toBe(gz.table);
      expect(lzf.scatter.length).toBeGreaterThan(1000);
      expect(lzf.scatter).toBe(gz.scatter);
    }, 180_000);
  },
);
