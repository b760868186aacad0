/** Builds the `hyped` command tree (commander, a maintained CLI parser). */
import { Command, CommanderError } from "commander";
import { assembleCommand } from "./commands/assemble.js";
import { convertCommand } from "./commands/convert.js";
import { cziCommand } from "./commands/czi.js";
import { demoCommand } from "./commands/demo.js";
import { denoiseCommand } from "./commands/denoise.js";
import { embedCommand } from "./commands/embed.js";
import { evaluateCommand } from "./commands/evaluate.js";
import { framesCommand } from "./commands/frames.js";
import { h5adCommand } from "./commands/h5ad.js";
import { inspectCommand } from "./commands/inspect.js";
import { metricsCommand } from "./commands/metrics.js";
import { perturbCommand } from "./commands/perturb.js";
import { phasesCommand } from "./commands/phases.js";
import { pipelineCommand } from "./commands/pipeline.js";
import { segmentCommand } from "./commands/segment.js";
import { snrCommand } from "./commands/snr.js";
import { synthCommand } from "./commands/synth.js";
import { trackCommand } from "./commands/track.js";
import { EXIT, reportError } from "./context.js";

/** Package version, kept in step with package.json by the release process. */
export const VERSION = "0.1.0";

/** Create the program with every command registered. */
export function createProgram(): Command {
  const program = new Command("hyped")
    .description("HYPED toolkit: CZI imaging, AnnData sequencing, metrics and the paper's pipelines")
    .version(VERSION, "-V, --version")
    .option("--debug", "print stack traces on errors")
    .showHelpAfterError()
    .exitOverride();
  inspectCommand(program);
  demoCommand(program);
  assembleCommand(program);
  synthCommand(program);
  cziCommand(program);
  metricsCommand(program);
  denoiseCommand(program);
  convertCommand(program);
  framesCommand(program);
  evaluateCommand(program);
  h5adCommand(program);
  segmentCommand(program);
  trackCommand(program);
  phasesCommand(program);
  snrCommand(program);
  pipelineCommand(program);
  embedCommand(program);
  perturbCommand(program);
  return program;
}

/** Run the CLI with `argv` (without node and script); resolves to the exit code. */
export async function run(argv: string[]): Promise<number> {
  const program = createProgram();
  const debug = argv.includes("--debug");
  try {
    await program.parseAsync(argv, { from: "user" });
    return EXIT.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return EXIT.OK;
      return EXIT.USAGE;
    }
    return reportError(e, debug);
  }
}
