import { isHypedError, zeros } from "@hyped/core";
import { describe, expect, it } from "vitest";
import { openSegmentPool, segmentFrame, segmentFrames } from "../index.js";

/** A 4-channel uint16 frame with nuclei (radius 5-8 discs, some touching) placed by an LCG seeded per frame. */
function frame(seed: number, H = 96, W = 120) {
  const f = zeros("uint16", [4, H, W]);
  const d = f.data as Uint16Array;
  let s = seed;
  const next = () => (s = (s * 48271) % 2147483647);
  for (let c = 0; c < 4; c++) for (let i = 0; i < H * W; i++) d[c * H * W + i] = 200 + (next() % 60);
  for (let k = 0; k < 14; k++) {
    const cy = next() % H;
    const cx = next() % W;
    const r = 5 + (next() % 4);
    const a = 3000 + (next() % 5000);
    for (let y = Math.max(0, cy - r); y < Math.min(H, cy + r + 1); y++)
      for (let x = Math.max(0, cx - r); x < Math.min(W, cx + r + 1); x++)
        if ((y - cy) ** 2 + (x - cx) ** 2 <= r * r) {
          d[H * W + y * W + x] = d[H * W + y * W + x]! + a;
          d[2 * H * W + y * W + x] = d[2 * H * W + y * W + x]! + (a >> 1);
        }
  }
  return f;
}

function same(a: ReturnType<typeof segmentFrame>, b: ReturnType<typeof segmentFrame>) {
  expect(b.labels.shape).toEqual(a.labels.shape);
  expect(Buffer.from((b.labels.data as Int32Array).buffer).equals(Buffer.from((a.labels.data as Int32Array).buffer))).toBe(true);
  expect(Array.from(b.mask.data as Uint8Array)).toEqual(Array.from(a.mask.data as Uint8Array));
  expect((b.mask as unknown as { dtype?: string }).dtype).toBe("bool");
  expect(b.threshold).toBe(a.threshold);
  expect(b.seeds).toBe(a.seeds);
  expect(b.clipHigh).toEqual(a.clipHigh);
  expect(Array.from(b.objects.id)).toEqual(Array.from(a.objects.id));
  expect(Array.from(b.objects.centroidRow)).toEqual(Array.from(a.objects.centroidRow));
  expect(Array.from(b.objects.centroidCol)).toEqual(Array.from(a.objects.centroidCol));
  expect(Array.from(b.objects.area)).toEqual(Array.from(a.objects.area));
  for (const k of Object.keys(a.objects.meanIntensity))
    expect(Array.from(b.objects.meanIntensity[k]!)).toEqual(Array.from(a.objects.meanIntensity[k]!));
}

describe("segmentFrames", () => {
  const frames = [1, 2, 3, 4, 5].map((s) => frame(s * 7919));
  // a strided view (channels picked from a bigger stack) must be packed, not cloned with its whole buffer
  const stack = zeros("uint16", [2, 4, 96, 120]);
  (stack.data as Uint16Array).set(frames[0]!.data as Uint16Array, 4 * 96 * 120);
  const view = stack.pick(1, null, null, null);
  const opts = { minDistance: 4 };

  it("gives exactly segmentFrame's results on worker threads, in order, with progress", async () => {
    const ref = frames.map((f) => segmentFrame(f, opts));
    const seen: number[] = [];
    const got = await segmentFrames([...frames, view], { ...opts, workers: 2, onProgress: (p) => seen.push(p.done) });
    expect(got.length).toBe(6);
    for (let i = 0; i < frames.length; i++) same(ref[i]!, got[i]!);
    same(ref[0]!, got[5]!);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    expect(ref[0]!.objects.id.length).toBeGreaterThan(5);
  }, 60_000);

  it("in-thread (workers: 0) gives the same results", async () => {
    const got = await segmentFrames(frames.slice(0, 2), { ...opts, workers: 0 });
    same(segmentFrame(frames[0]!, opts), got[0]!);
    same(segmentFrame(frames[1]!, opts), got[1]!);
  });

  it("cancels, reports worker errors with their code, and validates arguments", async () => {
    const ac = new AbortController();
    const p = segmentFrames(frames, { workers: 2, signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toSatisfy((e) => isHypedError(e, "ABORTED"));
    // mid-run: abort after the first frame comes back
    const ac2 = new AbortController();
    const p2 = segmentFrames(frames, { workers: 1, signal: ac2.signal, onProgress: () => ac2.abort() });
    await expect(p2).rejects.toSatisfy((e) => isHypedError(e, "ABORTED"));
    await expect(segmentFrames(frames.slice(0, 1), { workers: 1, nuclearChannels: ["nope"] })).rejects.toSatisfy(
      (e) => isHypedError(e, "NOT_FOUND") && /frame 0/.test((e as Error).message),
    );
    await expect(segmentFrames(frames, { workers: -1 })).rejects.toSatisfy((e) => isHypedError(e, "INVALID_ARGUMENT"));
    expect(await segmentFrames([])).toEqual([]);
  }, 60_000);
});

describe("openSegmentPool", () => {
  const frames = [11, 12, 13].map((s) => frame(s * 7919));
  const opts = { minDistance: 4 };

  it("serves many calls from the same workers with exactly segmentFrame's results; per-call options override", async () => {
    const pool = await openSegmentPool({ ...opts, workers: 2 });
    try {
      expect(pool.workers).toBe(2);
      const got = await Promise.all(frames.map((f) => pool.segment(f)));
      for (const [i, f] of frames.entries()) same(segmentFrame(f, opts), got[i]!);
      // a later call, with an override, and a transferred copy
      const copy = frame(11 * 7919);
      same(segmentFrame(frames[0]!, { minDistance: 7 }), await pool.segment(copy, { minDistance: 7, transfer: true }));
      await expect(pool.segment(frames[0]!, { nuclearChannels: ["nope"] })).rejects.toSatisfy((e) => isHypedError(e, "NOT_FOUND"));
      same(segmentFrame(frames[1]!, opts), await pool.segment(frames[1]!)); // still serving after an error
    } finally {
      await pool.close();
    }
    await expect(pool.segment(frames[0]!)).rejects.toSatisfy((e) => isHypedError(e, "ABORTED"));
  }, 60_000);

  it("in-thread (workers: 0) gives the same results; abort closes the pool", async () => {
    const inThread = await openSegmentPool({ ...opts, workers: 0 });
    same(segmentFrame(frames[2]!, opts), await inThread.segment(frames[2]!));
    await inThread.close();
    const ac = new AbortController();
    const pool = await openSegmentPool({ workers: 1, signal: ac.signal });
    const p = pool.segment(frames[0]!);
    ac.abort();
    await expect(p).rejects.toSatisfy((e) => isHypedError(e, "ABORTED"));
    await pool.close();
    await expect(openSegmentPool({ workers: 1.5 })).rejects.toSatisfy((e) => isHypedError(e, "INVALID_ARGUMENT"));
  }, 60_000);
});
