/**
 * Docs that drift from the code are worse than none: every package README's first TypeScript example is run
 * here, as a user would run it (the file is written beside the package so its imports resolve).
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(__dirname, "../../../..");
const packages = ["core", "metrics", "imaging", "seq", "native"];

function firstTsBlock(md: string): string | undefined {
  return /```ts\n([\s\S]*?)```/.exec(md)?.[1];
}

describe("package README examples run", () => {
  for (const p of packages) {
    it(`@hyped/${p}`, () => {
      const md = readFileSync(join(root, "packages", p, "README.md"), "utf8");
      const code = firstTsBlock(md);
      expect(code, `packages/${p}/README.md has a \`\`\`ts example`).toBeTruthy();
      const file = join(root, "packages", p, `.readme-example-${process.pid}.tmp.ts`);
      writeFileSync(file, code as string);
      try {
        const r = spawnSync(process.execPath, ["--conditions=@hyped/source", "--import", "tsx", file], {
          cwd: join(root, "packages", p),
          encoding: "utf8",
          timeout: 120_000,
        });
        expect(r.stderr, r.stderr).not.toMatch(/Error|error TS/);
        expect(r.status).toBe(0);
        expect(r.stdout.length).toBeGreaterThan(0);
      } finally {
        rmSync(file, { force: true });
      }
    }, 150_000);
  }
});
