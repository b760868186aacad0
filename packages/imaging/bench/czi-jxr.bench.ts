/**
 * JPEG XR (CZI compression 4) decoding against Debian's `JxrDecApp` (jxrlib, native) on the same payloads.
 *
 * Builds a 6 x 5 mosaic of 516x709 Gray16 (14-bit) tiles, one plane, each tile encoded by `JxrEncApp`
 * (lossless and, separately, lossy at -q 0.9), into a temp folder. Then, in turns (ours, native, ours, ...),
 * medians of 5 turns:
 * - one core: our decoder in this thread over the 30 payloads vs `JxrDecApp` once per payload (a process per
 *   tile, as a tool must run it; its start-up, measured on a 16x16 image, is also subtracted for a second ratio);
 * - the stitched plane: `readPlane` with the JPEG XR worker pool (both cores) vs `JxrDecApp` on the 30 tiles
 *   sequentially and with 2 processes at a time (stitching not counted for native).
 * Goals (issue #16): >= 0.5x native on one core; the stitched plane faster than native on two cores.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { type CziWriteSubblock, decodeJpegXr, openCzi, writeCzi } from "@hyped/imaging";
import { hasCommand, median } from "../../../scripts/bench-utils.js";
import { jxrPool } from "../src/czi/codecs/jpegxr-pool.js";
import { H, makeTile, NX, NY, SX, SY, TH, TW, tileInfo, W } from "./mosaic.js";

const TURNS = 5;

if (!hasCommand("JxrEncApp") || !hasCommand("JxrDecApp")) {
  console.log("JxrEncApp/JxrDecApp absent (apt-get install libjxr-tools): no JPEG XR benchmark");
  process.exit(0);
}

/** A little-endian one-strip grey TIFF (what JxrEncApp reads). */
function tiff16(data: Uint16Array, w: number, h: number): Uint8Array {
  const tags: [number, number, number][] = [
    [256, 4, w],
    [257, 4, h],
    [258, 3, 16],
    [259, 3, 1],
    [262, 3, 1],
    [273, 4, 0],
    [277, 3, 1],
    [278, 4, h],
    [279, 4, data.byteLength],
  ];
  const dataPos = 8 + 2 + tags.length * 12 + 4;
  const out = new Uint8Array(dataPos + data.byteLength);
  const v = new DataView(out.buffer);
  out.set([0x49, 0x49, 42, 0]);
  v.setUint32(4, 8, true);
  v.setUint16(8, tags.length, true);
  tags.forEach(([tag, type, value], i) => {
    const p = 10 + 12 * i;
    v.setUint16(p, tag, true);
    v.setUint16(p + 2, type, true);
    v.setUint32(p + 4, 1, true);
    if (type === 3) v.setUint16(p + 8, value, true);
    else v.setUint32(p + 8, tag === 273 ? dataPos : value, true);
  });
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), dataPos);
  return out;
}

/** CPU time (user + system, ms) of JxrDecApp decoding every file in turn, from /usr/bin/time over a shell loop. */
function nativeCpu(files: string[]): number {
  const loop = files.map((f) => `JxrDecApp -i ${f} -o ${f}.tif -c 3 >/dev/null`).join("; ");
  const r = spawnSync("/usr/bin/time", ["-f", "%U %S", "sh", "-c", loop], { encoding: "utf8" });
  const [u, sy] = (r.stderr.trim().split("\n").pop() ?? "").split(" ").map(Number);
  return ((u ?? Number.NaN) + (sy ?? Number.NaN)) * 1000;
}

const dir = mkdtempSync(path.join(tmpdir(), "hyped-jxr-bench-"));

/** Run JxrDecApp on each file, `parallel` processes at a time; resolves to the wall time in ms. */
async function native(files: string[], parallel: number): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < files.length) {
      const f = files[next++] as string;
      await new Promise<void>((ok, fail) =>
        spawn("JxrDecApp", ["-i", f, "-o", `${f}.tif`, "-c", "3"], { stdio: "ignore" }).on("exit", (c) =>
          c === 0 ? ok() : fail(new Error(`JxrDecApp exit ${c}`)),
        ),
      );
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  return performance.now() - t0;
}

try {
  console.log(
    `load average ${loadavg()
      .map((v) => v.toFixed(2))
      .join(" ")} on ${availableParallelism()} cores (uptime)`,
  );
  const tiles: CziWriteSubblock[] = [];
  const sources: Uint16Array[] = [];
  for (let j = 0; j < NY; j++)
    for (let i = 0; i < NX; i++) {
      const m = j * NX + i;
      sources.push(makeTile(0, 0, m, i * SX, j * SY));
    }
  const tiny = path.join(dir, "tiny");
  writeFileSync(`${tiny}.tif`, tiff16(new Uint16Array(256).fill(9), 16, 16));
  execFileSync("JxrEncApp", ["-i", `${tiny}.tif`, "-o", `${tiny}.jxr`, "-c", "3"], { stdio: "ignore" });

  for (const [label, q] of [
    ["lossless", []],
    ["lossy -q 0.9", ["-q", "0.9"]],
  ] as [string, string[]][]) {
    const files: string[] = [];
    const payloads: Uint8Array[] = [];
    tiles.length = 0;
    sources.forEach((src, m) => {
      const f = path.join(dir, `${label.replace(/\W/g, "")}-${m}`);
      writeFileSync(`${f}.tif`, tiff16(src, TW, TH));
      execFileSync("JxrEncApp", ["-i", `${f}.tif`, "-o", `${f}.jxr`, "-c", "3", ...q], { stdio: "ignore" });
      const bytes = new Uint8Array(readFileSync(`${f}.jxr`));
      files.push(`${f}.jxr`);
      payloads.push(bytes);
      const i = m % NX;
      const j = Math.floor(m / NX);
      tiles.push({ data: src, width: TW, height: TH, x: i * SX, y: j * SY, coords: { C: 0, M: m }, encoded: { code: 4, bytes } });
    });
    const cziPath = path.join(dir, `${label.replace(/\W/g, "")}.czi`);
    await writeCzi(cziPath, tiles);
    const compressed = payloads.reduce((a, p) => a + p.length, 0);
    const decoded = payloads.length * TW * TH * 2;
    const info = tileInfo(4);
    const output = new Uint8Array(TW * TH * 2);
    const czi = await openCzi(cziPath);
    const out = new Uint16Array(W * H);
    // Warm-up: wasm instantiation here and in the workers, page cache for the files.
    process.env.HYPED_JXR_POOL_MIN_BYTES = String(2 ** 40);
    await decodeJpegXr(payloads[0] as Uint8Array, { ...info, output });
    delete process.env.HYPED_JXR_POOL_MIN_BYTES;
    await czi.readPlane({}, { out });
    await native(files.slice(0, 2), 1);
    const ours1: number[] = [];
    const ours1Cpu: number[] = [];
    const nat1Cpu: number[] = [];
    const nat1: number[] = [];
    const start: number[] = [];
    const plane: number[] = [];
    const nat2: number[] = [];
    for (let t = 0; t < TURNS; t++) {
      process.env.HYPED_JXR_POOL_MIN_BYTES = String(2 ** 40); // in this thread: one core
      let t0 = performance.now();
      const c0 = process.cpuUsage();
      for (const p of payloads) await decodeJpegXr(p, { ...info, output });
      ours1.push(performance.now() - t0);
      const c1 = process.cpuUsage(c0);
      ours1Cpu.push((c1.user + c1.system) / 1000);
      delete process.env.HYPED_JXR_POOL_MIN_BYTES;
      nat1.push(await native(files, 1));
      nat1Cpu.push(nativeCpu(files));
      t0 = performance.now();
      spawnSync("JxrDecApp", ["-i", `${tiny}.jxr`, "-o", `${tiny}.out.tif`, "-c", "3"], { stdio: "ignore" });
      start.push(performance.now() - t0);
      t0 = performance.now();
      await czi.readPlane({}, { out });
      plane.push(performance.now() - t0);
      nat2.push(await native(files, 2));
    }
    await czi.close();
    const o1 = median(ours1);
    const n1 = median(nat1);
    const s = median(start);
    const pl = median(plane);
    const n2 = median(nat2);
    const mb = (ms: number) => (decoded / 1e6 / (ms / 1000)).toFixed(0);
    console.log(
      `\nJPEG XR ${label}: ${payloads.length} tiles of ${TW}x${TH} Gray16, ${(compressed / 2 ** 20).toFixed(1)} MiB -> ${(decoded / 2 ** 20).toFixed(1)} MiB (medians of ${TURNS} turns)`,
    );
    console.log(
      `  one core: ours ${o1.toFixed(0)} ms (${mb(o1)} MB/s), JxrDecApp ${n1.toFixed(0)} ms (${mb(n1)} MB/s, ${payloads.length} processes): ratio ours/native throughput = ${(n1 / o1).toFixed(2)}x (goal >= 0.5x)`,
    );
    const oc = median(ours1Cpu);
    const nc = median(nat1Cpu);
    console.log(
      `  one core, CPU time (fairer on a busy machine): ours ${oc.toFixed(0)} ms, JxrDecApp ${nc.toFixed(0)} ms (30 processes, /usr/bin/time, 10 ms resolution): ratio = ${(nc / oc).toFixed(2)}x`,
    );
    const n1c = Math.max(1, n1 - s * payloads.length);
    console.log(
      `  one core, JxrDecApp start-up (${s.toFixed(1)} ms per process, a 16x16 decode) subtracted: native ${n1c.toFixed(0)} ms: ratio = ${(n1c / o1).toFixed(2)}x`,
    );
    const pool = await jxrPool(new URL("../src/czi/codecs/jpegxr.ts", import.meta.url).href);
    console.log(
      `  stitched ${W}x${H} plane, readPlane on ${pool?.size ?? 0} worker threads: ${pl.toFixed(0)} ms; JxrDecApp sequential ${n1.toFixed(0)} ms, 2 at a time ${n2.toFixed(0)} ms: ratio native/ours = ${(n1 / pl).toFixed(2)}x sequential, ${(n2 / pl).toFixed(2)}x on 2 cores (goal > 1)`,
    );
  }
  console.log(
    `load average at the end ${loadavg()
      .map((v) => v.toFixed(2))
      .join(" ")}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
