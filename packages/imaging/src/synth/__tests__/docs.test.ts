import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const pkg = resolve(here, "../../..");
const tmp = mkdtempSync(join(tmpdir(), "hyped-synth-doc-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each(["synth", "tracking", "cellcycle"])("docs/%s.md", (name) => {
  it("runs the example and prints what its comments say", () => {
    const md = readFileSync(join(pkg, `docs/${name}.md`), "utf8");
    const code = /```ts\n([\s\S]*?)```/.exec(md)?.[1] as string;
    const file = join(tmp, `${name}.mts`);
    writeFileSync(file, code.replace(/from "@hyped\/imaging"/, `from ${JSON.stringify(pathToFileURL(join(pkg, "src/index.ts")).href)}`));
    const out = execFileSync(process.execPath, ["--conditions=@hyped/source", "--import", "tsx", file], {
      cwd: resolve(pkg, "../.."),
      encoding: "utf8",
    });
    const expected = [...code.matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)].map((m) => m[1]);
    // the expected lines, in order (other output may be interleaved)
    const lines = out.trim().split("\n");
    let k = 0;
    for (const l of lines) if (k < expected.length && l === expected[k]) k++;
    expect(k, `output was:\n${out}`).toBe(expected.length);
  }, 60_000);
});
