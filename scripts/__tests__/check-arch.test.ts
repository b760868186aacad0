/**
 * scripts/check-arch.mjs on a small made-up repository: each rule catches its offender, the allow-list
 * tolerates listed ones, and a stale allow-list entry fails.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const script = resolve(import.meta.dirname, "../check-arch.mjs");
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function repo(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "hyped-check-arch-"));
  dirs.push(root);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  spawnSync("git", ["init", "-q"], { cwd: root });
  return root;
}

function check(root: string): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [script], { env: { ...process.env, HYPED_ARCH_ROOT: root }, encoding: "utf8" });
  return { code: r.status, out: r.stdout + r.stderr };
}

const longFunction = (name: string, why = "") =>
  `${why}export function ${name}(): number {\n  let x = 0;\n${"  x += 1;\n".repeat(101)}  return x;\n}\n`;

const clean = {
  // dpdm resolves "./b.js" to b.ts through the tsconfig's module resolution, as in the real repository
  "tsconfig.json": JSON.stringify({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext" } }),
  "ARCHITECTURE.md": "See `packages/metrics/src/a.ts` and `metrics/src/`.\n",
  "packages/core/src/index.ts": "export const one = 1;\n",
  "packages/metrics/src/a.ts": 'import { one } from "@hyped/core";\nimport { b } from "./b.js";\nexport const a = one + b;\n',
  "packages/metrics/src/b.ts": "export const b = 2;\n",
  "packages/metrics/src/ok.ts": longFunction("explained", "/** Long function: one tight loop, kept whole for speed. */\n"),
  "packages/metrics/src/ok2.ts": longFunction("explainedToo", "// Longer than ~100 lines on purpose: the hot loop.\n"),
  // a test may use the shared tooling in scripts/ (the browser harness)
  "scripts/harness.mjs": "export const harness = 1;\n",
  "packages/metrics/src/__tests__/h.test.ts": 'import { harness } from "../../../../scripts/harness.mjs";\nexport const h = harness;\n',
};

describe("scripts/check-arch.mjs", () => {
  it("passes a clean tree", () => {
    const r = check(repo(clean));
    expect(r.out).toMatch(/0 offenders/);
    expect(r.code).toBe(0);
  });

  it("fails on each rule and names the offender", () => {
    const root = repo({
      ...clean,
      "ARCHITECTURE.md": "See `packages/metrics/src/gone.ts`.\n",
      "packages/metrics/src/big.ts": "export const x = 1;\n".repeat(601),
      "packages/metrics/src/long.ts": longFunction("tooLong"),
      "packages/metrics/src/c1.ts": 'import type { T2 } from "./c2.js";\nexport type T1 = T2 | 1;\n',
      "packages/metrics/src/c2.ts": 'import type { T1 } from "./c1.js";\nexport type T2 = T1 | 2;\n',
      "packages/metrics/src/up.ts": 'import { seq } from "@hyped/seq";\nexport const u = seq;\n',
      "packages/metrics/src/path.ts": 'import { one } from "../../core/src/index.js";\nexport const p = one;\n',
      "packages/metrics/src/tool.ts": 'import { harness } from "../../../scripts/harness.mjs";\nexport const t = harness;\n',
    });
    const r = check(root);
    expect(r.code).toBe(1);
    expect(r.out).toContain("FAIL     size packages/metrics/src/big.ts");
    expect(r.out).toContain("FAIL     function packages/metrics/src/long.ts tooLong");
    expect(r.out).not.toContain("explained");
    expect(r.out).not.toContain("explainedToo");
    expect(r.out).toContain("FAIL     cycle packages/metrics/src/c1.ts -> packages/metrics/src/c2.ts");
    expect(r.out).toContain("FAIL     layer packages/metrics/src/up.ts -> @hyped/seq");
    expect(r.out).toContain("FAIL     layer packages/metrics/src/path.ts -> ../../core/src/index.js");
    expect(r.out).toContain("FAIL     layer packages/metrics/src/tool.ts -> ../../../scripts/harness.mjs");
    expect(r.out).toContain("FAIL     doc ARCHITECTURE.md packages/metrics/src/gone.ts");
  });

  it("tolerates allow-listed offenders and fails on a stale entry", () => {
    const files = { ...clean, "packages/metrics/src/big.ts": "export const x = 1;\n".repeat(601) };
    const allowed = repo({ ...files, "scripts/check-arch.allow": "# comment\nsize packages/metrics/src/big.ts\n" });
    const a = check(allowed);
    expect(a.out).toContain("allowed  size packages/metrics/src/big.ts");
    expect(a.code).toBe(0);
    const stale = repo({ ...clean, "scripts/check-arch.allow": "size packages/metrics/src/big.ts\n" });
    const s = check(stale);
    expect(s.out).toContain("stale allow-list entry: size packages/metrics/src/big.ts");
    expect(s.code).toBe(1);
  });
});
