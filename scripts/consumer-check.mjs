#!/usr/bin/env node
/**
 * The consumer check (run by .ci/run after `pnpm build`): uses the packages as a downstream project would.
 *
 * 1. `pnpm pack` every package (publishConfig applied, `workspace:` ranges replaced).
 * 2. `npm install --engine-strict` the tarballs (not the opt-in @hyped/native) into a fresh project, with no
 *    warning, `gyp` or error lines.
 * 3. Typecheck scripts/consumer/src/main.ts strictly (node16 resolution, skipLibCheck false, no @types/node),
 *    and check that src/unsound.ts fails with exactly its marked TS2322 errors (types are sound, not `any`);
 *    every value the types of an entry point declare is exported at run time, and vice versa.
 * 4. Run the compiled program (reads an .h5ad and a CZI plane from ../shared/fixtures when present, computes
 *    metrics, starts worker threads from the built files), and a CommonJS file (src/require.cts, compiled
 *    with `module: nodenext`) that `require()`s the packages.
 * 5. Build web/ with Vite from the same tarballs: no warnings, no Node built-in in the bundle; run it in
 *    headless Chromium.
 * 6. `attw` (@arethetypeswrong/cli) on every tarball, profile esm-only: no problems.
 *
 * Prints `ok`/`FAIL` per check and ends with `consumer check: N passed, N failed`; writes the counts to
 * .cache/consumer-check.json (scripts/ci-summary.mjs adds them to CI's summary) and exits 1 on any failure.
 * Options: `--keep` keeps the temporary project and prints its path.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CHROMIUM, HAVE_CHROMIUM, launchChromium, serveStatic } from "./browser-harness.mjs";

const root = resolve(import.meta.dirname, "..");
const fixtures = resolve(root, "../shared/fixtures");
const keep = process.argv.includes("--keep");
const work = mkdtempSync(join(tmpdir(), "hyped-consumer-"));
const app = join(work, "app");
const results = [];

function check(name, ok, detail = "") {
  results.push({ name, ok });
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? `: ${detail}` : ""}`);
  return ok;
}

/** Run a command; returns { status, out } with stdout and stderr joined. Never throws. */
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 << 20, ...opts, env: { ...process.env, ...opts.env } });
  return { status: r.status ?? 1, out: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}` };
}

const version = (dir, name) => JSON.parse(readFileSync(join(dir, "node_modules", name, "package.json"), "utf8")).version;
const tail = (s, n = 25) => s.trim().split("\n").slice(-n).join("\n");

// 0. the Node we claim: the floor of engines.node (the check runs on the Node it finds)
const claim = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).engines.node;
const [major, minor] = process.versions.node.split(".").map(Number);
const [cMajor, cMinor] = /^>=(\d+)\.(\d+)$/.exec(claim)?.slice(1).map(Number) ?? [];
check(
  `running on Node ${process.versions.node}, npm ${run("npm", ["--version"]).out.trim()}`,
  major > cMajor || (major === cMajor && minor >= cMinor),
  `packages claim node ${claim}${major === cMajor ? " (this is the claimed major)" : ""}`,
);

// 1. pack
const packages = readdirSync(join(root, "packages")).filter((p) => existsSync(join(root, "packages", p, "package.json")));
const tarballs = {};
mkdirSync(join(work, "tarballs"));
for (const p of packages) {
  const dir = join(root, "packages", p);
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  if (pkg.scripts?.build && !existsSync(join(dir, "dist"))) {
    check(`pack ${pkg.name}`, false, "no dist/ (run pnpm build first)");
    continue;
  }
  const r = run("pnpm", ["pack", "--pack-destination", join(work, "tarballs")], { cwd: dir });
  const file = join(work, "tarballs", `${pkg.name.replace("@", "").replace("/", "-")}-${pkg.version}.tgz`);
  if (check(`pack ${pkg.name}`, r.status === 0 && existsSync(file), r.status ? tail(r.out) : "")) tarballs[pkg.name] = file;
}

// 2. install (the native addon stays opt-in, so it is not installed)
cpSync(join(import.meta.dirname, "consumer"), app, { recursive: true });
writeFileSync(join(app, "package.json"), JSON.stringify({ name: "hyped-consumer", private: true, type: "module" }, null, 2));
const deps = Object.entries(tarballs)
  .filter(([name]) => name !== "@hyped/native")
  .map(([, f]) => f);
const tools = [`typescript@${version(root, "typescript")}`, `vite@${version(join(root, "examples"), "vite")}`];
const t0 = Date.now();
const npm = (args) => run("npm", ["install", "--engine-strict", "--no-audit", "--no-fund", "--no-update-notifier", ...args], { cwd: app });
const inst = npm(deps);
const bad = inst.out.split("\n").filter((l) => /gyp|EBADENGINE|ERESOLVE|npm (error|ERR!|warn)/i.test(l));
const secs = ((Date.now() - t0) / 1000).toFixed(1);
let installed = check(
  "npm install --engine-strict of the tarballs: no warning or error line",
  inst.status === 0 && bad.length === 0,
  inst.status === 0 && bad.length === 0 ? `${secs} s` : tail(bad.length ? bad.join("\n") : inst.out),
);
// the consumer's own tools (their install lines are not ours to judge)
const tinst = npm(["--save-dev", ...tools]);
installed = check(`npm install --engine-strict ${tools.join(" ")}`, tinst.status === 0, tinst.status ? tail(tinst.out) : "") && installed;
const noNative = ["@hyped/native", "zstd-napi", "node-gyp"].filter((n) => existsSync(join(app, "node_modules", n)));
check("no native accelerator installed by default", noNative.length === 0, noNative.join(", "));

if (installed) {
  // 3. types
  const tsc = join(app, "node_modules/typescript/bin/tsc");
  const strict = run(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: app });
  check("strict typecheck (node16, skipLibCheck false, no @types/node)", strict.status === 0, tail(strict.out));
  const unsound = run(process.execPath, [tsc, "-p", "tsconfig.unsound.json", "--pretty", "false"], { cwd: app });
  const src = readFileSync(join(app, "src/unsound.ts"), "utf8").split("\n");
  const want = src.flatMap((l, i) => (l.startsWith("export") && l.endsWith("// expect TS2322") ? [`${i + 1}:TS2322`] : []));
  const got = [...unsound.out.matchAll(/src\/unsound\.ts\((\d+),\d+\): error (TS\d+)/g)].map((m) => `${m[1]}:${m[2]}`);
  const others = unsound.out.split("\n").filter((l) => /error TS/.test(l) && !/src\/unsound\.ts/.test(l));
  check(
    "unsound assignments fail to typecheck (exactly the marked TS2322s)",
    unsound.status !== 0 && others.length === 0 && JSON.stringify(got.sort()) === JSON.stringify(want.sort()),
    `expected ${want.join(" ")}; got ${got.join(" ") || "none"}${others.length ? `; other errors: ${tail(others.join("\n"), 5)}` : ""}`,
  );

  const ex = run(process.execPath, ["exports-check.mjs"], { cwd: app, timeout: 180_000 });
  let e;
  try {
    e = JSON.parse(ex.out.trim().split("\n").at(-1));
  } catch {
    e = undefined;
  }
  check(
    "declared values of every entry point exist at run time, and only those",
    ex.status === 0 && e?.entries > 20 && e.mismatches.length === 0,
    e ? `${e.entries} entry points${e.mismatches.length ? `: ${e.mismatches.slice(0, 10).join("; ")}` : ""}` : tail(ex.out),
  );

  // 4. run (ESM) and require (CJS)
  if (strict.status === 0) {
    const haveFixtures = existsSync(join(fixtures, "h5ad")) && existsSync(join(fixtures, "czi"));
    const r = run(process.execPath, ["out/main.js", ...(haveFixtures ? [fixtures] : [])], { cwd: app, timeout: 180_000 });
    let o;
    try {
      o = JSON.parse(r.out.trim().split("\n").at(-1));
    } catch {
      o = undefined;
    }
    check("run: compute a metric", r.status === 0 && Math.abs(o?.pearson - 0.9992082342) < 1e-9, o ? `pearson ${o.pearson}` : tail(r.out));
    check(
      "run: native accelerators detected at run time (absent by default)",
      o?.native?.active === false && /not installed/.test(o?.native?.reason) && o?.zstd !== "zstd-napi",
      o ? `@hyped/native: ${o.native?.reason}; zstd decoder: ${o.zstd}` : "",
    );
    check(
      "run: worker threads from the built files (metrics/parallel, imaging segmentation)",
      o?.ssim?.[0] === 1 &&
        o?.ssim?.[1] === 1 &&
        o?.segment?.[0]?.length === 2 &&
        JSON.stringify(o.segment[0]) === JSON.stringify(o.segment[1]),
      o ? `ssim ${o.ssim}, objects ${JSON.stringify(o.segment)}` : "",
    );
    if (haveFixtures) {
      check(
        "run: read an .h5ad (scanpy pbmc68k_reduced)",
        o?.h5ad?.shape?.join("x") === "700x765" && Number.isFinite(o.h5ad.r01),
        JSON.stringify(o?.h5ad),
      );
      check(
        "run: read a Zstd1 CZI plane (equals the uncompressed file)",
        o?.czi?.shape?.join("x") === "170x240" && o.czi.equal === true,
        JSON.stringify(o?.czi),
      );
    } else console.log(`skip fixture reads: ${fixtures} is absent`);
  }
  const cjs = run(process.execPath, [tsc, "-p", "tsconfig.cjs.json"], { cwd: app });
  check("typecheck a CommonJS file importing the packages (module nodenext)", cjs.status === 0, tail(cjs.out));
  const req = run(process.execPath, ["out-cjs/require.cjs"], { cwd: app });
  let q;
  try {
    q = JSON.parse(req.out.trim().split("\n").at(-1));
  } catch {
    q = undefined;
  }
  check(
    "require() the packages from CommonJS",
    req.status === 0 &&
      q?.functions?.every((t) => t === "function") &&
      q.hypedError === true &&
      !/warning/i.test(req.out) &&
      /require\("@hyped\/metrics"\)/.test(
        existsSync(join(app, "out-cjs/require.cjs")) ? readFileSync(join(app, "out-cjs/require.cjs"), "utf8") : "",
      ),
    q ? `pearson ${q.pearson}` : tail(req.out),
  );

  // LZF: our decoder reads numbers and strings; anything else (this file's compound uns/O_recarray) needs the
  // opt-in h5wasm-plugins. Without it: a clear UNSUPPORTED naming it; with it (installed as a user would): the file.
  const lzfFile = join(fixtures, "h5ad/anndata-0.7.8/adata.h5ad");
  if (existsSync(lzfFile)) {
    const parse = (r) => {
      try {
        return JSON.parse(r.out.trim().split("\n").at(-1));
      } catch {
        return { message: tail(r.out) };
      }
    };
    const before = parse(run(process.execPath, ["lzf.mjs", lzfFile], { cwd: app, timeout: 120_000 }));
    check(
      "LZF .h5ad without the optional h5wasm-plugins: read, or UNSUPPORTED naming it",
      before.shape?.join("x") === "30x20" || (before.code === "UNSUPPORTED" && /h5wasm-plugins/.test(before.message)),
      JSON.stringify(before).slice(0, 200),
    );
    // h5wasm-plugins declares a peer range of an older h5wasm, so npm needs --legacy-peer-deps to add it (README)
    const plug = npm(["--legacy-peer-deps", `h5wasm-plugins@${version(join(root, "packages/seq"), "h5wasm-plugins")}`]);
    const after = parse(run(process.execPath, ["lzf.mjs", lzfFile], { cwd: app, timeout: 120_000 }));
    check(
      "LZF .h5ad after opting in to h5wasm-plugins",
      plug.status === 0 && after.shape?.join("x") === "30x20",
      JSON.stringify(after).slice(0, 200),
    );
  }

  // the installed `hyped` command (published bin, commander 14 on this Node)
  const hyped = join(app, "node_modules/.bin/hyped");
  const czi = join(fixtures, "czi/s_1_t_1_c_1_z_1.czi");
  const cli = run(hyped, existsSync(czi) ? ["inspect", czi, "--json"] : ["--help"], { cwd: app, timeout: 120_000 });
  check(
    `the installed hyped command (${existsSync(czi) ? "inspect a CZI fixture" : "--help"})`,
    cli.status === 0 && (existsSync(czi) ? /475/.test(cli.out) : /Usage: hyped/.test(cli.out)),
    cli.status === 0 ? "" : tail(cli.out),
  );

  // 5. Vite browser build, then headless Chromium
  const vb = run(process.execPath, ["build-web.mjs"], { cwd: app, timeout: 300_000 });
  const warnings = existsSync(join(app, "web-build.json")) ? JSON.parse(readFileSync(join(app, "web-build.json"), "utf8")).warnings : null;
  check(
    "vite build of a browser app: no warnings",
    vb.status === 0 && warnings?.length === 0,
    warnings?.length ? tail(warnings.join("\n")) : tail(vb.out),
  );
  const dist = join(app, "web/dist");
  if (vb.status === 0) {
    const js = readdirSync(join(dist, "assets")).filter((f) => f.endsWith(".js"));
    const text = js.map((f) => readFileSync(join(dist, "assets", f), "utf8")).join("\n");
    // imports of a Node built-in (strings passed to process.getBuiltinModule are not imports) or Vite's shim
    const NODE =
      /(?:\bimport\s*\(|\bfrom)\s*["'`]((?:node:)?(?:fs|path|os|zlib|module|worker_threads|url|crypto|stream|events|child_process|util|buffer)(?:\/[a-z]+)?)["'`]|__vite-browser-external[^"'`]*/g;
    const builtins = [...new Set([...text.matchAll(NODE)].map((m) => m[1] ?? m[0]))];
    check("browser bundle holds no Node built-in", builtins.length === 0, builtins.join(", "));
    await browserRun(dist);
  }
}

// 6. are the types wrong?
const attw = join(root, "node_modules/.bin/attw");
for (const [name, file] of Object.entries(tarballs)) {
  const r = run(attw, [file, "--profile", "esm-only", "--format", "ascii", "--no-color"]);
  check(`attw --profile esm-only ${name}`, r.status === 0, r.status === 0 ? "" : tail(r.out, 15));
}

async function browserRun(dist) {
  if (!HAVE_CHROMIUM) {
    check("browser app in headless Chromium", false, `no ${CHROMIUM} (bash scripts/setup-system.sh installs it)`);
    return;
  }
  const server = await serveStatic(dist);
  const { context: browser, page } = await launchChromium(join(work, "chromium-profile"));
  try {
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.waitForFunction(() => document.body.dataset.state !== "loading", null, { timeout: 120_000 });
    const state = await page.evaluate(() => document.body.dataset.state);
    const text = (await page.textContent("#out")) ?? "";
    let o;
    try {
      o = JSON.parse(text);
    } catch {
      o = undefined;
    }
    check(
      "browser app in headless Chromium (metric, in-memory .h5ad, Node-only path -> UNSUPPORTED)",
      state === "done" &&
        errors.length === 0 &&
        Math.abs(o?.pearson - 0.9992082342) < 1e-9 &&
        o?.h5ad?.join("x") === "3x4" &&
        o?.nodeOnly === "UNSUPPORTED",
      `${text.slice(0, 300)}${errors.length ? ` page errors: ${errors.join("; ")}` : ""}`,
    );
  } finally {
    await browser.close();
    await server.close();
  }
}

const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
mkdirSync(join(root, ".cache"), { recursive: true });
writeFileSync(join(root, ".cache/consumer-check.json"), JSON.stringify({ passed, failed, results }, null, 2));
if (keep) console.log(`kept ${work}`);
else rmSync(work, { recursive: true, force: true });
console.log(`consumer check: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
