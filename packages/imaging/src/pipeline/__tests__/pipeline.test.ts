import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { H5File } from "@hyped/core/hdf5";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openFrameStore } from "../../frames/index.js";
import {
  clearHdf5ObjectTimes,
  columnsToCsv,
  csvToColumns,
  mergeStepManifests,
  parseShardSpec,
  readLabelFile,
  readStepManifest,
  releaseNameParser,
  segmentStore,
  trackSegmentation,
} from "../index.js";
import { makeTinyStore } from "./make-frames.js";

const tmp = mkdtempSync(join(tmpdir(), "hyped-pipe-lib-"));
const frames = join(tmp, "frames");
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await makeTinyStore(frames, undefined, 3, [80, 96]);
}, 60_000);

describe("pipeline outputs", () => {
  it("parses shard specs, from the scheduler's environment for auto/n", () => {
    expect(parseShardSpec("2/4", {})).toEqual([2, 4]);
    expect(parseShardSpec("auto/4", { SLURM_ARRAY_TASK_ID: "3" })).toEqual([3, 4]);
    expect(parseShardSpec("auto/4", { SLURM_ARRAY_TASK_ID: "4", SLURM_ARRAY_TASK_MIN: "1" })).toEqual([3, 4]);
    expect(parseShardSpec("auto/3", { JOB_COMPLETION_INDEX: "0" })).toEqual([0, 3]);
    for (const [spec, env] of [
      ["4/4", {}],
      ["auto/4", {}],
      ["auto/4", { JOB_COMPLETION_INDEX: "7" }],
      ["1-4", {}],
      ["0/0", {}],
    ] as const)
      expect(() => parseShardSpec(spec, env), spec).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });

  it("clears HDF5 object times so two writes of the same data are byte-identical", async () => {
    const make = async () => {
      const f = await H5File.create(null);
      f.writeDataset("/labels", new Uint32Array(40 * 30).fill(7), { shape: [40, 30], chunks: [20, 30], compression: "gzip", level: 1 });
      f.setAttr("/labels", "condition", "x");
      const b = f.bytes().slice();
      f.close();
      return b;
    };
    const a = await make();
    await new Promise((r) => setTimeout(r, 1100)); // HDF5 times have 1 s resolution
    const b = await make();
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    expect(clearHdf5ObjectTimes(a)).toBeGreaterThanOrEqual(2); // root group and dataset
    clearHdf5ObjectTimes(b);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    // still a valid file (checksums recomputed)
    const f = await H5File.open(a);
    expect(f.read("/labels").data).toEqual(new Uint32Array(40 * 30).fill(7));
    f.close();
    // bytes that are not a checksummed header are left alone
    const junk = new TextEncoder().encode("xxOHDR\u0002\u0020junkjunkjunkjunkjunkjunk");
    const copy = junk.slice();
    expect(clearHdf5ObjectTimes(copy)).toBe(0);
    expect(copy).toEqual(junk);
  }, 20_000);

  it("writes and reads CSV tables, quoting where needed", () => {
    const text = columnsToCsv({ name: ["a", 'b,"c"', "d\ne"], v: Float64Array.of(1.5, Number.NaN, -0) });
    const back = csvToColumns(text, "t.csv", ["v"]);
    expect(back.name).toEqual(["a", 'b,"c"', "d\ne"]);
    expect(Array.from(back.v as Float64Array)).toEqual([1.5, Number.NaN, 0]);
    expect(() => csvToColumns("a,b\n1\n", "bad.csv", [])).toThrow(expect.objectContaining({ code: "FORMAT" }));
    expect(() => csvToColumns("a\n1\n", "bad.csv", ["b"])).toThrow(expect.objectContaining({ code: "FORMAT" }));
  });

  it("parses the release's file names", () => {
    expect(releaseNameParser("siPRRX1+mmMYOD1_2_0007.h5")).toEqual({ condition: "siPRRX1+mmMYOD1", replicate: 2, order: 7 });
    expect(releaseNameParser("plate/DMSO-r3-t12.h5")).toEqual({ condition: "DMSO", replicate: 3, order: 12 });
    expect(releaseNameParser("movie_0005.h5")).toEqual({ condition: "movie", replicate: 1, order: 5 });
  });
});

describe("segmentStore", () => {
  it("resumes: a damaged output is redone, the rest skipped; cancelling keeps finished frames", async () => {
    const store = await openFrameStore(frames);
    const out = join(tmp, "seg");
    const ac = new AbortController();
    let seen = 0;
    await expect(
      segmentStore(store, out, {
        workers: 0,
        signal: ac.signal,
        onProgress: () => {
          if (++seen === 2) ac.abort();
        },
      }),
    ).rejects.toMatchObject({ code: "ABORTED" });
    const partial = await readStepManifest(join(out, "segment.json"));
    expect(partial?.complete).toBe(false);
    const first = await segmentStore(store, out, { workers: 0 });
    expect(first.skipped).toBe(partial?.items.length);
    expect(first.computed + first.skipped).toBe(15);
    const csv = join(out, "control_r1_t00001.csv");
    const good = readFileSync(csv);
    writeFileSync(csv, "id,y,x\n");
    const again = await segmentStore(store, out, { workers: 0 });
    expect([again.computed, again.skipped]).toEqual([1, 14]);
    expect(readFileSync(csv).equals(good)).toBe(true);
    const lab = await readLabelFile(join(out, "control_r1_t00000.h5"));
    expect(lab.shape).toEqual([80, 96]);
    expect(Math.max(...lab.data)).toBeGreaterThan(0);
    // other parameters redo everything
    const other = await segmentStore(store, out, { workers: 0, sigma: 1.5 });
    expect(other.computed).toBe(15);
  }, 120_000);

  it("tracking needs every shard of the segmentation; corrupt manifests are FORMAT errors", async () => {
    const store = await openFrameStore(frames);
    const out = join(tmp, "seg-sharded");
    await segmentStore(store, out, { workers: 0, shard: [0, 2] });
    await expect(trackSegmentation(out, join(tmp, "trk"))).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await mergeStepManifests(out, "segment")).toBeUndefined();
    await segmentStore(store, out, { workers: 0, shard: [1, 2] });
    const merged = await mergeStepManifests(out, "segment");
    expect(merged?.items.length).toBe(15);
    const r = await trackSegmentation(out, join(tmp, "trk"), { masks: false });
    expect(r.computed).toBe(5);
    writeFileSync(join(out, "segment.json"), "{");
    await expect(readStepManifest(join(out, "segment.json"))).rejects.toMatchObject({ code: "FORMAT" });
  }, 120_000);
});
