import { describe, expect, it } from "vitest";
import * as cellcycle from "../cellcycle/index.js";
import * as czi from "../czi/index.js";
import * as dataset from "../dataset/index.js";
import * as denoise from "../denoise/index.js";
import * as filters from "../filters/index.js";
import * as frames from "../frames/index.js";
import * as imaging from "../index.js";
import * as pipeline from "../pipeline/index.js";
import * as segmentation from "../segmentation/index.js";
import * as synth from "../synth/index.js";
import * as tracking from "../tracking/index.js";

// The public API, spelled out so that changes to it are deliberate.
describe("@hyped/imaging exports", () => {
  it("main entry", () => {
    expect(Object.keys(imaging).sort()).toMatchInlineSnapshot(`
      [
        "BUILTIN_CZI_DECODERS",
        "CELL_CYCLE_PHASES",
        "COMPRESSION",
        "COMPRESSION_NAMES",
        "CZI_DIMENSIONS",
        "CziFile",
        "DEFAULT_CHANNELS",
        "DEFAULT_FRAME_INTERVAL_H",
        "DEFAULT_PHASE_FRACTIONS",
        "DENOISER_NAMES",
        "FRAME_DATASET",
        "FRAME_FORMAT",
        "FRAME_FORMAT_VERSION",
        "FUCCI_CHANNELS",
        "FUCCI_CONDITION_PRESETS",
        "HYPED_CHANNELS",
        "HYPED_CONDITIONS",
        "HYPED_CONDITION_EFFECTS",
        "HYPED_SCALES",
        "LABELS_DATASET",
        "MANIFEST_NAME",
        "PHASE_EARLY_G1",
        "PHASE_G1",
        "PHASE_G1S",
        "PHASE_SG2M",
        "PIPELINE_FORMAT",
        "PIPELINE_LAYOUT",
        "PIXEL_LAYOUTS",
        "PIXEL_TYPE_CODES",
        "PIXEL_TYPE_NAMES",
        "SEGMENT_DEFAULT_CHANNELS",
        "benchmarkSvg",
        "binaryDilation",
        "binaryErosion",
        "binaryOpening",
        "buildManifest",
        "callPhases",
        "classifyCellCycle",
        "clipPercentile",
        "closeFrameReadWorkers",
        "columnsToCsv",
        "compressionName",
        "convertCziToFrames",
        "csvToColumns",
        "cziDecoderCodes",
        "decodeJpegXr",
        "denoiserByName",
        "denoisingBenchmark",
        "distanceTransformEdt",
        "encodeCtc",
        "encodeCtcMask",
        "encodeCzi",
        "encodePlaneTiff",
        "evaluateTracking",
        "evaluateTrackingByObject",
        "evaluateTrackingMasks",
        "fillHoles",
        "finishPhases",
        "finishPipeline",
        "fm2s",
        "fm2sDenoiser",
        "frameSnr",
        "frameStem",
        "gaussianDenoiser",
        "gaussianFilter",
        "generateFucciTimelapse",
        "getCziDecoder",
        "hypedSceneSimulation",
        "imageHistogram",
        "label",
        "medianDenoiser",
        "medianFilter",
        "mergeManifests",
        "mergeStepManifests",
        "nlMeans",
        "nlmDenoiser",
        "openCzi",
        "openFrameStore",
        "openSegmentPool",
        "parseCziMetadata",
        "parseManifest",
        "parseShardSpec",
        "parseTimeStamps",
        "peakLocalMax",
        "percentile",
        "percentiles",
        "phaseDistribution",
        "phaseDistributionRows",
        "phaseName",
        "readFrameInfo",
        "readLabelFile",
        "readManifestFile",
        "readObjectTable",
        "readStepManifest",
        "regionProps",
        "regionRows",
        "registerCziDecoder",
        "releaseNameParser",
        "removeSmallObjects",
        "renderFucciFrame",
        "rescaleIntensity",
        "runPipeline",
        "scoreSegmentation",
        "segmentFrame",
        "segmentFrames",
        "segmentStore",
        "segmentedScenes",
        "serveJpegXrWorker",
        "setJpegXrWorkers",
        "simulateFucci",
        "smoothAlongTracks",
        "storeSnr",
        "synthImaging",
        "thresholdOtsu",
        "trackCells",
        "trackSegmentation",
        "tvChambolle",
        "tvDenoiser",
        "unregisterCziDecoder",
        "watershed",
        "writeCzi",
        "writeFileAtomic",
        "writeFrameFile",
        "writeManifestFile",
        "zstdBackendName",
      ]
    `);
  });
  // Each area's entry point (`@hyped/imaging/<area>`): its full API, lower-level pieces included.
  const areas: Record<string, Record<string, unknown>> = {
    cellcycle,
    czi,
    dataset,
    denoise,
    filters,
    frames,
    pipeline,
    segmentation,
    synth,
    tracking,
  };
  it("area entry points", () => {
    const keys = Object.fromEntries(Object.entries(areas).map(([a, m]) => [a, Object.keys(m).sort().join(" ")]));
    expect(keys).toMatchInlineSnapshot(`
      {
        "cellcycle": "CELL_CYCLE_PHASES PHASE_EARLY_G1 PHASE_G1 PHASE_G1S PHASE_SG2M classifyCellCycle frameSnr phaseDistribution phaseDistributionRows phaseName smoothAlongTracks",
        "czi": "BUILTIN_CZI_DECODERS COMPRESSION COMPRESSION_NAMES CZI_DIMENSIONS CziFile JXR_FORMAT_OF PIXEL_LAYOUTS PIXEL_TYPE_CODES PIXEL_TYPE_NAMES compressionName cziDecoderCodes cziPyramidTile decodeJpeg decodeJpegXr decodeZstd0 decodeZstd1 encodeCzi encodeJpeg encodePlaneTiff encodeZstd1 getCziDecoder isJpegXr openCzi packHiLo parseCziMetadata parseTimeStamps parseZstd1Header registerCziDecoder serveJpegXrWorker setJpegXrWorkers unpackHiLo unregisterCziDecoder unsupportedCompression writeCzi zstdBackendName zstdCompress zstdDecompress zstdFrameContentSize zstdNative zstdWasm",
        "dataset": "HYPED_CHANNELS HYPED_CONDITIONS HYPED_CONDITION_EFFECTS HYPED_SCALES hypedSceneSimulation mosaicTiles synthImaging",
        "denoise": "DENOISER_NAMES asFloat benchmarkSvg createFm2sNetwork denoiserByName denoisingBenchmark fastExp fm2s fm2sDenoiser fm2sForward fm2sNoise fm2sParameterCount gaussianDenoiser medianDenoiser medianFilter nlMeans nlmDenoiser otsuForeground tvChambolle tvDenoiser",
        "filters": "SCRATCH_POOL_MAX_BYTES binaryDilation binaryErosion binaryOpening clipPercentile distanceTransformEdt fillHoles gaussianFilter gaussianKernel1d histogramOf imageHistogram label maskAbove maskBackend numpyArgsort otsuFromHistogram peakLocalMax percentile percentiles regionProps regionRows releaseFilterScratch removeSmallObjects rescaleIntensity thresholdOtsu watershed",
        "frames": "DEFAULT_CHANNELS FRAME_DATASET FRAME_FORMAT FRAME_FORMAT_VERSION MANIFEST_NAME buildManifest closeFrameReadWorkers convertCziToFrames frameFileName inferScenes lookupScene manifestToJson mergeManifests openFrameStore parseForeignName parseManifest parseManifestText parseSceneMap readFrameInfo readManifestFile sha256Of shardManifestName writeFrameFile writeManifestFile",
        "pipeline": "DEFAULT_FRAME_INTERVAL_H LABELS_DATASET PIPELINE_FORMAT PIPELINE_LAYOUT callPhases clearHdf5ObjectTimes columnsToCsv csvToColumns finishPhases finishPipeline frameStem mergeStepManifests parseShardSpec readLabelFile readObjectTable readStepManifest releaseNameParser runPipeline sceneHours sceneStem segmentStore segmentedScenes stepManifestName storeScenes storeSnr trackSegmentation writeFileAtomic",
        "segmentation": "SEGMENT_DEFAULT_CHANNELS openSegmentPool segmentFrame segmentFrames",
        "synth": "DEFAULT_PHASE_FRACTIONS FUCCI_CHANNELS FUCCI_CONDITION_PRESETS generateFucciTimelapse renderFucciFrame scoreSegmentation simulateFucci",
        "tracking": "ctcLineage ctcMaskName ctcRelabel encodeCtc encodeCtcMask evaluateTracking evaluateTrackingByObject evaluateTrackingMasks kalmanInit kalmanInnovationVariance kalmanPositionVarianceAfter kalmanPredict kalmanUpdate normaliseFrame solveSparseAssignment tableRows trackCells",
      }
    `);
  });
  it("the root is a curated subset of the areas, without worker entry points", () => {
    const all = new Map(Object.values(areas).flatMap((m) => Object.entries(m)));
    for (const [name, value] of Object.entries(imaging)) expect(all.get(name), name).toBe(value);
    expect(Object.keys(imaging).length).toBeLessThan(all.size);
    for (const m of [imaging, ...Object.values(areas)]) expect(Object.keys(m).filter((k) => /^run\w*Worker$/.test(k))).toEqual([]);
  });
});
