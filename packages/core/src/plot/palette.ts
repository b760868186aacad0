/**
 * The one palette of cell-cycle phases, shared by the figures (`hyped demo`) and the viewer. It follows the
 * FUCCI reporters' own colours: G1 red (Cdt1–mKate2), G1/S amber (both reporters), S/G2/M green
 * (Geminin–TagGFP2), early-G1/unknown grey. scanpy's `score_genes_cell_cycle` names (G1, S, G2M) take the
 * colour of the FUCCI phase they fall in, so a FUCCI figure and an expression figure read the same way.
 */

/** CSS colour per phase name: FUCCI names (`CELL_CYCLE_PHASES` of `@hyped/imaging`) and scanpy's G1/S/G2M. */
export const PHASE_COLOURS: Readonly<Record<string, string>> = {
  "early-G1/unknown": "#9e9e9e",
  G1: "#d62728",
  "G1/S": "#e6a700",
  "S/G2/M": "#2ca02c",
  S: "#e6a700",
  G2M: "#2ca02c",
};

/** Colour of a phase name; grey for a name not in {@link PHASE_COLOURS}. */
export function phaseColour(phase: string): string {
  return PHASE_COLOURS[phase] ?? "#9e9e9e";
}

/**
 * A Vega-Lite colour scale for the phases present in `phases` (in that order), so legends list only the
 * categories the data has: `{ domain, range }`.
 */
export function phaseScale(phases: Iterable<string>): { domain: string[]; range: string[] } {
  const domain = [...new Set(phases)];
  return { domain, range: domain.map(phaseColour) };
}
