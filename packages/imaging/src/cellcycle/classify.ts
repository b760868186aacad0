/**
 * FUCCI cell-cycle calls from nuclear reporter intensities: per-channel thresholds (Otsu over the objects'
 * mean intensities, or user-set), a channel→phase mapping, and an optional per-track smoothing that makes
 * calls follow the order of the cycle.
 */
import { fromTyped, HypedError } from "@hyped/core";
import { thresholdOtsu } from "../filters/threshold.js";
import { CELL_CYCLE_PHASES, PHASE_EARLY_G1, PHASE_G1, PHASE_G1S, PHASE_SG2M } from "./phases.js";

/**
 * Which reporter marks which phase.
 * - `'incucyte'` (default): the Incucyte Cell Cycle reporter biology — Cdt1–mKate2 (red) accumulates in
 *   G1 and Geminin–TagGFP2 (green) in S/G2/M; both = G1/S; neither = early G1 (or unknown).
 * - `'paper'`: the assignment written in the HYPED paper's text, the other way round (TagGFP = G1,
 *   mKate = S/G2/M). Offered so the paper's figures can be reproduced as printed.
 */
export type PhaseMapping = "incucyte" | "paper";

/** Options of {@link classifyCellCycle}. */
export interface ClassifyCellCycleOptions {
  /** Name of the mKate2 (red) column in `meanIntensity` (or top level). Default `'mKate'`. */
  redChannel?: string;
  /** Name of the TagGFP2 (green) column. Default `'TagGFP'`. */
  greenChannel?: string;
  /** Red threshold: a number (intensity units) or `'otsu'` (default) over the objects' red means. */
  redThreshold?: number | "otsu";
  /** Green threshold: a number or `'otsu'` (default). */
  greenThreshold?: number | "otsu";
  /** Bins of the Otsu histogram (scikit-image's `threshold_otsu(nbins=256)`). Default 256. */
  nbins?: number;
  /** Channel→phase mapping. Default `'incucyte'`. */
  mapping?: PhaseMapping;
  /**
   * Per-track smoothing: give each object's track id and frame (same length as the objects). Calls along a
   * track are replaced by the most probable phase sequence (Viterbi) under a left-to-right cycle model:
   * stay, advance one phase, skip one phase, or restart at early G1 after S/G2/M (a division when tracks
   * are not split at mitosis), with per-frame call error `errorRate`.
   */
  smooth?: { trackId: ArrayLike<number>; frame: ArrayLike<number>; errorRate?: number; switchProbability?: number };
}

/** The result of {@link classifyCellCycle}. */
export interface CellCycleCalls {
  /** Phase code per object (index into `phases`). */
  phase: Uint8Array;
  /** Phase names, indexed by code. */
  phases: typeof CELL_CYCLE_PHASES;
  /** The thresholds used, intensity units. */
  thresholds: { red: number; green: number };
  /** The mapping used. */
  mapping: PhaseMapping;
  /** Calls before smoothing (equal to `phase` without `smooth`). */
  raw: Uint8Array;
}

type IntensityTable = { meanIntensity?: Record<string, ArrayLike<number>> } & Record<string, unknown>;

function column(objects: IntensityTable, name: string): ArrayLike<number> {
  const c = objects.meanIntensity?.[name] ?? (objects[name] as ArrayLike<number> | undefined);
  if (!c || typeof (c as ArrayLike<number>).length !== "number") {
    throw new HypedError("NOT_FOUND", `classifyCellCycle: no intensity column "${name}"`, {
      channel: name,
      available: Object.keys(objects.meanIntensity ?? objects),
    });
  }
  return c;
}

function otsuOf(values: ArrayLike<number>, nbins: number, what: string): number {
  if (values.length === 0)
    throw new HypedError("INVALID_ARGUMENT", `classifyCellCycle: no objects to compute the ${what} Otsu threshold`, {});
  const v = Float64Array.from(values);
  return thresholdOtsu(fromTyped(v, [1, v.length]), { nbins });
}

/**
 * Call a FUCCI phase per object from its nuclear mean intensities: early-G1/unknown, G1, G1/S or S/G2/M
 * (codes of `CELL_CYCLE_PHASES`). A reporter is "on" when its mean is above its threshold (`>` as
 * scikit-image's `image > threshold_otsu(image)`). `objects` is a `segmentFrame` object table (with
 * `meanIntensity`) or any table with the two channel columns.
 */
export function classifyCellCycle(objects: IntensityTable, options: ClassifyCellCycleOptions = {}): CellCycleCalls {
  const red = column(objects, options.redChannel ?? "mKate");
  const green = column(objects, options.greenChannel ?? "TagGFP");
  if (red.length !== green.length) {
    throw new HypedError("SHAPE_MISMATCH", `classifyCellCycle: red has ${red.length} objects, green ${green.length}`, {});
  }
  const mapping = options.mapping ?? "incucyte";
  if (mapping !== "incucyte" && mapping !== "paper")
    throw new HypedError("INVALID_ARGUMENT", `unknown phase mapping "${mapping as string}"`, { mapping });
  const nbins = options.nbins ?? 256;
  const rt = options.redThreshold ?? "otsu";
  const gt = options.greenThreshold ?? "otsu";
  const tr = rt === "otsu" ? otsuOf(red, nbins, "red") : rt;
  const tg = gt === "otsu" ? otsuOf(green, nbins, "green") : gt;
  if (!Number.isFinite(tr) || !Number.isFinite(tg))
    throw new HypedError("INVALID_ARGUMENT", "classifyCellCycle: thresholds must be finite", { red: tr, green: tg });
  const n = red.length;
  const raw = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const r = (red[i] as number) > tr;
    const g = (green[i] as number) > tg;
    // G1 marker and S/G2/M marker under the chosen mapping
    const g1 = mapping === "incucyte" ? r : g;
    const s = mapping === "incucyte" ? g : r;
    raw[i] = g1 && s ? PHASE_G1S : g1 ? PHASE_G1 : s ? PHASE_SG2M : PHASE_EARLY_G1;
  }
  let phase: Uint8Array = raw;
  if (options.smooth) phase = smoothAlongTracks(raw, options.smooth);
  return { phase, phases: CELL_CYCLE_PHASES, thresholds: { red: tr, green: tg }, mapping, raw };
}

/**
 * Viterbi smoothing of phase calls along tracks (see {@link ClassifyCellCycleOptions.smooth}). Objects
 * are grouped by track id and ordered by frame; returns new codes.
 */
export function smoothAlongTracks(
  calls: Uint8Array,
  opts: { trackId: ArrayLike<number>; frame: ArrayLike<number>; errorRate?: number; switchProbability?: number },
): Uint8Array {
  const n = calls.length;
  if (opts.trackId.length !== n || opts.frame.length !== n) {
    throw new HypedError("SHAPE_MISMATCH", `smoothing needs trackId and frame for each of the ${n} objects`, {
      trackId: opts.trackId.length,
      frame: opts.frame.length,
    });
  }
  const eps = opts.errorRate ?? 0.1;
  const sw = opts.switchProbability ?? 0.1;
  if (!(eps > 0 && eps < 0.75) || !(sw > 0 && sw < 1)) {
    throw new HypedError("INVALID_ARGUMENT", "errorRate must be in (0, 0.75) and switchProbability in (0, 1)", {
      errorRate: eps,
      switchProbability: sw,
    });
  }
  const S = 4;
  // transition log-probabilities: stay, +1, +2 (skip), restart after S/G2/M
  const lt = Array.from({ length: S }, () => new Float64Array(S).fill(Number.NEGATIVE_INFINITY));
  for (let a = 0; a < S; a++) {
    const row = lt[a] as Float64Array;
    row[a] = Math.log(1 - sw);
    const moves: [number, number][] = a < S - 1 ? [[a + 1, 0.85]] : [[PHASE_EARLY_G1, 0.85]];
    if (a < S - 2) moves.push([a + 2, 0.15]);
    else moves.push([(a + 2) % S, 0.15]);
    for (const [b, p] of moves) row[b] = Math.log(sw * p);
  }
  const le = (state: number, obs: number) => Math.log(state === obs ? 1 - eps : eps / (S - 1));
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const t = opts.trackId[i] as number;
    const g = groups.get(t);
    if (g) g.push(i);
    else groups.set(t, [i]);
  }
  const out = Uint8Array.from(calls);
  for (const idx of groups.values()) {
    idx.sort((a, b) => (opts.frame[a] as number) - (opts.frame[b] as number));
    const m = idx.length;
    const score = new Float64Array(m * S);
    const back = new Int8Array(m * S);
    for (let s = 0; s < S; s++) score[s] = Math.log(1 / S) + le(s, calls[idx[0] as number] as number);
    for (let k = 1; k < m; k++) {
      const obs = calls[idx[k] as number] as number;
      for (let s = 0; s < S; s++) {
        let best = Number.NEGATIVE_INFINITY;
        let arg = 0;
        for (let p = 0; p < S; p++) {
          const v = (score[(k - 1) * S + p] as number) + ((lt[p] as Float64Array)[s] as number);
          if (v > best) {
            best = v;
            arg = p;
          }
        }
        score[k * S + s] = best + le(s, obs);
        back[k * S + s] = arg;
      }
    }
    let s = 0;
    for (let q = 1; q < S; q++) if ((score[(m - 1) * S + q] as number) > (score[(m - 1) * S + s] as number)) s = q;
    for (let k = m - 1; k >= 0; k--) {
      out[idx[k] as number] = s;
      s = back[k * S + s] as number;
    }
  }
  return out;
}
