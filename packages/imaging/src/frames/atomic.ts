/**
 * Atomic file writes (temp file in the same folder, then rename), the one place for them: the frame store's
 * manifest, the pipeline's outputs and the CLI's reports all write through {@link writeFileAtomic}. Node only.
 */
import { HypedError } from "@hyped/core";

/** One written file, as a pipeline step manifest records it. */
export interface OutputFile {
  /** Path relative to the step's output folder, `/`-separated. */
  file: string;
  /** Lower-case hex SHA-256. */
  sha256: string;
  /** Size in bytes. */
  bytes: number;
}

/**
 * Write `data` to `path` atomically: to `<path>.tmp-<pid>-…` in the same folder, then renamed, so a killed
 * process never leaves a partial file under the final name. Creates the parent folder. Returns the file's
 * SHA-256 and size (relative name `rel`). Throws `IO` naming the file.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, rel = path): Promise<OutputFile> {
  const fs = await import("node:fs/promises");
  const { dirname } = await import("node:path");
  const { createHash } = await import("node:crypto");
  const tmp = `${path}.tmp-${process.pid}-${Date.now().toString(36)}`;
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  try {
    await fs.mkdir(dirname(path), { recursive: true });
    await fs.writeFile(tmp, bytes);
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw new HypedError("IO", `cannot write ${path}: ${(e as Error).message}`, { file: path }, { cause: e });
  }
  return { file: rel, sha256: createHash("sha256").update(bytes).digest("hex"), bytes: bytes.length };
}
