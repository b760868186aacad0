/** Runs the TypeScript examples of docs/demux.md, docs/geneformer.md and docs/perturbation.md, so they cannot drift. */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it, vi } from "vitest";

const here = path.dirname(fileURLToPath(import.meta.url));
const docs = path.resolve(here, "../../../docs");
const written: string[] = [];
afterAll(() => {
  for (const f of written) rmSync(f, { force: true });
});

function examples(file: string): string[] {
  const text = readFileSync(path.join(docs, file), "utf8");
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string).filter((code) => code.includes('from "@hyped/seq"'));
}

describe("docs examples run", () => {
  for (const file of ["demux.md", "geneformer.md", "perturbation.md"]) {
    it(file, async () => {
      const blocks = examples(file);
      expect(blocks.length).toBeGreaterThan(0);
      for (const [k, code] of blocks.entries()) {
        const tmp = path.join(here, `zz-docs-${file.replace(".md", "")}-${k}.ts`);
        writeFileSync(tmp, `${code.replaceAll('"@hyped/seq"', '"./docs-barrel.js"')}\nexport {};\n`);
        written.push(tmp);
        const log = vi.spyOn(console, "log").mockImplementation(() => {});
        try {
          await import(/* @vite-ignore */ tmp);
          expect(log).toHaveBeenCalled();
        } finally {
          log.mockRestore();
        }
      }
    });
  }
});
