/** `hyped snr <frames> <segmentation>`: the SNR table per channel, condition and replicate (foreground = segmentation). */
import { columnsToCsv, openFrameStore, releaseNameParser, storeSnr } from "@hyped/imaging";
import type { Command } from "commander";
import { printJson } from "../context.js";
import { numberOption, withCancel } from "../pipeline-cli.js";

/** Register `hyped snr`. */
export function snrCommand(program: Command): void {
  program
    .command("snr")
    .description("SNR per channel, condition and replicate at one time point, with the segmentation as foreground")
    .argument("<frames>", "the frame folder")
    .argument("<segmentation>", "output folder of hyped segment (all shards finished)")
    .option("--t <index>", "time index", "0")
    .option("--out <file.csv>", "also write the table as CSV")
    .option("--json", "print the table as JSON")
    .action(async (frames: string, seg: string, o: { t: string; out?: string; json?: boolean }) => {
      const t = numberOption("--t", o.t, (n) => Number.isInteger(n) && n >= 0) as number;
      const rows = await withCancel(async (signal) =>
        storeSnr(await openFrameStore(frames, { foreign: { parseName: releaseNameParser } }), seg, { t, signal }),
      );
      if (o.out) {
        const { writeFileAtomic } = await import("@hyped/imaging");
        const keys = Object.keys(rows[0] ?? {}) as Array<keyof (typeof rows)[number]>;
        await writeFileAtomic(o.out, columnsToCsv(Object.fromEntries(keys.map((k) => [k, rows.map((r) => r[k])])) as never));
      }
      if (o.json) printJson(rows);
      else
        for (const r of rows)
          process.stdout.write(
            `${r.condition}\tr${r.replicate}\t${r.channel}\t${Number.isFinite(r.snr_db) ? r.snr_db.toFixed(2) : "n/a"} dB\n`,
          );
    });
}
