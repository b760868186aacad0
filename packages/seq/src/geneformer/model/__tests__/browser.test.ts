/**
 * The fidelity tests in real headless Chromium (Debian's `chromium` through playwright-core) with
 * onnxruntime-web: the same checks as geneformer-model.test.ts, the models fetched from a local HTTP server.
 * Skips only when chromium is absent.
 */
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CHROMIUM_SKIP_NOTE,
  HAVE_CHROMIUM,
  launchChromium,
  type StaticServer,
  serveStatic,
} from "../../../../../../scripts/browser-harness.mjs";
import { MODELS } from "./fidelity.js";

const REF = join(import.meta.dirname, "../../../../reference/geneformer-model");
/** Cross-origin isolation (SharedArrayBuffer for onnxruntime-web's threads) on every response. */
const ISOLATED = {
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
  "cross-origin-resource-policy": "same-origin",
};

describe.skipIf(!HAVE_CHROMIUM)(`Geneformer fidelity in headless Chromium${CHROMIUM_SKIP_NOTE}`, () => {
  let dir = "";
  let server: StaticServer | undefined;
  let url = "";
  let browser: BrowserContext | undefined;
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
    writeFileSync(join(dir, "index.html"), '<!doctype html><html><body><script type="module" src="/entry.js"></script></body></html>');
    // onnxruntime-web fetches its WebAssembly next to the script that loaded it
    const ortDist = join(dirname(createRequire(import.meta.url).resolve("onnxruntime-web")), ".");
    for (const f of readdirSync(ortDist)) if (/^ort-wasm.*\.(wasm|mjs)$/.test(f)) copyFileSync(join(ortDist, f), join(dir, f));
    // the models are fetched by byte range
    server = await serveStatic(dir, { mounts: { "/models/": REF }, headers: ISOLATED, ranges: true });
    url = server.url.slice(0, -1);
    ({ context: browser, page } = await launchChromium(join(dir, "chromium-profile")));
    page.on("pageerror", (e) => console.error("page error:", e.message));
    await page.goto(`${url}/`);
    await page.waitForFunction(() => document.body.dataset.state === "ready", null, { timeout: 60_000 });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
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
});
