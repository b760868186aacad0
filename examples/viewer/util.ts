/** Small pure helpers of the viewer (number formatting, display ranges, scale bars, colours); tested in Node. */

/**
 * A table cell for a number: integers as they are, other floats to 4 significant digits (scientific below
 * 1e-3 or from 1e6), NaN as "NA". Never the 17 digits of `String(0.1 + 0.2)`.
 */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return "NA";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3).replace(/\.?0+e/, "e");
  return String(Number(v.toPrecision(4)));
}

/** Any table value as text: numbers through {@link formatNumber}, null as "NA". */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return "NA";
  if (typeof v === "number") return formatNumber(v);
  if (typeof v === "bigint") return v.toString();
  return String(v);
}

/**
 * Display range from percentiles (default 0.5 and 99.5) of an evenly strided sample of at most 50 000 values
 * of `data` (NaN skipped). Returns `[lo, hi]` with `hi > lo`.
 */
export function percentileRange(data: ArrayLike<number>, low = 0.5, high = 99.5): [number, number] {
  const n = data.length;
  const step = Math.max(1, Math.floor(n / 50000));
  const s: number[] = [];
  for (let i = 0; i < n; i += step) {
    const v = data[i] as number;
    if (!Number.isNaN(v)) s.push(v);
  }
  if (s.length === 0) return [0, 1];
  s.sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.round((p / 100) * (s.length - 1))))] as number;
  const lo = at(low);
  const hi = at(high);
  return [lo, hi > lo ? hi : lo + 1];
}

/**
 * A scale bar for `pixelUm` micrometres per image pixel shown at `zoom` screen pixels per image pixel: the
 * 1-2-5 length (µm) whose bar is closest to `targetPx` screen pixels without passing it, and its width in px.
 */
export function scaleBar(pixelUm: number, zoom: number, targetPx = 120): { um: number; px: number; label: string } {
  const pxPerUm = zoom / pixelUm;
  const raw = targetPx / pxPerUm;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const um = [5, 2, 1].map((m) => m * pow).find((c) => c <= raw) ?? pow;
  const label = um >= 1000 ? `${formatNumber(um / 1000)} mm` : `${formatNumber(um)} µm`;
  return { um, px: um * pxPerUm, label };
}

/** `#rgb`, `#rrggbb` or ZEN's `#aarrggbb` as RGB 0–1; undefined when it does not parse. */
export function parseColour(text: string | undefined): [number, number, number] | undefined {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(text?.trim() ?? "");
  if (!m) return undefined;
  let h = m[1] as string;
  if (h.length === 3) h = [...h].map((c) => c + c).join("");
  if (h.length === 8) h = h.slice(2);
  const v = [0, 2, 4].map((i) => Number.parseInt(h.slice(i, i + 2), 16) / 255) as [number, number, number];
  return v;
}

/** RGB 0–1 as `#rrggbb`. */
export function toHex(c: readonly number[]): string {
  return `#${c
    .slice(0, 3)
    .map((v) =>
      Math.round(Math.min(1, Math.max(0, v)) * 255)
        .toString(16)
        .padStart(2, "0"),
    )
    .join("")}`;
}

/** Default channel colours when the file records none, in channel order (magenta-free for red/green viewers). */
export const DEFAULT_CHANNEL_COLOURS: ReadonlyArray<[number, number, number]> = [
  [0, 1, 0],
  [1, 0, 1],
  [0, 1, 1],
  [1, 1, 0],
  [1, 0.5, 0],
  [0.6, 0.6, 1],
];

/** A few channel names get their usual colours (FUCCI reporters, far red, transmitted light). */
export function channelColour(name: string, index: number, recorded?: string): [number, number, number] {
  const fromFile = parseColour(recorded);
  if (fromFile && fromFile.some((v) => v > 0)) return fromFile;
  if (/kate|mcherry|rfp|555|561|568|594|tritc/i.test(name)) return [1, 0.2, 0.1];
  if (/gfp|488|470|fitc|venus|yfp/i.test(name)) return [0.1, 1, 0.2];
  if (/cy5|640|647|far/i.test(name)) return [0.7, 0.3, 1];
  if (/oblique|bright|phase|dic|tl|trans/i.test(name)) return [0.6, 0.6, 0.6];
  return DEFAULT_CHANNEL_COLOURS[index % DEFAULT_CHANNEL_COLOURS.length] as [number, number, number];
}

/** Viridis at `t` in [0, 1] (9 stops, linear between them), RGB 0–255. */
export function viridis(t: number): [number, number, number] {
  const stops = [
    [68, 1, 84],
    [71, 44, 122],
    [59, 81, 139],
    [44, 113, 142],
    [33, 144, 141],
    [39, 173, 129],
    [92, 200, 99],
    [170, 220, 50],
    [253, 231, 37],
  ];
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i] as number[];
  const b = stops[i + 1] as number[];
  return [0, 1, 2].map((k) => Math.round((a[k] as number) + f * ((b[k] as number) - (a[k] as number)))) as [number, number, number];
}

/** scanpy's default categorical palette (matplotlib tab10/tab20, then grey) for groups without `uns` colours. */
export const CATEGORY_COLOURS = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
  "#aec7e8",
  "#ffbb78",
  "#98df8a",
  "#ff9896",
  "#c5b0d5",
  "#c49c94",
  "#f7b6d2",
  "#c7c7c7",
  "#dbdb8d",
  "#9edae5",
];
