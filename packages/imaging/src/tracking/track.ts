/**
 * `trackCells`: a Bayesian cell tracker in the spirit of btrack (Ulicna et al. 2021), in two stages.
 *
 * 1. **Frame to frame.** Every live track is predicted with a constant-velocity Kalman filter. Each track
 *    can take one object of the next frame (cost: half the squared Mahalanobis distance of the innovation,
 *    plus an area term) or be "lost" (cost −ln pLost); each object can start a new track (cost −ln pNew).
 *    The optimal assignment is solved exactly per connected component of the gated candidate graph with the
 *    Hungarian algorithm (munkres-js). A track lost for more than `maxLost` frames is closed.
 * 2. **Global optimisation over tracklets.** Tracklets are cut wherever a new tracklet starts next to a
 *    continuing one (the frame-to-frame step may have linked the mother to one daughter). Then every
 *    tracklet end offers two slots, A (continue / first daughter) and B (second daughter), and every start
 *    can be taken by one slot or be an initialisation; a second linear assignment problem over all
 *    ends and starts (again exact per component with munkres-js) picks the most probable set of
 *    hypotheses: links across up to `maxGap` missed frames, divisions (A and B both taken), initialisations,
 *    terminations and short false-positive tracklets. Costs are negative log probabilities as in btrack's
 *    hypothesis model (P_init/P_term near the movie edges or the field border, P_link decaying with
 *    distance and gap, P_branch for divisions, P_FP = missRate^length).
 *
 * Output: a tracks table (track id, frame, object, position, parent, generation) and a lineage table.
 *
 * Files: `options.ts` (defaults, validation), `link.ts` (stage 1), `global.ts` (stage 2), `nodes.ts` (shared
 * node store, tracklets, spatial grid), `output.ts` (tables).
 */
import type { LongTaskOptions } from "@hyped/core";
import { assembleTracks } from "./global.js";
import { linkFrameToFrame } from "./link.js";
import { checkFieldSize, NodeStore } from "./nodes.js";
import { resolveTrackOptions, type TrackCellsOptions } from "./options.js";
import { buildOutput } from "./output.js";
import { type FrameObjects, normaliseFrame, type TrackingResult } from "./types.js";

export type { TrackCellsOptions } from "./options.js";
export type { TrackingResult } from "./types.js";

/**
 * Track objects over frames. `objectsPerFrame[t]` holds frame t's objects (see {@link FrameObjects}); an
 * empty frame is allowed. Returns the tracks table, the lineage and per-object track ids.
 *
 * Semantics follow btrack (`btrack.BayesianTracker` with its default "motion + hypotheses" pipeline): a
 * constant-velocity Kalman model, a lost hypothesis, track initialisation/termination near the movie
 * edges and field border, gap closing, divisions with parent–child links, and a global optimisation over
 * tracklets — here solved as linear assignment problems (munkres-js) instead of btrack's GLPK integer program.
 * Cancellable (`signal`); reports progress in frames.
 */
export function trackCells(objectsPerFrame: readonly FrameObjects[], options: TrackCellsOptions = {}): TrackingResult {
  const o = resolveTrackOptions(options);
  const frames = objectsPerFrame.map((f, t) => normaliseFrame(f, t));
  const nodes = new NodeStore(frames);
  if (options.fieldSize) checkFieldSize(options.fieldSize, nodes);
  const tracklets = linkFrameToFrame(frames, nodes, o, options satisfies LongTaskOptions);
  const { pieces, next, parentOf, summary } = assembleTracks(tracklets, nodes, o, options.fieldSize, options.signal);
  return buildOutput(pieces, next, parentOf, nodes, frames, summary);
}
