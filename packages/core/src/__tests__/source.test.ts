import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blobSource, cachedSource, countingSource, fileSource, httpSource, memorySource, openSource } from "../source/index.js";

const tmp = mkdtempSync(join(tmpdir(), "hyped-src-"));
const big = join(tmp, "sparse6g.bin");
const tail = Uint8Array.from({ length: 16 }, (_, i) => 200 + i);
let server: Server;
let url = "";
const small = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31) & 255);

beforeAll(async () => {
  const fd = openSync(big, "w");
  ftruncateSync(fd, 6e9);
  writeSync(fd, tail, 0, 16, 6e9 - 16);
  closeSync(fd);
  const smallPath = join(tmp, "small.bin");
  const f2 = openSync(smallPath, "w");
  writeSync(f2, small);
  closeSync(f2);
  server = createServer((req, res) => {
    const body = readFileSync(smallPath);
    if (req.method === "HEAD") {
      res.writeHead(200, { "content-length": body.length, "accept-ranges": "bytes" });
      res.end();
      return;
    }
    const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? "");
    if (!m) {
      res.writeHead(200, { "content-length": body.length });
      res.end(body);
      return;
    }
    const a = Number(m[1]);
    const b = Math.min(Number(m[2]), body.length - 1);
    res.writeHead(206, { "content-range": `bytes ${a}-${b}/${body.length}`, "content-length": b - a + 1 });
    res.end(body.subarray(a, b + 1));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const addr = server.address() as { port: number };
  url = `http://127.0.0.1:${addr.port}/small.bin`;
});
afterAll(() => {
  server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe("byte sources", () => {
  it("reads the last 16 bytes of a 6 GB sparse file without reading the rest", async () => {
    const src = countingSource(await fileSource(big));
    expect(src.size).toBe(6e9);
    const got = await src.read(6e9 - 16, 16);
    expect(Array.from(got)).toEqual(Array.from(tail));
    expect(src.bytesRead).toBe(16);
    await src.close?.();
  });
  it("HTTP range source serves the same bytes as the file source", async () => {
    const h = await httpSource(url);
    const f = await fileSource(join(tmp, "small.bin"));
    expect(h.size).toBe(f.size);
    for (const [o, n] of [
      [0, 10],
      [12345, 777],
      [99_990, 10],
    ] as const) {
      expect(Buffer.from(await h.read(o, n)).equals(Buffer.from(await f.read(o, n)))).toBe(true);
    }
    await expect(h.read(99_995, 10)).rejects.toMatchObject({ code: "OUT_OF_RANGE" });
    await f.close?.();
  });
  it("memory, blob and openSource agree", async () => {
    const m = memorySource(small);
    const b = blobSource(new Blob([small]));
    const o = await openSource(small.buffer);
    for (const s of [m, b, o]) expect(Array.from(await s.read(500, 8))).toEqual(Array.from(small.subarray(500, 508)));
  });
  it("aborted reads reject with ABORTED", async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(memorySource(small).read(0, 1, ac.signal)).rejects.toMatchObject({ code: "ABORTED" });
  });
  it("cache merges and bounds blocks", async () => {
    const counted = countingSource(memorySource(small));
    const c = cachedSource(counted, { blockSize: 1024, maxBlocks: 4 });
    const a = await c.read(100, 3000);
    expect(Array.from(a)).toEqual(Array.from(small.subarray(100, 3100)));
    expect(counted.reads).toBe(1);
    await c.read(200, 10);
    expect(counted.reads).toBe(1);
    await c.read(50_000, 10);
    await c.read(60_000, 10);
    await c.read(70_000, 10);
    await c.read(80_000, 10);
    await c.read(200, 10); // evicted: fetched again
    expect(counted.reads).toBe(6);
  });
});
