/**
 * `hyped convert <file.czi...> --out <dir>`: CZI acquisitions → one HDF5 frame file per (condition,
 * replicate, time) plus `dataset.json` (see `@hyped/imaging` docs/frames.md).
 */
import { convertCziToFrames, type FrameAxes } from "@hyped/imaging";
import type { Command } from "commander";
import { printJson, progressBar, UsageError } from "../context.js";

/** Parse `--shard i/n` (0-based i). */
export function parseShard(s: string): [number, number] {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  const i = Number(m?.[1]);
  const n = Number(m?.[2]);
  if (!m || n < 1 || i >= n) throw new UsageError(`--shard expects i/n with 0 <= i < n (0-based, e.g. 0/4), got ${JSON.stringify(s)}`);
  return [i, n];
}

function intOption(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} expects an integer >= ${min}, got ${JSON.stringify(v)}`);
  return n;
}

/** Register `hyped convert`. */
export function convertCommand(program: Command): void {
  program
    .command("convert")
    .description("convert CZI files into HDF5 frame files (one per condition, replicate and time) with a dataset.json manifest")
    .argument("<files...>", "CZI files")
    .requiredOption("--out <dir>", "output folder (created; an interrupted run resumes there)")
    .option(
      "--scenes <map.json>",
      'scene → condition/replicate map ({"scene index or name": {"condition": "...", "replicate": 1}}); default: inferred from scene names',
    )
    .option("--workers <n>", "worker threads (default: number of cores; 0 = no threads)")
    .option("--shard <i/n>", "convert only shard i (0-based) of n disjoint frame sets, for cluster array jobs")
    .option("--compression <kind>", "gzip or none", "gzip")
    .option("--level <n>", "gzip level 0-9", "1")
    .option("--axes <order>", "on-disk axis order: CYX or CXY (the HYPED release's)", "CYX")
    .option("--channels <names>", "comma-separated channel names to convert, in order (default: all)")
    .option("--z <index>", "Z plane to convert", "0")
    .option("--no-source-checksum", "do not hash the CZI files")
    .option("--json", "print the result as JSON")
    .action(
      async (
        files: string[],
        opts: {
          out: string;
          scenes?: string;
          workers?: string;
          shard?: string;
          compression: string;
          level: string;
          axes: string;
          channels?: string;
          z: string;
          sourceChecksum: boolean;
          json?: boolean;
        },
      ) => {
        if (opts.compression !== "gzip" && opts.compression !== "none")
          throw new UsageError(`--compression must be gzip or none, got ${opts.compression}`);
        if (opts.axes !== "CYX" && opts.axes !== "CXY") throw new UsageError(`--axes must be CYX or CXY, got ${opts.axes}`);
        const level = intOption("--level", opts.level, 0);
        if (level !== undefined && level > 9) throw new UsageError(`--level must be 0-9, got ${level}`);
        const workers = intOption("--workers", opts.workers, 0);
        const bar = progressBar("convert", !opts.json && process.stderr.isTTY === true);
        try {
          const r = await convertCziToFrames(files, opts.out, {
            ...(opts.scenes ? { scenes: opts.scenes } : {}),
            ...(workers !== undefined ? { workers } : {}),
            ...(opts.shard ? { shard: parseShard(opts.shard) } : {}),
            compression: opts.compression,
            ...(level !== undefined ? { level } : {}),
            axes: opts.axes as FrameAxes,
            ...(opts.channels ? { channels: opts.channels.split(",").map((s) => s.trim()) } : {}),
            z: intOption("--z", opts.z, 0) ?? 0,
            sourceChecksum: opts.sourceChecksum,
            onProgress: (e) => bar.onProgress({ ...e, unit: `frames, ${e.mbPerSecond.toFixed(1)} MB/s` }),
          });
          bar.stop();
          const summary = {
            out: opts.out,
            manifest: r.manifestPath,
            total: r.total,
            converted: r.converted,
            skipped: r.skipped,
            bytesWritten: r.bytesWritten,
            seconds: Number(r.seconds.toFixed(3)),
            conditions: r.manifest.conditions,
            replicates: r.manifest.replicates,
            times: r.manifest.times.length,
            channels: r.manifest.channels,
            shape: r.manifest.shape,
          };
          if (opts.json) printJson(summary);
          else {
            process.stdout.write(
              `${r.converted} frames converted, ${r.skipped} already present (of ${r.total}) in ${r.seconds.toFixed(1)} s; ` +
                `${(r.bytesWritten / 1e6).toFixed(1)} MB written; manifest ${r.manifestPath}\n`,
            );
          }
        } finally {
          bar.stop();
        }
      },
    );
}
