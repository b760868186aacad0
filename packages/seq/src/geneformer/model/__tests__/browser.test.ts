/**
 * The fidelity tests in real headless Chromium (Debian's `chromium` through playwright-core) with
 * onnxruntime-web: the same checks as geneformer-model.test.ts, the models fetched from a local HTTP server.
 * Skips only when chromium is absent.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, extname, join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MODELS } from "./fidelity.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const REF = join(import.meta.dirname, "../../../../reference/geneformer-model");
const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".wasm": "application/wasm",
  ".json": "application/json",
};

describe.skipIf(!existsSync(CHROMIUM))(
  `Geneformer fidelity in headless Chromium${existsSync(CHROMIUM) ? "" : ` (skipped: no ${CHROMIUM}; apt-get install chromium)`}`,
  () => {
    let dir = "";
    let server: Server;
    let url = "";
    let browser: BrowserContext;
    let page: Page;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "hyped-geneformer-"));
      const esbuild = await import("esbuild");
      await esbuild.build({
        entryPoints: [join(import.meta.dirname, "browser-entry.ts")],
        bundle: true,
        format: "esm",
        platform: "browser",
        conditions: ["@hyped/source"],
        external: ["node:*"],
        outfile: join(dir, "entry.js"),
        logLevel: "error",
      });
      // onnxruntime-web fetches its WebAssembly next to the script that loaded it
      const ortDist = join(dirname(createRequire(import.meta.url).resolve("onnxruntime-web")), ".");
      for (const f of readdirSync(ortDist)) if (/^ort-wasm.*\.(wasm|mjs)$/.test(f)) copyFileSync(join(ortDist, f), join(dir, f));
      server = createServer((req, res) => {
        const path = decodeURIComponent((req.url ?? "/").split("?")[0] as string);
        const file = path.startsWith("/models/") ? join(REF, path.slice(8)) : join(dir, path === "/" ? "index.html" : path);
        if (path === "/") {
          res.writeHead(200, {
            "content-type": "text/html",
            "cross-origin-opener-policy": "same-origin",
            "cross-origin-embedder-policy": "require-corp",
          });
          res.end('<!doctype html><html><body><script type="module" src="/entry.js"></script></body></html>');
          return;
        }
        if (!existsSync(file) || !statSync(file).isFile()) {
          res.writeHead(404).end();
          return;
        }
        const body = readFileSync(file);
        const headers: Record<string, string | number> = {
          "content-type": TYPES[extname(file)] ?? "application/octet-stream",
          "cross-origin-opener-policy": "same-origin",
          "cross-origin-embedder-policy": "require-corp",
          "cross-origin-resource-policy": "same-origin",
          "accept-ranges": "bytes",
        };
        const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? "");
        if (req.method === "HEAD") res.writeHead(200, { ...headers, "content-length": body.length }).end();
        else if (m) {
          const a = Number(m[1]);
          const b = Math.min(Number(m[2]), body.length - 1);
          res
            .writeHead(206, { ...headers, "content-length": b - a + 1, "content-range": `bytes ${a}-${b}/${body.length}` })
            .end(body.subarray(a, b + 1));
        } else res.writeHead(200, { ...headers, "content-length": body.length }).end(body);
      });
      await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
      const address = server.address();
      url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
      const { chromium } = await import("playwright-core");
      browser = await chromium.launchPersistentContext(join(dir, "chromium-profile"), {
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
      page = browser.pages()[0] ?? (await browser.newPage());
      page.on("pageerror", (e) => console.error("page error:", e.message));
      await page.goto(`${url}/`);
      await page.waitForFunction(() => document.body.dataset.state === "ready", null, { timeout: 60_000 });
    }, 300_000);

    afterAll(async () => {
      await browser?.close();
      await new Promise((ok) => (server ? server.close(ok) : ok(undefined)));
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    type Run = (base: string, name: string, tanh?: boolean) => Promise<{ runtime: string; errors: Record<string, number> }>;
    const run = (name: string, tanh = false) =>
      page.evaluate(
        ([base, n, t]) =>
          (globalThis as unknown as { geneformerFidelity: Run }).geneformerFidelity(base as string, n as string, t as boolean),
        [`${url}/models`, name, tanh] as const,
      );

    for (const { name, tol } of MODELS) {
      it(`${name}: within ${tol} relative with onnxruntime-web`, async () => {
        const r = await run(name);
        expect(r.runtime).toBe("onnxruntime-web");
        for (const [what, e] of Object.entries(r.errors)) expect(e, `${name} ${what}`).toBeLessThan(tol);
      }, 240_000);
    }

    it("a tanh GELU fails the check in the browser too", async () => {
      const r = await run("gelu-f16", true);
      expect(r.errors["mean layer -1"]).toBeGreaterThan(1e-3);
    }, 240_000);
  },
);
