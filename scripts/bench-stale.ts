/** Is each package's built `dist/` older than its sources? (`pnpm bench` builds first if so.) */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

/** Newest (or oldest) mtime of the files under `dir`, skipping `__tests__` folders; undefined if none. */
function mtimeOf(dir: string, pick: (a: number, b: number) => number): number | undefined {
  if (!existsSync(dir)) return undefined;
  let best: number | undefined;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || path.relative(dir, e.parentPath).split(path.sep).includes("__tests__")) continue;
    const t = statSync(path.join(e.parentPath, e.name)).mtimeMs;
    best = best === undefined ? t : pick(best, t);
  }
  return best;
}

/**
 * Packages (with a `build` script) under `<root>/packages` whose `dist/` is missing or older than their sources,
 * each with the reason. "Older": the newest file of `src/` (tests excluded), `package.json` or `tsup.config.ts` is
 * newer than the oldest file of `dist/` (a build rewrites all of `dist/`, so its oldest file dates the build).
 */
export function staleDists(root: string): string[] {
  const stale: string[] = [];
  for (const pkg of readdirSync(path.join(root, "packages"))) {
    const dir = path.join(root, "packages", pkg);
    const name = path.join("packages", pkg);
    const manifest = path.join(dir, "package.json");
    if (!existsSync(manifest) || !(JSON.parse(readFileSync(manifest, "utf8")) as { scripts?: { build?: string } }).scripts?.build) continue;
    const built = mtimeOf(path.join(dir, "dist"), Math.min);
    if (built === undefined) {
      stale.push(`${name}: no dist/`);
      continue;
    }
    const inputs = [mtimeOf(path.join(dir, "src"), Math.max)];
    for (const f of ["package.json", "tsup.config.ts"]) if (existsSync(path.join(dir, f))) inputs.push(statSync(path.join(dir, f)).mtimeMs);
    const newest = Math.max(...inputs.filter((t): t is number => t !== undefined));
    if (newest > built) stale.push(`${name}: sources newer than dist/ by ${((newest - built) / 1000).toFixed(0)} s`);
  }
  return stale;
}
