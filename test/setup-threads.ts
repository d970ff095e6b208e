// With DESCENT_TEST_THREADS=n (scripts/test-node-lines.ts sets it for a second run of the model
// tests), the default runtime these tests train on has n threads and splits every pass however
// small, so that each model test also runs the threaded code: programs per share of rows, the
// weighted sum of the shares' gradients, split updates.
import { beforeAll } from "vitest";
import { init } from "../src/index.ts";

beforeAll(async () => {
  const rt = await init({ threads: Number(process.env.DESCENT_TEST_THREADS) });
  if (rt.threads < 2) throw new Error(`DESCENT_TEST_THREADS=${process.env.DESCENT_TEST_THREADS} but the default runtime has ${rt.threads} thread(s)`);
  rt.splitMinElements = 0;
  rt.splitMinWork = 0;
});
