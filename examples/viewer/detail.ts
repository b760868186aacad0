/**
 * Zoomed-in reads of large images (CZIs loaded as an overview): which region to read at which pyramid scale for
 * the current view ({@link detailRequest}), and a scheduler that keeps only the newest read alive
 * ({@link LatestOnly}: debounced, every superseded read aborted through its AbortSignal). No DOM; tested in Node.
 */

/** A rectangle in full-resolution image pixels (relative to the image's top-left). */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A region read: `rect` (full-resolution px) at `zoom` (output px per full-resolution px), covering `visible`. */
export interface DetailRequest {
  rect: Rect;
  zoom: number;
  /** The part of the image on screen when it was asked for (inside `rect`). */
  visible: Rect;
}

/** Largest region read, in output pixels (about 8 screens of 1200 x 1000 px). */
export const MAX_DETAIL_PIXELS = 12_000_000;

/**
 * The region to read for a view, or undefined when the overview already has the resolution the screen shows.
 * `view` is the visible rectangle in full-resolution px (it may reach past the image), `screenScale` the screen
 * px per full-resolution px, `overviewZoom` the scale of the loaded overview, `layers` the file's pyramid
 * scales (1 = full resolution). The scale read is the coarsest layer that still has at least one pixel per screen
 * pixel (full resolution when zoomed past 1:1), so the pixels drawn are the file's own, not resampled; a margin
 * of a quarter view on each side lets small pans reuse the read. When even the visible part at that layer would
 * pass `maxPixels`, it is read at exactly the screen's scale instead.
 */
export function detailRequest(
  view: Rect,
  screenScale: number,
  overviewZoom: number,
  layers: readonly number[],
  fullWidth: number,
  fullHeight: number,
  maxPixels = MAX_DETAIL_PIXELS,
): DetailRequest | undefined {
  if (!(screenScale > overviewZoom * 1.001)) return undefined;
  const target = Math.min(1, screenScale);
  let zoom = [1, ...layers].filter((s) => s >= target * (1 - 1e-9)).reduce((a, b) => Math.min(a, b), 1);
  if (zoom <= overviewZoom * 1.001) return undefined;
  const clip = (x0: number, y0: number, x1: number, y1: number): Rect => {
    const x = Math.max(0, Math.floor(x0));
    const y = Math.max(0, Math.floor(y0));
    return { x, y, w: Math.min(fullWidth, Math.ceil(x1)) - x, h: Math.min(fullHeight, Math.ceil(y1)) - y };
  };
  const visible = clip(view.x, view.y, view.x + view.w, view.y + view.h);
  if (visible.w <= 0 || visible.h <= 0) return undefined;
  const mx = view.w / 4;
  const my = view.h / 4;
  let rect = clip(view.x - mx, view.y - my, view.x + view.w + mx, view.y + view.h + my);
  const size = (r: Rect, z: number) => r.w * z * r.h * z;
  if (size(rect, zoom) > maxPixels) rect = visible;
  if (size(rect, zoom) > maxPixels) zoom = target;
  return { rect, zoom, visible };
}

/** True when a read `have` serves the view `want` (same scale, its region contains what is visible). */
export function covers(have: DetailRequest | undefined, want: DetailRequest | undefined): boolean {
  if (!have || !want) return false;
  const a = have.rect;
  const b = want.visible;
  return have.zoom === want.zoom && a.x <= b.x && a.y <= b.y && a.x + a.w >= b.x + b.w && a.y + a.h >= b.y + b.h;
}

/**
 * Runs only the newest of a stream of requests: each {@link LatestOnly.request} waits `delayMs` (so a burst of
 * wheel events starts one read), and aborts the signal of the request before it, whether it was still waiting or
 * already reading. A superseded request resolves to undefined; so does one whose read throws after its abort.
 */
export class LatestOnly<T> {
  /** Reads aborted while running (not counting requests superseded before they started). */
  aborted = 0;
  private controller: AbortController | undefined;
  private running = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private settle: ((v: T | undefined) => void) | undefined;

  constructor(readonly delayMs = 120) {}

  request(run: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
    this.cancel();
    const controller = new AbortController();
    this.controller = controller;
    return new Promise<T | undefined>((resolve, reject) => {
      this.settle = resolve;
      this.timer = setTimeout(async () => {
        this.timer = undefined;
        this.running = true;
        try {
          const r = await run(controller.signal);
          resolve(controller.signal.aborted ? undefined : r);
        } catch (e) {
          if (controller.signal.aborted) resolve(undefined);
          else reject(e);
        } finally {
          if (this.controller === controller) {
            this.running = false;
            this.controller = undefined;
            this.settle = undefined;
          }
        }
      }, this.delayMs);
    });
  }

  /** Abort whatever is waiting or running (it resolves to undefined). */
  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.controller) {
      if (this.running) this.aborted++;
      this.controller.abort();
    }
    this.settle?.(undefined);
    this.controller = undefined;
    this.running = false;
    this.settle = undefined;
  }
}
