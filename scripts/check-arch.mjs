#!/usr/bin/env node
/**
 * `node scripts/check-arch.mjs` (part of `pnpm lint`, so CI runs it): the architecture rules of
 * ARCHITECTURE.md, checked on every source file, tests included (packages/<pkg>/{src,bench,fuzz,scripts},
 * examples, scripts; not node_modules, dist or committed reference data):
 *
 * - size:     no file over 600 lines;
 * - function: no function over 100 lines, unless a comment just above it (or in the first lines of its body)
 *             says why, starting "Long function:" or "Longer than ~100 lines on purpose:" (tests' describe/it
 *             callbacks are exempt);
 * - cycle:    no import cycle, type-only imports included (found with dpdm);
 * - layer:    imports follow the one-way arrows native <- core <- metrics <- imaging/seq <- cli/examples <- scripts
 *             (imaging and seq do not import each other, nor cli and examples), and a relative import never
 *             leaves its package, examples/ or scripts/ (use the package's exports instead), except from a
 *             package's bench/fuzz/scripts or a test into scripts/ (shared tooling) and from a test into a lower
 *             package's __tests__/ (test-data generators).
 * - doc:      every file or folder ARCHITECTURE.md names in backticks exists (a path may be written from any
 *             folder down, e.g. `hdf5/filters.ts`), so the page stays true as code moves.
 *
 * Every offender is printed. Offenders listed in scripts/check-arch.allow (one per line, as printed) are
 * tolerated while the work that removes them lands; an entry that no longer matches an offender fails the
 * check, so the list only shrinks. Exit status 1 on any offender not in the list or any stale entry.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseCircular, parseDependencyTree } from "dpdm";
import ts from "typescript";

/** The repository root (HYPED_ARCH_ROOT points the check at another tree: its own test does). */
const ROOT = resolve(process.env.HYPED_ARCH_ROOT ?? join(import.meta.dirname, ".."));
const MAX_FILE_LINES = 600;
const MAX_FUNCTION_LINES = 100;
const ALLOW_FILE = join(ROOT, "scripts/check-arch.allow");
const EXT = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
const SKIP_DIRS = new Set(["node_modules", "dist", "reference", "fixtures", ".cache"]);
/** Layer of each area; an area may import areas of a lower layer only. */
const LAYER = { native: 0, core: 1, metrics: 2, imaging: 3, seq: 3, cli: 4, examples: 4, scripts: 5 };

function walk(dir, out) {
  let entries;
  try {
    entries = readdirSync(join(ROOT, dir), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) walk(p, out);
    } else if (EXT.test(e.name) && !e.name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

function sourceFiles() {
  const files = [];
  for (const pkg of readdirSync(join(ROOT, "packages"))) {
    for (const sub of ["src", "bench", "fuzz", "scripts"]) walk(`packages/${pkg}/${sub}`, files);
  }
  walk("examples", files);
  walk("scripts", files);
  return files.sort();
}

/** `packages/<name>/...` -> name; `examples/...` -> examples; `scripts/...` -> scripts. */
function areaOf(file) {
  const parts = file.split("/");
  return parts[0] === "packages" ? parts[1] : parts[0];
}

const isTest = (file) => /(^|\/)__tests__\//.test(file) || /\.(test|spec)\.[cm]?[jt]sx?$/.test(file);

function sizeOffenders(files, texts) {
  const out = [];
  for (const f of files) {
    const lines = texts.get(f).split("\n").length - (texts.get(f).endsWith("\n") ? 1 : 0);
    if (lines > MAX_FILE_LINES) out.push({ key: `size ${f}`, detail: `${lines} lines (limit ${MAX_FILE_LINES})` });
  }
  return out;
}

function functionName(node) {
  if (node.name) return node.name.getText();
  const p = node.parent;
  if (p && (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p))) return p.name.getText();
  if (p && ts.isCallExpression(p)) return `(callback of ${p.expression.getText().slice(0, 40)})`;
  return "(anonymous)";
}

/** How a long function says why it is long: "Long function: …" or "(Longer than / over) ~100 lines on purpose: …". */
const WHY_LONG = /Long function:|100 lines on purpose/;

function saysWhy(node, src) {
  const text = src.text;
  const ranges = [...(ts.getLeadingCommentRanges(text, node.getFullStart()) ?? [])];
  let anchor = node.parent;
  // `const f = () => {}` and `export function`: the comment sits on the statement
  while (anchor && !ts.isSourceFile(anchor) && !ts.isStatement(anchor) && !ts.isClassElement(anchor)) anchor = anchor.parent;
  if (anchor && !ts.isSourceFile(anchor)) ranges.push(...(ts.getLeadingCommentRanges(text, anchor.getFullStart()) ?? []));
  // the first 12 lines of the body may hold the reason too
  const head = node.body ? text.slice(node.body.getStart()).split("\n").slice(0, 12).join("\n") : "";
  return ranges.some((r) => WHY_LONG.test(text.slice(r.pos, r.end))) || /\/[/*][^\n]*(Long function:|100 lines on purpose)/.test(head);
}

function functionOffenders(files, texts) {
  const out = [];
  for (const f of files) {
    if (isTest(f)) continue;
    const src = ts.createSourceFile(f, texts.get(f), ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      if (ts.isFunctionLike(node) && node.body) {
        const first = src.getLineAndCharacterOfPosition(node.getStart()).line;
        const last = src.getLineAndCharacterOfPosition(node.getEnd()).line;
        const lines = last - first + 1;
        if (lines > MAX_FUNCTION_LINES && !saysWhy(node, src)) {
          out.push({
            key: `function ${f} ${functionName(node)}`,
            detail: `${lines} lines at line ${first + 1} (limit ${MAX_FUNCTION_LINES})`,
          });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(src);
  }
  return out;
}

/** Rotate a cycle so that it starts at its smallest file: the same cycle always prints the same way. */
function canonicalCycle(cycle) {
  let start = 0;
  for (let i = 1; i < cycle.length; i++) if (cycle[i] < cycle[start]) start = i;
  return [...cycle.slice(start), ...cycle.slice(0, start)];
}

async function dependencyTree(files) {
  return parseDependencyTree(files, {
    context: ROOT,
    cwd: ROOT,
    transform: false, // type-only imports are edges too: a type cycle is still a knot to untie
    skipDynamicImports: false,
    tsconfig: existsSync(join(ROOT, "tsconfig.json")) ? join(ROOT, "tsconfig.json") : undefined,
    onProgress: () => {},
  });
}

function cycleOffenders(tree) {
  const seen = new Set();
  const out = [];
  for (const c of parseCircular(tree)) {
    const cycle = canonicalCycle(c.map((p) => relative(ROOT, resolve(ROOT, p))));
    const key = `cycle ${cycle.join(" -> ")}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ key, detail: `${cycle.length} files` });
  }
  return out;
}

/**
 * The two relative imports across areas we accept: a package's benchmarks, fuzzers, scripts and tests use the
 * shared tooling in scripts/ (bench-utils, browser-harness), and a test reuses a lower package's test-data generator
 * (`__tests__/make-*.ts`), which is not part of any package's API.
 */
function toolingException(file, target, from, to) {
  if (to === "scripts" && (/^packages\/[^/]+\/(bench|fuzz|scripts)\//.test(file) || isTest(file))) return true;
  return isTest(file) && /\/__tests__\//.test(target) && from in LAYER && to in LAYER && LAYER[to] < LAYER[from];
}

/** Every module specifier `file` imports: import/export declarations, `import()`, `require()`, `import("x").T` types. */
function importsOf(file, text) {
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out = [];
  const visit = (node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      out.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const arg = node.arguments[0];
      const isImport = callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === "require");
      if (isImport && arg && ts.isStringLiteralLike(arg)) out.push(arg.text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      out.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
  return out;
}

function layerOffenders(files, texts) {
  const out = [];
  for (const f of files) {
    const from = areaOf(f);
    for (const request of importsOf(f, texts.get(f))) {
      let to;
      if (request.startsWith("@hyped/")) to = request.slice("@hyped/".length).split("/")[0];
      else if (request.startsWith(".")) {
        const target = relative(ROOT, resolve(ROOT, f, "..", request));
        to = areaOf(target);
        if (to === from || toolingException(f, target, from, to)) continue;
        out.push({
          key: `layer ${f} -> ${request}`,
          detail: `a relative import leaves ${from} for ${to}: import its package export instead`,
        });
        continue;
      } else continue;
      if (to === from || !(to in LAYER) || !(from in LAYER)) continue;
      if (LAYER[to] >= LAYER[from])
        out.push({ key: `layer ${f} -> ${request}`, detail: `${from} may not import ${to} (arrows run one way)` });
    }
  }
  return out;
}

/** Paths named in ARCHITECTURE.md (backticked, with a slash and a file extension or a trailing slash) that match no file. */
function docOffenders() {
  const doc = "ARCHITECTURE.md";
  if (!existsSync(join(ROOT, doc))) return [{ key: `doc ${doc}`, detail: "missing" }];
  const text = readFileSync(join(ROOT, doc), "utf8");
  const tracked = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" })
    .split("\n")
    .filter(Boolean)
    .map((f) => `/${f}`);
  const out = [];
  // files a walk-through invents, declared in the page as <!-- check-arch examples: a/b.ts c/d.ts -->
  const seen = new Set([...text.matchAll(/<!-- check-arch examples: ([^>]*) -->/g)].flatMap((m) => m[1].trim().split(/\s+/)));
  for (const m of text.matchAll(/`([^`\s]+)`/g)) {
    const path = m[1].replace(/^\.\//, "");
    if (seen.has(path) || path.startsWith("../") || path.startsWith("@") || /[<>…*{}]/.test(path) || !path.includes("/")) continue;
    if (!/\.[a-z]+$/.test(path) && !path.endsWith("/")) continue;
    seen.add(path);
    const ok = path.endsWith("/") ? tracked.some((f) => f.includes(`/${path}`)) : tracked.some((f) => f.endsWith(`/${path}`));
    if (!ok) out.push({ key: `doc ${doc} ${path}`, detail: "names a path that does not exist" });
  }
  return out;
}

function readAllowList() {
  let text = "";
  try {
    text = readFileSync(ALLOW_FILE, "utf8");
  } catch {
    return new Set();
  }
  return new Set(
    text
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#")),
  );
}

const files = sourceFiles();
const texts = new Map(files.map((f) => [f, readFileSync(join(ROOT, f), "utf8")]));
const tsFiles = files.filter((f) => /\.[cm]?tsx?$/.test(f) || /\.[cm]?js$/.test(f));
const offenders = [
  ...sizeOffenders(files, texts),
  ...functionOffenders(files, texts),
  ...cycleOffenders(await dependencyTree(tsFiles)),
  ...layerOffenders(files, texts),
  ...docOffenders(),
];
const allowed = readAllowList();
let failed = 0;
for (const o of offenders) {
  const ok = allowed.has(o.key);
  if (!ok) failed++;
  console.log(`${ok ? "allowed " : "FAIL    "} ${o.key}  (${o.detail})`);
}
const keys = new Set(offenders.map((o) => o.key));
for (const a of allowed) {
  if (keys.has(a)) continue;
  failed++;
  console.log(`FAIL     stale allow-list entry: ${a}  (fixed: delete this line from scripts/check-arch.allow)`);
}
console.log(
  `check-arch: ${files.length} files, ${offenders.length} offenders (${offenders.length - (offenders.length - [...keys].filter((k) => allowed.has(k)).length)} allowed), ${failed} failing`,
);
process.exit(failed ? 1 : 0);
