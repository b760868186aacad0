/**
 * `storeSnr`: the SNR table per channel, condition and replicate at one time point, with each frame's
 * segmentation (label > 0) as the foreground (the paper's step 9). Reads one frame and one label image at a
 * time. Node only.
 */
import { HypedError, type LongTaskOptions, ndarray, progressReporter, throwIfAborted } from "@hyped/core";
import { frameSnr } from "../cellcycle/snr.js";
import type { FrameStore } from "../frames/store.js";
import { mergeStepManifests, type StepManifest } from "./manifest.js";
import { frameStem, readLabelFile, storeScenes } from "./segment.js";

/** Options of {@link storeSnr}. */
export interface StoreSnrOptions extends LongTaskOptions {
  /** Time index of the frame of each scene. Default 0 (the paper reports t = 0). */
  t?: number;
}

/** One row of the SNR table. */
export interface SnrRow {
  condition: string;
  replicate: number;
  channel: string;
  /** `mean(fg) / std(bg)` in dB (`20 log10`). */
  snr_db: number;
  mean_fg: number;
  mean_bg: number;
  std_bg: number;
  n_fg: number;
  n_bg: number;
}

/**
 * SNR of every channel of every scene of `store` at time `t`, the foreground being the segmentation in
 * `segDir` (its complete manifest). A scene whose frame has no background (or no foreground) gets NaN values.
 * Throws `NOT_FOUND` when the segmentation lacks a frame.
 */
export async function storeSnr(store: FrameStore, segDir: string, options: StoreSnrOptions = {}): Promise<SnrRow[]> {
  const { join } = await import("node:path");
  const seg = (await mergeStepManifests(segDir, "segment", true)) as StepManifest;
  const t = options.t ?? 0;
  const keys = new Set(seg.items.map((it) => it.key));
  const scenes = storeScenes(store);
  const progress = progressReporter(options.onProgress, "scenes", scenes.length, "SNR");
  const rows: SnrRow[] = [];
  for (const { condition, replicate } of scenes) {
    throwIfAborted(options.signal, "storeSnr");
    const stem = frameStem(condition, replicate, t);
    if (!keys.has(stem)) throw new HypedError("NOT_FOUND", `${segDir} has no segmentation of ${stem}`, { frame: stem });
    const lab = await readLabelFile(join(segDir, `${stem}.h5`));
    let frame: Awaited<ReturnType<FrameStore["loadFrames"]>> | undefined;
    for await (const f of store.frames({ condition, replicate, t: [t, t + 1] })) frame = f.data;
    if (!frame) throw new HypedError("NOT_FOUND", `no frame ${stem}`, { frame: stem });
    let snrs: ReturnType<typeof frameSnr>;
    try {
      snrs = frameSnr(frame, ndarray(lab.data, lab.shape) as never, { channelNames: store.channels, unit: "dB" });
    } catch {
      snrs = store.channels.map((channel) => ({
        channel,
        snr: Number.NaN,
        meanForeground: Number.NaN,
        meanBackground: Number.NaN,
        stdBackground: Number.NaN,
        nForeground: 0,
        nBackground: 0,
      }));
    }
    for (const s of snrs)
      rows.push({
        condition,
        replicate,
        channel: s.channel,
        snr_db: s.snr,
        mean_fg: s.meanForeground,
        mean_bg: s.meanBackground,
        std_bg: s.stdBackground,
        n_fg: s.nForeground,
        n_bg: s.nBackground,
      });
    progress.tick();
  }
  progress.finish();
  return rows;
}
