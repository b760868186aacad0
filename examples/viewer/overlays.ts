/**
 * Overlays computed in the page from the planes shown: nuclei (`segmentFrame` on the chosen nuclear channels),
 * FUCCI phase per nucleus (`classifyCellCycle` on the chosen red and green reporters, outlines in the shared
 * phase palette of `@hyped/core/plot`), and tracks (`trackCells` over every time point: id labels, tails of the
 * last frames, and lineage links from a dividing parent to its daughters).
 */
import type { SegmentFrameResult, TrackingResult } from "@hyped/imaging";
import type { LoadedPlanes } from "./sources.js";

/** Which overlays to draw, and the channels they use. */
export interface OverlayOptions {
  outlines: boolean;
  phases: boolean;
  tracks: boolean;
  lineage: boolean;
  /** Channel names of the FUCCI reporters (red: G1, green: S/G2/M); also the nuclear channels segmented. */
  red: string;
  green: string;
}

/** One segmented time point. */
export interface Segmented {
  result: SegmentFrameResult;
  /** Phase name per object (empty without two reporters). */
  phase: string[];
  /** Outline pixels drawn as an RGBA canvas (object colour: its phase, else yellow). */
  outline: HTMLCanvasElement;
  outlineKey: string;
}

const OUTLINE = "#ffe600";

export class Analysis {
  readonly frames = new Map<number, Segmented>();
  tracking: TrackingResult | undefined;

  constructor(readonly channelNames: string[]) {}

  /** Segment (once per time point and reporter choice) and call phases. */
  async segment(ti: number, planes: LoadedPlanes, o: OverlayOptions): Promise<Segmented> {
    const key = `${o.red}|${o.green}`;
    const have = this.frames.get(ti);
    if (have && have.outlineKey === key) return have;
    const { segmentFrame, classifyCellCycle } = await import("@hyped/imaging");
    const { phaseColour } = await import("@hyped/core/plot");
    const nuclear = [...new Set([o.red, o.green])];
    const result = segmentFrame(planes.stack, { channelNames: this.channelNames, nuclearChannels: nuclear, measureChannels: nuclear });
    let phase: string[] = [];
    if (o.red !== o.green && result.objects.id.length > 0) {
      const calls = classifyCellCycle({ meanIntensity: result.objects.meanIntensity }, { redChannel: o.red, greenChannel: o.green });
      phase = Array.from(calls.phase, (p) => calls.phases[p] as string);
    }
    const colourOf = new Map<number, string>();
    result.objects.id.forEach((id, k) => {
      colourOf.set(id, phase[k] ? phaseColour(phase[k]) : OUTLINE);
    });
    const seg: Segmented = { result, phase, outline: outlineCanvas(result, colourOf), outlineKey: key };
    this.frames.set(ti, seg);
    return seg;
  }

  /** Track over every time point (segmenting those not done yet through `load`). */
  async track(
    nT: number,
    load: (ti: number) => Promise<LoadedPlanes>,
    o: OverlayOptions,
    progress: (t: number) => void,
  ): Promise<TrackingResult> {
    const { trackCells } = await import("@hyped/imaging");
    const objects = [];
    for (let ti = 0; ti < nT; ti++) {
      progress(ti);
      const seg = this.frames.get(ti) ?? (await this.segment(ti, await load(ti), o));
      objects.push(seg.result.objects);
    }
    this.tracking = trackCells(objects);
    return this.tracking;
  }

  /** The painter for time point `ti`. */
  painter(ti: number, o: OverlayOptions): (ctx: CanvasRenderingContext2D, zoom: number) => void {
    return (ctx, zoom) => {
      const seg = this.frames.get(ti);
      if (seg && (o.outlines || o.phases)) ctx.drawImage(seg.outline, 0, 0);
      const tr = this.tracking;
      if (!tr || !(o.tracks || o.lineage)) return;
      const { tracks, lineage } = tr;
      ctx.lineWidth = 1.5 / zoom;
      ctx.font = `${12 / zoom}px system-ui, sans-serif`;
      // rows are sorted by track then frame
      for (let i = 0; i < tracks.trackId.length; i++) {
        const id = tracks.trackId[i] as number;
        const f = tracks.frame[i] as number;
        const next = i + 1 < tracks.trackId.length && tracks.trackId[i + 1] === id ? i + 1 : -1;
        if (o.tracks && next >= 0 && (tracks.frame[next] as number) <= ti && f >= ti - 10) {
          ctx.strokeStyle = "rgba(0, 200, 255, 0.9)";
          ctx.beginPath();
          ctx.moveTo(tracks.x[i] as number, tracks.y[i] as number);
          ctx.lineTo(tracks.x[next] as number, tracks.y[next] as number);
          ctx.stroke();
        }
        if (o.tracks && f === ti) {
          ctx.fillStyle = "#fff";
          ctx.fillText(String(id), (tracks.x[i] as number) + 3 / zoom, (tracks.y[i] as number) - 3 / zoom);
        }
      }
      if (!o.lineage) return;
      // a division: the parent's last position linked to each daughter's first, drawn once the daughter exists
      const first = new Map<number, number>();
      const last = new Map<number, number>();
      for (let i = 0; i < tracks.trackId.length; i++) {
        const id = tracks.trackId[i] as number;
        if (!first.has(id)) first.set(id, i);
        last.set(id, i);
      }
      ctx.strokeStyle = "#ff40ff";
      for (let k = 0; k < lineage.id.length; k++) {
        const parent = lineage.parent[k] as number;
        if (parent === 0 || (lineage.start[k] as number) > ti) continue;
        const a = last.get(parent);
        const b = first.get(lineage.id[k] as number);
        if (a === undefined || b === undefined) continue;
        ctx.beginPath();
        ctx.moveTo(tracks.x[a] as number, tracks.y[a] as number);
        ctx.lineTo(tracks.x[b] as number, tracks.y[b] as number);
        ctx.stroke();
        ctx.beginPath();
        ctx.arc(tracks.x[a] as number, tracks.y[a] as number, 4 / zoom, 0, 2 * Math.PI);
        ctx.stroke();
      }
    };
  }
}

/** Outline pixels (a labelled pixel with a differently labelled 4-neighbour) painted in their object's colour. */
function outlineCanvas(seg: SegmentFrameResult, colourOf: Map<number, string>): HTMLCanvasElement {
  const [h, w] = seg.labels.shape as [number, number];
  const L = seg.labels.data as Int32Array;
  const canvas = document.createElement("canvas");
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext("2d") as CanvasRenderingContext2D;
  const img = ctx.createImageData(w, h);
  const rgb = new Map<number, number[]>();
  for (const [id, css] of colourOf)
    rgb.set(
      id,
      [1, 3, 5].map((i) => Number.parseInt(css.slice(i, i + 2), 16)),
    );
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const l = L[i] as number;
      if (l <= 0) continue;
      const edge = x === 0 || x === w - 1 || y === 0 || y === h - 1 || L[i - 1] !== l || L[i + 1] !== l || L[i - w] !== l || L[i + w] !== l;
      if (!edge) continue;
      const c = rgb.get(l) ?? [255, 230, 0];
      img.data.set([c[0] as number, c[1] as number, c[2] as number, 255], 4 * i);
    }
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}
