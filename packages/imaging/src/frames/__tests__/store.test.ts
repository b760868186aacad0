import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isHypedError } from "@hyped/core";
import { H5File } from "@hyped/core/hdf5";
import { afterAll, describe, expect, it } from "vitest";
import { type FrameMeta, readFrameInfo, writeFrameFile } from "../frame.js";
import { sha256Of } from "../hash.js";
import { buildManifest, frameFileName, mergeManifests, parseManifest, shardManifestName, writeManifestFile } from "../manifest.js";
import { closeFrameReadWorkers, openFrameStore, parseForeignName } from "../store.js";
import type { ManifestFrame } from "../types.js";

const tmp = mkdtempSync(join(tmpdir(), "hyped-frames-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const H = 37;
const W = 53;
const CH = ["Cy5", "mKate", "TagGFP", "Oblique"];
/** Deterministic sample value of (condition, t, c, y, x). */
const val = (cond: number, t: number, c: number, y: number, x: number) => (cond * 7919 + t * 1009 + c * 331 + y * 61 + x * 3) % 65521;
const planes = (cond: number, t: number) =>
  CH.map((_, c) => Uint16Array.from({ length: H * W }, (_, i) => val(cond, t, c, Math.floor(i / W), i % W)));
const meta = (condition: string, t: number, replicate = 1): FrameMeta => ({
  channels: CH,
  condition,
  replicate,
  t,
  timeS: t * 600,
  scene: 0,
  pixelSizeM: [6.5e-7, 6.5e-7],
  source: "gen.czi",
  sourceSha256: "",
});

async function writeSet(dir: string, axes: "CYX" | "CXY", withManifest: boolean) {
  mkdirSync(dir, { recursive: true });
  const frames: ManifestFrame[] = [];
  for (const [ci, cond] of ["ctrl", "drug A"].entries()) {
    for (let t = 0; t < 3; t++) {
      const file = frameFileName(cond, 1, t);
      const w = await writeFrameFile(join(dir, file), planes(ci, t), H, W, meta(cond, t), { axes, tile: [16, 32] });
      frames.push({
        file,
        condition: cond,
        replicate: 1,
        t,
        timeS: t * 600,
        scene: 0,
        sha256: w.sha256,
        bytes: w.bytes,
        source: "gen.czi",
        sourceSha256: "",
      });
    }
  }
  if (withManifest) {
    await writeManifestFile(
      join(dir, "dataset.json"),
      buildManifest({ channels: CH, dtype: "uint16", axes, shape: [4, H, W], pixelSizeM: [6.5e-7, 6.5e-7], compression: "gzip" }, frames),
    );
  }
  return frames;
}

function expectFrames(
  a: { shape: number[]; get(...i: number[]): number },
  cond: number,
  ts: number[],
  chs: number[],
  r = { x: 0, y: 0, width: W, height: H },
) {
  expect(a.shape).toEqual([ts.length, chs.length, r.height, r.width]);
  for (let i = 0; i < ts.length; i++)
    for (let k = 0; k < chs.length; k++)
      for (let y = 0; y < r.height; y++)
        for (let x = 0; x < r.width; x++) {
          const want = val(cond, ts[i] as number, chs[k] as number, r.y + y, r.x + x);
          if (a.get(i, k, y, x) !== want) expect([i, k, y, x, a.get(i, k, y, x)]).toEqual([i, k, y, x, want]);
        }
}

describe("frame files", () => {
  it("writes attributes and a chunked dataset, atomically", async () => {
    const p = join(tmp, "one.h5");
    const w = await writeFrameFile(p, planes(0, 2), H, W, meta("ctrl", 2), { tile: [16, 32] });
    expect(w.sha256).toBe(await sha256Of(new Uint8Array(readFileSync(p))));
    const f = await H5File.open(p);
    const info = readFrameInfo(f);
    expect(info).toMatchObject({
      native: true,
      channels: CH,
      dtype: "uint16",
      axes: "CYX",
      height: H,
      width: W,
      condition: "ctrl",
      replicate: 1,
      t: 2,
      timeS: 1200,
      scene: 0,
      source: "gen.czi",
    });
    expect(info.pixelSizeM).toEqual([6.5e-7, 6.5e-7]);
    expect(f.info("/frame").chunks).toEqual([1, 16, 32]);
    f.close();
    const mem = await writeFrameFile(null, planes(0, 2), H, W, meta("ctrl", 2));
    expect(mem.data?.length).toBe(mem.bytes);
  });

  it("rejects wrong plane sizes and sample types with typed errors", async () => {
    await expect(
      writeFrameFile(join(tmp, "bad.h5"), [new Uint16Array(3)], H, W, { ...meta("c", 0), channels: ["a"] }),
    ).rejects.toMatchObject({ code: "SHAPE_MISMATCH" });
    await expect(writeFrameFile(join(tmp, "bad.h5"), planes(0, 0).slice(0, 3), H, W, meta("c", 0))).rejects.toMatchObject({
      code: "SHAPE_MISMATCH",
    });
    await expect(
      writeFrameFile(join(tmp, "bad.h5"), [new Int32Array(H * W) as unknown as Uint16Array], H, W, { ...meta("c", 0), channels: ["a"] }),
    ).rejects.toMatchObject({ code: "UNSUPPORTED" });
  });
});

describe("openFrameStore", () => {
  for (const axes of ["CYX", "CXY"] as const) {
    for (const withManifest of [true, false]) {
      it(`loads ${axes} frames ${withManifest ? "via dataset.json" : "from attributes"}: channels, region, time range`, async () => {
        const dir = join(tmp, `set-${axes}-${withManifest}`);
        await writeSet(dir, axes, withManifest);
        const s = await openFrameStore(dir);
        expect(s.manifest !== undefined).toBe(withManifest);
        expect(s.conditions).toEqual(["ctrl", "drug A"]);
        expect(s.replicates).toEqual({ ctrl: [1], "drug A": [1] });
        expect(s.times).toEqual([0, 1, 2]);
        expect(s.channels).toEqual(CH);
        expect([s.height, s.width, s.dtype]).toEqual([H, W, "uint16"]);
        const all = await s.loadFrames({ condition: "drug A" });
        expectFrames(all, 1, [0, 1, 2], [0, 1, 2, 3]);
        const region = { x: 5, y: 3, width: 20, height: 11 };
        const part = await s.loadFrames({ condition: "ctrl", t: [1, 3], channels: ["TagGFP", 0, "mKate"], region });
        expectFrames(part, 0, [1, 2], [2, 0, 1], region);
        const got: number[] = [];
        for await (const fr of s.frames({ condition: "ctrl", channels: ["Oblique"], region })) {
          expect(fr.data.shape).toEqual([1, 11, 20]);
          expect(fr.data.get(0, 0, 0)).toBe(val(0, fr.t, 3, 3, 5));
          got.push(fr.t);
        }
        expect(got).toEqual([0, 1, 2]);
      });
    }
  }

  it("reads in parallel worker threads into one shared buffer, with the same result and errors", async () => {
    const cyx = await openFrameStore(join(tmp, "set-CYX-true"), { readWorkers: 2, parallelMinBytes: 0 });
    const cxy = await openFrameStore(join(tmp, "set-CXY-false"), { readWorkers: 2, parallelMinBytes: 0 });
    try {
      const a = await cyx.loadFrames({ condition: "drug A" });
      expect(a.data.buffer).toBeInstanceOf(SharedArrayBuffer);
      expectFrames(a, 1, [0, 1, 2], [0, 1, 2, 3]);
      const region = { x: 5, y: 3, width: 20, height: 11 };
      expectFrames(await cxy.loadFrames({ condition: "ctrl", t: [0, 3], channels: [3, 1, 2], region }), 0, [0, 1, 2], [3, 1, 2], region);
    } finally {
      // (the pool is shared: the next store reuses it)
    }
    const bad = join(tmp, "parallel-bad");
    const frames = await writeSet(bad, "CYX", true);
    writeFileSync(join(bad, (frames[2] as ManifestFrame).file), "garbage");
    const s = await openFrameStore(bad, { readWorkers: 2, parallelMinBytes: 0 });
    await expect(s.loadFrames({ condition: "ctrl" })).rejects.toMatchObject({
      code: "FORMAT",
      message: expect.stringContaining((frames[2] as ManifestFrame).file),
    });
    await closeFrameReadWorkers();
  });

  it("loads into a caller's array (both axis orders), reports progress, and cancels with ABORTED", async () => {
    for (const dir of ["set-CYX-true", "set-CXY-false"]) {
      const s = await openFrameStore(join(tmp, dir));
      const region = { x: 2, y: 4, width: 30, height: 20 };
      const into = new Uint16Array(3 * 2 * 20 * 30).fill(9);
      const events: number[] = [];
      const a = await s.loadFrames({ condition: "drug A", channels: [1, 3], region, into, onProgress: (e) => events.push(e.done) });
      expect(a.data).toBe(into);
      expectFrames(a, 1, [0, 1, 2], [1, 3], region);
      expect(events.at(-1)).toBe(3);
      // the same array again: overwritten, not added to
      expectFrames(await s.loadFrames({ condition: "drug A", channels: [1, 3], region, into }), 1, [0, 1, 2], [1, 3], region);
      await expect(s.loadFrames({ condition: "drug A", into: new Uint16Array(5) })).rejects.toMatchObject({ code: "SHAPE_MISMATCH" });
      await expect(
        s.loadFrames({ condition: "drug A", channels: [1, 3], region, into: new Float32Array(into.length) }),
      ).rejects.toMatchObject({
        code: "SHAPE_MISMATCH",
      });
      const ac = new AbortController();
      ac.abort();
      await expect(s.loadFrames({ condition: "ctrl", signal: ac.signal })).rejects.toMatchObject({ code: "ABORTED" });
      // cancelled after the first frame: no further frame starts
      const late = new AbortController();
      let ticks = 0;
      const e = await s
        .loadFrames({
          condition: "ctrl",
          signal: late.signal,
          onProgress: () => {
            ticks++;
            late.abort();
          },
        })
        .catch((x) => x);
      expect(isHypedError(e, "ABORTED")).toBe(true);
      expect(ticks).toBeLessThan(3);
    }
  });

  it("checks the budget before reading and names the size", async () => {
    const dir = join(tmp, "set-CYX-true");
    const s = await openFrameStore(dir, { budgetBytes: 1000 });
    const e = await s.loadFrames({ condition: "ctrl" }).catch((x) => x);
    expect(isHypedError(e, "OUT_OF_RANGE")).toBe(true);
    expect(e.context.bytes).toBe(3 * 4 * H * W * 2);
    expect(e.message).toContain(String(3 * 4 * H * W * 2));
    const small = await s.loadFrames({ condition: "ctrl", t: [0, 1], channels: [0], region: { x: 0, y: 0, width: 10, height: 10 } });
    expect(small.shape).toEqual([1, 1, 10, 10]);
    await expect(s.loadFrames({ condition: "ctrl", budgetBytes: 10 * 2 ** 20 })).resolves.toBeDefined();
  });

  it("reports missing conditions, channels, times and regions as typed errors", async () => {
    const s = await openFrameStore(join(tmp, "set-CYX-true"));
    await expect(s.loadFrames()).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(s.loadFrames({ condition: "nope" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(s.loadFrames({ condition: "ctrl", replicate: 2 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(s.loadFrames({ condition: "ctrl", channels: ["DAPI"] })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringContaining("DAPI"),
    });
    await expect(s.loadFrames({ condition: "ctrl", t: [2, 4] })).rejects.toMatchObject({ code: "NOT_FOUND", context: { t: 3 } });
    await expect(s.loadFrames({ condition: "ctrl", region: { x: 50, y: 0, width: 10, height: 1 } })).rejects.toMatchObject({
      code: "OUT_OF_RANGE",
    });
    await expect(openFrameStore(join(tmp, "no-such-dir"))).rejects.toMatchObject({ code: "IO" });
  });

  it("verifies checksums against the manifest", async () => {
    const dir = join(tmp, "verify");
    const frames = await writeSet(dir, "CYX", true);
    const s = await openFrameStore(dir);
    expect(await s.verify()).toEqual([]);
    const victim = join(dir, (frames[1] as ManifestFrame).file);
    const bytes = readFileSync(victim);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff;
    writeFileSync(victim, bytes);
    expect(await s.verify()).toEqual([(frames[1] as ManifestFrame).file]);
  });

  it("works from a list of File objects, as in a browser", async () => {
    const dir = join(tmp, "set-CXY-true");
    const { readdirSync } = await import("node:fs");
    const files = readdirSync(dir).map((n) => {
      const f = new File([readFileSync(join(dir, n))], n);
      Object.defineProperty(f, "webkitRelativePath", { value: `set-CXY-true/${n}` });
      return f;
    });
    const s = await openFrameStore(files);
    expect(s.manifest).toBeDefined();
    expect(s.root).toBe("files");
    const a = await s.loadFrames({ condition: "drug A", t: [2, 3], channels: ["Cy5"] });
    expectFrames(a, 1, [2], [0]);
    // without the manifest: attributes of each File
    const s2 = await openFrameStore(files.filter((f) => f.name !== "dataset.json"));
    expect(s2.manifest).toBeUndefined();
    expectFrames(await s2.loadFrames({ condition: "ctrl", t: [0, 2] }), 0, [0, 1], [0, 1, 2, 3]);
  });

  it("reads a foreign layout: one 3-D dataset, no attributes, time from file names", async () => {
    const dir = join(tmp, "foreign");
    mkdirSync(join(dir, "WT"), { recursive: true });
    // the paper's (C, X, Y) layout in a group, numbered 1-based with gaps
    for (const [k, num] of [10, 2, 7].entries()) {
      const f = await H5File.create(join(dir, "WT", `img_${num}.h5`));
      const data = new Uint16Array(4 * W * H);
      for (let c = 0; c < 4; c++) for (let x = 0; x < W; x++) for (let y = 0; y < H; y++) data[c * W * H + x * H + y] = val(0, k, c, y, x);
      f.writeDataset("/images/data", data, { shape: [4, W, H] });
      f.writeDataset("/meta/id", new Int32Array([num]));
      f.close();
    }
    const s = await openFrameStore(dir);
    expect(s.conditions).toEqual(["WT/img"]);
    expect(s.channels).toEqual(["Cy5", "mKate", "TagGFP", "Oblique"]);
    expect(s.axes).toBe("CXY");
    const a = await s.loadFrames();
    // time order = numeric file order 2, 7, 10 → k = 1, 2, 0
    expectFrames({ shape: a.shape, get: (t, c, y, x) => a.get(t, c, y, x) }, 0, [1, 2, 0], [0, 1, 2, 3]);
    expect(s.entries.map((e) => e.file)).toEqual(["WT/img_2.h5", "WT/img_7.h5", "WT/img_10.h5"]);
    // a user-given channel order; a wrong channel count names the file
    const s2 = await openFrameStore(dir, { foreign: { channels: ["a", "b", "c", "d"] } });
    expect(s2.channels).toEqual(["a", "b", "c", "d"]);
    const e = await openFrameStore(dir, { foreign: { channels: ["a", "b", "c"] } }).catch((x) => x);
    expect(e).toMatchObject({ code: "SHAPE_MISMATCH", message: expect.stringContaining("img_") });
    expect(parseForeignName("ctrl/frame_t0012.h5")).toEqual({ condition: "ctrl/frame", replicate: 1, order: 12 });
    expect(parseForeignName("0003.h5")).toEqual({ condition: "default", replicate: 1, order: 3 });
    expect(() => parseForeignName("frame.h5")).toThrow(expect.objectContaining({ code: "FORMAT" }));
  });

  it("names the file for mixed shapes, unreadable files and ambiguous layouts", async () => {
    const mixed = join(tmp, "mixed");
    await writeSet(mixed, "CYX", false);
    await writeFrameFile(
      join(mixed, "odd.h5"),
      CH.map(() => new Uint16Array(10 * 10)),
      10,
      10,
      meta("ctrl", 9),
    );
    await expect(openFrameStore(mixed)).rejects.toMatchObject({ code: "SHAPE_MISMATCH", message: expect.stringContaining("odd.h5") });

    const broken = join(tmp, "broken");
    await writeSet(broken, "CYX", false);
    writeFileSync(join(broken, "zz_garbage.h5"), "this is not HDF5");
    await expect(openFrameStore(broken)).rejects.toMatchObject({ code: "FORMAT", message: expect.stringContaining("zz_garbage.h5") });

    const two = join(tmp, "two");
    mkdirSync(two);
    const f = await H5File.create(join(two, "a_1.h5"));
    f.writeDataset("/x", new Uint16Array(8), { shape: [2, 2, 2] });
    f.writeDataset("/y", new Uint16Array(8), { shape: [2, 2, 2] });
    f.close();
    await expect(openFrameStore(two)).rejects.toMatchObject({ code: "FORMAT", message: expect.stringMatching(/a_1\.h5.*2 3-D datasets/) });

    // with a manifest, a file that changed shape or is missing is reported when loaded
    const man = join(tmp, "manifest-bad");
    const frames = await writeSet(man, "CYX", true);
    await writeFrameFile(
      join(man, (frames[1] as ManifestFrame).file),
      CH.map(() => new Uint16Array(100)),
      10,
      10,
      meta("ctrl", 1),
    );
    rmSync(join(man, (frames[2] as ManifestFrame).file));
    const s = await openFrameStore(man);
    expect(s.missing).toEqual([(frames[2] as ManifestFrame).file]);
    await expect(s.loadFrames({ condition: "ctrl", t: [1, 2] })).rejects.toMatchObject({
      code: "SHAPE_MISMATCH",
      message: expect.stringContaining((frames[1] as ManifestFrame).file),
    });
    await expect(s.loadFrames({ condition: "ctrl", t: [2, 3] })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringContaining((frames[2] as ManifestFrame).file),
    });
    writeFileSync(join(man, (frames[3] as ManifestFrame).file), "garbage");
    await expect(s.loadFrames({ condition: "drug A", t: [0, 1] })).rejects.toMatchObject({
      code: "FORMAT",
      message: expect.stringContaining((frames[3] as ManifestFrame).file),
    });
  });
});

describe("manifest", () => {
  const header = {
    channels: CH,
    dtype: "uint16" as const,
    axes: "CYX" as const,
    shape: [4, H, W] as [number, number, number],
    pixelSizeM: [null, null] as [null, null],
    compression: "gzip" as const,
  };
  const fr = (condition: string, t: number): ManifestFrame => ({
    file: frameFileName(condition, 1, t),
    condition,
    replicate: 1,
    t,
    timeS: null,
    scene: 0,
    sha256: "a".repeat(64),
    bytes: 1,
    source: "",
    sourceSha256: "",
  });

  it("round-trips through JSON and validates fields with the file named", () => {
    const m = buildManifest(header, [fr("b", 1), fr("a", 0), fr("a", 1)]);
    expect(m.conditions).toEqual(["a", "b"]);
    expect(m.times).toEqual([0, 1]);
    expect(parseManifest(JSON.parse(JSON.stringify(m)))).toEqual(m);
    expect(() => parseManifest({ ...m, dtype: "int8" }, "x/dataset.json")).toThrow(
      expect.objectContaining({ code: "FORMAT", message: expect.stringContaining("x/dataset.json") }),
    );
    expect(() => parseManifest({ ...m, version: 99 })).toThrow(expect.objectContaining({ code: "UNSUPPORTED" }));
    expect(() => parseManifest({ ...m, frames: [fr("a", 0), fr("a", 0)] })).toThrow(expect.objectContaining({ code: "FORMAT" }));
    expect(() => parseManifest({ ...m, frames: [{ ...fr("a", 0), file: "../x.h5" }] })).toThrow(
      expect.objectContaining({ code: "FORMAT" }),
    );
    expect(frameFileName("drug A/B", 2, 7)).toBe("drug-A-B_r2_t00007.h5");
  });

  it("merges shard manifests into the full set and reports gaps and conflicts", () => {
    const a = buildManifest({ ...header, shard: [0, 2] }, [fr("a", 0), fr("b", 1)]);
    const b = buildManifest({ ...header, shard: [1, 2] }, [fr("a", 1), fr("b", 0)]);
    const m = mergeManifests([
      { file: shardManifestName(0, 2), manifest: a },
      { file: shardManifestName(1, 2), manifest: b },
    ]);
    expect(m.shard).toBeUndefined();
    expect(m.frames.map((f) => `${f.condition}${f.t}`)).toEqual(["a0", "a1", "b0", "b1"]);
    expect(() => mergeManifests([{ file: "s0", manifest: a }])).toThrow(expect.objectContaining({ code: "NOT_FOUND" }));
    expect(mergeManifests([{ file: "s0", manifest: a }], { allowPartial: true }).frames).toHaveLength(2);
    const c = buildManifest({ ...header, shard: [1, 2], shape: [4, H, W + 1] }, [fr("a", 1)]);
    expect(() =>
      mergeManifests([
        { file: "s0", manifest: a },
        { file: "s1.json", manifest: c },
      ]),
    ).toThrow(expect.objectContaining({ code: "SHAPE_MISMATCH", message: expect.stringContaining("s1.json") }));
    const d = buildManifest({ ...header, shard: [1, 2] }, [{ ...fr("a", 0), sha256: "b".repeat(64) }]);
    expect(() =>
      mergeManifests([
        { file: "s0", manifest: a },
        { file: "s1.json", manifest: d },
      ]),
    ).toThrow(expect.objectContaining({ code: "FORMAT" }));
  });

  it("lists only regular files, never enters linked folders, and does not block on a FIFO (issue 24 item 5)", async () => {
    for (const withManifest of [false, true]) {
      const dir = join(tmp, `hostile-${withManifest}`);
      await writeSet(dir, "CYX", withManifest);
      // a link to / (the walk must not leave the store), a folder link loop, a FIFO and a dangling link
      // named like frames, and a link to a real frame file (which counts)
      symlinkSync("/", join(dir, "root-link"));
      mkdirSync(join(dir, "sub"));
      symlinkSync(dir, join(dir, "sub", "loop"));
      let fifo = false;
      try {
        execFileSync("mkfifo", [join(dir, "blocked_t0009.h5")]);
        fifo = true;
      } catch {
        // no mkfifo: the other cases still run
      }
      symlinkSync(join(dir, "gone.h5"), join(dir, "dangling_t0008.h5"));
      const t0 = performance.now();
      const s = await openFrameStore(dir, { ignoreManifest: !withManifest });
      expect(performance.now() - t0).toBeLessThan(5000);
      expect(s.entries.map((e) => e.file).some((f) => f.includes("blocked") || f.includes("dangling") || f.includes("root-link"))).toBe(
        false,
      );
      expect(s.entries).toHaveLength(6);
      expect(fifo || process.platform === "win32").toBe(true);
    }
  });

  it("refuses a FIFO given as a frame file at once instead of blocking", async () => {
    const p = join(tmp, "fifo-frame.h5");
    execFileSync("mkfifo", [p]);
    await expect(H5File.open(p)).rejects.toMatchObject({ code: "IO", message: expect.stringContaining("FIFO") });
    await expect(sha256Of(p)).rejects.toMatchObject({ code: "IO" });
  });
});
