/**
 * The headless-Chromium harness shared by the browser tests (JPEG XR, Geneformer, the viewer) and
 * scripts/consumer-check.mjs: a static file server on 127.0.0.1 over a built folder, and Debian's `chromium`
 * launched through playwright-core with one set of flags. Types: browser-harness.d.mts.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, resolve } from "node:path";

/** The Chromium binary: `$CHROMIUM_PATH`, else Debian's `/usr/bin/chromium` (scripts/setup-system.sh installs it). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Whether {@link CHROMIUM} exists (the browser tests skip when it does not). */
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

/** What a skipped browser test adds to its title: empty when Chromium is there. */
export const CHROMIUM_SKIP_NOTE = HAVE_CHROMIUM ? "" : ` (skipped: no ${CHROMIUM}; apt-get install chromium)`;

/** Content types by file ending; anything else is served as application/octet-stream. */
const TYPES = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".css": "text/css",
};

/** The flags every run passes to Chromium (no sandbox, GPU, first-run page or background traffic). */
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The file a URL path names under `root` or a mount, or undefined when it leaves that folder or is not a file. */
function fileOf(root, mounts, path) {
  const mount = Object.keys(mounts).find((m) => path.startsWith(m));
  const base = resolve(mount ? mounts[mount] : root);
  const rel = mount ? path.slice(mount.length) : path === "/" ? "index.html" : path.slice(1);
  const file = join(base, rel);
  return file.startsWith(base) && existsSync(file) && statSync(file).isFile() ? file : undefined;
}

/** Answers one request for `file` with `headers`; with `ranges`, HEAD and `Range: bytes=a-b` too. */
function send(req, res, file, headers, ranges) {
  const body = readFileSync(file);
  const h = { "content-type": TYPES[extname(file)] ?? "application/octet-stream", ...headers };
  if (!ranges) return res.writeHead(200, h).end(body);
  h["accept-ranges"] = "bytes";
  const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? "");
  if (req.method === "HEAD") return res.writeHead(200, { ...h, "content-length": body.length }).end();
  if (!m) return res.writeHead(200, { ...h, "content-length": body.length }).end(body);
  const a = Number(m[1]);
  const b = Math.min(Number(m[2]), body.length - 1);
  return res
    .writeHead(206, { ...h, "content-length": b - a + 1, "content-range": `bytes ${a}-${b}/${body.length}` })
    .end(body.subarray(a, b + 1));
}

/**
 * Serves `root` (`/` is its index.html) and each mount (`{ "/models/": folder }`) on 127.0.0.1 at a free port.
 * A path that leaves its folder, or names no file, is a 404.
 * @param {string} root
 * @param {{ mounts?: Record<string, string>, headers?: Record<string, string>, ranges?: boolean }} [options]
 */
export async function serveStatic(root, { mounts = {}, headers = {}, ranges = false } = {}) {
  const server = createServer((req, res) => {
    let path;
    try {
      path = decodeURIComponent((req.url ?? "/").split("?")[0]);
    } catch {
      return res.writeHead(400).end();
    }
    const file = fileOf(root, mounts, path);
    if (!file) return res.writeHead(404).end();
    return send(req, res, file, headers, ranges);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const address = server.address();
  return {
    server,
    url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/`,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}

/**
 * Launches {@link CHROMIUM} headless with a fresh profile in `profile` (playwright passes it as --user-data-dir)
 * and returns the context and its first page (playwright-core: a root dev dependency, as of imaging, seq and examples).
 * @param {string} profile
 * @param {{ args?: string[] }} [options] flags added to the shared ones
 */
export async function launchChromium(profile, { args = [] } = {}) {
  const { chromium } = await import("playwright-core");
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...FLAGS, ...args],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page };
}
