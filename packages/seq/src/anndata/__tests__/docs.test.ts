/** The example in docs/anndata.md runs as written (imports pointed at the sources). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it, vi } from "vitest";

const doc = fileURLToPath(new URL("../../../docs/anndata.md", import.meta.url));
const src = fileURLToPath(new URL("../../index.ts", import.meta.url));
const tmp = mkdtempSync(path.join(tmpdir(), "hyped-doc-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

it("docs/anndata.md example runs and prints what it says", async () => {
  const code = /```ts\n([\s\S]*?)```/.exec(readFileSync(doc, "utf8"))?.[1];
  expect(code).toBeTruthy();
  const file = path.join(tmp, "example.ts");
  writeFileSync(
    file,
    (code as string).replaceAll('"@hyped/seq"', JSON.stringify(src)).replaceAll('process.env.TMPDIR ?? "/tmp"', JSON.stringify(tmp)),
  );
  const logs: unknown[][] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => {
    logs.push(a);
  });
  try {
    await import(/* @vite-ignore */ file);
  } finally {
    spy.mockRestore();
  }
  expect(logs[0]).toEqual([2, [1, 0, 2]]);
  expect(logs.slice(1, 3)).toEqual([
    [0, 2],
    [2, 3],
  ]);
  expect(logs[3]).toEqual([[2, 2]]);
});
