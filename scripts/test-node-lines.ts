// Runs the engine's tests (kernels, runtime, models, training, workers) under every pinned Node
// line of runtimes/package.json, one after the other, then the model tests once more on the
// newest line with every pass split over 2 threads, and exits non-zero if any failed. Each run's
// results go to test-results/vitest-node<N>*.json, which .ci/run adds to its closing count.
// The browser, packaging and command-line tests run once, under the machine's Node (`npm test`):
// they test the build and the pages, not the engine's behaviour on another V8.
//
//   npx tsx scripts/test-node-lines.ts [22 24 26]
import { spawnSync } from "node:child_process";
import { nodeBinary, pinnedRuntimes } from "./node-runtime.ts";

export const ENGINE_TESTS = [
  "test/activations.test.ts", "test/ops.test.ts", "test/gradients.test.ts", "test/training-kernels.test.ts",
  "test/properties.test.ts", "test/shapes.test.ts", "test/errors.test.ts", "test/memory.test.ts",
  "test/threads.test.ts", "test/close.test.ts", "test/models.test.ts", "test/model-errors.test.ts",
  "test/reliability.test.ts", "test/background.test.ts", "test/examples.test.ts", "test/data.test.ts", "test/relaxed.test.ts",
];

/** The model tests, run once more on the newest line with every pass split over 2 threads (test/setup-threads.ts). */
export const MODEL_TESTS = ["test/models.test.ts", "test/model-errors.test.ts", "test/reliability.test.ts", "test/examples.test.ts"];

const lines = process.argv.length > 2 ? process.argv.slice(2) : [...pinnedRuntimes().keys()];
let failed = false;
const run = (major: string, what: string, files: readonly string[], extra: Record<string, string>, json: string): void => {
  const bin = nodeBinary(major);
  const version = spawnSync(bin, ["--version"], { encoding: "utf8" }).stdout.trim();
  console.log(`\n== ${what} on Node ${version}`);
  const r = spawnSync(bin, ["node_modules/vitest/vitest.mjs", "run", ...files], {
    stdio: "inherit", env: { ...process.env, ...extra, VITEST_JSON: `test-results/${json}` },
  });
  if (r.status !== 0) {
    console.log(`== ${what} on Node ${version}: FAILED`);
    failed = true;
  }
};
for (const major of lines) run(major, "engine tests", ENGINE_TESTS, {}, `vitest-node${major}.json`);
const newest = lines[lines.length - 1];
run(newest, "model tests on 2 threads", MODEL_TESTS, { DESCENT_TEST_THREADS: "2" }, `vitest-node${newest}-threads.json`);
process.exit(failed ? 1 : 0);
