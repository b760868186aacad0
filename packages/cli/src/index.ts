/**
 * The `hyped` command. Importing this module runs the CLI; use `run()` from `./program.js` to embed it.
 */
import { run } from "./program.js";

process.exitCode = await run(process.argv.slice(2));
