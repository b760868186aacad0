/** Runs the TypeScript examples of docs/geneformer-model.md that import `@hyped/seq/geneformer`, so they cannot drift. */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, it, vi } from "vitest";

const written: string[] = [];
afterAll(() => {
  for (const f of written) rmSync(f, { force: true });
});

it("docs/geneformer-model.md examples run", async () => {
  const text = readFileSync(join(import.meta.dirname, "../../../../docs/geneformer-model.md"), "utf8");
  const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((m) => m[1] as string)
    .filter((c) => c.includes('"@hyped/seq/geneformer"'));
  expect(blocks.length).toBeGreaterThan(0);
  for (const [k, code] of blocks.entries()) {
    const tmp = join(import.meta.dirname, `zz-docs-geneformer-model-${k}.ts`);
    writeFileSync(tmp, `${code.replaceAll('"@hyped/seq/geneformer"', '"../index.js"')}\nexport {};\n`);
    written.push(tmp);
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      await import(/* @vite-ignore */ tmp);
      expect(log.mock.calls.map((c) => c.map(String).join(" "))).toEqual(["2,16", "2 all"]);
    } finally {
      log.mockRestore();
    }
  }
});
