/** Types for munkres-js (Hungarian algorithm), which ships none. */
declare module "munkres-js" {
  /** Minimum-cost assignment of a (possibly rectangular) cost matrix; returns [row, col] pairs. */
  function computeMunkres(costMatrix: number[][], options?: { padValue?: number }): [number, number][];
  export default computeMunkres;
}
