// The benchmark worker: runs web/bench-core.ts's cases off the main thread (measure() is
// synchronous and takes seconds) and posts each case's row as it completes.
import { availableBackends } from "../src/index.ts";
import { BENCH_BACKENDS, benchCases, benchRuntimes, runCase, type BenchRow } from "./bench-core.ts";

export type BenchMessage =
  | { type: "start"; total: number; backends: string[] }
  | { type: "row"; index: number; row: BenchRow }
  | { type: "done"; seconds: number }
  | { type: "error"; message: string };

const post = (m: BenchMessage): void => (self as unknown as { postMessage(m: BenchMessage): void }).postMessage(m);

self.addEventListener("message", () => {
  void (async () => {
    try {
      const t0 = performance.now();
      const usable = availableBackends();
      const backends = BENCH_BACKENDS.filter((b) => usable.includes(b));
      const runtimes = await benchRuntimes(backends);
      const cases = benchCases();
      post({ type: "start", total: cases.length, backends });
      for (let i = 0; i < cases.length; i++) {
        post({ type: "row", index: i, row: runCase(cases[i], runtimes) });
        // Let the message go out before the next (synchronous) measurement.
        await new Promise((done) => setTimeout(done, 0));
      }
      post({ type: "done", seconds: (performance.now() - t0) / 1000 });
    } catch (err) {
      post({ type: "error", message: (err as Error)?.message ?? String(err) });
    }
  })();
});
