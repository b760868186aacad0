/**
 * Instance-segmentation accuracy against truth label masks: objects are matched one-to-one when their
 * intersection over union exceeds a threshold (above 0.5 a match is necessarily unique), then precision,
 * recall and F1 = 2·TP / (2·TP + FP + FN), as in the Cell Tracking Challenge and StarDist's `matching`.
 */
import { HypedError } from "@hyped/core";

/** The result of {@link scoreSegmentation}. */
export interface SegmentationScore {
  /** IoU threshold used. */
  iouThreshold: number;
  /** Truth objects. */
  truth: number;
  /** Predicted objects. */
  predicted: number;
  /** Matched pairs (IoU above the threshold). */
  tp: number;
  /** Predicted objects without a match. */
  fp: number;
  /** Truth objects without a match. */
  fn: number;
  precision: number;
  recall: number;
  f1: number;
  /** Mean IoU over the matched pairs. */
  meanMatchedIou: number;
}

/**
 * Score predicted labels against truth labels (flat arrays or ndarray data of the same size; 0 =
 * background). Pass several frames as arrays of frames to pool them. `iouThreshold` must be ≥ 0.5 (unique
 * matching); default 0.5.
 */
export function scoreSegmentation(
  truth: ArrayLike<number> | readonly ArrayLike<number>[],
  predicted: ArrayLike<number> | readonly ArrayLike<number>[],
  options: { iouThreshold?: number } = {},
): SegmentationScore {
  const thr = options.iouThreshold ?? 0.5;
  if (!(thr >= 0.5 && thr <= 1))
    throw new HypedError("INVALID_ARGUMENT", `iouThreshold must be in [0.5, 1], got ${thr}`, { iouThreshold: thr });
  const isList = (x: unknown): x is readonly ArrayLike<number>[] => Array.isArray(x) && (x.length === 0 || typeof x[0] !== "number");
  const T = isList(truth) ? truth : [truth as ArrayLike<number>];
  const P = isList(predicted) ? predicted : [predicted as ArrayLike<number>];
  if (T.length !== P.length) throw new HypedError("SHAPE_MISMATCH", `${T.length} truth frames vs ${P.length} predicted frames`, {});
  let nt = 0;
  let np = 0;
  let tp = 0;
  let iouSum = 0;
  T.forEach((g, f) => {
    const p = P[f] as ArrayLike<number>;
    if (g.length !== p.length)
      throw new HypedError("SHAPE_MISMATCH", `frame ${f}: ${g.length} truth pixels vs ${p.length} predicted`, { frame: f });
    const ga = new Map<number, number>();
    const pa = new Map<number, number>();
    const inter = new Map<number, number>();
    for (let i = 0; i < g.length; i++) {
      const a = g[i] as number;
      const b = p[i] as number;
      if (a) ga.set(a, (ga.get(a) ?? 0) + 1);
      if (b) pa.set(b, (pa.get(b) ?? 0) + 1);
      if (a && b) {
        const k = a * 4294967296 + b;
        inter.set(k, (inter.get(k) ?? 0) + 1);
      }
    }
    nt += ga.size;
    np += pa.size;
    for (const [k, c] of inter) {
      const a = Math.floor(k / 4294967296);
      const b = k - a * 4294967296;
      const iou = c / ((ga.get(a) as number) + (pa.get(b) as number) - c);
      if (iou > thr || (thr === 1 && iou === 1)) {
        tp++;
        iouSum += iou;
      }
    }
  });
  const fp = np - tp;
  const fn = nt - tp;
  return {
    iouThreshold: thr,
    truth: nt,
    predicted: np,
    tp,
    fp,
    fn,
    precision: np ? tp / np : 1,
    recall: nt ? tp / nt : 1,
    f1: nt + np ? (2 * tp) / (2 * tp + fp + fn) : 1,
    meanMatchedIou: tp ? iouSum / tp : 0,
  };
}
