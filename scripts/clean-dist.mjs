// `pnpm build` of a package: remove its dist/ first (the Node and browser builds run in parallel, so neither cleans).
import { rmSync } from "node:fs";

rmSync("dist", { recursive: true, force: true });
