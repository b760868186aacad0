/**
 * Step manifests of the pipeline: `<step>.json` in a step's output folder lists every finished item (a
 * frame for segmentation, a scene for the other steps) with the SHA-256 of its files and the parameters
 * that made them. A shard writes `<step>.shard-<i>-of-<n>.json`; {@link mergeStepManifests} combines them.
 * The same pattern as the frame store's `dataset.json` (see `frames/manifest.ts`). Node only.
 */
import { HypedError } from "@hyped/core";
import { type OutputFile, outputIntact, writeFileAtomic } from "./outputs.js";

/** Format tag of a step manifest. */
export const PIPELINE_FORMAT = "hyped-pipeline";

/** The steps of the pipeline. */
export type StepName = "segment" | "track" | "phases" | "snr";

/** One finished unit of work. */
export interface StepItem {
  /** Unique key: the frame stem (`control_r1_t00003`) or the scene (`control_r1`). */
  key: string;
  condition: string;
  replicate: number;
  /** Time index (frames only). */
  t?: number;
  /** Files written for it, relative to the step folder. */
  files: OutputFile[];
  /** Small facts about the result (object counts, times). */
  info?: Record<string, number | string>;
}

/** A step manifest (`<step>.json`). */
export interface StepManifest {
  format: typeof PIPELINE_FORMAT;
  version: 1;
  step: StepName;
  /** Everything that changes the outputs (options and the input's identity); a rerun with others redoes all. */
  params: Record<string, unknown>;
  /** For a shard's manifest: `[i, n]`. */
  shard?: [number, number];
  /** True once every item of the run (or shard) is done. */
  complete: boolean;
  /** Finished items, sorted by key. */
  items: StepItem[];
}

/** File name of a step's manifest: `<step>.json`, or `<step>.shard-<i>-of-<n>.json` for a shard. */
export function stepManifestName(step: StepName, shard?: [number, number]): string {
  return shard ? `${step}.shard-${shard[0]}-of-${shard[1]}.json` : `${step}.json`;
}

function fail(file: string, what: string): never {
  throw new HypedError("FORMAT", `${file}: not a valid pipeline manifest: ${what}`, { file });
}

/** Read a step manifest; `undefined` when absent, `FORMAT` naming the file when invalid. */
export async function readStepManifest(path: string): Promise<StepManifest | undefined> {
  const fs = await import("node:fs/promises");
  let text: string;
  try {
    text = await fs.readFile(path, "utf8");
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") return undefined;
    throw new HypedError("IO", `cannot read ${path}: ${(e as Error).message}`, { file: path }, { cause: e });
  }
  let m: StepManifest;
  try {
    m = JSON.parse(text) as StepManifest;
  } catch (e) {
    throw new HypedError("FORMAT", `${path}: not valid JSON: ${(e as Error).message}`, { file: path }, { cause: e });
  }
  if (m === null || typeof m !== "object" || m.format !== PIPELINE_FORMAT) fail(path, `format is not "${PIPELINE_FORMAT}"`);
  if (m.version !== 1) throw new HypedError("UNSUPPORTED", `${path}: pipeline manifest version ${m.version}`, { file: path });
  if (!Array.isArray(m.items)) fail(path, "items must be an array");
  for (const [i, it] of m.items.entries()) {
    if (typeof it?.key !== "string" || !Array.isArray(it.files)) fail(path, `items[${i}] needs a key and files`);
    for (const f of it.files)
      if (typeof f?.file !== "string" || f.file.startsWith("/") || f.file.split("/").includes("..") || !/^[0-9a-f]{64}$/.test(f.sha256))
        fail(path, `items[${i}] has a bad file entry`);
  }
  return m;
}

/** Serialise a manifest: items sorted by key, 1-space JSON, trailing newline (no clock times, so reruns compare equal). */
export function stepManifestJson(m: StepManifest): string {
  const items = [...m.items].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return `${JSON.stringify({ ...m, items }, null, 1)}\n`;
}

/**
 * The bookkeeping of one step run (or shard): which items a previous run finished (same parameters, files
 * intact), recording new ones, and saving the manifest atomically (at most every `saveMs`, and at the end).
 */
export class StepLedger {
  private readonly done = new Map<string, StepItem>();
  private lastSave = 0;
  private constructor(
    readonly dir: string,
    readonly path: string,
    private readonly base: Omit<StepManifest, "items" | "complete">,
    previous: StepManifest | undefined,
    private readonly saveMs: number,
  ) {
    if (previous && JSON.stringify(previous.params) === JSON.stringify(base.params))
      for (const it of previous.items) this.done.set(it.key, it);
  }

  /** Open the ledger of `step` in `dir` (reads the previous manifest of the same shard, if any). */
  static async open(
    dir: string,
    step: StepName,
    params: Record<string, unknown>,
    shard?: [number, number],
    saveMs = 2000,
  ): Promise<StepLedger> {
    const { join } = await import("node:path");
    const path = join(dir, stepManifestName(step, shard));
    const previous = await readStepManifest(path);
    return new StepLedger(dir, path, { format: PIPELINE_FORMAT, version: 1, step, params, ...(shard ? { shard } : {}) }, previous, saveMs);
  }

  /** The recorded item `key` if every one of its files is still intact (else forget it and return undefined). */
  async finished(key: string, signal?: AbortSignal): Promise<StepItem | undefined> {
    const it = this.done.get(key);
    if (!it) return undefined;
    for (const f of it.files) {
      if (!(await outputIntact(this.dir, f, signal))) {
        this.done.delete(key);
        return undefined;
      }
    }
    return it;
  }

  /** Record a finished item; saves the manifest when the last save is older than `saveMs`. */
  async record(item: StepItem): Promise<void> {
    this.done.set(item.key, item);
    if (performance.now() - this.lastSave >= this.saveMs) await this.save(false);
  }

  /** Write the manifest (atomically); `complete` once every planned item is done. */
  async save(complete: boolean, keep?: ReadonlySet<string>): Promise<StepManifest> {
    this.lastSave = performance.now();
    const items = [...this.done.values()].filter((it) => !keep || keep.has(it.key));
    const m: StepManifest = { ...this.base, complete, items };
    await writeFileAtomic(this.path, stepManifestJson(m));
    return m;
  }
}

/**
 * The complete manifest of a step in `dir`: `<step>.json` when complete, else the merge of every shard's
 * manifest when all `n` are complete (written as `<step>.json`). `undefined` when shards are still missing
 * or running, unless `required`, which throws `NOT_FOUND` naming them.
 */
export async function mergeStepManifests(dir: string, step: StepName, required = false): Promise<StepManifest | undefined> {
  const fs = await import("node:fs/promises");
  const { join } = await import("node:path");
  const full = await readStepManifest(join(dir, stepManifestName(step)));
  if (full?.complete && !full.shard) return full;
  const re = new RegExp(`^${step}\\.shard-(\\d+)-of-(\\d+)\\.json$`);
  const names = (await fs.readdir(dir).catch(() => [] as string[])).filter((n) => re.test(n)).sort();
  const counts = new Set(names.map((n) => Number(re.exec(n)?.[2])));
  const missing = (what: string): undefined => {
    if (required) throw new HypedError("NOT_FOUND", `${dir}: the ${step} step is not finished: ${what}`, { dir, step });
    return undefined;
  };
  if (names.length === 0) return missing(`no ${stepManifestName(step)}`);
  if (counts.size !== 1) return missing(`shard manifests of different shard counts (${[...counts].join(", ")})`);
  const n = [...counts][0] as number;
  const shards: StepManifest[] = [];
  const absent: number[] = [];
  for (let i = 0; i < n; i++) {
    const m = await readStepManifest(join(dir, stepManifestName(step, [i, n])));
    if (!m?.complete) absent.push(i);
    else shards.push(m);
  }
  if (absent.length) return missing(`shard(s) ${absent.join(", ")} of ${n} not complete`);
  const params = JSON.stringify((shards[0] as StepManifest).params);
  const byKey = new Map<string, StepItem>();
  for (const m of shards) {
    if (JSON.stringify(m.params) !== params)
      throw new HypedError("INVALID_ARGUMENT", `${dir}: the ${step} shards ran with different parameters`, { dir, step });
    for (const it of m.items) {
      if (byKey.has(it.key)) throw new HypedError("FORMAT", `${dir}: ${it.key} is in two ${step} shards`, { dir, key: it.key });
      byKey.set(it.key, it);
    }
  }
  const merged: StepManifest = {
    format: PIPELINE_FORMAT,
    version: 1,
    step,
    params: (shards[0] as StepManifest).params,
    complete: true,
    items: [...byKey.values()],
  };
  await writeFileAtomic(join(dir, stepManifestName(step)), stepManifestJson(merged));
  return merged;
}
