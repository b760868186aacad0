/**
 * The two byte-source families (async `ByteSource`s, the HDF5 layer's sync `SyncIO`) validate and name
 * their inputs alike (`source/local.ts`; the core README says why the families stay two).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { blobIO, memoryIO, nodeFileIO } from "../../hdf5/syncio.js";
import { blobSource } from "../blob.js";
import { fileSource } from "../file.js";

const dir = mkdtempSync(join(tmpdir(), "hyped-families-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function failure(p: Promise<unknown>): Promise<{ code?: string; message: string; context?: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    return e as { code?: string; message: string; context?: Record<string, unknown> };
  }
  throw new Error("expected a failure");
}

describe("byte source families share validation and names", () => {
  it("refuse a directory and a FIFO with the same IO error, without blocking", async () => {
    const fifo = join(dir, "fifo");
    let haveFifo = true;
    try {
      execFileSync("mkfifo", [fifo]);
    } catch {
      haveFifo = false;
    }
    for (const p of haveFifo ? [dir, fifo] : [dir]) {
      const a = await failure(fileSource(p));
      const b = await failure(nodeFileIO(p));
      expect(a.code).toBe("IO");
      expect(b.code).toBe("IO");
      expect(b.message).toBe(a.message);
      expect(b.context?.errno).toBe(a.context?.errno);
    }
  });

  it("read a regular file's size the same way", async () => {
    const f = join(dir, "x.bin");
    writeFileSync(f, new Uint8Array(1234));
    const src = await fileSource(f);
    const io = await nodeFileIO(f);
    expect(io.size()).toBe(src.size);
    await src.close?.();
    io.close();
  });

  it("name a File by its name and a Blob 'blob', and refuse writes alike", async () => {
    const file = new File([new Uint8Array(8)], "cells.h5");
    const blob = new Blob([new Uint8Array(8)]);
    expect(blobSource(file).name).toBe("cells.h5");
    expect(blobSource(blob).name).toBe("blob");
    const io = await blobIO(file);
    expect(io.name).toBe("cells.h5");
    expect((await blobIO(blob)).name).toBe("blob");
    const ro = memoryIO(new Uint8Array(8), false, "cells.h5");
    expect(() => ro.write(new Uint8Array(1), 0)).toThrow(expect.objectContaining({ code: "IO", message: "cells.h5 is read-only" }));
  });
});
