/**
 * `hyped convert <file.czi...> --out <dir>`: CZI acquisitions → one HDF5 frame file per (condition,
 * replicate, time) plus `dataset.json` (see `@hyped/imaging` docs/frames.md).
 */
import { join } from "node:path";
import { type ConvertOptions, type ConvertResult, convertCziToFrames, type FrameAxes, openCzi } from "@hyped/imaging";
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

/** The folder of Z plane `z` under `--z all`: `z00003`. */
export function zFolder(z: number): string {
  return `z${String(z).padStart(5, "0")}`;
}

/** The Z indices every file's subblocks hold (from the headers; UsageError when the files disagree). */
async function zRange(files: string[]): Promise<number[]> {
  let values: number[] | undefined;
  for (const f of files) {
    const czi = await openCzi(f);
    try {
      const v = czi.dims.Z ? czi.dimValues("Z") : [0];
      if (values && values.join(",") !== v.join(","))
        throw new UsageError(`--z all: ${f} has Z planes ${v.join(",")}, the first file ${values.join(",")}`);
      values = v;
    } finally {
      await czi.close();
    }
  }
  return values ?? [0];
}

/** One result for the runs of `--z all` (counts summed; the first manifest stands for the layout). */
function combine(runs: ConvertResult[]): ConvertResult {
  const first = runs[0] as ConvertResult;
  return {
    ...first,
    total: runs.reduce((a, r) => a + r.total, 0),
    converted: runs.reduce((a, r) => a + r.converted, 0),
    skipped: runs.reduce((a, r) => a + r.skipped, 0),
    bytesWritten: runs.reduce((a, r) => a + r.bytesWritten, 0),
    seconds: runs.reduce((a, r) => a + r.seconds, 0),
  };
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
    .option("--z <index>", "Z plane to convert (default: the first), or `all`: one frame store per Z in <out>/z<NNNNN>")
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
          z?: string;
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
        const zAll = opts.z === "all";
        const z = zAll ? undefined : intOption("--z", opts.z, 0);
        const bar = progressBar("convert", !opts.json && process.stderr.isTTY === true);
        try {
          const common: ConvertOptions = {
            ...(opts.scenes ? { scenes: opts.scenes } : {}),
            ...(workers !== undefined ? { workers } : {}),
            ...(opts.shard ? { shard: parseShard(opts.shard) } : {}),
            compression: opts.compression,
            ...(level !== undefined ? { level } : {}),
            axes: opts.axes as FrameAxes,
            ...(opts.channels ? { channels: opts.channels.split(",").map((s) => s.trim()) } : {}),
            sourceChecksum: opts.sourceChecksum,
            onWarning: (m) => process.stderr.write(`hyped: warning: ${m}\n`),
            onProgress: (e) => bar.onProgress({ ...e, unit: `frames, ${e.mbPerSecond.toFixed(1)} MB/s` }),
          };
          let r: ConvertResult;
          let zStores: string[] | undefined;
          if (zAll) {
            const planes = await zRange(files);
            zStores = planes.map(zFolder);
            const runs: ConvertResult[] = [];
            for (const zi of planes) runs.push(await convertCziToFrames(files, join(opts.out, zFolder(zi)), { ...common, z: zi }));
            r = combine(runs);
          } else r = await convertCziToFrames(files, opts.out, { ...common, ...(z !== undefined ? { z } : {}) });
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
            ...(r.manifest.created?.z ? { z: r.manifest.created.z } : {}),
            ...(zStores ? { zStores } : {}),
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
