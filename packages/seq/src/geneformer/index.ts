export { buildTokenDictionary, computeGeneMedians } from "./build.js";
export * from "./dictionaries.js";
export { deleteGene, overexpress, type PerturbTokensOptions, perturbEncodings } from "./perturb.js";
export { stableArgsortDesc } from "./sort.js";
export { defaultModelInputSize, type GeneformerVersion, type TokenizedCells, type TokenizeOptions, tokenizeRankValue } from "./tokenize.js";
