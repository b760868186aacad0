/**
 * Per-channel signal-to-noise ratio of a frame with the segmentation's foreground (the pipeline's step 9),
 * computed by `@hyped/metrics`' `snr` definitions.
 */
import { type AnyNdArray, assertSameShape, HypedError, isNdArray } from "@hyped/core";
import { type SnrOptions, snrFromStats, snrStats } from "@hyped/metrics";

/** Options of {@link frameSnr}: the metric's options plus channel names. */
export interface FrameSnrOptions extends SnrOptions {
  /** Names of the frame's channels (axis 0). Default `c0`, `c1`, ... */
  channelNames?: readonly string[];
  /** Only these channels (names). Default all. */
  channels?: readonly string[];
}

/** One channel's SNR and its parts. */
export interface ChannelSnr {
  channel: string;
  /** The SNR under the chosen definition and unit (see `snr` in `@hyped/metrics`). */
  snr: number;
  meanForeground: number;
  meanBackground: number;
  stdBackground: number;
  nForeground: number;
  nBackground: number;
}

/**
 * SNR per channel of `frame` ([C, Y, X] ndarray, or one [Y, X] image) with `mask` ([Y, X]; any non-zero
 * value — a boolean mask or a label image — is foreground). Default definition `mean(fg) / std(bg)`, as
 * `snr` of `@hyped/metrics` (numpy: `img[m].mean() / img[~m].std()`).
 */
export function frameSnr(frame: AnyNdArray, mask: AnyNdArray, options: FrameSnrOptions = {}): ChannelSnr[] {
  if (!isNdArray(frame) || !isNdArray(mask)) throw new HypedError("INVALID_ARGUMENT", "frameSnr: frame and mask must be ndarrays", {});
  if (mask.shape.length !== 2)
    throw new HypedError("INVALID_ARGUMENT", `frameSnr: mask must be 2-D, got [${mask.shape}]`, { shape: mask.shape });
  const planes: AnyNdArray[] = [];
  if (frame.shape.length === 2) planes.push(frame);
  else if (frame.shape.length === 3)
    for (let c = 0; c < (frame.shape[0] as number); c++) planes.push(frame.pick(c, null, null) as AnyNdArray);
  else
    throw new HypedError("INVALID_ARGUMENT", `frameSnr: frame must be [C, Y, X] or [Y, X], got [${frame.shape}]`, { shape: frame.shape });
  const names = options.channelNames ?? planes.map((_, c) => `c${c}`);
  if (names.length !== planes.length) {
    throw new HypedError("SHAPE_MISMATCH", `frameSnr: ${names.length} channel names for ${planes.length} channels`, {
      channelNames: names,
    });
  }
  const want = options.channels ?? names;
  for (const w of want)
    if (!names.includes(w)) throw new HypedError("NOT_FOUND", `frameSnr: no channel "${w}"`, { channel: w, channelNames: names });
  const out: ChannelSnr[] = [];
  planes.forEach((plane, c) => {
    const name = names[c] as string;
    if (!want.includes(name)) return;
    assertSameShape(plane.shape, mask.shape, "frame channel and mask");
    const s = snrStats(plane, mask, { ddof: options.ddof ?? 0 });
    out.push({ channel: name, snr: snrFromStats(s, options), ...s });
  });
  return out;
}
