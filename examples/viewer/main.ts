/**
 * The HYPED viewer: opens what the user picks and reads it in the page (nothing leaves the machine).
 * - A folder of frame `.h5` files (with or without `dataset.json`), one frame `.h5`, or a `.czi` read lazily:
 *   see imageview.ts (channels, contrast, legend, zoom/pan, scale bar) and overlays.ts (nuclei, FUCCI phase,
 *   tracks, lineage).
 * - An `.h5ad`: see anndata.ts (embeddings coloured by obs, searchable obs/var tables).
 * Heavy parts load only when used: HDF5 (h5wasm) and our packages on the first file, vega never, onnxruntime never.
 */

import { ImageView } from "./imageview.js";
import { Analysis, type OverlayOptions } from "./overlays.js";
import type { ImageSeries, LoadedPlanes } from "./sources.js";
import { formatNumber } from "./util.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const statusEl = $<HTMLDivElement>("status");
function status(text: string, error = false): void {
  statusEl.textContent = text;
  statusEl.className = error ? "error" : "";
  document.body.dataset.state = error ? "error" : text.startsWith("Ready") ? "ready" : "busy";
}

const view = new ImageView($<HTMLCanvasElement>("canvas"), $("channels"), $("pixel"));

async function openFiles(files: File[]): Promise<void> {
  if (files.length === 0) return;
  $("condition-row").hidden = true;
  try {
    const h5ad = files.find((f) => /\.h5ad$/i.test(f.name));
    const czi = files.find((f) => /\.czi$/i.test(f.name));
    if (h5ad) await openH5ad(h5ad);
    else if (czi) {
      status(`Opening ${czi.name}…`);
      const { cziSeries } = await import("./sources.js");
      await openImage(await cziSeries(czi));
    } else {
      status(`Opening ${files.length} file(s)…`);
      const { frameSeries } = await import("./sources.js");
      const frames = files.filter((f) => /\.(h5|hdf5|json)$/i.test(f.name));
      const series = await frameSeries(frames);
      // a folder of several conditions (or replicates' first): pick which one is shown
      const pick = $<HTMLSelectElement>("condition");
      pick.replaceChildren(...series.conditions.map((c) => new Option(c, c)));
      $("condition-row").hidden = series.conditions.length < 2;
      pick.onchange = () => void frameSeries(frames, pick.value).then(openImage).catch(fail);
      await openImage(series);
    }
  } catch (e) {
    console.error(e);
    status(`Error: ${(e as Error).message}`, true);
  }
}
for (const id of ["file", "folder"]) {
  $<HTMLInputElement>(id).addEventListener("change", (ev) => openFiles([...((ev.target as HTMLInputElement).files ?? [])]));
}

// ---------------------------------------------------------------- images

let current = { ti: 0, z: 0, token: 0 };

async function openImage(series: ImageSeries): Promise<void> {
  $("h5ad").hidden = true;
  $("image").hidden = false;
  $("title").textContent = series.title;
  view.setSeries(series);
  const analysis = new Analysis(series.channels.map((c) => c.name));
  const names = series.channels.map((c) => c.name);
  const pick = (re: RegExp, fallback: number) => names.find((n) => re.test(n)) ?? names[Math.min(fallback, names.length - 1)] ?? "";
  const redEl = $<HTMLSelectElement>("red");
  const greenEl = $<HTMLSelectElement>("green");
  for (const el of [redEl, greenEl]) el.replaceChildren(...names.map((n) => new Option(n, n)));
  redEl.value = pick(/kate|rfp|cherry|555|561/i, 0);
  // green: a GFP-like name, else the first channel that is not the red one
  greenEl.value = names.find((n) => /gfp|470|488/i.test(n)) ?? names.find((n) => n !== redEl.value) ?? redEl.value;
  const options = (): OverlayOptions => ({
    outlines: $<HTMLInputElement>("ov-outlines").checked,
    phases: $<HTMLInputElement>("ov-phases").checked,
    tracks: $<HTMLInputElement>("ov-tracks").checked,
    lineage: $<HTMLInputElement>("ov-lineage").checked,
    red: redEl.value,
    green: greenEl.value,
  });

  // segmentation runs in the page: on by default up to 4 Mpx, a checkbox away on larger frames
  const small = series.width * series.height <= 4e6;
  $<HTMLInputElement>("ov-outlines").checked = small;
  $<HTMLInputElement>("ov-phases").checked = small;
  const time = $<HTMLInputElement>("time");
  time.max = String(series.times.length - 1);
  time.value = "0";
  const zEl = $<HTMLInputElement>("z");
  zEl.max = String(series.zCount - 1);
  zEl.value = String(Math.floor(series.zCount / 2));
  $("z-row").hidden = series.zCount < 2;
  const cache = new Map<string, LoadedPlanes>();
  const load = async (ti: number, z: number) => {
    const k = `${ti}/${z}`;
    const have = cache.get(k);
    if (have) return have;
    const p = await series.load(ti, z);
    if (cache.size > 8) cache.delete(cache.keys().next().value as string);
    cache.set(k, p);
    return p;
  };

  const show = async () => {
    const ti = Number(time.value);
    const z = Number(zEl.value);
    const token = ++current.token;
    current = { ti, z, token };
    const t = series.times[ti];
    $("time-label").textContent =
      `t = ${t?.index ?? ti}${t?.hours !== undefined ? ` (${formatNumber(Math.round(t.hours * 100) / 100)} h)` : ""} of ${series.times.length}`;
    $("z-label").textContent = `z = ${z}`;
    const planes = await load(ti, z);
    if (token !== current.token) return;
    const o = options();
    if (o.outlines || o.phases) await analysis.segment(ti, planes, o);
    view.overlay = analysis.painter(ti, o);
    view.setPlanes(planes, ti, z);
    phaseSummary(analysis, ti);
  };
  time.oninput = () => void show().catch(fail);
  zEl.oninput = () => void show().catch(fail);
  $("overlays").onchange = async () => {
    try {
      const o = options();
      if ((o.tracks || o.lineage) && !analysis.tracking) {
        await analysis.track(
          series.times.length,
          (ti) => load(ti, Number(zEl.value)),
          o,
          (ti) => status(`Tracking: segmenting t=${ti}…`),
        );
        status(ready(series, analysis));
      }
      await show();
    } catch (e) {
      fail(e);
    }
  };
  await show();
  status(ready(series, analysis));
}

function fail(e: unknown): void {
  console.error(e);
  status(`Error: ${(e as Error).message}`, true);
}

function ready(s: ImageSeries, a: Analysis): string {
  const nuclei = a.frames.get(current.ti)?.result.objects.id.length;
  const px = s.pixelUm ? `, ${formatNumber(s.pixelUm)} µm/px` : "";
  const tracks = a.tracking ? `, ${a.tracking.summary.tracks} tracks, ${a.tracking.summary.divisions} divisions` : "";
  return `Ready: ${s.channels.length} channel(s) [${s.channels.map((c) => c.name).join(", ")}], ${s.times.length} time point(s) of ${s.fullWidth}x${s.fullHeight}${px}${nuclei !== undefined ? `, ${nuclei} nuclei` : ""}${tracks}`;
}

/** Counts of each phase at the shown time point, in the palette's colours. */
function phaseSummary(a: Analysis, ti: number): void {
  const seg = a.frames.get(ti);
  const el = $("phases");
  el.replaceChildren();
  // which time point the keys describe (set once they are drawn; tests and scripts wait on it)
  el.dataset.t = "";
  if (!seg || seg.phase.length === 0) return;
  const counts = new Map<string, number>();
  for (const p of seg.phase) counts.set(p, (counts.get(p) ?? 0) + 1);
  void import("@hyped/core/plot").then(({ PHASE_COLOURS, phaseColour }) => {
    el.replaceChildren(
      ...Object.keys(PHASE_COLOURS)
        .filter((p) => counts.has(p))
        .map((p) => {
          const s = document.createElement("span");
          s.className = "key";
          s.innerHTML = `<i style="background:${phaseColour(p)}"></i>`;
          s.append(`${p}: ${counts.get(p)}`);
          return s;
        }),
    );
    if (current.ti === ti) el.dataset.t = String(ti);
  });
}

// ---------------------------------------------------------------- h5ad

async function openH5ad(file: File): Promise<void> {
  status(`Reading ${file.name}…`);
  const seq = await import("@hyped/seq");
  let adata: Awaited<ReturnType<typeof seq.readH5ad>>;
  try {
    adata = await seq.readH5ad(file);
  } catch (e) {
    // Reads our own LZF decoder does not take (e.g. an LZF compound array in uns, anndata 0.7): fetch h5wasm's
    // LZF plugin from this page's own assets (never from the network) and read again.
    if (!/lzf/i.test((e as Error).message)) throw e;
    status(`Reading ${file.name} with h5wasm's LZF plugin…`);
    const { default: pluginUrl } = await import("h5wasm-plugins/plugins/libH5Zlzf.so?url");
    seq.setLzfPluginBytes(new Uint8Array(await (await fetch(pluginUrl)).arrayBuffer()));
    adata = await seq.readH5ad(file);
  }
  $("image").hidden = true;
  $("h5ad").hidden = false;
  const { showAnnData } = await import("./anndata.js");
  const { shown, basis } = await showAnnData(adata, file.name);
  status(`Ready: ${adata.nObs} cells x ${adata.nVars} genes, ${shown} obs rows shown, ${basis ? `scatter of ${basis}` : "no embedding"}`);
}
