/**
 * `hyped frames manifest <dir>` (merge shard manifests into dataset.json), `hyped frames verify <dir>`
 * (recheck SHA-256s), and the `hyped inspect` support for frame files and frame folders.
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { HypedError } from "@hyped/core";
import { H5File } from "@hyped/core/hdf5";
import { MANIFEST_NAME, mergeManifests, openFrameStore, readFrameInfo, readManifestFile, writeManifestFile } from "@hyped/imaging";
import type { Command } from "commander";
import { printJson, progressBar, UsageError } from "../context.js";
import { registerInspector } from "./inspect.js";

const SHARD = /^dataset\.shard-(\d+)-of-(\d+)\.json$/;

async function isDir(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isDirectory() === true;
}

/** Summary of a frame folder (manifest or scanned attributes). */
export async function frameDirSummary(dir: string): Promise<Record<string, unknown>> {
  const s = await openFrameStore(dir);
  const t = s.times;
  return {
    kind: "frame store",
    root: dir,
    manifest: s.manifest !== undefined,
    conditions: s.conditions,
    replicates: s.replicates,
    times: { count: t.length, first: t[0] ?? null, last: t[t.length - 1] ?? null },
    channels: s.channels,
    shape: [s.channels.length, s.height, s.width],
    dtype: s.dtype,
    axes: s.axes,
    frames: s.entries.length,
    missing: s.missing,
    ...(s.manifest
      ? {
          compression: s.manifest.compression,
          pixelSizeM: s.manifest.pixelSizeM,
          bytes: s.manifest.frames.reduce((a, f) => a + Math.max(0, f.bytes), 0),
        }
      : {}),
  };
}

/** Summary of one frame file: shape, dtype, attributes and per-channel min/max/mean (read one channel at a time). */
export async function frameFileSummary(file: string): Promise<Record<string, unknown>> {
  const f = await H5File.open(file);
  try {
    const info = readFrameInfo(f);
    const meta = f.info(info.dataset);
    const attrs = f.attrs(info.dataset);
    const channels = info.channels.map((name, c) => {
      const a = f.read(info.dataset, { select: [[c, c + 1]] });
      const d = a.data as unknown as ArrayLike<number>;
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      let sum = 0;
      for (let i = 0; i < d.length; i++) {
        const v = d[i] as number;
        if (v < min) min = v;
        if (v > max) max = v;
        sum += v;
      }
      return { name, min, max, mean: d.length ? sum / d.length : Number.NaN };
    });
    return {
      kind: "frame",
      file,
      native: info.native,
      dataset: info.dataset,
      shape: meta.shape,
      dtype: info.dtype,
      axes: info.axes,
      chunks: meta.chunks ?? null,
      filters: meta.filters.map((x) => x.name),
      condition: info.condition,
      replicate: info.replicate,
      t: info.t,
      timeS: info.timeS,
      attributes: attrs,
      channels,
    };
  } finally {
    f.close();
  }
}

registerInspector({
  name: "frames",
  async match(p) {
    if (await isDir(p)) {
      const names = await readdir(p).catch(() => [] as string[]);
      return names.includes(MANIFEST_NAME) || names.some((n) => /\.(h5|hdf5)$/i.test(n));
    }
    if (!/\.(h5|hdf5)$/i.test(p)) return false;
    try {
      const f = await H5File.open(p);
      try {
        readFrameInfo(f);
        return true;
      } finally {
        f.close();
      }
    } catch {
      return false;
    }
  },
  json: async (p) => ((await isDir(p)) ? frameDirSummary(p) : frameFileSummary(p)),
  async text(p) {
    if (await isDir(p)) {
      const s = (await frameDirSummary(p)) as Record<string, unknown> & { times: { count: number; first: number; last: number } };
      const reps = Object.entries(s.replicates as Record<string, number[]>).map(([c, r]) => `${c} (${r.join(", ")})`);
      return [
        `${p}: frame store${s.manifest ? ` with ${MANIFEST_NAME}` : " (no manifest)"}, ${s.frames} frames`,
        `  frame: ${(s.shape as number[]).join(" x ")} (C, Y, X) ${s.dtype}, stored ${s.axes}`,
        `  channels: ${(s.channels as string[]).join(", ")}`,
        `  conditions (replicates): ${reps.join("; ")}`,
        `  times: ${s.times.count} (${s.times.first}..${s.times.last})`,
        ...((s.missing as string[]).length ? [`  missing files: ${(s.missing as string[]).join(", ")}`] : []),
      ].join("\n");
    }
    const s = (await frameFileSummary(p)) as Record<string, unknown> & {
      channels: Array<{ name: string; min: number; max: number; mean: number }>;
    };
    return [
      `${p}: ${s.native ? "HYPED frame" : "foreign frame layout"}, ${s.dataset} [${(s.shape as number[]).join(", ")}] ${s.dtype} ${s.axes}, chunks ${JSON.stringify(s.chunks)}, filters ${(s.filters as string[]).join(",") || "none"}`,
      `  condition ${s.condition || "?"} replicate ${s.replicate} t ${s.t} (${Number.isFinite(s.timeS) ? `${s.timeS} s` : "time unknown"})`,
      ...s.channels.map((c) => `  ${c.name}: min ${c.min} max ${c.max} mean ${c.mean.toFixed(3)}`),
    ].join("\n");
  },
});

/** Register `hyped frames`. */
export function framesCommand(program: Command): void {
  const frames = program.command("frames").description("frame store utilities (manifests, checksums)");
  frames
    .command("manifest")
    .description(`merge the shard manifests (dataset.shard-i-of-n.json) of a frame folder into ${MANIFEST_NAME}`)
    .argument("<dir>", "the frame folder")
    .option("--allow-partial", "write a manifest even when some shards are missing")
    .option("--json", "print the merged summary as JSON")
    .action(async (dir: string, opts: { allowPartial?: boolean; json?: boolean }) => {
      if (!(await isDir(dir))) throw new UsageError(`${dir} is not a folder`);
      const names = (await readdir(dir)).filter((n) => SHARD.test(n)).sort();
      if (names.length === 0)
        throw new HypedError("NOT_FOUND", `${dir} has no shard manifests (dataset.shard-<i>-of-<n>.json)`, { file: dir });
      const parts = await Promise.all(names.map(async (n) => ({ file: join(dir, n), manifest: await readManifestFile(join(dir, n)) })));
      const merged = mergeManifests(parts, { allowPartial: opts.allowPartial === true });
      const out = join(dir, MANIFEST_NAME);
      await writeManifestFile(out, merged);
      const summary = {
        manifest: out,
        shards: names,
        frames: merged.frames.length,
        conditions: merged.conditions,
        times: merged.times.length,
      };
      if (opts.json) printJson(summary);
      else process.stdout.write(`merged ${names.length} shard manifests: ${merged.frames.length} frames → ${out}\n`);
    });
  frames
    .command("verify")
    .description(`recompute every frame file's SHA-256 and compare with ${MANIFEST_NAME}`)
    .argument("<dir>", "the frame folder")
    .option("--json", "print the result as JSON")
    .action(async (dir: string, opts: { json?: boolean }) => {
      const s = await openFrameStore(dir);
      if (!s.manifest) throw new HypedError("NOT_FOUND", `${dir} has no ${MANIFEST_NAME} to verify against`, { file: dir });
      const bar = progressBar("verify", !opts.json && process.stderr.isTTY === true);
      const bad = await s.verify({ onProgress: bar.onProgress });
      bar.stop();
      const result = { frames: s.entries.length, mismatched: bad, missing: s.missing };
      if (opts.json) printJson(result);
      else
        process.stdout.write(
          `${s.entries.length} frames: ${bad.length} checksum mismatches, ${s.missing.length} missing\n${[...bad, ...s.missing].map((f) => `  ${f}\n`).join("")}`,
        );
      if (bad.length || s.missing.length) {
        throw new HypedError("FORMAT", `${dir}: ${bad.length} frame(s) differ from ${MANIFEST_NAME} and ${s.missing.length} are missing`, {
          mismatched: bad,
          missing: s.missing,
        });
      }
    });
}
