export * from "./genes.js";
export {
  CONDITIONS,
  type Condition,
  HASHTAG_DESIGN,
  PHASES,
  type Phase,
  type PlantedEffect,
  type SynthSeq,
  type SynthSeqOptions,
  synthSeq,
} from "./seq.js";
