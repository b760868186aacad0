/**
 * The cell-level part of the synthetic FUCCI time-lapse: nuclei that move, grow, divide and walk through
 * the cell cycle, with the truth recorded as column tables (lineage and per-frame cell states).
 * Rendering to pixels is in `render.ts`; this part never touches an image, so it also scales to the
 * tracking benchmark (thousands of cells over hundreds of frames).
 */
import { HypedError, Random } from "@hyped/core";
import { PHASE_EARLY_G1, PHASE_G1, PHASE_G1S, PHASE_SG2M } from "../cellcycle/phases.js";
import { boundaries, GREEN_LEVELS, levelAt, RED_LEVELS } from "./reporters.js";

/** Fractions of the cycle spent in each FUCCI phase (they are normalised to sum to 1). */
export interface PhaseFractions {
  /** Early G1: both reporters low (red at about half its G1 level), just after mitosis. Default 0.06. */
  earlyG1: number;
  /** G1: Cdt1 reporter (mKate2) only. Default 0.34. */
  g1: number;
  /** G1/S: both reporters. Default 0.12. */
  g1s: number;
  /** S/G2/M: Geminin reporter (TagGFP2) only. Default 0.48. */
  sg2m: number;
}

/** Options of {@link simulateFucci}. Lengths are in pixels, times in frames. */
export interface FucciSimOptions {
  /** Seed of the random stream; the same options and seed give the same simulation. Default 1. */
  seed?: number;
  /** Number of frames T. Default 20. */
  frames?: number;
  /** Field height in pixels (rows). Default 256. */
  height?: number;
  /** Field width in pixels (columns). Default 256. */
  width?: number;
  /** Number of cells at frame 0. Default 24. */
  cells?: number;
  /** Mean nuclear radius at birth, px (the area doubles over the cycle). Default 7. */
  nuclearRadius?: number;
  /** Log-normal spread of the birth radius between cells. Default 0.08. */
  radiusSpread?: number;
  /** Range of the major/minor axis ratio of the nuclear ellipse. Default [1, 1.3]. */
  aspect?: [number, number];
  /** RMS displacement per axis per frame of the random walk, px. Default 1.2. */
  speed?: number;
  /** Velocity persistence between frames (0 = Brownian, → 1 = straight lines). Default 0.6. */
  persistence?: number;
  /** Mean cell-cycle length, frames. Default 30. */
  cycleFrames?: number;
  /** Relative spread (SD/mean) of the cycle length. Default 0.1. */
  cycleSpread?: number;
  /** Phase occupancy of the cycle. Default {@link DEFAULT_PHASE_FRACTIONS}. */
  phaseFractions?: Partial<PhaseFractions>;
  /** Fraction of newborn cells (and of the cells at frame 0) that arrest and never divide. Default 0. */
  arrestFraction?: number;
  /** The phase an arrested cell stays in (it stops in the middle of it). Default "G1". */
  arrestPhase?: "G1" | "S/G2/M";
  /** Minimum free gap between two nuclear outlines, px (cells push each other apart). Default 3. */
  gap?: number;
  /** Minimum distance of a nuclear outline from the field border, px. Default 2. */
  margin?: number;
  /** Log-normal spread of the per-cell reporter brightness. Default 0.12. */
  brightnessSpread?: number;
  /** Hours between frames, used only for the time column of the truth. Default 1. */
  frameIntervalHours?: number;
}

/** The default phase occupancy (Incucyte-like, about 24 h cycle). */
export const DEFAULT_PHASE_FRACTIONS: PhaseFractions = { earlyG1: 0.06, g1: 0.34, g1s: 0.12, sg2m: 0.48 };

/**
 * Ready-made conditions for multi-condition demos: each differs in proliferation and phase occupancy.
 * Merge one into the options of {@link simulateFucci} (with a different seed per condition).
 */
export const FUCCI_CONDITION_PRESETS: Readonly<Record<string, FucciSimOptions>> = {
  /** Cycling cells. */
  control: { cycleFrames: 24 },
  /** Slower cycle with a longer G1. */
  slow: { cycleFrames: 36, phaseFractions: { earlyG1: 0.06, g1: 0.49, g1s: 0.1, sg2m: 0.35 } },
  /** Half of the cells arrest in G1 (e.g. a CDK4/6 inhibitor). */
  "g1-arrest": { cycleFrames: 26, arrestFraction: 0.5, arrestPhase: "G1" },
  /** Half of the cells arrest in S/G2/M (e.g. a DNA-damage response). */
  "g2m-arrest": { cycleFrames: 26, arrestFraction: 0.5, arrestPhase: "S/G2/M" },
};

/** The lineage of a simulation, one row per track (CTC `L B E P` plus generation). */
export interface FucciLineage {
  /** Track id, 1-based (also the label value in the rendered truth masks). */
  id: Int32Array;
  /** Parent track id, 0 for none. */
  parent: Int32Array;
  /** First frame. */
  start: Int32Array;
  /** Last frame (inclusive). */
  end: Int32Array;
  /** 0 for cells present at frame 0 and their unrelated peers, parent's + 1 for daughters. */
  generation: Int32Array;
  /** 1 if the track ends by dividing (inside the movie), else 0. */
  divides: Uint8Array;
  /** 1 if the cell is arrested (never divides). */
  arrested: Uint8Array;
}

/** Per-frame cell states, one row per (track, frame), sorted by frame then track id. */
export interface FucciCells {
  /** Track id (label value in the truth masks). */
  trackId: Int32Array;
  /** Frame index. */
  frame: Int32Array;
  /** Time in hours (frame × frameIntervalHours). */
  timeHours: Float64Array;
  /** Centre column, px. */
  x: Float64Array;
  /** Centre row, px. */
  y: Float64Array;
  /** Semi-major axis, px. */
  major: Float64Array;
  /** Semi-minor axis, px. */
  minor: Float64Array;
  /** Angle of the major axis from the +x (column) axis, radians. */
  angle: Float64Array;
  /** Cycle progress in [0, 1). */
  progress: Float64Array;
  /** True phase code (see `CELL_CYCLE_PHASES`). */
  phase: Uint8Array;
  /** Distance in frames to the nearest phase change (including birth and division). */
  transitionDistance: Float64Array;
  /** Cdt1–mKate2 level, relative (1 = a typical G1 nucleus). */
  red: Float64Array;
  /** Geminin–TagGFP2 level, relative (1 = a typical late S/G2/M nucleus). */
  green: Float64Array;
  /** Far-red (Cy5) nuclear level, relative. */
  farRed: Float64Array;
}

/** A finished simulation: options, lineage and per-frame states. */
export interface FucciSimulation {
  /** The options with every default filled in. */
  options: Required<Omit<FucciSimOptions, "phaseFractions">> & { phaseFractions: PhaseFractions };
  /** Frames T. */
  frames: number;
  /** Field height, px. */
  height: number;
  /** Field width, px. */
  width: number;
  /** One row per track. */
  lineage: FucciLineage;
  /** One row per (track, frame). */
  cells: FucciCells;
  /** Rows of frame t in `cells` are `[frameOffsets[t], frameOffsets[t + 1])`. */
  frameOffsets: Int32Array;
}

interface Cell {
  id: number;
  x: number;
  y: number;
  vx: number;
  vy: number;
  age: number;
  cycle: number;
  r0: number;
  aspect: number;
  angle: number;
  redGain: number;
  greenGain: number;
  farRedGain: number;
  arrested: boolean;
}

/**
 * Simulate a FUCCI time-lapse at the cell level, with known truth: nuclei on a persistent random walk that
 * push each other apart, grow (area doubles over the cycle), divide into two daughters placed either side
 * of the mother along its major axis, and walk through early G1 → G1 → G1/S → S/G2/M with Incucyte-like
 * reporter levels (Cdt1–mKate2 high in G1, Geminin–TagGFP2 high in S/G2/M, both in G1/S, both low in early
 * G1). Cells stay inside the field, so every track start is frame 0 or a birth by division.
 *
 * Deterministic for a given seed. Render pixels with `renderFucciFrame` or `generateFucciTimelapse`.
 * Throws `INVALID_ARGUMENT` for impossible options (e.g. more cells than fit in the field).
 */
export function simulateFucci(options: FucciSimOptions = {}): FucciSimulation {
  const o = resolveSimOptions(options);
  const sim = newSim(o);
  let alive = placeCells(sim);
  const rows = newCellRows();
  const frameOffsets = new Int32Array(o.frames + 1);
  for (let t = 0; t < o.frames; t++) {
    frameOffsets[t] = rows.trackId.length;
    recordFrame(sim, alive, t, rows);
    if (t === o.frames - 1) break;
    alive = stepCells(sim, alive, t);
    relax(alive, o.gap, sim.maxRadius);
    keepInField(sim, alive);
  }
  frameOffsets[o.frames] = rows.trackId.length;
  const { lineage, cells } = toTables(sim, rows);
  return { options: o, frames: o.frames, height: o.height, width: o.width, lineage, cells, frameOffsets };
}

type SimParams = FucciSimulation["options"];

/** Apply the defaults of {@link FucciSimOptions}; throw `INVALID_ARGUMENT` for impossible values. */
function resolveSimOptions(options: FucciSimOptions): SimParams {
  const o = {
    seed: options.seed ?? 1,
    frames: options.frames ?? 20,
    height: options.height ?? 256,
    width: options.width ?? 256,
    cells: options.cells ?? 24,
    nuclearRadius: options.nuclearRadius ?? 7,
    radiusSpread: options.radiusSpread ?? 0.08,
    aspect: options.aspect ?? ([1, 1.3] as [number, number]),
    speed: options.speed ?? 1.2,
    persistence: options.persistence ?? 0.6,
    cycleFrames: options.cycleFrames ?? 30,
    cycleSpread: options.cycleSpread ?? 0.1,
    phaseFractions: { ...DEFAULT_PHASE_FRACTIONS, ...(options.phaseFractions ?? {}) },
    arrestFraction: options.arrestFraction ?? 0,
    arrestPhase: options.arrestPhase ?? "G1",
    gap: options.gap ?? 3,
    margin: options.margin ?? 2,
    brightnessSpread: options.brightnessSpread ?? 0.12,
    frameIntervalHours: options.frameIntervalHours ?? 1,
  } satisfies FucciSimulation["options"];
  const bad = (what: string, v: unknown) =>
    new HypedError("INVALID_ARGUMENT", `simulateFucci: invalid ${what}: ${String(v)}`, { [what]: v });
  if (!Number.isInteger(o.frames) || o.frames < 1) throw bad("frames", o.frames);
  if (!Number.isInteger(o.height) || o.height < 8) throw bad("height", o.height);
  if (!Number.isInteger(o.width) || o.width < 8) throw bad("width", o.width);
  if (!Number.isInteger(o.cells) || o.cells < 0) throw bad("cells", o.cells);
  if (!(o.nuclearRadius > 0.5)) throw bad("nuclearRadius", o.nuclearRadius);
  if (!(o.cycleFrames >= 2)) throw bad("cycleFrames", o.cycleFrames);
  if (!(o.persistence >= 0 && o.persistence < 1)) throw bad("persistence", o.persistence);
  if (!(o.arrestFraction >= 0 && o.arrestFraction <= 1)) throw bad("arrestFraction", o.arrestFraction);
  const pf = o.phaseFractions;
  if (![pf.earlyG1, pf.g1, pf.g1s, pf.sg2m].every((v) => v >= 0) || pf.earlyG1 + pf.g1 + pf.g1s + pf.sg2m <= 0) {
    throw bad("phaseFractions", JSON.stringify(pf));
  }
  return o;
}

/** The simulation state shared by the stages: options, phase boundaries, the random stream, lineage rows. */
interface Sim {
  o: SimParams;
  bnd: [number, number, number];
  rng: Random;
  lin: { id: number[]; parent: number[]; start: number[]; end: number[]; gen: number[]; div: number[]; arr: number[] };
  newCycle: () => number;
  newR0: () => number;
  newAspect: () => number;
  arrestAge: (c: Cell) => number;
  maxRadius: (c: Cell) => number;
  addTrack: (parent: number, start: number, gen: number, arrested: boolean) => number;
}

/** Start a simulation: seed the stream and define the per-cell draws (cycle length, radius, aspect). */
function newSim(o: SimParams): Sim {
  const bnd = boundaries(o.phaseFractions);
  const rng = new Random(o.seed, 0x5eed);
  const newCycle = () => Math.max(2, Math.round(o.cycleFrames * Math.exp(rng.normal(0, o.cycleSpread))));
  const newR0 = () => o.nuclearRadius * Math.exp(rng.normal(0, o.radiusSpread));
  const newAspect = () => rng.uniform(o.aspect[0], o.aspect[1]);
  const arrestAge = (c: Cell) => {
    const [lo, hi] = o.arrestPhase === "G1" ? [bnd[0], bnd[1]] : [bnd[2], 1];
    return Math.floor(((lo + hi) / 2) * c.cycle);
  };
  const maxRadius = (c: Cell) => c.r0 * Math.sqrt(1 + Math.min(1, c.age / c.cycle)) * Math.sqrt(c.aspect);

  // lineage rows (grow as cells are born)
  const lin = {
    id: [] as number[],
    parent: [] as number[],
    start: [] as number[],
    end: [] as number[],
    gen: [] as number[],
    div: [] as number[],
    arr: [] as number[],
  };
  const addTrack = (parent: number, start: number, gen: number, arrested: boolean) => {
    lin.id.push(lin.id.length + 1);
    lin.parent.push(parent);
    lin.start.push(start);
    lin.end.push(start);
    lin.gen.push(gen);
    lin.div.push(0);
    lin.arr.push(arrested ? 1 : 0);
    return lin.id.length;
  };

  return { o, bnd, rng, lin, newCycle, newR0, newAspect, arrestAge, maxRadius, addTrack };
}

/** Initial placement of `o.cells` cells, rejecting overlaps (500 tries per cell). */
function placeCells(sim: Sim): Cell[] {
  const { o, rng, newCycle, newR0, newAspect, arrestAge, maxRadius, addTrack } = sim;
  const alive: Cell[] = [];
  for (let i = 0; i < o.cells; i++) {
    let placed = false;
    for (let attempt = 0; attempt < 500 && !placed; attempt++) {
      const cycle = newCycle();
      const arrested = rng.random() < o.arrestFraction;
      const c: Cell = {
        id: 0,
        x: 0,
        y: 0,
        vx: rng.normal(0, o.speed),
        vy: rng.normal(0, o.speed),
        age: rng.int(cycle),
        cycle,
        r0: newR0(),
        aspect: newAspect(),
        angle: rng.uniform(0, Math.PI),
        redGain: Math.exp(rng.normal(0, o.brightnessSpread)),
        greenGain: Math.exp(rng.normal(0, o.brightnessSpread)),
        farRedGain: Math.exp(rng.normal(0, o.brightnessSpread)),
        arrested,
      };
      if (arrested) c.age = Math.min(c.age, arrestAge(c));
      const R = maxRadius(c);
      const lo = R + o.margin;
      if (o.width - 2 * lo <= 0 || o.height - 2 * lo <= 0) break;
      c.x = rng.uniform(lo, o.width - lo);
      c.y = rng.uniform(lo, o.height - lo);
      if (alive.every((d) => Math.hypot(d.x - c.x, d.y - c.y) >= R + maxRadius(d) + o.gap)) {
        c.id = addTrack(0, 0, 0, arrested);
        alive.push(c);
        placed = true;
      }
    }
    if (!placed) {
      throw new HypedError(
        "INVALID_ARGUMENT",
        `simulateFucci: cannot place ${o.cells} cells of radius ${o.nuclearRadius} in ${o.height}x${o.width}`,
        {
          cells: o.cells,
          placed: alive.length,
        },
      );
    }
  }

  return alive;
}

/** Growing per-(track, frame) columns. */
type CellRows = Record<
  "trackId" | "frame" | "x" | "y" | "major" | "minor" | "angle" | "progress" | "phase" | "dist" | "red" | "green" | "farRed",
  number[]
>;

function newCellRows(): CellRows {
  return {
    trackId: [],
    frame: [],
    x: [],
    y: [],
    major: [],
    minor: [],
    angle: [],
    progress: [],
    phase: [],
    dist: [],
    red: [],
    green: [],
    farRed: [],
  };
}

/** Append one row per live cell at frame `t` (shape, phase, reporter levels). */
function recordFrame(sim: Sim, alive: Cell[], t: number, rows: CellRows): void {
  const { bnd, lin } = sim;
  const innerBoundaries = [bnd[0], bnd[1], bnd[2]];
  alive.sort((a, b) => a.id - b.id);
  for (const c of alive) {
    const phi = c.age / c.cycle;
    const r = c.r0 * Math.sqrt(1 + phi);
    const s = Math.sqrt(c.aspect);
    let phase = PHASE_SG2M;
    if (phi < bnd[0]) phase = PHASE_EARLY_G1;
    else if (phi < bnd[1]) phase = PHASE_G1;
    else if (phi < bnd[2]) phase = PHASE_G1S;
    let dist = c.age + 0.5;
    if (!c.arrested) dist = Math.min(dist, c.cycle - 0.5 - c.age);
    for (const b of innerBoundaries) dist = Math.min(dist, Math.abs(c.age - b * c.cycle));
    const half = 0.5 / c.cycle;
    rows.trackId.push(c.id);
    rows.frame.push(t);
    rows.x.push(c.x);
    rows.y.push(c.y);
    rows.major.push(r * s);
    rows.minor.push(r / s);
    rows.angle.push(c.angle);
    rows.progress.push(phi);
    rows.phase.push(phase);
    rows.dist.push(dist);
    rows.red.push(c.redGain * levelAt(RED_LEVELS, phi, bnd, half));
    rows.green.push(c.greenGain * levelAt(GREEN_LEVELS, phi, bnd, half));
    rows.farRed.push(c.farRedGain);
    lin.end[c.id - 1] = t;
  }
}

/** One frame later: age every cell, divide those at the end of their cycle, move the rest. */
function stepCells(sim: Sim, alive: Cell[], t: number): Cell[] {
  const { o, rng, lin, newCycle, newAspect, arrestAge, maxRadius, addTrack } = sim;
  const next: Cell[] = [];
  for (const c of alive) {
    if (c.arrested) {
      c.age = Math.min(c.age + 1, arrestAge(c));
    } else if (c.age + 1 >= c.cycle) {
      // division: the mother ends at t, two daughters start at t + 1
      lin.div[c.id - 1] = 1;
      const gen = (lin.gen[c.id - 1] as number) + 1;
      const ux = Math.cos(c.angle);
      const uy = Math.sin(c.angle);
      for (const sign of [-1, 1]) {
        const cycle = newCycle();
        const arrested = rng.random() < o.arrestFraction;
        const d: Cell = {
          id: 0,
          x: 0,
          y: 0,
          vx: c.vx * 0.5 + rng.normal(0, o.speed * 0.3),
          vy: c.vy * 0.5 + rng.normal(0, o.speed * 0.3),
          age: 0,
          cycle,
          r0: c.r0 * Math.exp(rng.normal(0, 0.04)),
          aspect: newAspect(),
          angle: c.angle + Math.PI / 2 + rng.normal(0, 0.2),
          redGain: c.redGain * Math.exp(rng.normal(0, o.brightnessSpread / 2)),
          greenGain: c.greenGain * Math.exp(rng.normal(0, o.brightnessSpread / 2)),
          farRedGain: c.farRedGain * Math.exp(rng.normal(0, o.brightnessSpread / 2)),
          arrested,
        };
        const sep = maxRadius(d) + o.gap / 2 + 0.5;
        d.x = c.x + sign * sep * ux;
        d.y = c.y + sign * sep * uy;
        d.id = addTrack(c.id, t + 1, gen, arrested);
        next.push(d);
      }
      continue;
    } else {
      c.age += 1;
    }
    const p = o.persistence;
    const q = Math.sqrt(1 - p * p);
    c.vx = p * c.vx + q * rng.normal(0, o.speed);
    c.vy = p * c.vy + q * rng.normal(0, o.speed);
    c.x += c.vx;
    c.y += c.vy;
    c.angle += rng.normal(0, 0.05);
    next.push(c);
  }
  return next;
}

/** Reflect cells that left the field (minus the margin) back inside, reversing their velocity. */
function keepInField(sim: Sim, alive: Cell[]): void {
  const { o, maxRadius } = sim;
  for (const c of alive) {
    const lo = maxRadius(c) + o.margin;
    if (c.x < lo) {
      c.x = Math.min(2 * lo - c.x, o.width - lo);
      c.vx = Math.abs(c.vx);
    } else if (c.x > o.width - lo) {
      c.x = Math.max(2 * (o.width - lo) - c.x, lo);
      c.vx = -Math.abs(c.vx);
    }
    if (c.y < lo) {
      c.y = Math.min(2 * lo - c.y, o.height - lo);
      c.vy = Math.abs(c.vy);
    } else if (c.y > o.height - lo) {
      c.y = Math.max(2 * (o.height - lo) - c.y, lo);
      c.vy = -Math.abs(c.vy);
    }
  }
}

/** The column tables of the simulation. */
function toTables(sim: Sim, rows: CellRows): { lineage: FucciLineage; cells: FucciCells } {
  const { o, lin } = sim;
  const lineage: FucciLineage = {
    id: Int32Array.from(lin.id),
    parent: Int32Array.from(lin.parent),
    start: Int32Array.from(lin.start),
    end: Int32Array.from(lin.end),
    generation: Int32Array.from(lin.gen),
    divides: Uint8Array.from(lin.div),
    arrested: Uint8Array.from(lin.arr),
  };
  const cells: FucciCells = {
    trackId: Int32Array.from(rows.trackId),
    frame: Int32Array.from(rows.frame),
    timeHours: Float64Array.from(rows.frame, (f) => f * o.frameIntervalHours),
    x: Float64Array.from(rows.x),
    y: Float64Array.from(rows.y),
    major: Float64Array.from(rows.major),
    minor: Float64Array.from(rows.minor),
    angle: Float64Array.from(rows.angle),
    progress: Float64Array.from(rows.progress),
    phase: Uint8Array.from(rows.phase),
    transitionDistance: Float64Array.from(rows.dist),
    red: Float64Array.from(rows.red),
    green: Float64Array.from(rows.green),
    farRed: Float64Array.from(rows.farRed),
  };
  return { lineage, cells };
}

/** Push overlapping cells apart (a few Jacobi sweeps over a uniform grid). */
function relax(cells: Cell[], gap: number, radius: (c: Cell) => number): void {
  if (cells.length < 2) return;
  let rmax = 0;
  for (const c of cells) rmax = Math.max(rmax, radius(c));
  const size = 2 * rmax + gap;
  for (let sweep = 0; sweep < 4; sweep++) {
    const grid = new Map<number, number[]>();
    const key = (gx: number, gy: number) => gx * 73856093 + gy;
    cells.forEach((c, i) => {
      const k = key(Math.floor(c.x / size), Math.floor(c.y / size));
      const b = grid.get(k);
      if (b) b.push(i);
      else grid.set(k, [i]);
    });
    const dx = new Float64Array(cells.length);
    const dy = new Float64Array(cells.length);
    let moved = false;
    cells.forEach((c, i) => {
      const gx = Math.floor(c.x / size);
      const gy = Math.floor(c.y / size);
      const ri = radius(c);
      for (let ax = -1; ax <= 1; ax++) {
        for (let ay = -1; ay <= 1; ay++) {
          for (const j of grid.get(key(gx + ax, gy + ay)) ?? []) {
            if (j <= i) continue;
            const d = cells[j] as Cell;
            const ex = d.x - c.x;
            const ey = d.y - c.y;
            const dist = Math.hypot(ex, ey);
            const want = ri + radius(d) + gap;
            if (dist >= want) continue;
            const push = (want - dist) / 2 + 0.05;
            const ux = dist > 1e-9 ? ex / dist : 1;
            const uy = dist > 1e-9 ? ey / dist : 0;
            dx[i] = (dx[i] as number) - push * ux;
            dy[i] = (dy[i] as number) - push * uy;
            dx[j] = (dx[j] as number) + push * ux;
            dy[j] = (dy[j] as number) + push * uy;
            moved = true;
          }
        }
      }
    });
    if (!moved) return;
    cells.forEach((c, i) => {
      c.x += dx[i] as number;
      c.y += dy[i] as number;
    });
  }
}
