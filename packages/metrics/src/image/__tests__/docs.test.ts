import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";

// The example in docs/metrics.md must run as written.
describe("docs/metrics.md example", () => {
  it("runs and prints finite numbers", async () => {
    const md = readFileSync(new URL("../../../docs/metrics.md", import.meta.url), "utf8");
    const code = /```ts\n([\s\S]*?)```/.exec(md)?.[1];
    expect(code).toBeTruthy();
    const file = new URL("./.docs-example.gen.ts", import.meta.url);
    writeFileSync(file, code as string);
    const lines: unknown[][] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
      lines.push(args);
    });
    try {
      await import(/* @vite-ignore */ file.href);
    } finally {
      spy.mockRestore();
      rmSync(file, { force: true });
    }
    expect(lines.length).toBe(6);
    const rows = lines[1]?.[0] as Float64Array;
    expect(rows[0]).toBeCloseTo(0.8, 12);
    for (const l of lines) for (const v of l) if (typeof v === "number") expect(Number.isFinite(v)).toBe(true);
  });
});
