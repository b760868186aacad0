/**
 * `hyped czi plane <file.czi>`: write one stitched plane as .npy or .tif and print its summary; and the `.czi`
 * inspector for `hyped inspect`.
 */
import { writeFile } from "node:fs/promises";
import { fromTyped, type NumericTypedArray, writeNpy } from "@hyped/core";
import { type CziFile, encodePlaneTiff, openCzi } from "@hyped/imaging";
import type { Command } from "commander";
import { printJson, progressBar, UsageError } from "../context.js";
import { registerInspector } from "./inspect.js";

/** The `hyped inspect x.czi --json` object. */
export async function cziSummary(czi: CziFile): Promise<Record<string, unknown>> {
  const dims: Record<string, [number, number]> = {};
  for (const [l, d] of Object.entries(czi.dims)) dims[l] = [d.start, d.size];
  const bb = czi.boundingBox;
  const scenes: Record<string, { bbox: [number, number, number, number]; name: string | null }> = {};
  for (const [s, r] of czi.sceneBoundingBoxes) scenes[String(s)] = { bbox: [r.x, r.y, r.w, r.h], name: czi.metadata.sceneNames[s] ?? null };
  const ts = await czi.readTimestamps();
  return {
    version: czi.version,
    pixel_types: czi.pixelTypes,
    compressions: czi.compressions,
    dims,
    bbox_layer0: bb ? [bb.x, bb.y, bb.w, bb.h] : null,
    scenes,
    n_subblocks: czi.subblocks.length,
    n_pyramid_subblocks: czi.pyramidSubblockCount,
    channels: czi.metadata.channels.map((c) => ({ name: c.name ?? null, fluor: c.fluor ?? null, color: c.color ?? null })),
    scaling_m: czi.metadata.scaling,
    acquisition_time: czi.metadata.acquisitionTime ?? null,
    timestamps_s: ts ? Array.from(ts) : null,
    attachments: czi.attachments.map((a) => ({ name: a.name, type: a.type, size: a.size })),
    application: czi.metadata.application ?? null,
    component_bit_count: czi.metadata.componentBitCount ?? null,
  };
}

async function withCzi<T>(path: string, fn: (czi: CziFile) => Promise<T>): Promise<T> {
  const czi = await openCzi(path);
  try {
    return await fn(czi);
  } finally {
    await czi.close();
  }
}

registerInspector({
  name: "czi",
  match: (p) => p.toLowerCase().endsWith(".czi"),
  json: (p) => withCzi(p, cziSummary),
  text: (p) =>
    withCzi(p, async (czi) => {
      const s = await cziSummary(czi);
      const dims = Object.entries(s.dims as Record<string, [number, number]>)
        .map(([l, [a, n]]) => `${l}=${n}${a ? `@${a}` : ""}`)
        .join(" ");
      const lines = [
        `${p}: CZI ${s.version}, ${s.n_subblocks} subblocks (${s.n_pyramid_subblocks} pyramid), ${JSON.stringify(s.pixel_types)}, ${JSON.stringify(s.compressions)}`,
        `  dims ${dims}`,
        `  layer-0 bbox ${JSON.stringify(s.bbox_layer0)}; scenes ${Object.keys(s.scenes as object).length}`,
        `  channels ${czi.metadata.channels.map((c) => `${c.name ?? "?"}${c.color ? ` ${c.color}` : ""}`).join(", ") || "-"}`,
        `  scaling (m) ${JSON.stringify(s.scaling_m)}; acquired ${s.acquisition_time ?? "-"}`,
        `  attachments ${czi.attachments.map((a) => `${a.name} (${a.type}, ${a.size} B)`).join(", ") || "-"}`,
      ];
      return lines.join("\n");
    }),
});

function intOpt(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new UsageError(`--${name} must be an integer, got ${JSON.stringify(v)}`);
  return n;
}

/** Summary printed by `hyped czi plane`. */
export function planeSummary(data: NumericTypedArray, shape: number[], origin: [number, number]) {
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const rowLen = shape.slice(1).reduce((a, b) => a * b, 1);
  return { shape, origin, sum, min, max, first_row_first8: Array.from(data.subarray(0, Math.min(8, rowLen))) };
}

/** Register `hyped czi`. */
export function cziCommand(program: Command): void {
  const czi = program.command("czi").description("Zeiss CZI files");
  czi
    .command("plane")
    .description("write one stitched plane (scene, T, C, Z) as .npy or .tif and print {shape, origin, sum, min, max, first_row_first8}")
    .argument("<file>", "the .czi file")
    .option("--scene <S>", "scene index (default: the first)")
    .option("--t <T>", "time index (default: the first)")
    .option("--c <C>", "channel index (default: the first)")
    .option("--z <Z>", "z index (default: the first)")
    .option("--region <x,y,w,h>", "read only this rectangle, relative to the scene's bounding box")
    .option("--zoom <f>", "scale factor in (0, 1]; uses pyramid subblocks where they exist, else downscales layer 0")
    .option("--layer <k>", "read pyramid layer k alone (0 = full resolution)")
    .option("--out <path>", "output file: .npy (numpy) or .tif/.tiff")
    .option("--json", "print machine-readable JSON")
    .action(async (file: string, opts: Record<string, string | boolean | undefined>) => {
      const out = opts.out as string | undefined;
      if (out !== undefined && !/\.(npy|tiff?)$/i.test(out)) throw new UsageError(`--out must end in .npy, .tif or .tiff, got ${out}`);
      let region: { x: number; y: number; w: number; h: number } | undefined;
      if (typeof opts.region === "string") {
        const p = opts.region.split(",").map(Number);
        if (p.length !== 4 || !p.every(Number.isInteger)) throw new UsageError(`--region must be x,y,w,h integers, got ${opts.region}`);
        region = { x: p[0] as number, y: p[1] as number, w: p[2] as number, h: p[3] as number };
      }
      const zoom = opts.zoom === undefined ? undefined : Number(opts.zoom);
      if (zoom !== undefined && !(zoom > 0 && zoom <= 1)) throw new UsageError(`--zoom must be in (0, 1], got ${opts.zoom}`);
      const layer = intOpt(opts.layer as string | undefined, "layer");
      if (layer !== undefined && (layer < 0 || zoom !== undefined)) throw new UsageError("--layer must be >= 0, and not given with --zoom");
      const coords: Record<string, number> = {};
      for (const [k, l] of [
        ["scene", "S"],
        ["t", "T"],
        ["c", "C"],
        ["z", "Z"],
      ] as const) {
        const v = intOpt(opts[k] as string | undefined, k);
        if (v !== undefined) coords[l] = v;
      }
      const bar = progressBar("plane", !opts.json && process.stderr.isTTY === true);
      const summary = await withCzi(file, async (c) => {
        const plane = await c.readPlane(coords, {
          ...(region ? { region } : {}),
          ...(zoom !== undefined ? { zoom } : {}),
          ...(layer !== undefined ? { layer } : {}),
          onProgress: bar.onProgress,
        });
        bar.stop();
        if (out) {
          if (/\.npy$/i.test(out)) await writeFile(out, writeNpy(fromTyped(plane.data, plane.shape)));
          else {
            const [h, w, s] = plane.shape as [number, number, number?];
            await writeFile(out, encodePlaneTiff(plane.data, w, h, s ?? 1));
          }
        }
        return {
          ...planeSummary(plane.data, plane.shape, plane.origin),
          coords: plane.coords,
          pixel_type: plane.pixelType,
          zoom: plane.zoom,
          ...(out ? { out } : {}),
        };
      });
      if (opts.json) printJson(summary);
      else
        process.stdout.write(
          `plane ${JSON.stringify(summary.coords)} ${summary.pixel_type} shape ${summary.shape.join("x")} at (${summary.origin.join(", ")}): sum ${summary.sum}, min ${summary.min}, max ${summary.max}, first row ${summary.first_row_first8.join(",")}${out ? ` -> ${out}` : ""}\n`,
        );
    });
}
