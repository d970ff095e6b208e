// The course's question "should we minimise the loss by gradient descent?", measured: for least
// squares on N rows × d features, the closed form (LinearRegression solver "normal") against
// gradient descent (solver "gd", Adam and momentum with their default settings), each timed to
// the same accuracy: the training MSE within 1e-4 relative of the exact optimum. Seeded data,
// one process, the contenders interleaved, medians of several runs.
//
//   npx tsx bench/solvers.ts [--quick]
import { LinearRegression, runtime, type Matrix } from "../src/index.ts";
import { mulberry32 } from "../src/random.ts";

const quick = process.argv.includes("--quick");
const TOLERANCE = 1e-4;
const RUNS = quick ? 3 : 5;
const SHAPES: readonly [number, number][] = quick
  ? [[20_000, 8], [20_000, 64]]
  : [[100_000, 8], [100_000, 32], [100_000, 128], [20_000, 512], [5_000, 2_000]];

/** Correlated features (so that the problem is not trivially conditioned) and a noisy linear target. */
function problem(rows: number, cols: number, seed: number): { X: Matrix; y: Float32Array } {
  const r = mulberry32(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const data = new Float32Array(rows * cols);
  const y = new Float32Array(rows);
  const w = Float64Array.from({ length: cols }, () => gauss());
  for (let i = 0; i < rows; i++) {
    const shared = gauss();
    let t = 0;
    for (let j = 0; j < cols; j++) {
      const v = 0.6 * shared + 0.8 * gauss() + j * 0.01;
      data[i * cols + j] = v;
      t += w[j] * v;
    }
    y[i] = t + gauss();
  }
  return { X: { data, rows, cols }, y };
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function timeFit(make: () => LinearRegression, X: Matrix, y: Float32Array): Promise<{ ms: number; model: LinearRegression }> {
  const start = performance.now();
  const model = await make().fit(X, y);
  return { ms: performance.now() - start, model };
}

interface Row {
  shape: string;
  normalMs: number;
  gd: { optimizer: string; epochs: number | undefined; ms: number | undefined; epochMs: number; failure?: string }[];
}

const rows: Row[] = [];
for (const [n, d] of SHAPES) {
  const { X, y } = problem(n, d, n * 31 + d);
  const normal: number[] = [];
  const epochTimes: Record<string, number[]> = { adam: [], momentum: [] };
  const reached: Record<string, number | undefined> = {};
  const diverged: Record<string, string | undefined> = {};
  const maxEpochs = quick ? 1000 : 3000;
  let optimum = 0;
  for (let run = 0; run < RUNS; run++) {
    const exact = await timeFit(() => new LinearRegression({ solver: "normal" }), X, y);
    normal.push(exact.ms);
    // The standardised objective the gd history reports, at the exact optimum.
    optimum = exact.model.gradients(X, y).loss;
    exact.model.dispose();
    for (const optimizer of ["adam", "momentum"] as const) {
      if (diverged[optimizer] !== undefined) continue;
      try {
        // Epoch cost from a short fit; epochs to the tolerance from one long fit (first run only).
        const short = await timeFit(() => new LinearRegression({ solver: "gd", optimizer, epochs: 20 }), X, y);
        epochTimes[optimizer].push(short.ms / 20);
        short.model.dispose();
        if (run === 0) {
          const long = await new LinearRegression({ solver: "gd", optimizer, epochs: maxEpochs }).fit(X, y);
          const i = long.history.loss.findIndex((l) => l <= optimum * (1 + TOLERANCE));
          reached[optimizer] = i < 0 ? undefined : i + 1;
          long.dispose();
        }
      } catch (err) {
        // A default learning rate too large for this problem's curvature: part of the answer.
        const epoch = /diverged at epoch (\d+)/.exec((err as Error).message);
        if (epoch === null) throw err;
        diverged[optimizer] = `diverges (epoch ${epoch[1]})`;
      }
    }
  }
  const row: Row = {
    shape: `${n.toLocaleString("en-US")} × ${d}`,
    normalMs: median(normal),
    gd: (["adam", "momentum"] as const).map((optimizer) => {
      const failure = diverged[optimizer];
      if (failure !== undefined) return { optimizer, epochs: undefined, ms: undefined, epochMs: NaN, failure };
      const epochMs = median(epochTimes[optimizer]);
      const epochs = reached[optimizer];
      return { optimizer, epochs, ms: epochs === undefined ? undefined : epochs * epochMs, epochMs };
    }),
  };
  rows.push(row);
  const gdText = row.gd.map((g) => `${g.optimizer}: ${g.failure ?? (g.epochs === undefined ? `> ${maxEpochs} epochs` : `${g.epochs} epochs, ${(g.ms as number).toFixed(0)} ms`)}`).join("; ");
  console.log(`${row.shape.padEnd(16)} normal ${row.normalMs.toFixed(1)} ms | ${gdText}`);
}

console.log(`\nbackend ${runtime().backend}; gradient descent counted until the MSE is within ${TOLERANCE} of the optimum (epoch time × epochs).`);
const wins = rows.filter((r) => r.gd.every((g) => g.ms === undefined || g.ms > r.normalMs)).length;
console.log(`the closed form was faster in ${wins} of ${rows.length} shapes.`);
