/**
 * Which (condition, replicate) each CZI scene belongs to: given as a JSON mapping, or inferred from the
 * scene names. See `docs/frames.md` for the JSON shape.
 */
import { HypedError } from "@hyped/core";

/** Where one scene goes. */
export interface SceneAssignment {
  condition: string;
  replicate: number;
}

/**
 * A scene map: keys are a scene index (`"0"`), a scene name (`"DMSO_1"`), or either prefixed by the CZI's
 * base name (`"plate1.czi:0"`, `"plate1.czi:DMSO_1"`) to tell files apart. Values say the condition and
 * replicate. Scenes that no key matches are not converted.
 */
export type SceneMap = Record<string, SceneAssignment>;

/**
 * Validate parsed JSON as a {@link SceneMap}. Accepts the map itself or `{ "scenes": map }`. Throws
 * `FORMAT` naming `file` and the bad key.
 */
export function parseSceneMap(json: unknown, file = "scene map"): SceneMap {
  const obj =
    json !== null && typeof json === "object" && !Array.isArray(json) && "scenes" in json ? (json as { scenes: unknown }).scenes : json;
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
    throw new HypedError("FORMAT", `${file}: a scene map is a JSON object of "scene": { "condition", "replicate" }`, { file });
  }
  const out: SceneMap = {};
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const e = v as Record<string, unknown> | null;
    if (e === null || typeof e !== "object" || typeof e.condition !== "string" || e.condition === "") {
      throw new HypedError("FORMAT", `${file}: scene ${JSON.stringify(k)} needs a non-empty "condition" string`, { file, scene: k });
    }
    const rep = e.replicate ?? 1;
    if (typeof rep !== "number" || !Number.isSafeInteger(rep) || rep < 0) {
      throw new HypedError(
        "FORMAT",
        `${file}: scene ${JSON.stringify(k)} has replicate ${JSON.stringify(rep)}; expected a non-negative integer`,
        {
          file,
          scene: k,
        },
      );
    }
    out[k] = { condition: e.condition, replicate: rep };
  }
  return out;
}

/** Look up scene `index` (named `name`) of CZI `cziName` in `map`; the most specific key wins. */
export function lookupScene(map: SceneMap, cziName: string, index: number, name: string | undefined): SceneAssignment | undefined {
  const keys = [`${cziName}:${index}`, ...(name ? [`${cziName}:${name}`] : []), String(index), ...(name ? [name] : [])];
  for (const k of keys) if (Object.hasOwn(map, k)) return map[k];
  return undefined;
}

/**
 * Infer (condition, replicate) for the scenes of one CZI from their names:
 * - `DMSO_2`, `DMSO-rep2`, `DMSO r2`, `DMSO replicate 2` → condition `DMSO`, replicate 2 (a trailing number,
 *   optionally after `rep`/`r`/`replicate`, separated by `_`, `-`, `.` or spaces);
 * - a name without a trailing number → that name, replicates 1, 2, … in scene order among equal names;
 * - no name at all → condition = the CZI's base name without extension, replicate = scene index + 1.
 *
 * Throws `INVALID_ARGUMENT` naming both scenes when two infer to the same pair.
 */
export function inferScenes(
  cziName: string,
  scenes: ReadonlyArray<{ index: number; name?: string | undefined }>,
): Map<number, SceneAssignment> {
  const out = new Map<number, SceneAssignment>();
  const seen = new Map<string, number>();
  const counts = new Map<string, number>();
  const stem = cziName.replace(/^.*[/\\]/, "").replace(/\.czi$/i, "") || "scene";
  for (const s of scenes) {
    let a: SceneAssignment;
    const name = s.name?.trim();
    if (!name) a = { condition: stem, replicate: s.index + 1 };
    else {
      const m = /^(.*?)[\s_.-]*(?:(?:replicate|rep|r)[\s_.-]*)?(\d+)$/i.exec(name);
      if (m?.[1]) a = { condition: m[1], replicate: Number(m[2]) };
      else {
        const n = (counts.get(name) ?? 0) + 1;
        counts.set(name, n);
        a = { condition: name, replicate: n };
      }
    }
    const key = `${a.condition}\u0000${a.replicate}`;
    const prev = seen.get(key);
    if (prev !== undefined) {
      throw new HypedError(
        "INVALID_ARGUMENT",
        `${cziName}: scenes ${prev} and ${s.index} both map to condition ${a.condition} replicate ${a.replicate}; give a scene map`,
        { file: cziName, scenes: [prev, s.index] },
      );
    }
    seen.set(key, s.index);
    out.set(s.index, a);
  }
  return out;
}
