import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { contiguous, isHypedError } from "@hyped/core";
import { H5File } from "@hyped/core/hdf5";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCzi } from "../../czi/index.js";
import { convertCziToFrames } from "../convert.js";
import { readFrameInfo } from "../frame.js";
import { sha256Of } from "../hash.js";
import { mergeManifests, readManifestFile, shardManifestName, writeManifestFile } from "../manifest.js";
import { inferScenes, parseSceneMap } from "../scenes.js";
import { openFrameStore } from "../store.js";
import { type MakeCziOptions, makeCzi, sample, stitchedSize } from "./make-czi.js";

const here = dirname(fileURLToPath(import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "hyped-convert-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const CH = ["Cy5", "mKate", "TagGFP", "Oblique"];
const OPTS: MakeCziOptions = {
  scenes: ["ctrl_1", "ctrl_2", "drug A-r1"],
  T: 3,
  channels: CH,
  cols: 3,
  rows: 2,
  tileW: 40,
  tileH: 30,
  stepX: 35,
  stepY: 26,
};
const { width: W, height: H } = stitchedSize(OPTS);
const czi = join(tmp, "plate.czi");
beforeAll(async () => {
  await makeCzi(czi, OPTS);
});

const h5files = (dir: string) =>
  readdirSync(dir)
    .filter((n) => n.endsWith(".h5"))
    .sort();

describe("convertCziToFrames", () => {
  it("round trip: frames load back equal to the stitched CZI planes, with attributes", async () => {
    const out = join(tmp, "full");
    const events: number[] = [];
    const r = await convertCziToFrames([czi], out, { workers: 0, onProgress: (e) => events.push(e.done) });
    expect([r.total, r.converted, r.skipped]).toEqual([9, 9, 0]);
    expect(events[events.length - 1]).toBe(9);
    expect(h5files(out)).toHaveLength(9);
    const store = await openFrameStore(out);
    expect(store.conditions).toEqual(["ctrl", "drug A"]);
    expect(store.replicates).toEqual({ ctrl: [1, 2], "drug A": [1] });
    expect(store.times).toEqual([0, 1, 2]);
    expect(store.channels).toEqual(CH);
    expect([store.height, store.width]).toEqual([H, W]);
    const c = await openCzi(czi);
    const scenes: Array<[string, number, number]> = [
      ["ctrl", 1, 0],
      ["ctrl", 2, 1],
      ["drug A", 1, 2],
    ];
    for (const [cond, rep, s] of scenes) {
      const a = await store.loadFrames({ condition: cond, replicate: rep });
      expect(a.shape).toEqual([3, 4, H, W]);
      for (let t = 0; t < 3; t++)
        for (let ch = 0; ch < 4; ch++) {
          const plane = await c.readPlane({ S: s, T: t, C: ch, Z: 0 });
          const got = contiguous(a.pick(t, ch, null, null) as typeof a).data as Uint16Array;
          expect(
            Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(
              Buffer.from(plane.data.buffer, plane.data.byteOffset, plane.data.byteLength),
            ),
          ).toBe(true);
          expect(got[5 * W + 7]).toBe(sample(s, t, ch, 5, 7));
        }
    }
    await c.close();
    const f = await H5File.open(join(out, "ctrl_r2_t00002.h5"));
    const info = readFrameInfo(f);
    f.close();
    expect(info).toMatchObject({
      native: true,
      condition: "ctrl",
      replicate: 2,
      t: 2,
      timeS: 1200,
      scene: 1,
      source: "plate.czi",
      sourceSha256: await sha256Of(czi),
    });
    expect(info.pixelSizeM).toEqual([6.5e-7, 6.5e-7]);
    expect(await store.verify()).toEqual([]);
  });

  it("resumes: frames with a matching checksum are skipped, missing or damaged ones rewritten", async () => {
    const out = join(tmp, "resume");
    await convertCziToFrames([czi], out, { workers: 0, compression: "none" });
    const m = await readManifestFile(join(out, "dataset.json"));
    rmSync(join(out, "ctrl_r1_t00001.h5"));
    const victim = join(out, "drug-A_r1_t00000.h5");
    const b = readFileSync(victim);
    b[b.length - 10] = (b[b.length - 10] as number) ^ 1;
    writeFileSync(victim, b);
    const r = await convertCziToFrames([czi], out, { workers: 0, compression: "none" });
    expect([r.converted, r.skipped]).toEqual([2, 7]);
    const m2 = await readManifestFile(join(out, "dataset.json"));
    const changed = m2.frames.filter((f, i) => f.sha256 !== m.frames[i]?.sha256).map((f) => f.file);
    expect(changed.every((f) => f === "ctrl_r1_t00001.h5" || f === "drug-A_r1_t00000.h5")).toBe(true);
    expect(await (await openFrameStore(out)).verify()).toEqual([]);
    // a different layout is not "matching": everything is rewritten
    const r3 = await convertCziToFrames([czi], out, { workers: 0, compression: "gzip" });
    expect([r3.converted, r3.skipped]).toEqual([9, 0]);
  });

  it("resume counts a finished frame the manifest missed, if its samples verify (issue 24 item 7)", async () => {
    const out = join(tmp, "resume-unlisted");
    await convertCziToFrames([czi], out, { workers: 0, compression: "none" });
    const full = await readManifestFile(join(out, "dataset.json"));
    // as after a kill between two manifest saves: 9 finished frames, 1 listed
    await writeManifestFile(join(out, "dataset.json"), { ...full, frames: full.frames.slice(0, 1) });
    // one unlisted frame is damaged in its samples (uncompressed: the last bytes are pixel data)
    const victim = join(out, full.frames[3]?.file as string);
    const b = readFileSync(victim);
    b[b.length - 10] = (b[b.length - 10] as number) ^ 1;
    writeFileSync(victim, b);
    // over a second later, as after a real kill: the rewritten frame must still hash as first written (HDF5's
    // object times are cleared; with them it differed whenever the two writes fell in different seconds)
    await new Promise((ok) => setTimeout(ok, 1100));
    const r = await convertCziToFrames([czi], out, { workers: 0, compression: "none" });
    expect([r.converted, r.skipped]).toEqual([1, 8]);
    const m = await readManifestFile(join(out, "dataset.json"));
    expect(m.frames.map((f) => [f.file, f.sha256])).toEqual(full.frames.map((f) => [f.file, f.sha256]));
    expect(await (await openFrameStore(out)).verify()).toEqual([]);
  });

  it("a full disk fails with IO naming the file and leaves no partial frame (issue 24 item 8)", async (ctx) => {
    const mnt = join(tmp, "small-disk");
    mkdirSync(mnt);
    const ref = await convertCziToFrames([czi], join(tmp, "disk-ref"), { workers: 0, compression: "none" });
    const frameBytes = ref.manifest.frames[0]?.bytes as number;
    try {
      // room for about two and a half frames (needs root; CI runs as root)
      execFileSync("mount", ["-t", "tmpfs", "-o", `size=${Math.ceil((frameBytes * 2.5) / 4096) * 4096}`, "tmpfs", mnt], {
        stdio: "ignore",
      });
    } catch {
      console.warn("cannot mount a small tmpfs (not root?): full-disk test skipped");
      ctx.skip();
      return;
    }
    try {
      const out = join(mnt, "frames");
      const err = await convertCziToFrames([czi], out, { workers: 0, compression: "none" }).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: "HypedError", code: "IO", context: { errno: "ENOSPC" } });
      expect((err as Error).message).toContain(out);
      const names = readdirSync(out);
      expect(names.filter((n) => n.includes(".tmp-"))).toEqual([]);
      const frames = names.filter((n) => n.endsWith(".h5"));
      expect(frames.length).toBeGreaterThanOrEqual(1);
      for (const n of frames) {
        const f = await H5File.open(join(out, n));
        const info = readFrameInfo(f);
        expect(f.read(info.dataset).size).toBe(4 * info.height * info.width);
        f.close();
      }
    } finally {
      execFileSync("umount", [mnt]);
    }
  });

  it("survives kill -9 in the middle of a write: no partial frame visible, the next run completes", async () => {
    const big: MakeCziOptions = { ...OPTS, scenes: ["a_1"], T: 5, cols: 2, rows: 2, tileW: 300, tileH: 260, stepX: 280, stepY: 240 };
    const src = join(tmp, "big.czi");
    await makeCzi(src, big);
    const out = join(tmp, "crash");
    const child = spawn(process.execPath, ["--conditions=@hyped/source", "--import", "tsx", join(here, "crash-child.ts"), src, out], {
      cwd: resolve(here, "../../../../.."),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += String(d);
    });
    const sawTmp = await new Promise<boolean>((res, rej) => {
      let frames = 0;
      child.stdout.on("data", (d) => {
        frames += String(d)
          .split("\n")
          .filter((l) => l === "frame").length;
        if (frames < 2) return;
        // poll until a frame is being written (a temp file exists), then SIGKILL
        const poll = setInterval(() => {
          const tmpFile = existsSync(out) && readdirSync(out).some((n) => n.includes(".h5.tmp-"));
          if (tmpFile) {
            clearInterval(poll);
            child.kill("SIGKILL");
            res(true);
          }
        }, 1);
      });
      child.on("exit", (code, sig) => (sig === "SIGKILL" ? undefined : rej(new Error(`child exited ${code}: ${stderr}`))));
    });
    await new Promise((r) => child.on("close", r));
    expect(sawTmp).toBe(true);
    const visible = h5files(out);
    expect(visible.length).toBeGreaterThanOrEqual(1);
    expect(visible.length).toBeLessThan(5);
    // every visible frame is complete and readable
    for (const n of visible) {
      const f = await H5File.open(join(out, n));
      expect(readFrameInfo(f).height).toBe(500);
      f.close();
    }
    const r = await convertCziToFrames([src], out, { workers: 0 });
    expect(r.converted + r.skipped).toBe(5);
    expect(r.converted).toBeGreaterThanOrEqual(1);
    expect(readdirSync(out).filter((n) => n.includes(".tmp-"))).toEqual([]);
    expect(h5files(out)).toHaveLength(5);
    const store = await openFrameStore(out);
    expect(await store.verify()).toEqual([]);
    const a = await store.loadFrames({ t: [4, 5], channels: ["TagGFP"], region: { x: 100, y: 200, width: 3, height: 2 } });
    expect(a.get(0, 0, 1, 2)).toBe(sample(0, 4, 2, 201, 102));
    // into a caller's buffer: same values, the buffer is reused, wrong sizes/dtypes are refused
    const whole = await store.loadFrames({ t: [2, 4] });
    const buf = new Uint16Array(whole.size).fill(7);
    const b = await store.loadFrames({ t: [2, 4], into: buf });
    expect(b.data).toBe(buf);
    expect(Buffer.from(buf.buffer).equals(Buffer.from((whole.data as Uint16Array).buffer))).toBe(true);
    await expect(store.loadFrames({ t: [2, 4], into: new Uint16Array(whole.size - 1) })).rejects.toMatchObject({ code: "SHAPE_MISMATCH" });
    await expect(store.loadFrames({ t: [2, 4], into: new Float32Array(whole.size) })).rejects.toMatchObject({ code: "SHAPE_MISMATCH" });
  }, 60_000);

  it("shards: disjoint sets whose merged manifest equals a full run; worker threads give the same files", async () => {
    const full = await readManifestFile(join(tmp, "full", "dataset.json"));
    const out = join(tmp, "sharded");
    const files: string[][] = [];
    for (let i = 0; i < 3; i++) {
      const before = new Set(existsSync(out) ? h5files(out) : []);
      const r = await convertCziToFrames([czi], out, { shard: [i, 3], workers: i === 0 ? 2 : 0 });
      expect(r.manifestPath).toBe(join(out, shardManifestName(i, 3)));
      files.push(h5files(out).filter((n) => !before.has(n)));
    }
    const sets = files.map((f) => new Set(f));
    expect(files.flat().length).toBe(9);
    expect(new Set(files.flat()).size).toBe(9);
    expect(sets.every((s) => s.size === 3)).toBe(true);
    const merged = mergeManifests(
      await Promise.all(
        [0, 1, 2].map(async (i) => ({
          file: shardManifestName(i, 3),
          manifest: await readManifestFile(join(out, shardManifestName(i, 3))),
        })),
      ),
    );
    // same frames as a full run (HDF5 stamps object times, so compare contents, not bytes)
    expect(merged.frames.map((f) => [f.file, f.condition, f.replicate, f.t])).toEqual(
      full.frames.map((f) => [f.file, f.condition, f.replicate, f.t]),
    );
    const { writeManifestFile } = await import("../manifest.js");
    await writeManifestFile(join(out, "dataset.json"), merged);
    const a = await openFrameStore(out);
    const b = await openFrameStore(join(tmp, "full"));
    expect(await a.verify()).toEqual([]);
    for (const c of a.conditions)
      for (const rep of a.replicates[c] ?? []) {
        const x = await a.loadFrames({ condition: c, replicate: rep });
        const y = await b.loadFrames({ condition: c, replicate: rep });
        expect(Buffer.from((x.data as Uint16Array).buffer).equals(Buffer.from((y.data as Uint16Array).buffer))).toBe(true);
      }
    await expect(convertCziToFrames([czi], out, { shard: [3, 3] })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  }, 60_000);

  it("maps scenes from a JSON file; unmapped scenes are skipped", async () => {
    const map = join(tmp, "scenes.json");
    writeFileSync(
      map,
      JSON.stringify({ scenes: { "plate.czi:0": { condition: "DMSO", replicate: 3 }, "drug A-r1": { condition: "X", replicate: 1 } } }),
    );
    const out = join(tmp, "mapped");
    const r = await convertCziToFrames([czi], out, { workers: 0, scenes: map, channels: ["Oblique", "Cy5"] });
    expect(r.total).toBe(6);
    const s = await openFrameStore(out);
    expect(s.conditions).toEqual(["DMSO", "X"]);
    expect(s.replicates).toEqual({ DMSO: [3], X: [1] });
    expect(s.channels).toEqual(["Oblique", "Cy5"]);
    const a = await s.loadFrames({ condition: "X", t: [1, 2] });
    expect([a.get(0, 0, 3, 4), a.get(0, 1, 3, 4)]).toEqual([sample(2, 1, 3, 3, 4), sample(2, 1, 0, 3, 4)]);
    writeFileSync(map, JSON.stringify({ nothing: { condition: "a" } }));
    await expect(convertCziToFrames([czi], join(tmp, "none"), { workers: 0, scenes: map })).rejects.toMatchObject({ code: "NOT_FOUND" });
    writeFileSync(map, JSON.stringify({ 0: { replicate: 1 } }));
    await expect(convertCziToFrames([czi], join(tmp, "none"), { workers: 0, scenes: map })).rejects.toMatchObject({
      code: "FORMAT",
      message: expect.stringContaining(map),
    });
  });

  it("gives typed errors naming the file for bad inputs", async () => {
    await expect(convertCziToFrames([czi], join(tmp, "bad1"), { workers: 0, channels: ["Cy5", "DAPI"] })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringMatching(/plate\.czi.*DAPI/),
    });
    const other = join(tmp, "other.czi");
    await makeCzi(other, { ...OPTS, scenes: ["z_1"], cols: 2 });
    const e = await convertCziToFrames([czi, other], join(tmp, "bad2"), { workers: 0 }).catch((x) => x);
    expect(isHypedError(e, "SHAPE_MISMATCH")).toBe(true);
    expect(e.message).toContain("other.czi");
    const garbage = join(tmp, "garbage.czi");
    writeFileSync(garbage, "not a czi at all, just text".repeat(10));
    await expect(convertCziToFrames([czi, garbage], join(tmp, "bad3"), { workers: 0 })).rejects.toMatchObject({
      code: "FORMAT",
      message: expect.stringContaining("garbage.czi"),
    });
    await expect(convertCziToFrames([join(tmp, "absent.czi")], join(tmp, "bad4"), { workers: 0 })).rejects.toMatchObject({
      code: "IO",
      context: { errno: "ENOENT" },
      message: expect.stringContaining("absent.czi"),
    });
    const ac = new AbortController();
    ac.abort();
    await expect(convertCziToFrames([czi], join(tmp, "bad5"), { workers: 0, signal: ac.signal })).rejects.toMatchObject({
      code: "ABORTED",
    });
  });
});

describe("scene maps", () => {
  it("infers condition and replicate from scene names", () => {
    const m = inferScenes("x/plate.czi", [
      { index: 0, name: "DMSO_1" },
      { index: 1, name: "DMSO-rep2" },
      { index: 2, name: "Drug X replicate 3" },
      { index: 3, name: "untreated" },
      { index: 4, name: "untreated" },
      { index: 5 },
    ]);
    expect([...m.values()]).toEqual([
      { condition: "DMSO", replicate: 1 },
      { condition: "DMSO", replicate: 2 },
      { condition: "Drug X", replicate: 3 },
      { condition: "untreated", replicate: 1 },
      { condition: "untreated", replicate: 2 },
      { condition: "plate", replicate: 6 },
    ]);
    expect(() =>
      inferScenes("p.czi", [
        { index: 0, name: "a_1" },
        { index: 1, name: "a-1" },
      ]),
    ).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(parseSceneMap({ 0: { condition: "a" } })).toEqual({ 0: { condition: "a", replicate: 1 } });
    expect(() => parseSceneMap([1, 2], "m.json")).toThrow(expect.objectContaining({ code: "FORMAT" }));
  });
});
