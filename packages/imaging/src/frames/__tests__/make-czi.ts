/**
 * Generated mosaic CZIs for the frame tests and benchmark: `cols x rows` overlapping Gray16 tiles per
 * (scene, T, C), pixel values from a formula of the global position (so overlaps agree whatever the paint order).
 */
import { type CziWriteSubblock, writeCzi } from "../../czi/index.js";

export interface MakeCziOptions {
  scenes: string[];
  T: number;
  channels: string[];
  cols: number;
  rows: number;
  tileW: number;
  tileH: number;
  /** Step between tile origins (tileW - overlap). */
  stepX: number;
  stepY: number;
  compression?: "none" | "zstd0" | "zstd1";
}

/** The sample at global (x, y) of scene s, time t, channel c. */
export function sample(s: number, t: number, c: number, y: number, x: number): number {
  return (s * 9973 + t * 7919 + c * 4099 + y * 31 + x * 7 + ((x * y) % 251)) % 16384;
}

/** Stitched image size for the options. */
export function stitchedSize(o: MakeCziOptions): { width: number; height: number } {
  return { width: (o.cols - 1) * o.stepX + o.tileW, height: (o.rows - 1) * o.stepY + o.tileH };
}

/** Write the CZI to `path`. Scenes are placed far apart in raw coordinates, as on a plate. */
export async function makeCzi(path: string, o: MakeCziOptions): Promise<void> {
  function* tiles(): Generator<CziWriteSubblock> {
    for (let s = 0; s < o.scenes.length; s++) {
      const sx = 100 + s * 10000;
      const sy = -50;
      for (let t = 0; t < o.T; t++)
        for (let c = 0; c < o.channels.length; c++) {
          let m = 0;
          for (let r = 0; r < o.rows; r++)
            for (let q = 0; q < o.cols; q++) {
              const gx = q * o.stepX;
              const gy = r * o.stepY;
              const data = new Uint16Array(o.tileW * o.tileH);
              for (let y = 0; y < o.tileH; y++) for (let x = 0; x < o.tileW; x++) data[y * o.tileW + x] = sample(s, t, c, gy + y, gx + x);
              yield { data, width: o.tileW, height: o.tileH, x: sx + gx, y: sy + gy, coords: { S: s, T: t, C: c, Z: 0, M: m++ } };
            }
        }
    }
  }
  await writeCzi(path, tiles(), {
    compression: o.compression ?? "none",
    metadata: {
      channels: o.channels.map((name) => ({ name })),
      scalingM: { X: 6.5e-7, Y: 6.5e-7 },
      sceneNames: o.scenes,
      timeIncrementS: 600,
    },
  });
}
