/**
 * The HYPED viewer: opens frame `.h5` files or an `.h5ad` chosen by the user and reads them in the page
 * (h5wasm through `@hyped/core/hdf5`; nothing leaves the machine).
 *
 * - Frames: composite of the toggled channels, the nuclei found by `segmentFrame` outlined on top, and the
 *   phase distribution over the opened time points (`classifyCellCycle` + `phaseDistribution`).
 * - AnnData: the obs table and a scatter of `obsm` X_umap / X_tsne, or a quick PCA when there is none.
 */
import type { AnyNdArray } from "@hyped/core";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const statusEl = $<HTMLDivElement>("status");
function status(text: string, error = false): void {
  statusEl.textContent = text;
  statusEl.className = error ? "error" : "";
  document.body.dataset.state = error ? "error" : text.startsWith("Ready") ? "ready" : "busy";
}

/** Display colours per channel name (RGB 0–1). */
const COLOURS: Record<string, [number, number, number]> = {
  Cy5: [0.6, 0.2, 1],
  mKate: [1, 0.15, 0.1],
  TagGFP: [0.1, 1, 0.2],
  Oblique: [0.5, 0.5, 0.5],
};

$<HTMLInputElement>("file").addEventListener("change", async (ev) => {
  const files = [...((ev.target as HTMLInputElement).files ?? [])];
  if (files.length === 0) return;
  try {
    if (files.some((f) => f.name.endsWith(".h5ad"))) await showH5ad(files.find((f) => f.name.endsWith(".h5ad")) as File);
    else await showFrames(files);
  } catch (e) {
    console.error(e);
    status(`Error: ${(e as Error).message}`, true);
  }
});

// ---------------------------------------------------------------- frames

async function showFrames(files: File[]): Promise<void> {
  status(`Opening ${files.length} frame file(s)…`);
  const { openFrameStore, segmentFrame, classifyCellCycle, phaseDistribution } = await import("@hyped/imaging");
  const store = await openFrameStore(files);
  const condition = store.conditions[0] as string;
  $("h5ad").hidden = true;
  $("frame").hidden = false;

  // One frame per time point, each segmented once.
  const frames: Array<{ t: number; image: AnyNdArray; labels: Int32Array }> = [];
  const table = { time: [] as number[], mKate: [] as number[], TagGFP: [] as number[] };
  for (const t of store.times) {
    status(`Segmenting t=${t}…`);
    const image = (await store.loadFrames({ condition, t: [t, t + 1] })).pick(0, null, null, null);
    const seg = segmentFrame(image, { channelNames: store.channels });
    frames.push({ t, image, labels: seg.labels.data as Int32Array });
    for (let k = 0; k < seg.objects.id.length; k++) {
      table.time.push(t);
      table.mKate.push(seg.objects.meanIntensity.mKate?.[k] ?? 0);
      table.TagGFP.push(seg.objects.meanIntensity.TagGFP?.[k] ?? 0);
    }
  }

  // Controls: one toggle per channel, a time selector, the overlay switch.
  const channelsEl = $("channels");
  channelsEl.replaceChildren(
    ...store.channels.map((name) => {
      const label = document.createElement("label");
      label.innerHTML = `<input type="checkbox" data-channel="${name}" ${name === "Oblique" ? "" : "checked"} /> ${name}`;
      return label;
    }),
  );
  const timeEl = $<HTMLSelectElement>("time");
  timeEl.replaceChildren(...frames.map((f, i) => new Option(`t=${f.t}`, String(i))));
  const draw = () => drawFrame(frames[Number(timeEl.value) || 0] as (typeof frames)[number], store.channels, store.width, store.height);
  channelsEl.onchange = draw;
  timeEl.onchange = draw;
  $<HTMLInputElement>("overlay").onchange = draw;
  draw();

  status("Calling phases…");
  const calls = classifyCellCycle({ mKate: table.mKate, TagGFP: table.TagGFP });
  const title = `${condition}: phases over time`;
  const { rows, svg } = await phaseDistribution({ phase: calls.phase, time: table.time }, { by: ["time"], title });
  if (frames.length > 1) $("phases").innerHTML = svg ?? "";
  else {
    // one time point: an area has no width, so draw the same fractions as one stacked bar
    const { renderSvg } = await import("@hyped/core/plot");
    $("phases").innerHTML = await renderSvg({
      title: `${condition}: phases at t=${frames[0]?.t}`,
      data: { values: rows },
      mark: "bar",
      width: 120,
      encoding: {
        x: { field: "time", type: "ordinal" },
        y: { field: "fraction", type: "quantitative", stack: "normalize", title: "fraction of cells" },
        color: { field: "phase", type: "nominal" },
      },
    });
  }
  const nuclei = frames.map((f) => new Set(f.labels).size - 1);
  status(`Ready: ${condition}, ${frames.length} frame(s) of ${store.width}x${store.height}, ${nuclei.join("/")} nuclei`);
}

/** A robust display range: the 0.5th and 99.5th percentiles of a sample of the channel. */
function displayRange(data: ArrayLike<number>, offset: number, n: number): [number, number] {
  const step = Math.max(1, Math.floor(n / 20000));
  const s: number[] = [];
  for (let i = 0; i < n; i += step) s.push(data[offset + i] as number);
  s.sort((a, b) => a - b);
  const lo = s[Math.floor(s.length * 0.005)] as number;
  const hi = s[Math.min(s.length - 1, Math.floor(s.length * 0.995))] as number;
  return [lo, hi > lo ? hi : lo + 1];
}

function drawFrame(frame: { image: AnyNdArray; labels: Int32Array }, channels: string[], width: number, height: number): void {
  const canvas = $<HTMLCanvasElement>("canvas");
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d") as CanvasRenderingContext2D;
  const img = ctx.createImageData(width, height);
  const rgb = new Float32Array(width * height * 3);
  const n = width * height;
  // The frame view is (C, Y, X) and contiguous per channel (picked from a (T, C, Y, X) load).
  const data = frame.image.data as ArrayLike<number>;
  const base = frame.image.offset;
  const enabled = new Set(
    [...document.querySelectorAll<HTMLInputElement>("#channels input")].filter((i) => i.checked).map((i) => i.dataset.channel),
  );
  channels.forEach((name, c) => {
    if (!enabled.has(name)) return;
    const off = base + c * (frame.image.stride[0] as number);
    const [lo, hi] = displayRange(data, off, n);
    const [r, g, b] = COLOURS[name] ?? [1, 1, 1];
    for (let i = 0; i < n; i++) {
      const v = Math.min(1, Math.max(0, ((data[off + i] as number) - lo) / (hi - lo)));
      rgb[3 * i] = (rgb[3 * i] as number) + v * r;
      rgb[3 * i + 1] = (rgb[3 * i + 1] as number) + v * g;
      rgb[3 * i + 2] = (rgb[3 * i + 2] as number) + v * b;
    }
  });
  const overlay = $<HTMLInputElement>("overlay").checked;
  const L = frame.labels;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const l = L[i] as number;
      // a label pixel with a differently labelled 4-neighbour is on the outline
      const edge =
        overlay &&
        l > 0 &&
        (x === 0 ||
          L[i - 1] !== l ||
          x === width - 1 ||
          L[i + 1] !== l ||
          y === 0 ||
          L[i - width] !== l ||
          y === height - 1 ||
          L[i + width] !== l);
      const o = 4 * i;
      if (edge) {
        img.data[o] = 255;
        img.data[o + 1] = 230;
        img.data[o + 2] = 0;
      } else {
        img.data[o] = Math.min(255, 255 * (rgb[3 * i] as number));
        img.data[o + 1] = Math.min(255, 255 * (rgb[3 * i + 1] as number));
        img.data[o + 2] = Math.min(255, 255 * (rgb[3 * i + 2] as number));
      }
      img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
}

// ---------------------------------------------------------------- h5ad

async function showH5ad(file: File): Promise<void> {
  status(`Reading ${file.name}…`);
  const seq = await import("@hyped/seq");
  const adata = await seq.readH5ad(file);
  $("frame").hidden = true;
  $("h5ad").hidden = false;

  // obs table: index + every column, first 500 rows.
  const columns = adata.obs.columns;
  const shown = Math.min(adata.nObs, 500);
  const table = $<HTMLTableElement>("obs");
  const head = document.createElement("tr");
  for (const h of ["", ...columns]) head.appendChild(Object.assign(document.createElement("th"), { textContent: h }));
  const rows = [head];
  for (let i = 0; i < shown; i++) {
    const tr = document.createElement("tr");
    tr.appendChild(Object.assign(document.createElement("td"), { textContent: adata.obsNames[i] ?? String(i) }));
    for (const c of columns) {
      const col = adata.obs.column(c);
      const v = col ? seq.columnValue(col, i) : "";
      tr.appendChild(Object.assign(document.createElement("td"), { textContent: v === null ? "NA" : String(v) }));
    }
    rows.push(tr);
  }
  table.replaceChildren(...rows);

  // Scatter: a stored UMAP / t-SNE, else a quick PCA of log-normalised counts.
  let basis = ["X_umap", "X_tsne"].find((b) => adata.obsm.has(b));
  if (!basis) {
    status("No UMAP/t-SNE in obsm: computing a quick PCA…");
    seq.normalizeTotal(adata, { targetSum: 1e4 });
    seq.log1p(adata);
    seq.pca(adata, { nComps: 2 });
    basis = "X_pca";
  }
  const color = columns.find((c) => adata.obs.column(c)?.kind === "categorical") ?? columns[0];
  $("scatter").innerHTML = color
    ? await seq.embeddingSvg(adata, { basis, color, title: `${basis.slice(2).toUpperCase()} of ${file.name}` })
    : "";
  status(`Ready: ${adata.nObs} cells x ${adata.nVars} genes, ${shown} obs rows shown, scatter of ${basis}`);
}
