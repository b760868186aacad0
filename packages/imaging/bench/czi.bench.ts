/**
 * CZI benchmark at HYPED scale: a 6x5 mosaic of 516x709 tiles (54/75-pixel overlaps) stitching to 2826x3245,
 * 4 channels, 3 time points, Gray16 (14-bit), written uncompressed and as Zstd1 (hi-lo) to a temp folder.
 *
 * Prints:
 * - uncompressed stitched-plane throughput (MB/s of output pixels; target >= 1000), from disk and from memory,
 *   into a reused output plane (readPlane's `out`, as planes({ reuse: true }) does) and into fresh ones;
 * - Zstd1 decoding vs Debian's `zstd -d` on the same payloads (throughput ratio ours/zstd; target >= 0.5);
 * - peak RSS while iterating all 12 planes with `planes()` (bounded by a few planes, not the file).
 * Each figure is given as wall time and as CPU time (process.cpuUsage, user + system, all threads): on a busy
 * 2-core machine the CPU figures are the fairer reading.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileSource, memorySource } from "@hyped/core";
import { type CziWriteSubblock, openCzi, writeCzi } from "@hyped/imaging";
import { decodeZstd1 } from "@hyped/imaging/czi";
import { hasCommand, peakRssMiB, timeIt } from "../../../scripts/bench-utils.js";
import { unpackHiLo, ZSTD_NAPI_BINDING, zstdBackendName, zstdWasm } from "../src/czi/codecs/zstd.js";
import { H, makeTile, NX, NY, SX, SY, TH, TW, tileInfo, W } from "./mosaic.js";

/** Median wall time (ms) of `repeat` runs after one warm-up, and the mean CPU time (ms, all threads) per run. */
async function wallAndCpu(fn: () => unknown | Promise<unknown>, repeat: number): Promise<{ wall: number; cpu: number }> {
  await fn();
  const c0 = process.cpuUsage();
  const wall = await timeIt(fn, repeat, false);
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 / repeat };
}
const mbps = (bytes: number, ms: number) => (bytes / 1e6 / (ms / 1000)).toFixed(0);

const NC = 4;
const NT = 3;

function* tiles(): Generator<CziWriteSubblock> {
  for (let t = 0; t < NT; t++)
    for (let c = 0; c < NC; c++)
      for (let j = 0; j < NY; j++)
        for (let i = 0; i < NX; i++) {
          const m = j * NX + i;
          yield {
            data: makeTile(t, c, m, i * SX, j * SY),
            width: TW,
            height: TH,
            x: i * SX,
            y: j * SY,
            coords: { S: 0, T: t, C: c, Z: 0, M: m },
          };
        }
}

const dir = mkdtempSync(path.join(tmpdir(), "hyped-czi-bench-"));
try {
  const raw = path.join(dir, "hyped_raw.czi");
  const zst = path.join(dir, "hyped_zstd1.czi");
  const rssStart = peakRssMiB();
  let t0 = performance.now();
  await writeCzi(raw, tiles(), { metadata: { componentBitCount: 14, timeIncrementS: 600 } });
  const wRaw = performance.now() - t0;
  t0 = performance.now();
  await writeCzi(zst, tiles(), { compression: "zstd1", metadata: { componentBitCount: 14, timeIncrementS: 600 } });
  const wZst = performance.now() - t0;
  const rawSize = statSync(raw).size;
  const zstSize = statSync(zst).size;
  console.log(
    `generated ${NX}x${NY} tiles of ${TW}x${TH} -> ${W}x${H}, ${NC} channels, ${NT} time points: uncompressed ${(rawSize / 2 ** 20).toFixed(0)} MiB (written in ${(wRaw / 1000).toFixed(1)} s), Zstd1 ${(zstSize / 2 ** 20).toFixed(0)} MiB (${(wZst / 1000).toFixed(1)} s); peak RSS while writing ${peakRssMiB().toFixed(0)} MiB (start ${rssStart.toFixed(0)} MiB)`,
  );

  // Peak memory while iterating every plane (fresh file handle; nothing else held).
  {
    const czi = await openCzi(raw);
    const before = peakRssMiB();
    let n = 0;
    let checksum = 0;
    t0 = performance.now();
    for await (const p of czi.planes({ reuse: true })) {
      n++;
      checksum += p.data[12345] as number;
    }
    const dt = performance.now() - t0;
    const planeMiB = (W * H * 2) / 2 ** 20;
    console.log(
      `planes({ reuse: true }): ${n} planes of ${W}x${H} in ${(dt / 1000).toFixed(2)} s; peak RSS ${peakRssMiB().toFixed(0)} MiB (before ${before.toFixed(0)} MiB; one plane = ${planeMiB.toFixed(1)} MiB, file = ${(rawSize / 2 ** 20).toFixed(0)} MiB) [checksum ${checksum}]`,
    );
    await czi.close();
  }

  // Uncompressed stitched-plane throughput.
  const outBytes = W * H * 2;
  {
    const os = await import("node:os");
    const czi = await openCzi(raw);
    let k = 0;
    const next = () => ({ T: k % NT, C: Math.floor(k++ / NT) % NC });
    // The headline: one output plane reused across reads (readPlane's `out`, what planes({ reuse: true }) does).
    const out = new Uint16Array(W * H);
    const r = await wallAndCpu(() => czi.readPlane(next(), { out }), 12);
    console.log(
      `uncompressed stitched plane from disk, reused output plane: ${r.wall.toFixed(1)} ms wall = ${mbps(outBytes, r.wall)} MB/s of output pixels; CPU ${r.cpu.toFixed(1)} ms = ${mbps(outBytes, r.cpu)} MB/s per CPU second (target >= 1000 MB/s; load average ${os.loadavg()[0]?.toFixed(1)} on ${os.availableParallelism()} cores)`,
    );
    // A fresh plane per read: the operating system's first-touch cost of 18 MB of new memory comes on top.
    const f = await wallAndCpu(async () => {
      const p = await czi.readPlane(next());
      if (p.shape[1] !== W) throw new Error("bad plane");
    }, 6);
    console.log(
      `uncompressed stitched plane from disk, fresh output plane per read: ${f.wall.toFixed(1)} ms wall = ${mbps(outBytes, f.wall)} MB/s; CPU ${f.cpu.toFixed(1)} ms = ${mbps(outBytes, f.cpu)} MB/s per CPU second`,
    );
    await czi.close();
    const mem = await openCzi(memorySource(new Uint8Array(readFileSync(raw))));
    const m = await wallAndCpu(() => mem.readPlane(next(), { out }), 12);
    console.log(
      `uncompressed stitched plane from memory, reused output plane: ${m.wall.toFixed(1)} ms wall = ${mbps(outBytes, m.wall)} MB/s; CPU ${m.cpu.toFixed(1)} ms = ${mbps(outBytes, m.cpu)} MB/s per CPU second`,
    );
  }

  // Zstd1: our decoder vs `zstd -d` on the same payloads (all 360 tiles).
  {
    const src = await fileSource(zst);
    const czi = await openCzi(src);
    const payloads: Uint8Array[] = [];
    const { locateSubblock } = await import("../src/czi/subblock.js");
    for (const e of czi.subblocks) {
      const loc = await locateSubblock(src, e);
      payloads.push(await src.read(loc.dataOffset, loc.dataSize));
    }
    const decodedBytes = czi.subblocks.length * TW * TH * 2;
    const info = tileInfo(6);
    // Decoded into one reused tile buffer (as readPlane does with its per-slot buffers).
    const output = new Uint8Array(TW * TH * 2);
    const backend = await zstdBackendName();
    // Installed and built, the native decoder must be the one in use (from dist/ it once silently was not, #25).
    if (zstdNapiBuilt() && backend !== "zstd-napi" && process.env.HYPED_ZSTD !== "wasm") {
      throw new Error(`zstd-napi is installed and built, but the Zstd decoder in use is ${backend}: the native module failed to load`);
    }
    const o = await wallAndCpu(async () => {
      for (const p of payloads) await decodeZstd1(p, { ...info, output });
    }, 3);
    const compressed = payloads.reduce((a, p) => a + p.length, 0);
    console.log(
      `Zstd1 decode (ours, ${backend} + hi-lo unpack): ${payloads.length} tiles, ${(compressed / 2 ** 20).toFixed(1)} MiB -> ${(decodedBytes / 2 ** 20).toFixed(0)} MiB in ${o.wall.toFixed(0)} ms wall = ${mbps(decodedBytes, o.wall)} MB/s; CPU ${o.cpu.toFixed(0)} ms = ${mbps(decodedBytes, o.cpu)} MB/s per CPU second`,
    );
    // For reference, the wasm decoder that browsers use (and Node falls back to without the native module).
    const w = await zstdWasm();
    if (w) {
      const c0 = process.cpuUsage();
      const t = performance.now();
      for (const p of payloads) unpackHiLo(w.decompress(p.subarray(p[0] as number), { defaultHeapSize: TW * TH * 2 }), output);
      const wallW = performance.now() - t;
      const cw = process.cpuUsage(c0);
      console.log(
        `  (wasm fallback, @bokuweb/zstd-wasm: ${wallW.toFixed(0)} ms wall, CPU ${((cw.user + cw.system) / 1000).toFixed(0)} ms = ${mbps(decodedBytes, wallW)} MB/s)`,
      );
    }
    if (hasCommand("zstd")) {
      // The same frames (Zstd1 header stripped), concatenated: `zstd -d` decodes them one after another.
      const frames = path.join(dir, "frames.zst");
      const total = Buffer.concat(payloads.map((p) => p.subarray(p[0] as number)));
      writeFileSync(frames, total);
      const peer = await timeIt(() => {
        const r = spawnSync("zstd", ["-d", "-q", "-c", frames], { stdio: ["ignore", "ignore", "inherit"] });
        if (r.status !== 0) throw new Error("zstd -d failed");
      }, 3);
      const start = await timeIt(() => spawnSync("zstd", ["--version"], { stdio: "ignore" }), 3);
      console.log(
        `Zstd1 vs native: zstd -d ${peer.toFixed(0)} ms wall (process start ~${start.toFixed(0)} ms included) = ${mbps(decodedBytes, peer)} MB/s, ours ${o.wall.toFixed(0)} ms: wall-clock throughput ratio ours/zstd = ${(peer / o.wall).toFixed(2)}x (target >= 0.5x)`,
      );
      const cpus: number[] = [];
      for (let i = 0; i < 3; i++) {
        const r = spawnSync("sh", ["-c", `command time -f "%U %S" zstd -d -q -c ${frames} > /dev/null`], { encoding: "utf8" });
        const [u, sy] = (r.stderr.trim().split("\n").pop() ?? "").split(" ").map(Number);
        cpus.push(((u ?? Number.NaN) + (sy ?? Number.NaN)) * 1000);
      }
      const peerCpu = cpus.sort((a, b) => a - b)[1] as number;
      if (Number.isFinite(peerCpu))
        console.log(
          `  CPU time: zstd -d ${peerCpu.toFixed(0)} ms (median of 3; /usr/bin/time has 10 ms resolution), ours ${o.cpu.toFixed(0)} ms: CPU throughput ratio ours/zstd = ${(peerCpu / o.cpu).toFixed(2)}x`,
        );
    } else console.log("zstd CLI absent on this machine: no Zstd1 ratio");
    const zc = await openCzi(src);
    let k = 0;
    const out = new Uint16Array(W * H);
    const zp = await wallAndCpu(async () => {
      await zc.readPlane({ T: k % NT, C: Math.floor(k / NT) % NC }, { out });
      k++;
    }, 4);
    console.log(
      `Zstd1 stitched plane from disk, reused output plane: ${zp.wall.toFixed(0)} ms wall = ${mbps(outBytes, zp.wall)} MB/s of output pixels; CPU ${zp.cpu.toFixed(0)} ms = ${mbps(outBytes, zp.cpu)} MB/s per CPU second`,
    );
    await src.close?.();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Whether zstd-napi resolves from this package and its native build exists. */
function zstdNapiBuilt(): boolean {
  try {
    const js = createRequire(import.meta.url).resolve(ZSTD_NAPI_BINDING);
    return existsSync(path.join(path.dirname(js), "build", "Release"));
  } catch {
    return false;
  }
}
