import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    pool: "forks",
    // DESCENT_TEST_THREADS=2: the model tests on a default runtime with threads (test/setup-threads.ts).
    setupFiles: process.env.DESCENT_TEST_THREADS ? ["test/setup-threads.ts"] : [],
    // The JSON report lets .ci/run print a plain "N passed, N failed" closing line; the runs on
    // other Node lines (scripts/test-node-lines.ts) name their own file.
    reporters: ["default", ["json", { outputFile: process.env.VITEST_JSON ?? "test-results/vitest.json" }]],
  },
});
