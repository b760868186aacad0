/**
 * The public entry points the fuzzer drives. Each target opens one input (a file or a folder) the way a user
 * would and touches what opening promises to check plus one small read. Run inside the fuzz worker.
 */
import { readFileSync } from "node:fs";
import { readNpy } from "@hyped/core";
import { openCzi, openFrameStore } from "@hyped/imaging";
import { openH5ad, readH5ad, readMex } from "@hyped/seq";

/** Target names, in the order the summary lists them. */
export const TARGETS = ["npy", "h5ad", "h5ad-backed", "mex", "czi", "frames"] as const;
export type TargetName = (typeof TARGETS)[number];

/** Open `path` with the target's public entry point and read a little. Throws what the library throws. */
export async function runTarget(name: TargetName, path: string, signal: AbortSignal): Promise<void> {
  switch (name) {
    case "npy": {
      readNpy(readFileSync(path));
      return;
    }
    case "h5ad": {
      await readH5ad(path);
      return;
    }
    case "h5ad-backed": {
      const a = await openH5ad(path);
      try {
        const n = Math.min(a.nObs, 8);
        if (a.X && n > 0) a.X.rows(0, n);
        void a.obsNames.length;
      } finally {
        a.close();
      }
      return;
    }
    case "mex": {
      await readMex(path, { signal });
      return;
    }
    case "czi": {
      const czi = await openCzi(path);
      try {
        await czi.readPlane({}, { signal });
      } finally {
        await czi.close();
      }
      return;
    }
    case "frames": {
      const store = await openFrameStore(path, { signal });
      await store.loadFrames({ signal, t: [store.times[0] ?? 0, (store.times[0] ?? 0) + 1] });
      return;
    }
  }
}
