/**
 * `hyped demo`: the main job. It writes a small generated `.npy`, inspects it and prints the help, as a
 * smoke test of the installed toolkit. (The full pipeline demo replaces this body; see the demo issue.)
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fromTyped, writeNpy } from "@hyped/core";
import type { Command } from "commander";
import { inspectors } from "./inspect.js";

export function demoCommand(program: Command): void {
  program
    .command("demo")
    .description("run the main job on built-in generated data")
    .option("--out <dir>", "output folder", "hyped-demo-out")
    .action(async (opts: { out: string }) => {
      await mkdir(opts.out, { recursive: true });
      const img = fromTyped(
        Uint16Array.from({ length: 64 * 48 }, (_, i) => (i * 2654435761) % 16384),
        [64, 48],
      );
      const file = join(opts.out, "example.npy");
      await writeFile(file, writeNpy(img));
      process.stdout.write(`${program.helpInformation()}\n`);
      const npy = inspectors.find((i) => i.name === "npy");
      process.stdout.write(`${(await npy?.text?.(file)) ?? ""}\n`);
      process.stdout.write(`${JSON.stringify(await npy?.json(file))}\n`);
    });
}
