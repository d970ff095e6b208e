// Runs the engine's tests (kernels, runtime, models, training, workers) under every pinned Node
// line of runtimes/package.json, one after the other, and exits non-zero if any failed. Each
// line's results go to test-results/vitest-node<N>.json, which .ci/run adds to its closing count.
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

const lines = process.argv.length > 2 ? process.argv.slice(2) : [...pinnedRuntimes().keys()];
let failed = false;
for (const major of lines) {
  const bin = nodeBinary(major);
  const version = spawnSync(bin, ["--version"], { encoding: "utf8" }).stdout.trim();
  console.log(`\n== engine tests on Node ${version}`);
  const run = spawnSync(bin, ["node_modules/vitest/vitest.mjs", "run", ...ENGINE_TESTS], {
    stdio: "inherit", env: { ...process.env, VITEST_JSON: `test-results/vitest-node${major}.json` },
  });
  if (run.status !== 0) {
    console.log(`== Node ${version}: FAILED`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
