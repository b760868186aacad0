import { describe, expect, it } from "vitest";
import * as anndata from "../anndata/index.js";
import * as cluster from "../cluster/index.js";
import * as de from "../de/index.js";
import * as demux from "../demux/index.js";
import * as embed from "../embed/index.js";
import * as figures from "../figures/index.js";
import * as geneformer from "../geneformer/index.js";
import * as seq from "../index.js";
import * as mex from "../mex/index.js";
import * as onnx from "../onnx/index.js";
import * as perturb from "../perturb/index.js";
import * as preprocess from "../preprocess/index.js";
import * as safetensors from "../safetensors/index.js";
import * as synth from "../synth/index.js";

// The public API, spelled out so that changes to it are deliberate.
describe("@hyped/seq exports", () => {
  it("main entry", () => {
    expect(Object.keys(seq).sort()).toMatchInlineSnapshot(`
      [
        "AdditiveModel",
        "AnnData",
        "BackedAnnData",
        "BackedMatrix",
        "CONDITIONS",
        "ColumnView",
        "DEFAULT_QUANTILE_RANGE",
        "DataFrame",
        "ENSEMBL",
        "EVAL_COLUMNS",
        "EncodingRegistry",
        "FIBROBLAST_TARGETS",
        "G1_GENES",
        "G2M_GENES",
        "GearsPredictions",
        "HASHTAG_DESIGN",
        "HOUSEKEEPING",
        "LZF_FILTER_ID",
        "LinearModel",
        "MAPPING_NAMES",
        "MAX_SAFETENSORS_HEADER",
        "MYOGENIC_TARGETS",
        "MeanPerturbationModel",
        "NoChangeModel",
        "OnnxEmbeddingModel",
        "PHASES",
        "SAFETENSORS_DTYPES",
        "S_GENES",
        "assembleRuns",
        "assignConditions",
        "benjaminiHochberg",
        "buildTokenDictionary",
        "calculateQcMetrics",
        "categoricalFrom",
        "clrNormalize",
        "columnSummary",
        "columnValue",
        "columnValues",
        "computeGeneMedians",
        "concatAnnData",
        "defaultRegistry",
        "deleteGene",
        "demultiplexHashtags",
        "demuxRows",
        "discriminationScores",
        "eDistance",
        "elementKind",
        "embeddingBenchmark",
        "embeddingSpec",
        "embeddingSvg",
        "evaluatePerturbation",
        "filterCells",
        "filterCellsMatrix",
        "filterGenes",
        "filterGenesMatrix",
        "findMexFiles",
        "float32ToBfloat16Bits",
        "float32ToHalfBits",
        "formatH5adSummary",
        "formatH5muSummary",
        "geneToken",
        "highlyVariableGenes",
        "highlyVariableGenesBatchedMatrix",
        "highlyVariableGenesMatrix",
        "knn",
        "leiden",
        "leidenGraph",
        "log1p",
        "log1pMatrix",
        "louvain",
        "louvainGraph",
        "matrixShape",
        "matrixSummary",
        "modularity",
        "neighbors",
        "normalizeTotal",
        "normalizeTotalMatrix",
        "openH5ad",
        "openSafetensors",
        "overexpress",
        "overlapAtN",
        "pca",
        "pcaMatrix",
        "perturbEncodings",
        "qcMetricsMatrix",
        "rankGenesGroups",
        "rankGenesGroupsMatrix",
        "rankGenesGroupsPlotRows",
        "rankGenesGroupsPlotSpec",
        "rankGenesGroupsPlotSvg",
        "rankGenesGroupsRows",
        "readH5ad",
        "readH5mu",
        "readMatrixMarket",
        "readMex",
        "readRun",
        "rowsToCsv",
        "scale",
        "scaleMatrix",
        "scoreGenes",
        "scoreGenesCellCycle",
        "setLzfPluginBytes",
        "simulateHashtags",
        "specialTokens",
        "splitCondition",
        "subsetMatrix",
        "summarizeAnnData",
        "summarizeH5ad",
        "summarizeMuData",
        "synthSeq",
        "tokenizeRankValue",
        "trainingDataFromAnnData",
        "tsne",
        "tsneEmbed",
        "umap",
        "umapEmbed",
        "writeH5ad",
        "writeH5adBytes",
        "writeMex",
        "writeSafetensors",
      ]
    `);
  });
  // Each area's entry point (`@hyped/seq/<area>`): its full API, lower-level pieces included.
  const areas: Record<string, Record<string, unknown>> = {
    anndata,
    cluster,
    de,
    demux,
    embed,
    figures,
    geneformer,
    mex,
    onnx,
    perturb,
    preprocess,
    safetensors,
    synth,
  };
  it("area entry points", () => {
    const keys = Object.fromEntries(Object.entries(areas).map(([a, m]) => [a, Object.keys(m).sort().join(" ")]));
    expect(keys).toMatchInlineSnapshot(`
      {
        "anndata": "AnnData BackedAnnData BackedMatrix ColumnView DataFrame EncodingRegistry LZF_FILTER_ID MAPPING_NAMES SCALAR_DTYPES SKIPPED categoricalFrom columnLength columnSummary columnValue columnValues createDefaultRegistry createEncodedGroup defaultRegistry elementKind encodingOf formatH5adSummary formatH5muSummary matrixShape matrixSummary openH5ad prepareLzf readAny readH5ad readH5mu scalarDtype setEncoding setLzfPluginBytes setScalarDtype subsetMatrix summarizeAnnData summarizeH5ad summarizeMuData takeColumn writeH5ad writeH5adBytes",
        "cluster": "adjacencyOf aggregate fromRows graphFromAdjacency leiden leidenGraph louvain louvainGraph modularity renumberBySize",
        "de": "benjaminiHochberg betaInc erfc gammaQ lnBeta logisticRegression normSf rankGenesGroups rankGenesGroupsMatrix rankGenesGroupsRows studentTTwoSided",
        "demux": "DEFAULT_QUANTILE_RANGE assignConditions clrNormalize demultiplexHashtags demuxRows fitGmm2 fitNegBinomial gmmPosteriorHigh kmeans logNegBinomialPmf negBinomialCdf negBinomialQuantile simulateHashtags",
        "embed": "KNN_EXACT_MAX_CELLS TSNE_FFT_MIN_CELLS TSNE_LEARNING_RATE fuzzyConnectivities knn knnDistanceMatrix neighbors nnDescent pca pcaMatrix representation symEig tsne tsneEmbed umap umapEmbed",
        "figures": "embeddingSpec embeddingSvg rankGenesGroupsPlotRows rankGenesGroupsPlotSpec rankGenesGroupsPlotSvg",
        "geneformer": "buildTokenDictionary computeGeneMedians defaultModelInputSize deleteGene dictGet dictSize geneToken overexpress perturbEncodings specialTokens stableArgsortDesc tokenizeRankValue",
        "mex": "assembleRuns byteChunks concatAnnData cooToCsrTransposed findMexFiles lines makeUnique parseMatrixMarketChunks readMatrixMarket readMatrixMarketColumns readMex readRun readTextLines splitFeatureTypes writeMex",
        "onnx": "BERT_ACTIVATIONS OnnxEmbeddingModel OnnxType TINY_BERT_EPS buildBertOnnx buildTinyBert checkBertConfig encodeOnnxModel resolveLayerOutput",
        "perturb": "AdditiveModel EVAL_COLUMNS GearsPredictions LinearModel MeanPerturbationModel NoChangeModel conditionKey denseRows discriminationExcludes discriminationScores eDistance embeddingBenchmark evaluatePerturbation forEachNonzero groupCells groupMeans meanProfile obsLabels overlapAtN rowsToCsv splitCondition topAbs trainingDataFromAnnData",
        "preprocess": "calculateQcMetrics colMeanVar filterCells filterCellsMatrix filterGenes filterGenesMatrix highlyVariableGenes highlyVariableGenesBatchedMatrix highlyVariableGenesMatrix loessFit log1p log1pBase log1pMatrix normalizeTotal normalizeTotalMatrix qcMetricsMatrix rawOrX resolveMaskVar rowSums scale scaleMatrix scoreGenes scoreGenesCellCycle scoreGenesControls",
        "safetensors": "MAX_SAFETENSORS_HEADER SAFETENSORS_DTYPES float32ToBfloat16Bits float32ToHalfBits openSafetensors writeSafetensors",
        "synth": "CONDITIONS ENSEMBL FIBROBLAST_TARGETS G1_GENES G2M_GENES HASHTAG_DESIGN HOUSEKEEPING MYOGENIC_TARGETS PHASES S_GENES synthSeq",
      }
    `);
  });
  it("the root is a curated subset of the areas, without worker entry points", () => {
    const all = new Map(Object.values(areas).flatMap((m) => Object.entries(m)));
    for (const [name, value] of Object.entries(seq)) expect(all.get(name), name).toBe(value);
    expect(Object.keys(seq).length).toBeLessThan(all.size);
    for (const m of [seq, ...Object.values(areas)]) expect(Object.keys(m).filter((k) => /^run\w*Worker$/.test(k))).toEqual([]);
  });
});
