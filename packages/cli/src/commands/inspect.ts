/**
 * `hyped inspect <file> [--json]`: a summary of any file the toolkit reads. Each format registers an
 * {@link Inspector}; the first whose `match` accepts the path runs.
 */
import { readLocalFile, readNpyHeader } from "@hyped/core";
import type { Command } from "commander";
import { printJson, UsageError } from "../context.js";

/** One format's inspector. */
export interface Inspector {
  /** Format name for messages. */
  name: string;
  /** True if this inspector handles `path` (usually by extension). */
  match(path: string): boolean | Promise<boolean>;
  /** Produce the `--json` object. */
  json(path: string): Promise<unknown>;
  /** Produce the human-readable text (default: the JSON, indented). */
  text?(path: string): Promise<string>;
}

/** The inspector registry, in match order. Formats add theirs with {@link registerInspector}. */
export const inspectors: Inspector[] = [];

/** Add an inspector (later registrations win over earlier ones). */
export function registerInspector(i: Inspector): void {
  inspectors.unshift(i);
}

registerInspector({
  name: "npy",
  match: (p) => p.toLowerCase().endsWith(".npy"),
  async json(p) {
    const h = readNpyHeader(await readLocalFile(p));
    return { dtype: h.numpyName, shape: h.shape, order: h.fortranOrder ? "F" : "C" };
  },
  async text(p) {
    const h = readNpyHeader(await readLocalFile(p));
    return `${p}: numpy .npy v${h.version.join(".")}, dtype ${h.numpyName} (${h.descr}), shape (${h.shape.join(", ")}), ${h.fortranOrder ? "Fortran" : "C"} order`;
  },
});

/** Register `hyped inspect`. */
export function inspectCommand(program: Command): void {
  program
    .command("inspect")
    .description("summarise a .npy, .czi, .h5ad, .h5mu or frame .h5 file (or a frame directory)")
    .argument("<file>", "the file to inspect")
    .option("--json", "print machine-readable JSON")
    .action(async (file: string, opts: { json?: boolean }) => {
      for (const i of inspectors) {
        if (await i.match(file)) {
          if (opts.json) printJson(await i.json(file));
          else process.stdout.write(`${i.text ? await i.text(file) : JSON.stringify(await i.json(file), null, 2)}\n`);
          return;
        }
      }
      throw new UsageError(`don't know how to inspect ${file} (known: ${inspectors.map((i) => i.name).join(", ")})`);
    });
}
