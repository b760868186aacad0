/**
 * The AnnData view: any `obsm` embedding (first two components) drawn on a canvas and coloured by any obs
 * column, as scanpy does: categories with `uns['<key>_colors']` when present (else scanpy's default palette),
 * larger groups drawn first so small ones stay visible; numbers with viridis and a colour bar. Searchable obs
 * and var tables with {@link formatValue}. An AnnData without X or embeddings still shows its tables.
 */
import type { AnnData, Column } from "@hyped/seq";
import { CATEGORY_COLOURS, formatNumber, formatValue, viridis } from "./util.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Rows of a table shown at most; the search narrows them. */
export const TABLE_ROWS = 500;

/** Render the AnnData view; resolves to what the status line reports. */
export async function showAnnData(adata: AnnData, fileName: string): Promise<{ shown: number; basis: string | undefined }> {
  const seq = await import("@hyped/seq");
  const core = await import("@hyped/core");
  const bases = [...adata.obsm.keys()].filter((k) => {
    const m = adata.obsm.get(k);
    return m !== undefined && m.shape.length === 2 && (m.shape[1] as number) >= 2;
  });
  // embeddings are the X_* keys (scanpy's naming); other 2-D obsm matrices (e.g. hashtag counts) come after
  if (!bases.some((b) => b.startsWith("X_")) && adata.X && adata.nObs > 2 && adata.nVars > 2) {
    // no embedding stored: a quick PCA of log-normalised X, as before
    seq.normalizeTotal(adata, { targetSum: 1e4 });
    seq.log1p(adata);
    seq.pca(adata, { nComps: 2 });
    bases.push("X_pca");
  }
  bases.sort((a, b) => rank(a) - rank(b));
  const columns = adata.obs.columns;
  const basisEl = $<HTMLSelectElement>("basis");
  const colourEl = $<HTMLSelectElement>("colour");
  basisEl.replaceChildren(...bases.map((b) => new Option(b, b)));
  colourEl.replaceChildren(new Option("(none)", ""), ...columns.map((c) => new Option(c, c)));
  colourEl.value = columns.find((c) => adata.obs.column(c)?.kind === "categorical") ?? columns[0] ?? "";
  const draw = () => {
    const basis = basisEl.value;
    const m = adata.obsm.get(basis);
    if (!m) {
      $("embedding").hidden = true;
      return;
    }
    $("embedding").hidden = false;
    const xy = new Float64Array(adata.nObs * 2);
    const dense = core.isSparse(m) ? core.sparseToDense(m) : m;
    for (let i = 0; i < adata.nObs; i++) {
      xy[2 * i] = Number(dense.get(i, 0));
      xy[2 * i + 1] = Number(dense.get(i, 1));
    }
    const key = colourEl.value;
    drawScatter(xy, key ? adata.obs.column(key) : undefined, key, adata.uns, basis);
    $("embedding-title").textContent = `${basis} of ${fileName}`;
  };
  basisEl.onchange = draw;
  colourEl.onchange = draw;
  draw();

  const obsRows = (i: number) => [adata.obsNames[i] ?? String(i), ...columns.map((c) => cell(seq, adata.obs.column(c), i))];
  const varCols = adata.var.columns;
  const varRows = (i: number) => [adata.varNames[i] ?? String(i), ...varCols.map((c) => cell(seq, adata.var.column(c), i))];
  const shown = searchableTable("obs", ["", ...columns], adata.nObs, obsRows);
  searchableTable("var", ["", ...varCols], adata.nVars, varRows);
  return { shown, basis: bases.length ? basisEl.value : undefined };
}

function rank(basis: string): number {
  const order = ["X_umap", "X_tsne", "X_draw_graph_fa", "X_pca"];
  const i = order.indexOf(basis);
  return i >= 0 ? i : basis.startsWith("X_") ? order.length : order.length + 1;
}

function cell(seq: typeof import("@hyped/seq"), col: Column | undefined, i: number): string {
  return col ? formatValue(seq.columnValue(col, i)) : "";
}

/** A table with a search box over every cell; returns the number of rows shown first. */
function searchableTable(id: string, head: string[], n: number, row: (i: number) => string[]): number {
  const table = $<HTMLTableElement>(id);
  const search = $<HTMLInputElement>(`${id}-search`);
  const count = $(`${id}-count`);
  const render = () => {
    const q = search.value.trim().toLowerCase();
    const tr0 = document.createElement("tr");
    for (const h of head) tr0.appendChild(Object.assign(document.createElement("th"), { textContent: h }));
    const rows = [tr0];
    let matched = 0;
    for (let i = 0; i < n; i++) {
      const cells = row(i);
      if (q && !cells.some((c) => c.toLowerCase().includes(q))) continue;
      matched++;
      if (rows.length > TABLE_ROWS) continue;
      const tr = document.createElement("tr");
      for (const c of cells) tr.appendChild(Object.assign(document.createElement("td"), { textContent: c }));
      rows.push(tr);
    }
    table.replaceChildren(...rows);
    count.textContent = `${matched} of ${n} rows${matched > TABLE_ROWS ? `, first ${TABLE_ROWS} shown` : ""}`;
    return rows.length - 1;
  };
  search.oninput = render;
  search.value = "";
  return render();
}

/** Scatter on the canvas: categorical (uns colours, legend) or continuous (viridis, colour bar). */
function drawScatter(xy: Float64Array, col: Column | undefined, key: string, uns: Record<string, unknown>, basis: string): void {
  const canvas = $<HTMLCanvasElement>("scatter");
  const ctx = canvas.getContext("2d") as CanvasRenderingContext2D;
  const W = canvas.width;
  const H = canvas.height;
  const n = xy.length / 2;
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, W, H);
  let x0 = Infinity,
    x1 = -Infinity,
    y0 = Infinity,
    y1 = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = xy[2 * i] as number;
    const y = xy[2 * i + 1] as number;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  }
  const pad = 30;
  const sx = (W - 2 * pad) / (x1 - x0 || 1);
  const sy = (H - 2 * pad) / (y1 - y0 || 1);
  const colour: string[] = new Array(n).fill("#555");
  let order = Array.from({ length: n }, (_, i) => i);
  const legend = $("legend");
  legend.replaceChildren();
  if (col?.kind === "categorical") {
    const cats = col.categories.map(String);
    const stored = uns[`${key}_colors`];
    const palette =
      Array.isArray(stored) && stored.length >= cats.length ? stored.map(String) : ArrayBuffer.isView(stored) ? [] : CATEGORY_COLOURS;
    const size = new Array(cats.length).fill(0);
    for (const c of col.codes) if (c >= 0) size[c]++;
    for (let i = 0; i < n; i++) {
      const c = col.codes[i] as number;
      colour[i] = c >= 0 ? (palette[c % palette.length] ?? "#555") : "#ccc";
    }
    // large groups first, so small groups are drawn on top (scanpy sorts the same way)
    order.sort((a, b) => (size[col.codes[b] as number] ?? 0) - (size[col.codes[a] as number] ?? 0));
    legend.append(
      ...cats
        .map((c, k) => ({ c, k }))
        .filter(({ k }) => size[k] > 0)
        .map(({ c, k }) => {
          const s = document.createElement("span");
          s.className = "key";
          s.innerHTML = `<i style="background:${palette[k % palette.length]}"></i>`;
          s.append(`${c} (${size[k]})`);
          return s;
        }),
    );
  } else if (col && (col.kind === "numeric" || col.kind === "nullable-integer" || col.kind === "boolean")) {
    const v = Array.from(col.values as ArrayLike<number | bigint | boolean>, Number);
    const finite = v.filter(Number.isFinite);
    const lo = Math.min(...finite);
    const hi = Math.max(...finite);
    for (let i = 0; i < n; i++) {
      const [r, g, b] = viridis(((v[i] as number) - lo) / (hi - lo || 1));
      colour[i] = Number.isFinite(v[i]) ? `rgb(${r},${g},${b})` : "#ccc";
    }
    order = order.sort((a, b) => (v[a] as number) - (v[b] as number)); // high values on top, as scanpy
    const bar = document.createElement("canvas");
    bar.width = 200;
    bar.height = 12;
    const bctx = bar.getContext("2d") as CanvasRenderingContext2D;
    for (let x = 0; x < 200; x++) {
      const [r, g, b] = viridis(x / 199);
      bctx.fillStyle = `rgb(${r},${g},${b})`;
      bctx.fillRect(x, 0, 1, 12);
    }
    bar.className = "colourbar";
    legend.append(`${key}: ${formatNumber(lo)} `, bar, ` ${formatNumber(hi)}`);
  }
  const r = n > 5000 ? 1.5 : n > 500 ? 2.5 : 4;
  for (const i of order) {
    const x = xy[2 * i] as number;
    const y = xy[2 * i + 1] as number;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    ctx.fillStyle = colour[i] as string;
    ctx.beginPath();
    ctx.arc(pad + (x - x0) * sx, H - pad - (y - y0) * sy, r, 0, 2 * Math.PI);
    ctx.fill();
  }
  // scanpy's embedding axes: no ticks, the component names only
  const name = basis.replace(/^X_/, "").toUpperCase();
  ctx.fillStyle = "#222";
  ctx.font = "13px system-ui, sans-serif";
  ctx.textAlign = "left";
  ctx.fillText(`${name}1`, pad, H - 8);
  ctx.save();
  ctx.translate(14, H - pad);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(`${name}2`, 0, 0);
  ctx.restore();
  ctx.textAlign = "center";
  ctx.fillText(`${name}${key ? ` coloured by ${key}` : ""}`, W / 2, 16);
  canvas.dataset.points = String(n);
}
