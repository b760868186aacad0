/**
 * Read a mosaic CZI lazily, stitch one plane, then convert every scene and time point to the HDF5 frame
 * store (one `.h5` per frame, plus `dataset.json`) and load a region back.
 *
 *   node --conditions=@hyped/source --import tsx examples/stitch-czi.ts plate.czi frames-out/
 */
import { convertCziToFrames, openCzi, openFrameStore } from "@hyped/imaging";

const [cziPath, outDir] = process.argv.slice(2);
if (!cziPath || !outDir) throw new Error("usage: stitch-czi.ts <file.czi> <out-dir>");

// Opening parses the headers, the subblock directory and the metadata only.
const czi = await openCzi(cziPath);
const dims = Object.entries(czi.dims).map(([k, v]) => `${k}=${v.size}`);
console.log(`dims: ${dims.join(" ")}`);
console.log(`channels: ${czi.metadata.channels.map((c) => c.name).join(", ")}`);
console.log(`scenes: ${Object.values(czi.metadata.sceneNames).join(", ")}`);
const tilesPerPlane = czi.query({ S: 0, T: 0, C: 0, layer0: true }).length;
console.log(`tiles per plane: ${tilesPerPlane}`);

// Stitch one plane: the layer-0 tiles of scene 0, painted in M order (the highest M on top).
const plane = await czi.readPlane({ S: 0, T: 0, C: 1 });
const px = plane.data as Uint16Array;
let min = Number.POSITIVE_INFINITY;
let max = 0;
for (const v of px) {
  if (v < min) min = v;
  if (v > max) max = v;
}
console.log(`stitched plane S=0 T=0 C=1: ${plane.shape[1]}x${plane.shape[0]} px, origin ${plane.origin.join(",")}, range ${min}..${max}`);
await czi.close();

// Convert: scene names "control_1" -> condition control, replicate 1.
const result = await convertCziToFrames([cziPath], outDir, { workers: 0 });
console.log(`converted ${result.converted} frames; conditions: ${result.manifest.conditions.join(", ")}`);

// Load a region of two channels over all time points: (T, C, Y, X).
const store = await openFrameStore(outDir);
const first = store.conditions[0] as string;
const stack = await store.loadFrames({ condition: first, channels: ["mKate", "TagGFP"], region: { x: 0, y: 0, width: 64, height: 64 } });
console.log(`loaded ${first}: shape ${stack.shape.join("x")} (${store.dtype}), frame size ${store.width}x${store.height}`);
