/** The options of {@link trackCells}: their documented defaults and validation (stage 0 of the tracker). */
import { HypedError, type LongTaskOptions } from "@hyped/core";

/** Options of {@link trackCells}. Distances in px, times in frames. */
export interface TrackCellsOptions extends LongTaskOptions {
  /** Largest distance between a prediction and an object that may be linked, px. Default 30. */
  maxSearchRadius?: number;
  /** SD of the measured position, px (Kalman R). Default 1. */
  measurementSigma?: number;
  /** SD of the random acceleration, px/frame² (Kalman Q). Default 1. */
  accelerationSigma?: number;
  /** SD of the velocity of a new track, px/frame. Default 3. */
  initialVelocitySigma?: number;
  /** Probability that a live track has no object in a frame (the "lost" hypothesis). Default 0.1. */
  pLost?: number;
  /** Probability that an object starts a new track in the frame-to-frame step. Default 0.005. */
  pNew?: number;
  /** Frames a track may stay lost in the frame-to-frame step before it is closed. Default 1. */
  maxLost?: number;
  /** Weight of |ln(area ratio)| in the costs (0 disables; needs `area`). Default 1. */
  areaWeight?: number;
  /** Run the global optimisation over tracklets. Default true. */
  globalOptimisation?: boolean;
  /** Gap closing: most missed frames between two linked tracklets. Default 2. */
  maxGap?: number;
  /** Detect divisions (mitoses) in the global step. Default true. */
  divisions?: boolean;
  /** Largest distance of a daughter from the mother's last position, px. Default 25. */
  divisionRadius?: number;
  /** Typical distance of a daughter from the mother's last position, px (scale of the division cost). Default 10. */
  divisionDistance?: number;
  /** Prior probability of a division hypothesis (btrack P_branch scale). Default 0.05. */
  pDivision?: number;
  /** Segmentation miss rate: a tracklet of n objects is a false positive with probability missRate^n. Default 0.1. */
  segmentationMissRate?: number;
  /** Initialisation/termination probability far from the movie edges and the field border (btrack eta). Default 1e-10. */
  eta?: number;
  /** Tracks starting before frame thetaTime (or ending after T−1−thetaTime) are cheap to initialise (terminate). Default 1. */
  thetaTime?: number;
  /** Time scale of that edge probability, frames (btrack lambda_time). Default 5. */
  lambdaTime?: number;
  /** Distance from the field border within which tracks may appear or leave, px. Default 5. */
  thetaDist?: number;
  /** Distance scale of the border probability, px (btrack lambda_dist). Default 3. */
  lambdaDist?: number;
  /**
   * Field size `[height, width]` (rows, columns), px, for the border terms. Default: the bounding box of all
   * objects. Throws `OUT_OF_RANGE` when an object lies outside it (e.g. a swapped `[width, height]`).
   */
  fieldSize?: [number, number];
  /**
   * Gate of the global step's links: a link is a candidate only if its squared Mahalanobis distance is within
   * this quantile of the χ²(2) distribution. Default 0.9999.
   */
  linkGateProbability?: number;
  /** Components larger than this are solved greedily in both assignment steps. Default 400. */
  maxExactSize?: number;
}

/** {@link TrackCellsOptions} with defaults applied and validated; what the stages read. */
export type TrackParams = ReturnType<typeof resolveTrackOptions>;

/** Apply the defaults of {@link TrackCellsOptions} and throw `INVALID_ARGUMENT` for out-of-range values. */
export function resolveTrackOptions(options: TrackCellsOptions) {
  const o = {
    maxSearchRadius: options.maxSearchRadius ?? 30,
    meas: options.measurementSigma ?? 1,
    accel: options.accelerationSigma ?? 1,
    vel0: options.initialVelocitySigma ?? 3,
    pLost: options.pLost ?? 0.1,
    pNew: options.pNew ?? 0.005,
    maxLost: options.maxLost ?? 1,
    areaWeight: options.areaWeight ?? 1,
    global: options.globalOptimisation ?? true,
    maxGap: options.maxGap ?? 2,
    divisions: options.divisions ?? true,
    divisionRadius: options.divisionRadius ?? 25,
    divisionDistance: options.divisionDistance ?? 10,
    pDivision: options.pDivision ?? 0.05,
    missRate: options.segmentationMissRate ?? 0.1,
    eta: options.eta ?? 1e-10,
    thetaTime: options.thetaTime ?? 1,
    lambdaTime: options.lambdaTime ?? 5,
    thetaDist: options.thetaDist ?? 5,
    lambdaDist: options.lambdaDist ?? 3,
    maxExactSize: options.maxExactSize ?? 400,
    linkGateProbability: options.linkGateProbability ?? 0.9999,
  };
  const prob = (name: string, v: number) => {
    if (!(v > 0 && v < 1)) throw new HypedError("INVALID_ARGUMENT", `trackCells: ${name} must be in (0, 1), got ${v}`, { [name]: v });
  };
  prob("pLost", o.pLost);
  prob("pNew", o.pNew);
  prob("pDivision", o.pDivision);
  prob("segmentationMissRate", o.missRate);
  prob("eta", o.eta);
  for (const [k, v] of Object.entries({
    maxSearchRadius: o.maxSearchRadius,
    measurementSigma: o.meas,
    accelerationSigma: o.accel,
    divisionRadius: o.divisionRadius,
  })) {
    if (!(v > 0)) throw new HypedError("INVALID_ARGUMENT", `trackCells: ${k} must be > 0, got ${v}`, { [k]: v });
  }
  if (!Number.isInteger(o.maxLost) || o.maxLost < 0)
    throw new HypedError("INVALID_ARGUMENT", `trackCells: maxLost must be an integer ≥ 0`, { maxLost: o.maxLost });
  if (!Number.isInteger(o.maxGap) || o.maxGap < 0)
    throw new HypedError("INVALID_ARGUMENT", `trackCells: maxGap must be an integer ≥ 0`, { maxGap: o.maxGap });
  return o;
}
