import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const pkg = resolve(here, "../../..");
const tmp = mkdtempSync(join(tmpdir(), "hyped-pipeline-doc-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("docs/pipeline.md", () => {
  it("runs the example and prints what its comments say", () => {
    const md = readFileSync(join(pkg, "docs/pipeline.md"), "utf8");
    const code = /```ts\n([\s\S]*?)```/.exec(md)?.[1] as string;
    expect(code).toContain("runPipeline");
    const file = join(tmp, "example.mts");
    writeFileSync(file, code.replace(/from "@hyped\/imaging"/, `from ${JSON.stringify(pathToFileURL(join(pkg, "src/index.ts")).href)}`));
    const out = execFileSync(process.execPath, ["--conditions=@hyped/source", "--import", "tsx", file], {
      cwd: resolve(pkg, "../.."),
      encoding: "utf8",
      env: { ...process.env, HYPED_HUGEPAGES: "0" },
    });
    const expected = [...code.matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)].map((m) => m[1]);
    expect(out.trim().split("\n")).toEqual(expected);
  }, 60_000);
});
