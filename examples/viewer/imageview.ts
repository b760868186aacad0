/**
 * The image view: a composite of the visible channels (each with its colour and a display range, auto from the
 * 0.5/99.5 percentiles and adjustable), an intensity legend per channel, mouse zoom (wheel, about the cursor)
 * and pan (drag) over the full-resolution composite, a scale bar from the pixel size (or a "pixel size unknown"
 * note), and overlays drawn in image coordinates on top. Images loaded as an overview (large CZIs) are read again
 * when zoomed in: the visible region at the pyramid scale that fits the screen, down to full resolution, drawn
 * over the overview (detail.ts chooses the region and aborts stale reads).
 */
import { covers, type DetailRequest, detailRequest, LatestOnly, type Rect } from "./detail.js";
import type { ImageSeries, LoadedPlanes, RegionPlanes } from "./sources.js";
import { formatNumber, parseColour, percentileRange, scaleBar, toHex } from "./util.js";

/** Display settings of one channel. */
export interface ChannelSetting {
  name: string;
  colour: [number, number, number];
  lo: number;
  hi: number;
  visible: boolean;
}

/** Draws on top of the image; `ctx` is already transformed to image pixels, `zoom` is screen px per image px. */
export type OverlayPainter = (ctx: CanvasRenderingContext2D, zoom: number) => void;

export class ImageView {
  settings: ChannelSetting[] = [];
  series: ImageSeries | undefined;
  planes: LoadedPlanes | undefined;
  overlay: OverlayPainter | undefined;
  /** Screen px per image px, and the image point at the canvas origin. */
  zoom = 1;
  panX = 0;
  panY = 0;
  private buffer = document.createElement("canvas");
  /** The region read for a zoomed-in view of an overview, and the time/Z it belongs to. */
  private detail: { req: DetailRequest; planes: RegionPlanes; at: string } | undefined;
  private detailBuffer = document.createElement("canvas");
  private readonly detailLoader = new LatestOnly<{ req: DetailRequest; planes: RegionPlanes; at: string }>(120);
  /** Time index and Z of the planes shown. */
  private at = { ti: 0, z: 0 };
  /** The region being read. */
  private pending: { req: DetailRequest; at: string } | undefined;

  constructor(
    readonly canvas: HTMLCanvasElement,
    readonly controls: HTMLElement,
    readonly info: HTMLElement,
  ) {
    this.bindMouse();
  }

  /** A new input: channel settings from the file (ranges set on the first planes), view fitted. */
  setSeries(series: ImageSeries): void {
    this.series = series;
    this.settings = series.channels.map((c) => ({ name: c.name, colour: c.colour, lo: 0, hi: 1, visible: true }));
    this.planes = undefined;
    this.detail = undefined;
    this.detailLoader.cancel();
  }

  /** Show new planes (of time index `ti`, Z `z`); the first planes of a series set every channel's range from percentiles. */
  setPlanes(planes: LoadedPlanes, ti = 0, z = 0): void {
    const first = this.planes === undefined;
    this.planes = planes;
    this.at = { ti, z };
    if (first) {
      for (let c = 0; c < this.settings.length; c++) this.autoRange(c);
      this.fit();
      this.renderControls();
    }
    this.composite();
  }

  autoRange(c: number): void {
    const s = this.settings[c];
    const data = this.planes?.channels[c];
    if (!s || !data) return;
    [s.lo, s.hi] = percentileRange(data);
  }

  fit(): void {
    const s = this.series;
    if (!s) return;
    this.zoom = Math.min(this.canvas.width / s.width, this.canvas.height / s.height);
    this.panX = (this.canvas.width - s.width * this.zoom) / 2;
    this.panY = (this.canvas.height - s.height * this.zoom) / 2;
  }

  /** Channel rows: visibility, colour, range (min/max inputs, auto button) and the legend bar. */
  renderControls(): void {
    this.controls.replaceChildren(
      ...this.settings.map((s, c) => {
        const row = document.createElement("div");
        row.className = "channel";
        row.dataset.channel = s.name;
        row.innerHTML = `<label><input type="checkbox" class="vis" ${s.visible ? "checked" : ""}/> <span class="name"></span></label>
          <input type="color" class="colour" value="${toHex(s.colour)}" title="colour"/>
          <input type="number" class="lo" step="any" title="display minimum"/>
          <span class="bar"></span>
          <input type="number" class="hi" step="any" title="display maximum"/>
          <button class="auto" title="0.5–99.5 percentiles">auto</button>`;
        (row.querySelector(".name") as HTMLElement).textContent = s.name;
        const lo = row.querySelector(".lo") as HTMLInputElement;
        const hi = row.querySelector(".hi") as HTMLInputElement;
        const bar = row.querySelector(".bar") as HTMLElement;
        const sync = () => {
          lo.value = formatNumber(s.lo);
          hi.value = formatNumber(s.hi);
          bar.style.background = `linear-gradient(to right, #000, ${toHex(s.colour)})`;
        };
        sync();
        row.addEventListener("change", (ev) => {
          const t = ev.target as HTMLInputElement;
          if (t.classList.contains("vis")) s.visible = t.checked;
          else if (t.classList.contains("colour")) s.colour = parseColour(t.value) ?? s.colour;
          else if (t.classList.contains("lo") && Number.isFinite(Number(t.value))) s.lo = Number(t.value);
          else if (t.classList.contains("hi") && Number.isFinite(Number(t.value))) s.hi = Number(t.value);
          if (s.hi <= s.lo) s.hi = s.lo + 1e-9;
          sync();
          this.composite();
        });
        (row.querySelector(".auto") as HTMLButtonElement).onclick = () => {
          this.autoRange(c);
          sync();
          this.composite();
        };
        return row;
      }),
    );
  }

  /** Rebuild the composite of the loaded planes (and of the zoomed-in region, if any) and redraw. */
  composite(): void {
    const s = this.series;
    const p = this.planes;
    if (!s || !p) return;
    this.paint(this.buffer, p.channels, s.width, s.height);
    const d = this.detail;
    if (d) this.paint(this.detailBuffer, d.planes.channels, d.planes.width, d.planes.height);
    this.draw();
  }

  /** Additive blend of the visible channels (each through its display range and colour) into `target`. */
  private paint(target: HTMLCanvasElement, channels: ArrayLike<number>[], w: number, h: number): void {
    const n = w * h;
    target.width = w;
    target.height = h;
    const bctx = target.getContext("2d") as CanvasRenderingContext2D;
    const img = bctx.createImageData(w, h);
    const acc = new Float32Array(n * 3);
    this.settings.forEach((cs, c) => {
      const data = channels[c];
      if (!cs.visible || !data) return;
      const [r, g, b] = cs.colour;
      const scale = 1 / (cs.hi - cs.lo);
      for (let i = 0; i < n; i++) {
        let v = ((data[i] as number) - cs.lo) * scale;
        v = v < 0 ? 0 : v > 1 ? 1 : v;
        acc[3 * i] = (acc[3 * i] as number) + v * r;
        acc[3 * i + 1] = (acc[3 * i + 1] as number) + v * g;
        acc[3 * i + 2] = (acc[3 * i + 2] as number) + v * b;
      }
    });
    const d = img.data;
    for (let i = 0; i < n; i++) {
      d[4 * i] = 255 * (acc[3 * i] as number);
      d[4 * i + 1] = 255 * (acc[3 * i + 1] as number);
      d[4 * i + 2] = 255 * (acc[3 * i + 2] as number);
      d[4 * i + 3] = 255;
    }
    bctx.putImageData(img, 0, 0);
  }

  /** Redraw: image at the current zoom/pan (nearest neighbour beyond 1:1), overlays, scale bar. */
  draw(): void {
    const ctx = this.canvas.getContext("2d") as CanvasRenderingContext2D;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    if (!this.series || !this.planes) return;
    ctx.imageSmoothingEnabled = this.zoom < 1;
    ctx.setTransform(this.zoom, 0, 0, this.zoom, this.panX, this.panY);
    ctx.drawImage(this.buffer, 0, 0);
    const s = this.series;
    const ov = s.width / s.fullWidth;
    const d = this.detail?.at === this.atKey() ? this.detail : undefined;
    if (d) {
      // the region's own pixels, placed over the overview (overview px = full-resolution px x ov)
      const r = d.req.rect;
      ctx.drawImage(this.detailBuffer, 0, 0, d.planes.width, d.planes.height, r.x * ov, r.y * ov, r.w * ov, r.h * ov);
    }
    this.overlay?.(ctx, this.zoom);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    if (s.pixelUm) {
      // pixel size of the loaded planes (an overview level has larger pixels)
      const um = s.pixelUm * (s.fullWidth / s.width);
      const bar = scaleBar(um, this.zoom);
      const x = this.canvas.width - 20 - bar.px;
      const y = this.canvas.height - 20;
      ctx.fillStyle = "#fff";
      ctx.fillRect(x, y, bar.px, 4);
      ctx.font = "13px system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.fillText(bar.label, x + bar.px / 2, y - 6);
      this.canvas.dataset.scalebar = bar.label;
    } else {
      // no pixel size in the file (nor in a manifest): say so rather than draw a bar of a guessed length
      ctx.fillStyle = "#fff";
      ctx.font = "13px system-ui, sans-serif";
      ctx.textAlign = "right";
      ctx.fillText("pixel size unknown", this.canvas.width - 20, this.canvas.height - 16);
      this.canvas.dataset.scalebar = "pixel size unknown";
    }
    if (s.pyramid) {
      // which resolution is on screen: the overview, or a region re-read at a pyramid level / full resolution
      ctx.fillStyle = "#fff";
      ctx.font = "13px system-ui, sans-serif";
      ctx.textAlign = "left";
      const res = d
        ? d.req.zoom === 1
          ? "full resolution"
          : `${formatNumber(d.req.zoom * 100)} % resolution`
        : `overview at ${formatNumber(ov * 100)} %`;
      ctx.fillText(res, 12, this.canvas.height - 16);
    }
    const scale = this.zoom * ov;
    this.canvas.dataset.zoom = String(scale);
    // the view for tests and scripts: screen px per full-resolution px, full-resolution point at the canvas origin
    this.canvas.dataset.view = JSON.stringify({ scale, x0: -this.panX / scale, y0: -this.panY / scale });
    this.canvas.dataset.detail = d ? JSON.stringify({ zoom: d.req.zoom, rect: d.req.rect, subblocks: d.planes.subblocks }) : "";
    this.canvas.dataset.aborted = String(this.detailLoader.aborted);
    this.requestDetail();
  }

  private atKey(): string {
    return `${this.at.ti}/${this.at.z}`;
  }

  /** The visible part of the image, in full-resolution px. */
  private visible(): Rect {
    const s = this.series as ImageSeries;
    const scale = this.zoom * (s.width / s.fullWidth);
    return { x: -this.panX / scale, y: -this.panY / scale, w: this.canvas.width / scale, h: this.canvas.height / scale };
  }

  /** For an overview zoomed in past its resolution: read the visible region at the scale the screen needs. */
  private requestDetail(): void {
    const s = this.series;
    const py = s?.pyramid;
    if (!s || !py || !this.planes) return;
    const scale = this.zoom * (s.width / s.fullWidth);
    const want = detailRequest(this.visible(), scale, py.overviewZoom, py.layers, s.fullWidth, s.fullHeight);
    const at = this.atKey();
    if (!want) {
      this.detailLoader.cancel();
      return;
    }
    if (this.detail?.at === at && covers(this.detail.req, want)) return;
    if (this.pending?.at === at && covers(this.pending.req, want)) return;
    const { ti, z } = this.at;
    this.pending = { req: want, at };
    void this.detailLoader
      .request(async (signal) => ({ req: want, at, planes: await py.loadRegion(ti, z, want.rect, want.zoom, signal) }))
      .then((got) => {
        if (!got || this.series !== s) return;
        this.pending = undefined;
        this.detail = got;
        this.paint(this.detailBuffer, got.planes.channels, got.planes.width, got.planes.height);
        this.draw();
      })
      .catch((e) => {
        this.pending = undefined;
        console.error(e);
      });
  }

  /** Image pixel under a canvas point. */
  toImage(cx: number, cy: number): [number, number] {
    return [(cx - this.panX) / this.zoom, (cy - this.panY) / this.zoom];
  }

  /**
   * "x, y: channel value, ..." at overview point (ix, iy), in full-resolution px; values from the zoomed-in
   * region where it covers the point, else from the loaded planes. Undefined outside the image.
   */
  describe(ix: number, iy: number): string | undefined {
    const s = this.series;
    const p = this.planes;
    if (!s || !p) return undefined;
    const ov = s.width / s.fullWidth;
    const fx = ix / ov;
    const fy = iy / ov;
    if (!(fx >= 0 && fy >= 0 && fx < s.fullWidth && fy < s.fullHeight)) return undefined;
    const d = this.detail?.at === this.atKey() ? this.detail : undefined;
    let src: { channels: ArrayLike<number>[]; i: number } = {
      channels: p.channels,
      i: Math.min(s.height - 1, Math.floor(iy)) * s.width + Math.min(s.width - 1, Math.floor(ix)),
    };
    if (d) {
      const r = d.req.rect;
      const dx = Math.floor((fx - r.x) * d.req.zoom);
      const dy = Math.floor((fy - r.y) * d.req.zoom);
      if (dx >= 0 && dy >= 0 && dx < d.planes.width && dy < d.planes.height)
        src = { channels: d.planes.channels, i: dy * d.planes.width + dx };
    }
    const vals = this.settings.map((cs, k) => `${cs.name} ${formatNumber(src.channels[k]?.[src.i] as number)}`);
    return `x ${Math.floor(fx)}, y ${Math.floor(fy)}: ${vals.join(", ")}`;
  }

  private bindMouse(): void {
    const c = this.canvas;
    c.addEventListener(
      "wheel",
      (ev) => {
        ev.preventDefault();
        const r = c.getBoundingClientRect();
        const cx = ((ev.clientX - r.left) * c.width) / r.width;
        const cy = ((ev.clientY - r.top) * c.height) / r.height;
        const [ix, iy] = this.toImage(cx, cy);
        const f = Math.exp(-ev.deltaY * 0.002);
        this.zoom = Math.min(64, Math.max(0.01, this.zoom * f));
        this.panX = cx - ix * this.zoom;
        this.panY = cy - iy * this.zoom;
        this.draw();
      },
      { passive: false },
    );
    let drag: { x: number; y: number; px: number; py: number } | undefined;
    c.addEventListener("pointerdown", (ev) => {
      drag = { x: ev.clientX, y: ev.clientY, px: this.panX, py: this.panY };
      c.setPointerCapture(ev.pointerId);
    });
    c.addEventListener("pointerup", () => {
      drag = undefined;
    });
    c.addEventListener("pointermove", (ev) => {
      const r = c.getBoundingClientRect();
      if (drag) {
        this.panX = drag.px + ((ev.clientX - drag.x) * c.width) / r.width;
        this.panY = drag.py + ((ev.clientY - drag.y) * c.height) / r.height;
        this.draw();
      }
      const [ix, iy] = this.toImage(((ev.clientX - r.left) * c.width) / r.width, ((ev.clientY - r.top) * c.height) / r.height);
      const text = this.describe(ix, iy);
      if (text) this.info.textContent = text;
    });
    c.addEventListener("dblclick", () => {
      this.fit();
      this.draw();
    });
  }
}
