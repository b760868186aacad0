/**
 * Finding the frame files of a store: listing a folder (bounded depth and size, no links followed into folders),
 * browser file lists, and indexing frame files without a manifest (native attributes, or foreign files ordered
 * by the numbers in their names).
 */
import { fsError, HypedError, progressReporter, throwIfAborted } from "@hyped/core";
import { readFrameInfo } from "./frame.js";
import { checkConsistent } from "./read.js";
import type { FrameEntry, OpenFrameStoreOptions } from "./store-types.js";
import { type FrameInfo, MANIFEST_NAME } from "./types.js";

/** A frame file: a path (Node) or a Blob/File. */
export type StoreInput = string | Blob;
type Input = StoreInput;

/** Is `name` a frame file candidate (not a temp file of an interrupted write)? */
export function isFrameFileName(name: string): boolean {
  return /\.(h5|hdf5|hdf)$/i.test(name) && !/\.tmp-/.test(name);
}

/** Deepest folder level below a store root that is searched for frame files. */
const MAX_STORE_DEPTH = 16;
/** Most directory entries looked at while listing a store (a bound on a mistaken root such as `/`). */
const MAX_STORE_ENTRIES = 2_000_000;

/**
 * The frame files and manifest below `root` (relative `/`-separated name → path), sorted. Only regular
 * files count (a FIFO or socket with a frame's name is skipped: opening it would block); a symlink counts
 * when it points at a regular file, and a link to a folder is never entered, so a link to `/` cannot make
 * the walk leave the store. At most {@link MAX_STORE_DEPTH} levels and {@link MAX_STORE_ENTRIES} entries
 * (`IO` beyond).
 */
export async function listStoreFiles(root: string, signal?: AbortSignal): Promise<Array<[string, string]>> {
  const fs = await import("node:fs/promises");
  const path = await import("node:path");
  const out: Array<[string, string]> = [];
  let seen = 0;
  const walk = async (dir: string, rel: string, depth: number): Promise<void> => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      throw fsError(e, dir, "list");
    }
    seen += entries.length;
    if (seen > MAX_STORE_ENTRIES)
      throw new HypedError("IO", `${root}: more than ${MAX_STORE_ENTRIES} entries below the store folder; is it the right folder?`, {
        file: root,
      });
    for (const d of entries) {
      throwIfAborted(signal, "listing the frame store");
      const name = rel ? `${rel}/${d.name}` : d.name;
      const full = path.join(dir, d.name);
      if (d.isDirectory()) {
        if (depth >= MAX_STORE_DEPTH)
          throw new HypedError("IO", `${root}: folders nested deeper than ${MAX_STORE_DEPTH} levels at ${name}`, { file: root });
        await walk(full, name, depth + 1);
        continue;
      }
      if (!(isFrameFileName(name) || name === MANIFEST_NAME)) continue;
      let regular = d.isFile();
      if (d.isSymbolicLink()) {
        try {
          regular = (await fs.stat(full)).isFile();
        } catch {
          regular = false; // a dangling link or a loop: not a frame file
        }
      }
      if (regular) out.push([name, full]);
    }
  };
  await walk(root, "", 0);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** The default foreign name parser (see {@link OpenFrameStoreOptions}). */
export function parseForeignName(relPath: string): { condition: string; replicate: number; order: number } {
  const slash = relPath.lastIndexOf("/");
  const dir = slash >= 0 ? relPath.slice(0, slash) : "";
  const stem = relPath.slice(slash + 1).replace(/\.[^.]*$/, "");
  const nums = [...stem.matchAll(/\d+/g)];
  const last = nums[nums.length - 1];
  if (!last || last.index === undefined) {
    throw new HypedError("FORMAT", `${relPath}: no number in the file name to order time by; pass foreign.parseName`, { file: relPath });
  }
  const rest = (stem.slice(0, last.index) + stem.slice(last.index + last[0].length))
    .replace(/[_\-. ]*t?[_\-. ]*$/i, "")
    .replace(/^[_\-. ]+/, "");
  const condition = [dir, rest].filter(Boolean).join("/") || "default";
  return { condition, replicate: 1, order: Number(last[0]) };
}

/**
 * Index frame files that have no manifest: read each file's attributes (headers only), check they agree with the
 * first, and give foreign files (no attributes) condition, replicate and time from their names. Throws `FORMAT`
 * when two files claim the same (condition, replicate, t).
 */
export async function indexFrameFiles(
  files: ReadonlyMap<string, Input>,
  options: OpenFrameStoreOptions,
): Promise<{ entries: FrameEntry[]; ref: FrameInfo }> {
  const { H5File } = await import("@hyped/core/hdf5");
  const infos: Array<{ rel: string; input: Input; info: FrameInfo }> = [];
  const progress = progressReporter(options.onProgress, "files", files.size, "reading frame headers");
  for (const [rel, input] of files) {
    throwIfAborted(options.signal, "opening the frame store");
    const f = await H5File.open(input);
    try {
      infos.push({ rel, input, info: readFrameInfo(f, options.foreign) });
    } finally {
      f.close();
    }
    progress.tick();
  }
  progress.finish();
  const ref = (infos[0] as (typeof infos)[number]).info;
  const refFile = (infos[0] as (typeof infos)[number]).rel;
  for (const { rel, info } of infos) checkConsistent(rel, info, refFile, ref);
  const entries: FrameEntry[] = [];
  const foreign = infos.filter((x) => !x.info.native);
  for (const { rel, input, info } of infos) {
    if (info.native)
      entries.push({
        file: rel,
        condition: info.condition,
        replicate: info.replicate,
        t: info.t,
        timeS: info.timeS,
        scene: info.scene,
        sha256: "",
        input,
      });
  }
  // foreign files: group into series by name, order by number
  const parse = options.foreign?.parseName ?? parseForeignName;
  const series = new Map<string, Array<{ rel: string; input: Input; order: number; condition: string; replicate: number }>>();
  for (const { rel, input } of foreign) {
    const p = parse(rel);
    const key = `${p.condition}\u0000${p.replicate}`;
    let s = series.get(key);
    if (!s) series.set(key, (s = []));
    s.push({ rel, input, ...p });
  }
  for (const s of series.values()) {
    s.sort((a, b) => a.order - b.order || (a.rel < b.rel ? -1 : 1));
    s.forEach((x, i) => {
      entries.push({
        file: x.rel,
        condition: x.condition,
        replicate: x.replicate,
        t: i,
        timeS: Number.NaN,
        scene: -1,
        sha256: "",
        input: x.input,
      });
    });
  }
  const seen = new Map<string, string>();
  for (const e of entries) {
    const key = `${e.condition}\u0000${e.replicate}\u0000${e.t}`;
    const prev = seen.get(key);
    if (prev)
      throw new HypedError("FORMAT", `${e.file} and ${prev} are both condition ${e.condition} replicate ${e.replicate} t ${e.t}`, {
        file: e.file,
        other: prev,
      });
    seen.set(key, e.file);
  }
  return { entries, ref };
}

export function blobRelPath(b: Blob): string {
  const f = b as { webkitRelativePath?: string; name?: string };
  return (f.webkitRelativePath || f.name || "blob").replace(/\\/g, "/");
}

/** Length of a top folder shared by every relative path (as `webkitdirectory` gives), to strip; 0 if none. */
export function commonTopDir(rels: string[]): number {
  if (rels.length === 0) return 0;
  const first = rels[0] as string;
  const i = first.indexOf("/");
  if (i < 0) return 0;
  const top = first.slice(0, i + 1);
  return rels.every((r) => r.startsWith(top)) ? top.length : 0;
}
