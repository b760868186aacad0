/**
 * Every input that once broke a reader (found by `pnpm fuzz`, listed in `fuzz/regressions/cases.json`) must
 * now give a typed error (or open), quickly, and leave the process able to open the unmutated file. Inputs
 * derived from the shared fixtures are stored as the mutations to replay (the fixtures are never copied
 * into the repo); inputs derived from files we generate are stored as small files.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { isHypedError } from "@hyped/core";
import { afterAll, describe, expect, it } from "vitest";
import { applyOp } from "../../fuzz/mutate.js";
import { runTarget, type TargetName } from "../../fuzz/targets.js";

interface RegressionCase {
  name: string;
  target: TargetName;
  /** A committed input file (in the regressions folder). */
  input?: string;
  /** Or a fixture (relative to ../shared/fixtures) plus the mutations to replay. */
  fixture?: string;
  ops?: string[];
  /** A fixture that must open after the case (default: the case's own fixture). */
  pristineFixture?: string;
  /** `FORMAT` (that code), or `typed` (any HypedError, or no error). */
  expect: string;
}

const dir = resolve(import.meta.dirname, "../../fuzz/regressions");
const fixtures = resolve(import.meta.dirname, "../../../../../shared/fixtures");
const cases = JSON.parse(readFileSync(join(dir, "cases.json"), "utf8")) as RegressionCase[];
const tmp = mkdtempSync(join(tmpdir(), "hyped-fuzzreg-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("fuzz regressions", () => {
  for (const c of cases) {
    const needs = c.fixture ?? c.pristineFixture;
    it.skipIf(needs !== undefined && !existsSync(join(fixtures, needs)))(
      c.name,
      async () => {
        let input: string;
        if (c.input) input = join(dir, c.input);
        else {
          let b: Uint8Array = new Uint8Array(readFileSync(join(fixtures, c.fixture as string)));
          for (const op of c.ops ?? []) b = applyOp(b, op);
          input = join(tmp, `${cases.indexOf(c)}-${basename(c.fixture as string)}`);
          writeFileSync(input, b);
        }
        const t0 = performance.now();
        const err = await runTarget(c.target, input, new AbortController().signal).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(performance.now() - t0).toBeLessThan(10_000);
        if (c.expect === "typed") expect(err === undefined || isHypedError(err), String(err)).toBe(true);
        else expect(isHypedError(err, c.expect as never), String(err)).toBe(true);
        // a corrupt file must not affect the next one
        const pristine = c.pristineFixture ?? c.fixture;
        if (pristine) await runTarget(c.target, join(fixtures, pristine), new AbortController().signal);
      },
      30_000,
    );
  }
});
