/**
 * Writes the tiny BERT test model (packages/seq/reference/perturb/tiny-bert.onnx) with `buildTinyBert` (seed 1,
 * default shape), so an independent ONNX implementation can check it: run
 * `pnpm tsx packages/seq/scripts/make_tiny_bert_onnx.ts && /usr/bin/python3 packages/seq/scripts/check_tiny_bert_onnx.py`.
 * Usage: node --conditions=@hyped/source --import tsx packages/seq/scripts/make_tiny_bert_onnx.ts
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildTinyBert } from "../src/onnx/index.js";

const out = join(import.meta.dirname, "..", "reference", "perturb", "tiny-bert.onnx");
const { bytes } = buildTinyBert({ seed: 1 });
writeFileSync(out, bytes);
console.log(`wrote ${out} (${bytes.length} bytes)`);
