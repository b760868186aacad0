/**
 * Builds the viewer with Vite, serves it on 127.0.0.1 and drives it in real headless Chromium (Debian's
 * `chromium` through playwright-core): opens generated and real (fixture) frames, CZI and `.h5ad` files through the file
 * input, checks what is drawn and saves screenshots under `.cache/`. Skips only when chromium is absent.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { convertCziToFrames } from "@hyped/imaging";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM_SKIP_NOTE, HAVE_CHROMIUM, launchChromium, type StaticServer, serveStatic } from "../../scripts/browser-harness.mjs";
import { makeExampleData } from "./data.js";

const root = resolve(import.meta.dirname, "../..");
const viewer = join(root, "examples/viewer");
const CZI = resolve(root, "../shared/fixtures/czi/CellDivision_T3_Z5_CH2_X240_Y170.czi");

describe.skipIf(!HAVE_CHROMIUM)(`viewer in headless Chromium${CHROMIUM_SKIP_NOTE}`, () => {
  let dir = "";
  let server: StaticServer | undefined;
  let url = "";
  let browser: BrowserContext | undefined;
  let page: Page;
  let frameFile = "";
  let h5ad = "";
  let cziFrames = "";
  let plateFrames = "";
  /** Console errors of the page (the .h5ad tests check there are none: no CORS error for `node:module`). */
  const consoleErrors: string[] = [];

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
    plateFrames = frames;
    const result = await convertCziToFrames([data.czi], frames, { workers: 0 });
    const control = result.manifest.frames.find((f) => f.condition === "control" && f.t === 2);
    frameFile = join(frames, control?.file as string);
    cziFrames = join(dir, "czi-frames");
    if (existsSync(CZI)) await convertCziToFrames([CZI], cziFrames, { workers: 0 });

    server = await serveStatic(join(viewer, "dist"));
    url = server.url;
    // a fresh profile folder per run (playwright passes it as --user-data-dir)
    ({ context: browser, page } = await launchChromium(join(dir, "chromium-profile"), { args: ["--disable-quic"] }));
    await page.setViewportSize({ width: 1200, height: 1000 });
    page.on("pageerror", (e) => console.error("page error:", e.message));
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text());
    });
  }, 400_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(file: string | string[]): Promise<string> {
    await page.goto(url);
    await page.setInputFiles("#file", file);
    await page.waitForFunction(() => ["ready", "error"].includes(document.body.dataset.state ?? ""), null, { timeout: 150_000 });
    return (await page.textContent("#status")) ?? "";
  }

  /** Pixels of a canvas brighter than near-black (image) or not white (scatter). */
  function litPixels(id: string, background: "black" | "white", above = 60): Promise<number> {
    return page.evaluate(
      ([cid, bg, min]) => {
        const c = document.getElementById(cid as string) as HTMLCanvasElement;
        const d = (c.getContext("2d") as CanvasRenderingContext2D).getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) {
          const s = (d[i] as number) + (d[i + 1] as number) + (d[i + 2] as number);
          if (bg === "black" ? s > (min as number) : s < 700) n++;
        }
        return n;
      },
      [id, background, above] as const,
    );
  }

  /**
   * A screenshot under .cache/ (and under $HYPED_SCREENSHOTS, which scripts/readme-images.sh sets), checked to
   * be a real picture: a PNG of more than 20 kB (a blank page compresses to a few kB).
   */
  async function shot(name: string): Promise<void> {
    for (const d of [join(root, ".cache"), process.env.HYPED_SCREENSHOTS]) {
      if (!d) continue;
      mkdirSync(d, { recursive: true });
      const png = await page.screenshot({ path: join(d, `${name}.png`), fullPage: true });
      expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
      expect(png.length, `${name}.png`).toBeGreaterThan(20_000);
    }
  }

  it("keeps the initial download <= 8 MB: the entry and its static imports, no onnxruntime, vega or h5wasm", () => {
    const manifest = JSON.parse(readFileSync(join(viewer, "dist/.vite/manifest.json"), "utf8")) as Record<
      string,
      { file: string; isEntry?: boolean; imports?: string[]; css?: string[] }
    >;
    const seen = new Set<string>();
    const visit = (key: string) => {
      const m = manifest[key];
      if (!m || seen.has(m.file)) return;
      seen.add(m.file);
      for (const c of m.css ?? []) seen.add(c);
      for (const i of m.imports ?? []) visit(i);
    };
    for (const [k, m] of Object.entries(manifest)) if (m.isEntry) visit(k);
    const files = ["index.html", ...seen];
    const bytes = files.reduce((a, f) => a + statSync(join(viewer, "dist", f)).size, 0);
    console.log(`viewer initial download: ${(bytes / 1e6).toFixed(3)} MB in ${files.length} files`);
    expect(bytes).toBeLessThanOrEqual(8e6);
    expect(bytes).toBeGreaterThan(5000);
    expect([...seen].join(" ")).not.toMatch(/ort|vega|hdf5_hl/);
  });

  it("draws a frame .h5: its channels, contrast legend, nuclei outlines, zoom with the wheel", async () => {
    const status = await open(frameFile);
    expect(status).toMatch(/^Ready: 4 channel\(s\) \[Cy5, mKate, TagGFP, Oblique\], 1 time point\(s\) of 176x176.*, (\d+) nuclei/);
    expect(Number(/(\d+) nuclei/.exec(status)?.[1])).toBeGreaterThan(5);
    expect(await page.locator(".channel .name").allTextContents()).toEqual(["Cy5", "mKate", "TagGFP", "Oblique"]);
    const lit = await litPixels("canvas", "black");
    expect(lit).toBeGreaterThan(5000);
    expect(await page.locator("#phases .key").count()).toBeGreaterThan(0);
    // hiding every channel leaves only the outlines
    for (const box of await page.locator(".channel .vis").all()) await box.uncheck();
    const outlinesOnly = await litPixels("canvas", "black");
    expect(outlinesOnly).toBeLessThan(lit);
    expect(outlinesOnly).toBeGreaterThan(100);
    for (const box of await page.locator(".channel .vis").all()) await box.check();
    const before = Number(await page.getAttribute("#canvas", "data-zoom"));
    await page.mouse.move(300, 500);
    await page.locator("#canvas").hover();
    await page.mouse.wheel(0, -400);
    await page.waitForTimeout(100);
    expect(Number(await page.getAttribute("#canvas", "data-zoom"))).toBeGreaterThan(before * 1.5);
    await shot("viewer-frame");
  }, 180_000);

  it("gives a lone frame .h5 (no dataset.json) a scale bar from its pixel_size_m attribute, and says when none is known", async () => {
    const status = await open(frameFile);
    expect(status).toMatch(/, 0\.65 µm\/px, /);
    const bar = await page.getAttribute("#canvas", "data-scalebar");
    console.log(`lone frame ${frameFile.split("/").pop()}: scale bar "${bar}"`);
    expect(bar).toMatch(/^\d+ µm$/);
    // a frame whose file records no pixel size: a note, never a bar of a guessed length
    const h = 64;
    const plane = Uint16Array.from({ length: h * h }, (_, i) => 100 + (i % 200));
    const bare = join(dir, "bare", "bare_t0.h5");
    mkdirSync(join(dir, "bare"), { recursive: true });
    const { writeFrameFile } = await import("@hyped/imaging");
    await writeFrameFile(bare, [plane], h, h, {
      channels: ["DAPI"],
      condition: "bare",
      replicate: 1,
      t: 0,
      timeS: Number.NaN,
      scene: -1,
      pixelSizeM: [Number.NaN, Number.NaN],
      source: "",
      sourceSha256: "",
    });
    const bareStatus = await open(bare);
    expect(bareStatus).toMatch(/^Ready: 1 channel\(s\) \[DAPI\], 1 time point\(s\) of 64x64/);
    expect(bareStatus).not.toMatch(/µm/);
    expect(await page.getAttribute("#canvas", "data-scalebar")).toBe("pixel size unknown");
    await shot("viewer-frame-no-pixel-size");
  }, 120_000);

  it("opens a frame folder through the folder picker: condition choice, time in hours, FUCCI phases in the palette's colours, track ids, tails and lineage", async () => {
    await page.goto(url);
    await page.setInputFiles("#folder", plateFrames);
    await page.waitForFunction(() => ["ready", "error"].includes(document.body.dataset.state ?? ""), null, { timeout: 150_000 });
    expect(await page.textContent("#status")).toMatch(
      /^Ready: 4 channel\(s\) \[Cy5, mKate, TagGFP, Oblique\], 6 time point\(s\) of 176x176, 0\.65 µm\/px/,
    );
    expect(await page.isHidden("#condition-row")).toBe(false);
    expect(await page.locator("#condition option").allTextContents()).toEqual(["control", "mmMYOD1"]);
    expect(await page.textContent("#title")).toBe("control (replicate 1)");
    // time slider: index and hours since the first frame (the CZI's 1200 s increment)
    await page.locator("#time").fill("5");
    await page.waitForFunction(() => (document.getElementById("time-label")?.textContent ?? "").startsWith("t = 5"));
    expect(await page.textContent("#time-label")).toBe("t = 5 (1.67 h) of 6");
    // phase counts in the shared palette's colours, once they describe t = 5: the label changes first and the
    // keys of t = 0 stay until t = 5 is segmented, then are cleared and redrawn (reading them on the label, or on
    // "any keys", raced that and failed on a loaded machine)
    await page.waitForSelector('#phases[data-t="5"] .key', { timeout: 60_000 });
    const { PHASE_COLOURS } = await import("@hyped/core/plot");
    const keys = await page
      .locator("#phases .key")
      .evaluateAll((els) =>
        els.map((e) => ({ text: e.textContent ?? "", colour: getComputedStyle(e.querySelector("i") as HTMLElement).backgroundColor })),
      );
    console.log(`phases at t=5: ${keys.map((k) => `${k.text} ${k.colour}`).join("; ")}`);
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) {
      const phase = k.text.replace(/: \d+$/, "");
      const hex = PHASE_COLOURS[phase] as string;
      expect(hex, phase).toBeDefined();
      const rgb = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
      expect(k.colour).toBe(`rgb(${rgb.join(", ")})`);
    }
    const canvasPixels = () =>
      page.evaluate(() => {
        const c = document.getElementById("canvas") as HTMLCanvasElement;
        return Array.from((c.getContext("2d") as CanvasRenderingContext2D).getImageData(0, 0, c.width, c.height).data);
      });
    const plain = await canvasPixels();
    await page.check("#ov-tracks");
    await page.check("#ov-lineage");
    await page.waitForFunction(() => /tracks, \d+ divisions/.test(document.getElementById("status")?.textContent ?? ""), null, {
      timeout: 150_000,
    });
    const status = (await page.textContent("#status")) ?? "";
    const [, tracks, divisions] = (/(\d+) tracks, (\d+) divisions/.exec(status) ?? []).map(Number);
    const drawn = await canvasPixels();
    let changed = 0;
    let magenta = 0;
    for (let i = 0; i < drawn.length; i += 4) {
      if (drawn[i] === plain[i] && drawn[i + 1] === plain[i + 1] && drawn[i + 2] === plain[i + 2]) continue;
      changed++;
      if ((drawn[i] as number) > 240 && (drawn[i + 1] as number) < 90 && (drawn[i + 2] as number) > 240) magenta++;
    }
    console.log(`${status}; overlay changed ${changed} canvas pixels, ${magenta} in the lineage colour`);
    expect(tracks).toBeGreaterThan(5);
    expect(changed).toBeGreaterThan(500);
    if ((divisions as number) > 0) expect(magenta).toBeGreaterThan(10);
    await shot("viewer-frames-tracks");
    // the other condition of the folder
    await page.selectOption("#condition", "mmMYOD1");
    await page.waitForFunction(() => document.getElementById("title")?.textContent === "mmMYOD1 (replicate 1)");
    await page.waitForFunction(() => document.body.dataset.state === "ready");
    expect(await page.textContent("#status")).toMatch(/^Ready: 4 channel\(s\)/);
  }, 240_000);

  it("shows a 2826 x 3245 frame at full resolution: the wheel zooms past 1:1", async () => {
    const [h, w] = [3245, 2826];
    const planes = [0, 1].map((c) =>
      Uint16Array.from({ length: h * w }, (_, i) => {
        const y = Math.floor(i / w);
        const x = i % w;
        // a grid of bright squares over a dim gradient, different per channel
        return 100 + (x >> 4) + ((x >> 6) % 2 === c && (y >> 6) % 2 === 0 ? 3000 : 0);
      }),
    );
    const big = join(dir, "big", "big_t0.h5");
    mkdirSync(join(dir, "big"), { recursive: true });
    const { writeFrameFile } = await import("@hyped/imaging");
    await writeFrameFile(big, planes, h, w, {
      channels: ["DAPI", "mCherry"],
      condition: "big",
      replicate: 1,
      t: 0,
      timeS: 0,
      scene: -1,
      pixelSizeM: [6.5e-7, 6.5e-7],
      source: "",
      sourceSha256: "",
    });
    const status = await open(big);
    expect(status).toMatch(/^Ready: 2 channel\(s\) \[DAPI, mCherry\], 1 time point\(s\) of 2826x3245/);
    expect(await litPixels("canvas", "black")).toBeGreaterThan(50_000);
    await page.locator("#canvas").hover();
    for (let k = 0; k < 6; k++) await page.mouse.wheel(0, -500);
    await page.waitForTimeout(200);
    // screen px per full-resolution pixel: above 1 means the full-resolution composite is what is drawn
    expect(Number(await page.getAttribute("#canvas", "data-zoom"))).toBeGreaterThan(1);
    // the dim gradient under the cursor still draws (a zoomed-in region of an empty canvas would be all black)
    expect(await litPixels("canvas", "black", 0)).toBeGreaterThan(50_000);
    await shot("viewer-large");
  }, 240_000);

  it("opens the CellDivision CZI directly, and its converted frames: the file's channel names, time in hours, scale bar", async (ctx) => {
    if (!existsSync(CZI)) ctx.skip();
    const status = await open(CZI);
    expect(status).toMatch(/^Ready: 2 channel\(s\) \[.+, .+\], 3 time point\(s\) of 240x170/);
    const names = await page.locator(".channel .name").allTextContents();
    expect(names).toHaveLength(2);
    expect(names.join(",")).not.toMatch(/mKate|TagGFP/);
    expect(await litPixels("canvas", "black")).toBeGreaterThan(2000);
    expect(await page.getAttribute("#time", "max")).toBe("2");
    expect(await page.isHidden("#z-row")).toBe(false);
    await page.locator("#time").fill("2");
    await page.waitForFunction(() => (document.getElementById("time-label")?.textContent ?? "").startsWith("t = 2"));
    // hours from the TimeStamps attachment (360.4, 420.4, 480.4 s): t = 2 is 120 s after t = 0
    expect(await page.textContent("#time-label")).toBe("t = 2 (0.03 h) of 3");
    expect(await page.getAttribute("#canvas", "data-scalebar")).toMatch(/µm$/);
    await shot("viewer-czi");

    const frames = readdirSync(cziFrames, { recursive: true })
      .map(String)
      .filter((f) => /\.(h5|json)$/.test(f))
      .map((f) => join(cziFrames, f));
    const fstatus = await open(frames);
    expect(fstatus).toMatch(/^Ready: 2 channel\(s\) \[.+, .+\], 3 time point\(s\) of 240x170/);
    expect(await page.locator(".channel .name").allTextContents()).toEqual(names);
    expect(await litPixels("canvas", "black")).toBeGreaterThan(2000);
    await shot("viewer-czi-frames");
  }, 240_000);

  it("re-reads a large CZI (26 Mpx, pyramid) when zoomed in: the canvas shows the full-resolution pixels of the visible region", async () => {
    // 8 x 8 tiles of 640 px = 5120 x 5120 px (above the viewer's 16 Mpx full-resolution limit), one Gray16
    // channel in white, a pattern whose odd columns/rows differ from the 2x pyramid level's samples
    const [tile, grid] = [640, 8];
    const value = (x: number, y: number) => (x * 7 + y * 13) & 255;
    const { writeCzi } = await import("@hyped/imaging");
    const { cziPyramidTile } = await import("@hyped/imaging/czi");
    const tiles = [];
    for (let ty = 0; ty < grid; ty++)
      for (let tx = 0; tx < grid; tx++) {
        const data = new Uint16Array(tile * tile);
        for (let y = 0; y < tile; y++) for (let x = 0; x < tile; x++) data[y * tile + x] = value(tx * tile + x, ty * tile + y);
        const t = { data, width: tile, height: tile, x: tx * tile, y: ty * tile, coords: { C: 0, M: ty * grid + tx } };
        tiles.push(t, cziPyramidTile(t, 2));
      }
    const file = join(dir, "pattern-26mpx.czi");
    await writeCzi(file, tiles, {
      metadata: { channels: [{ name: "Pattern", color: "#FFFFFFFF" }], scalingM: { X: 0.65e-6, Y: 0.65e-6 } },
    });
    const status = await open(file);
    expect(status).toMatch(/^Ready: 1 channel\(s\) \[Pattern\], 1 time point\(s\) of 5120x5120, 0.65 µm\/px/);
    expect(await page.textContent("#title")).toMatch(/overview at 50 %/);
    // display range 0..255, so a canvas pixel's grey value is the sample value
    for (const [cls, v] of [
      ["lo", "0"],
      ["hi", "255"],
    ]) {
      const input = page.locator(`.channel .${cls}`);
      await input.fill(v as string);
      await input.dispatchEvent("change");
    }
    expect(await page.getAttribute("#canvas", "data-detail")).toBe("");

    /** Canvas pixels (away from the scale bar) against the full-resolution pattern and the 2x pyramid level's. */
    const compare = () =>
      page.evaluate(() => {
        const c = document.getElementById("canvas") as HTMLCanvasElement;
        const d = (c.getContext("2d") as CanvasRenderingContext2D).getImageData(0, 0, c.width, c.height).data;
        const v = JSON.parse(c.dataset.view ?? "{}") as { scale: number; x0: number; y0: number };
        const f = (x: number, y: number) => (x * 7 + y * 13) & 255;
        let n = 0;
        let full = 0;
        let pyramid = 0;
        for (let py = 0; py < c.height - 50; py++)
          for (let px = 0; px < c.width; px++) {
            const fx = v.x0 + (px + 0.5) / v.scale;
            const fy = v.y0 + (py + 0.5) / v.scale;
            // skip pixels outside the image and those whose centre is within 0.05 screen px of a pixel edge
            const edge = (t: number) => Math.min(t - Math.floor(t), Math.ceil(t) - t) * v.scale < 0.05;
            if (fx < 0 || fy < 0 || fx >= 5120 || fy >= 5120 || edge(fx) || edge(fy)) continue;
            const [x, y] = [Math.floor(fx), Math.floor(fy)];
            const got = d[4 * (py * c.width + px)] as number;
            n++;
            if (got === f(x, y) && d[4 * (py * c.width + px) + 1] === got) full++;
            if (got === f(x & ~1, y & ~1)) pyramid++;
          }
        return { n, full, pyramid, scale: v.scale, detail: c.dataset.detail ?? "", aborted: Number(c.dataset.aborted) };
      });
    await page.locator("#canvas").hover();
    for (let k = 0; k < 3; k++) {
      await page.mouse.wheel(0, -500);
      await page.waitForTimeout(30);
    }
    await page.waitForFunction(() => /"zoom":1,/.test(document.getElementById("canvas")?.dataset.detail ?? ""), null, {
      timeout: 60_000,
    });
    const zoomed = await compare();
    const detail = JSON.parse(zoomed.detail) as { zoom: number; rect: { x: number; y: number; w: number; h: number }; subblocks: number };
    console.log(
      `zoomed in x${zoomed.scale.toFixed(2)}: ${zoomed.full}/${zoomed.n} canvas pixels equal full resolution, ${zoomed.pyramid} equal the 2x level; region ${detail.rect.w}x${detail.rect.h} from ${detail.subblocks} of 64 full-resolution subblocks; ${zoomed.aborted} stale reads aborted`,
    );
    expect(zoomed.scale).toBeGreaterThan(1.5);
    expect(zoomed.n).toBeGreaterThan(100_000);
    expect(zoomed.full).toBe(zoomed.n);
    // the 2x level alone matches only where both coordinates are even (the test can tell them apart)
    expect(zoomed.pyramid).toBeLessThan(zoomed.n * 0.5);
    // lazy: exactly the full-resolution tiles that intersect the region read were read
    const span = (a: number, len: number) => Math.floor((a + len - 1) / tile) - Math.floor(a / tile) + 1;
    expect(detail.subblocks).toBe(span(detail.rect.x, detail.rect.w) * span(detail.rect.y, detail.rect.h));
    expect(detail.subblocks).toBeLessThan(16);
    // the pixel readout gives the full-resolution sample too
    await page.mouse.move(333, 444);
    const readout = (await page.textContent("#pixel")) ?? "";
    const m = /^x (\d+), y (\d+): Pattern (\d+)$/.exec(readout);
    expect(m, readout).not.toBeNull();
    expect(Number(m?.[3])).toBe(value(Number(m?.[1]), Number(m?.[2])));
    await shot("viewer-czi-zoomed");

    // pan far (drag): the new region is read, the old one never drawn there
    const box = (await page.locator("#canvas").boundingBox()) as { x: number; y: number; width: number; height: number };
    await page.mouse.move(box.x + box.width - 20, box.y + box.height / 2);
    await page.mouse.down();
    for (let k = 1; k <= 5; k++) await page.mouse.move(box.x + box.width - 20 - k * 160, box.y + box.height / 2 - k * 100);
    await page.mouse.up();
    const before = detail.rect;
    await page.waitForFunction((r) => (document.getElementById("canvas")?.dataset.detail ?? "") !== r, JSON.stringify(before), {
      timeout: 60_000,
    });
    await page.waitForFunction(() => /"zoom":1,/.test(document.getElementById("canvas")?.dataset.detail ?? ""), null, {
      timeout: 60_000,
    });
    const panned = await compare();
    expect(panned.n).toBeGreaterThan(100_000);
    expect(panned.full).toBe(panned.n);
  }, 300_000);

  it("shows the obs table and an embedding scatter for an .h5ad, with no request for node: modules", async () => {
    const failed: string[] = [];
    const onFail = (r: { url(): string }) => failed.push(r.url());
    page.on("requestfailed", onFail);
    consoleErrors.length = 0;
    const status = await open(h5ad);
    page.off("requestfailed", onFail);
    expect(consoleErrors).toEqual([]);
    expect(status).toMatch(/^Ready: 900 cells x 400 genes, 500 obs rows shown, scatter of X_pca$/);
    expect(failed).toEqual([]);
    expect(await page.locator("#obs tr").count()).toBe(501);
    expect(await page.locator("#obs th").allTextContents()).toEqual(["", "true_condition", "true_hashtag", "true_phase", "droplet_type"]);
    expect(await litPixels("scatter", "white")).toBeGreaterThan(2000);
    expect(await page.locator("#legend .key").count()).toBeGreaterThan(1);
    await page.fill("#obs-search", "G1");
    expect(await page.locator("#obs tr").count()).toBeLessThan(501);
    await shot("viewer-h5ad");
  }, 180_000);

  it("colours scanpy's pbmc68k UMAP by categories in uns colours and by numbers with a colour bar; searches var; no console error", async (ctx) => {
    const pbmc = join(root, "../shared/fixtures/h5ad/scanpy/10x_pbmc68k_reduced.h5ad");
    if (!existsSync(pbmc)) ctx.skip();
    consoleErrors.length = 0;
    const requests: string[] = [];
    const onRequest = (r: { url(): string }) => requests.push(r.url());
    const notFound: string[] = [];
    const onResponse = (r: { status(): number; url(): string }) => {
      if (r.status() >= 400) notFound.push(`${r.status()} ${r.url()}`);
    };
    page.on("response", onResponse);
    page.on("request", onRequest);
    expect(await open(pbmc)).toBe("Ready: 700 cells x 765 genes, 500 obs rows shown, scatter of X_umap");
    page.off("request", onRequest);
    page.off("response", onResponse);
    const keyColours = () => page.locator("#legend .key i").evaluateAll((els) => els.map((e) => getComputedStyle(e).backgroundColor));
    const hexRgb = (h: string) => `rgb(${[1, 3, 5].map((i) => Number.parseInt(h.slice(i, i + 2), 16)).join(", ")})`;
    // uns['louvain_colors'] as anndata wrote it (not scanpy's default palette)
    const louvain = [
      "#023fa5",
      "#7d87b9",
      "#bec1d4",
      "#d6bcc0",
      "#bb7784",
      "#8e063b",
      "#4a6fe3",
      "#8595e1",
      "#b5bbe3",
      "#e6afb9",
      "#e07b91",
    ];
    await page.selectOption("#colour", "louvain");
    const keys = await page.locator("#legend .key").allTextContents();
    console.log(`louvain legend: ${keys.join(", ")}`);
    expect(keys).toHaveLength(11);
    expect(await keyColours()).toEqual(louvain.map(hexRgb));
    expect(await litPixels("scatter", "white")).toBeGreaterThan(2000);
    // a number: viridis and a colour bar with the range
    await page.selectOption("#colour", "n_genes");
    expect(await page.locator("#legend canvas.colourbar").count()).toBe(1);
    expect(await page.textContent("#legend")).toMatch(/^n_genes: \d+ +\d+$/);
    await shot("viewer-h5ad-pbmc68k");
    // numbers in the tables: at most 4 significant digits
    const cells = await page.locator("#obs td").allTextContents();
    const floats = cells.filter((c) => /^-?\d*\.\d+(e[+-]?\d+)?$/.test(c));
    const digits = (c: string) => c.replace(/^-/, "").replace(/e.*$/, "").replace(".", "").replace(/^0+/, "").length;
    console.log(`obs floats shown: ${floats.length}, e.g. ${floats.slice(0, 4).join(", ")}`);
    expect(floats.length).toBeGreaterThan(100);
    expect(floats.filter((c) => digits(c) > 4)).toEqual([]);
    await page.fill("#var-search", "HLA-");
    const varRows = await page.locator("#var tr").count();
    console.log(`var search "HLA-": ${await page.textContent("#var-count")}`);
    expect(varRows).toBeGreaterThan(1);
    expect(varRows).toBeLessThan(100);
    // onnxruntime (embeddings) is never fetched for viewing, and no node: module is requested
    expect(requests.filter((u) => /onnx|ort[.-]|node:/.test(u))).toEqual([]);
    expect(notFound).toEqual([]);
    expect(consoleErrors).toEqual([]);
  }, 180_000);

  it("opens the anndata 0.7.8 LZF fixture and the 0.11.4 fixture without X", async (ctx) => {
    const lzf = join(root, "../shared/fixtures/h5ad/anndata-0.7.8/adata.h5ad");
    const noX = join(root, "../shared/fixtures/h5ad/anndata-0.11.4/adata.h5ad");
    if (!existsSync(lzf) || !existsSync(noX)) ctx.skip();
    consoleErrors.length = 0;
    expect(await open(lzf)).toMatch(/^Ready: 30 cells x 20 genes, 30 obs rows shown, /);
    expect(await page.locator("#obs th").allTextContents()).toEqual(["", "obs_cat", "cat_ordered", "int64", "float64", "uint8"]);
    // floats are shown with at most 4 significant digits
    const cells = await page.locator("#obs td").allTextContents();
    expect(cells.filter((c) => /\.\d{6,}/.test(c))).toEqual([]);
    expect(await page.locator("#var tr").count()).toBe(21);
    await shot("viewer-h5ad-lzf");
    expect(await open(noX)).toBe("Ready: 10 cells x 20 genes, 10 obs rows shown, no embedding");
    expect(await page.locator("#var tr").count()).toBe(21);
    expect(await page.isHidden("#embedding")).toBe(true);
    await shot("viewer-h5ad-nox");
    expect(consoleErrors).toEqual([]);
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
        scatter: await page.evaluate(() => (document.getElementById("scatter") as HTMLCanvasElement).toDataURL()),
      });
    }
    const [lzf, gz] = seen as [(typeof seen)[0], (typeof seen)[0]];
    expect(lzf.status).toBe("Ready: 300 cells x 40 genes, 300 obs rows shown, scatter of X_pca");
    expect(lzf.table).toContain("c299|siPRRX1|448.5|false");
    expect(lzf.table).toBe(gz.table);
    expect(lzf.scatter.length).toBeGreaterThan(5000);
    expect(lzf.scatter).toBe(gz.scatter);
  }, 180_000);
});
