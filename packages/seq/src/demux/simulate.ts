/**
 * A seeded simulator of hashtag (HTO) counts with known truth, for testing demultiplexing and for demos.
 */
import { type DenseMatrix, fromTyped, HypedError, Random } from "@hyped/core";

/** Options of {@link simulateHashtags}. */
export interface SimulateHashtagsOptions {
  /** Number of droplets. Default 2000. */
  nCells?: number;
  /** Number of hashtags. Default 4. */
  nHashtags?: number;
  /** Fraction of heterotypic doublets (two different hashtags). Default 0.08. */
  doubletRate?: number;
  /** Fraction of negatives (no hashtag). Default 0.04. */
  negativeRate?: number;
  /** Mean counts of a hashtag on a cell it labels. Default 200. */
  signalMean?: number;
  /** Mean background counts of a hashtag on a cell it does not label. Default 5. */
  backgroundMean?: number;
  /** Negative-binomial size (inverse dispersion) of signal counts. Default 10 (CV ≈ 0.33). */
  signalSize?: number;
  /** Negative-binomial size of background counts. Default 4. */
  backgroundSize?: number;
  /** Standard deviation of the per-cell log capture efficiency. Default 0.3. */
  libraryLogSd?: number;
  /** Seed. Default 1. */
  seed?: number;
}

/** Simulated hashtag counts with truth. */
export interface SimulatedHashtags {
  /** cells × hashtags counts (float64, dense). */
  counts: DenseMatrix<"float64">;
  hashtags: string[];
  /** True hashtag name of a singlet, or `"Doublet"` / `"Negative"`. */
  truth: string[];
  /** True hashtag indices (−1 when absent): first and second label. */
  truthFirst: Int32Array;
  truthSecond: Int32Array;
}

/**
 * Simulate droplets: singlets carry one hashtag at `signalMean`, heterotypic doublets are the sum of two singlets with
 * different hashtags, negatives carry background only. Each hashtag has its own signal and background level
 * (±30 % around the means), each droplet a log-normal capture efficiency; counts are negative binomial
 * (gamma–Poisson). Deterministic for a seed.
 */
export function simulateHashtags(options: SimulateHashtagsOptions = {}): SimulatedHashtags {
  const {
    nCells = 2000,
    nHashtags = 4,
    doubletRate = 0.08,
    negativeRate = 0.04,
    signalMean = 200,
    backgroundMean = 5,
    signalSize = 10,
    backgroundSize = 4,
    libraryLogSd = 0.3,
    seed = 1,
  } = options;
  if (nHashtags < 2) throw new HypedError("INVALID_ARGUMENT", "simulateHashtags needs at least 2 hashtags", { nHashtags });
  if (doubletRate + negativeRate > 1) throw new HypedError("INVALID_ARGUMENT", "doubletRate + negativeRate must be ≤ 1", {});
  const rng = Random.mulberry32(seed);
  const hashtags = Array.from({ length: nHashtags }, (_, j) => `HTO${j + 1}`);
  const sig = Array.from({ length: nHashtags }, () => signalMean * (0.7 + 0.6 * rng.next()));
  const bg = Array.from({ length: nHashtags }, () => backgroundMean * (0.7 + 0.6 * rng.next()));
  const x = new Float64Array(nCells * nHashtags);
  const truth: string[] = [];
  const first = new Int32Array(nCells).fill(-1);
  const second = new Int32Array(nCells).fill(-1);
  const droplet = (label: number) => {
    const lib = Math.exp(libraryLogSd * rng.normal());
    return sig.map((s, j) =>
      j === label ? rng.negBinomial(lib * s, signalSize) : rng.negBinomial(lib * (bg[j] as number), backgroundSize),
    );
  };
  for (let i = 0; i < nCells; i++) {
    const u = rng.next();
    let row: number[];
    if (u < negativeRate) {
      row = droplet(-1);
      truth.push("Negative");
    } else if (u < negativeRate + doubletRate) {
      const a = rng.int(nHashtags);
      let b = rng.int(nHashtags - 1);
      if (b >= a) b++;
      const ra = droplet(a);
      const rb = droplet(b);
      row = ra.map((v, j) => v + (rb[j] as number));
      first[i] = a;
      second[i] = b;
      truth.push("Doublet");
    } else {
      const a = rng.int(nHashtags);
      row = droplet(a);
      first[i] = a;
      truth.push(hashtags[a] as string);
    }
    for (let j = 0; j < nHashtags; j++) x[i * nHashtags + j] = row[j] as number;
  }
  return { counts: fromTyped(x, [nCells, nHashtags]) as DenseMatrix<"float64">, hashtags, truth, truthFirst: first, truthSecond: second };
}
