// Prints the plain CI summary line `N passed, N failed[, N skipped]` from vitest's JSON report, plus the
// counts of any further check reports given after it ({ passed, failed } JSON, e.g. .cache/consumer-check.json).
// A further report that is missing counts as one failure.
import { existsSync, readFileSync } from "node:fs";

const [file = ".cache/vitest-report.json", ...extra] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(file)) {
  const r = JSON.parse(readFileSync(file, "utf8"));
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  // A file that failed to load counts as a failure even though it ran no test.
  const brokenSuites = (r.testResults ?? []).filter((s) => s.status === "failed" && (s.assertionResults ?? []).length === 0).length;
  passed += r.numPassedTests ?? 0;
  failed += (r.numFailedTests ?? 0) + brokenSuites;
} else failed += 1;
for (const f of extra) {
  if (!existsSync(f)) {
    failed += 1;
    continue;
  }
  const r = JSON.parse(readFileSync(f, "utf8"));
  passed += r.passed ?? 0;
  failed += r.failed ?? 0;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 ? 1 : 0);
