// Training on every core, measured: one full-batch gradient-descent epoch of linear and of
// logistic regression on N = 1,000,000 rows × d = 64 features with 1, 2 (and 4) threads, each
// thread count on its own runtime, the runs interleaved, medians of the epoch times (the
// intervals between onEpoch calls, so data upload is outside), and the speed-up over one thread.
//
//   npx tsx bench/threads.ts [--quick] [--json]
import os from "node:os";
import { LinearRegression, LogisticRegression, bestBackend, createRuntime, type Matrix, type Runtime } from "../src/index.ts";
import { mulberry32 } from "../src/random.ts";

const quick = process.argv.includes("--quick");
const json = process.argv.includes("--json");
const ROWS = quick ? 200_000 : 1_000_000;
const COLS = 64;
const EPOCHS = quick ? 15 : 30;
const ROUNDS = quick ? 3 : 5;
const THREADS = [1, 2, ...(os.availableParallelism() > 2 ? [4] : [])];

const r = mulberry32(11);
const X: Matrix = { data: Float32Array.from({ length: ROWS * COLS }, () => r() * 2 - 1), rows: ROWS, cols: COLS };
const y = Float32Array.from({ length: ROWS }, (_, i) => X.data[i * COLS] - 2 * X.data[i * COLS + 1] + r() - 0.5);
const labels = Array.from(y, (v) => (v > 0 ? 1 : 0));

const runtimes = new Map<number, Runtime>();
for (const t of THREADS) runtimes.set(t, await createRuntime({ backend: bestBackend(), threads: t, maxMemory: 2 ** 31 }));

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function epochMs(kind: "linear" | "logistic", rt: Runtime): Promise<number> {
  const model = kind === "linear"
    ? new LinearRegression({ solver: "gd", optimizer: "sgd", lr: 0.01, runtime: rt })
    : new LogisticRegression({ solver: "gd", optimizer: "sgd", lr: 0.01, runtime: rt });
  const times: number[] = [];
  let last = 0;
  await model.fit(X, kind === "linear" ? y : labels, {
    epochs: EPOCHS,
    onEpoch: () => {
      const now = performance.now();
      if (last !== 0) times.push(now - last);
      last = now;
    },
  });
  model.dispose();
  return median(times);
}

const results: Record<string, Record<number, number[]>> = { linear: {}, logistic: {} };
for (let round = 0; round < ROUNDS; round++) {
  for (const kind of ["linear", "logistic"] as const) {
    for (const t of THREADS) (results[kind][t] ??= []).push(await epochMs(kind, runtimes.get(t) as Runtime));
  }
}

const cpu = `${os.cpus()[0]?.model ?? "unknown"} (${os.availableParallelism()} logical cores)`;
if (!json) console.log(`one full-batch epoch, ${ROWS.toLocaleString("en-US")} × ${COLS}, ${bestBackend()}; ${cpu}; median over ${ROUNDS} rounds of ${EPOCHS} epochs`);
for (const kind of ["linear", "logistic"] as const) {
  const one = median(results[kind][1]);
  for (const t of THREADS) {
    const ms = median(results[kind][t]);
    const record = { case: `${kind} epoch`, rows: ROWS, cols: COLS, threads: t, medianMs: ms, speedup: one / ms };
    if (json) console.log(JSON.stringify(record));
    else console.log(`${kind.padEnd(9)} ${String(t).padStart(2)} thread(s)  ${ms.toFixed(2).padStart(8)} ms   ×${(one / ms).toFixed(2)}`);
  }
}
for (const rt of runtimes.values()) await rt.close();

// ---------------------------------------------------------------------------- kernels on threads
// Elementwise and row-wise kernels (and the updates) split over a threaded runtime's pool from
// SPLIT_MIN_ELEMENTS floats on. Here every size runs split (the threshold lowered to 0) against
// one thread, interleaved, to show where splitting starts to pay: the crossover. The suite
// (bench/run.ts) measures the same, by the same code (bench/split.ts).
{
  const { SPLIT_MIN_ELEMENTS } = await import("../src/runtime.ts");
  const { measureSplit, QUICK_SPLIT_SIZES, SPLIT_SIZES, splitText } = await import("./split.ts");
  const descent = bestBackend();
  const one = await createRuntime({ backend: descent, maxMemory: 2 ** 30 });
  const two = await createRuntime({ backend: descent, threads: 2, maxMemory: 2 ** 30 });
  const timing = quick
    ? { samples: 7, minSampleMs: 2, warmupMs: 20, warmupCalls: 2 }
    : { samples: 15, minSampleMs: 2, warmupMs: 100, warmupCalls: 2 };
  const { results: split } = measureSplit(one, two, descent, timing, quick ? QUICK_SPLIT_SIZES : SPLIT_SIZES);
  if (json) for (const record of split) console.log(JSON.stringify(record));
  else {
    console.log(`\nkernels split over 2 threads (threshold lowered to 0) against one thread, ${descent}; the default threshold is ${SPLIT_MIN_ELEMENTS.toLocaleString("en-US")} floats`);
    for (const line of splitText(split)) console.log(line);
  }
  await one.close();
  await two.close();
}
