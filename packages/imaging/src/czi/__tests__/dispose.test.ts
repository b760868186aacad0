/**
 * Closing a CziFile: `await using` (Symbol.asyncDispose) closes it on scope exit, and a CziFile opened from a
 * path that is dropped unclosed has its file closed by us, without Node's DEP0137 warning.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeCzi, openCzi } from "../index.js";

const tmp = mkdtempSync(path.join(tmpdir(), "czi-dispose-"));
const file = path.join(tmp, "a.czi");
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  writeFileSync(file, await encodeCzi([{ data: new Uint16Array(64).fill(7), width: 8, height: 8, coords: { C: 0 } }]));
});

describe("CziFile closing", () => {
  it("await using closes the file on scope exit (and close() twice is harmless)", async () => {
    let closes = 0;
    {
      await using czi = await openCzi(file);
      const src = czi.source as { close?: () => Promise<void> };
      const orig = src.close?.bind(src);
      src.close = async () => {
        closes++;
        await orig?.();
      };
      expect((await czi.readPlane({})).data[3]).toBe(7);
    }
    expect(closes).toBe(1);
    const czi = await openCzi(file);
    await czi.close();
    await czi.close();
    await expect(czi.readPlane({})).rejects.toBeDefined();
  });

  it("a CziFile dropped unclosed does not trigger DEP0137", async () => {
    const child = path.join(import.meta.dirname, "gc-child.ts");
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ["--expose-gc", "--conditions=@hyped/source", "--import", "tsx", child, file],
      { cwd: path.join(import.meta.dirname, "..", "..", ".."), timeout: 60_000 },
    );
    expect(stdout).toContain("done");
    expect(stderr).not.toMatch(/DEP0137|closing file descriptor/i);
  }, 60_000);
});
