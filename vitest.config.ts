import { defineConfig } from "vitest/config";

// Tests run against the sources: the "@hyped/source" export condition points each package at src/.
const conditions = ["@hyped/source", "import", "module", "node", "default"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ["packages/*/src/**/__tests__/**/*.test.ts", "examples/**/*.test.ts", "scripts/__tests__/*.test.ts"],
    setupFiles: ["./scripts/vitest-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ["default", "json"],
    outputFile: { json: ".cache/vitest-report.json" },
  },
});
