/**
 * The FUCCI cell-cycle phase vocabulary shared by the classifier, the phase distribution and the synthetic
 * generator. Phases are stored as small integer codes (`Uint8Array`) indexing {@link CELL_CYCLE_PHASES}.
 */

/**
 * Phase names in cycle order. Code 0 is "early-G1/unknown" (neither reporter above threshold: just after
 * mitosis, or a cell too dim to call), 1 is G1 (Cdt1 reporter only), 2 is G1/S (both reporters),
 * 3 is S/G2/M (Geminin reporter only).
 */
export const CELL_CYCLE_PHASES = ["early-G1/unknown", "G1", "G1/S", "S/G2/M"] as const;

/** One phase name. */
export type CellCyclePhase = (typeof CELL_CYCLE_PHASES)[number];

/** Phase code of "early-G1/unknown". */
export const PHASE_EARLY_G1 = 0;
/** Phase code of "G1". */
export const PHASE_G1 = 1;
/** Phase code of "G1/S". */
export const PHASE_G1S = 2;
/** Phase code of "S/G2/M". */
export const PHASE_SG2M = 3;

/** The name of a phase code (throws nothing; an unknown code gives "early-G1/unknown"). */
export function phaseName(code: number): CellCyclePhase {
  return CELL_CYCLE_PHASES[code] ?? CELL_CYCLE_PHASES[0];
}
