// fitBatches: every model reaches fit's optimum from batches of data ten times larger than its
// runtime's memory (memory polled during the run), trains like fit on small data, shuffles by its
// seed, refuses bad batches naming batch, row and column, refuses a one-shot iterator when it
// needs a second pass, and leaves the model and the memory as they were when it fails.
import { beforeAll, describe, expect, it } from "vitest";
import {
  LinearRegression, LogisticRegression, Sequential, createRuntime, dense, matrix, type Batch, type BatchInfo, type Matrix, type Runtime,
} from "../src/index.ts";
import { LabelEncoder } from "../src/data/labels.ts";
import { mulberry32 } from "../src/random.ts";
import { leastSquaresMse, logisticObjective, logisticOptimum, standardize64 } from "./reference64.ts";

const MAX_MEMORY = 1 << 20; // 1 MiB
const COLS = 8;
/** 12.6 MB of X and y: more than ten times MAX_MEMORY. */
const BIG_ROWS = 350_000;
const BATCH = 2500;

const WEIGHTS = [2, -1, 0.5, 0, 3, -2, 1, 0.25];

/** Seeded features in [-2, 2] (a shifted column, so standardisation matters) and linear targets with noise. */
function regressionData(rows: number, seed: number): { X: Matrix; y: Float32Array } {
  const r = mulberry32(seed);
  const data = new Float32Array(rows * COLS);
  const y = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 10;
    for (let j = 0; j < COLS; j++) {
      const v = 4 * r() - 2 + (j === 2 ? 50 : 0);
      data[i * COLS + j] = v;
      s += WEIGHTS[j] * v;
    }
    y[i] = s + (r() - 0.5);
  }
  return { X: matrix(data, rows, COLS), y };
}

/** Labels drawn from a logistic (k = 2) or softmax model of the features, so that no class is separable. */
function classData(rows: number, k: number, seed: number): { X: Matrix; y: string[] } {
  const { X } = regressionData(rows, seed);
  const r = mulberry32(seed + 1);
  const names = ["ant", "bee", "cat", "dog"];
  const y: string[] = new Array<string>(rows);
  for (let i = 0; i < rows; i++) {
    const z = Array.from({ length: k }, (_, c) => {
      let s = 0;
      for (let j = 0; j < COLS; j++) s += WEIGHTS[(j + c) % COLS] * (X.data[i * COLS + j] - (j === 2 ? 50 : 0)) * 0.5;
      return s;
    });
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    let u = r() * e.reduce((a, b) => a + b, 0);
    let c = 0;
    while (c < k - 1 && u > e[c]) u -= e[c++];
    y[i] = names[c];
  }
  return { X, y };
}

/** The rows as batches of `size` (views of the data, not copies). */
function batchesOf<Y extends Float32Array | string[]>(X: Matrix, y: Y, size: number): Batch<Y>[] {
  const out: Batch<Y>[] = [];
  for (let s = 0; s < X.rows; s += size) {
    const n = Math.min(size, X.rows - s);
    out.push({ X: matrix(X.data.subarray(s * X.cols, (s + n) * X.cols), n, X.cols), y: y.slice(s, s + n) as Y });
  }
  return out;
}

/** onBatch that records the runtime's peak memory while the fit runs. */
function memoryProbe(rt: Runtime): { onBatch: (info: BatchInfo) => void; peak: { memoryBytes: number; liveBytes: number }; passes: number } {
  const probe = {
    peak: { memoryBytes: 0, liveBytes: 0 },
    passes: 0,
    onBatch: (info: BatchInfo) => {
      const m = rt.memory();
      probe.peak.memoryBytes = Math.max(probe.peak.memoryBytes, m.memoryBytes);
      probe.peak.liveBytes = Math.max(probe.peak.liveBytes, m.liveBytes);
      probe.passes = info.pass;
    },
  };
  return probe;
}

function relative(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

/** The least-squares optimum of the mean squared error in standardised units (targets divided by their standard deviation). */
function standardisedOptimum(X: Matrix, y: Float32Array): number {
  const z = standardize64(X.data, X.rows, X.cols);
  const mean = y.reduce((a, v) => a + v, 0) / y.length;
  const variance = y.reduce((a, v) => a + (v - mean) ** 2, 0) / y.length;
  return leastSquaresMse(z.x, z.rows, z.cols, y) / variance;
}

const dataBytes = (X: Matrix): number => X.data.byteLength + X.rows * 4;

describe("fitBatches on data ten times larger than the runtime's memory", () => {
  let small: Runtime;
  let big: Runtime;
  beforeAll(async () => {
    small = await createRuntime({ maxMemory: MAX_MEMORY });
    big = await createRuntime();
  });

  it("the data cannot be fitted at once on that runtime", async () => {
    const { X, y } = regressionData(BIG_ROWS, 1);
    expect(dataBytes(X)).toBeGreaterThan(10 * MAX_MEMORY);
    await expect(new LinearRegression({ runtime: small }).fit(X, y)).rejects.toThrow(/WASM memory can hold at most/);
  });

  it("LinearRegression's closed form: one pass, fit's optimum, memory bounded by a batch", async () => {
    const { X, y } = regressionData(BIG_ROWS, 1);
    const probe = memoryProbe(small);
    const model = await new LinearRegression({ runtime: small }).fitBatches(batchesOf(X, y, BATCH), { onBatch: probe.onBatch });
    const reference = await new LinearRegression({ runtime: big }).fit(X, y);
    expect(probe.passes).toBe(1);
    expect(model.solverUsed).toBe("normal");
    const coef = model.coef;
    const ref = reference.coef;
    for (let j = 0; j < COLS; j++) expect(Math.abs(coef[j] - ref[j])).toBeLessThan(1e-9 * Math.max(1, Math.abs(ref[j])));
    expect(relative(model.intercept, reference.intercept)).toBeLessThan(1e-9);
    expect(probe.peak.memoryBytes).toBeLessThanOrEqual(MAX_MEMORY);
    expect(probe.peak.liveBytes).toBeLessThan(dataBytes(X) / 50);
    // The float64 least-squares optimum (Householder QR), on the mean squared error of both.
    const opt = leastSquaresMse(X.data, X.rows, X.cols, y);
    const mse = (m: LinearRegression): number => {
      let s = 0;
      const c = m.coef;
      for (let i = 0; i < X.rows; i++) {
        let p = m.intercept;
        for (let j = 0; j < COLS; j++) p += c[j] * X.data[i * COLS + j];
        s += (p - y[i]) ** 2;
      }
      return s / X.rows;
    };
    expect(relative(mse(model), opt)).toBeLessThan(1e-9);
    model.dispose();
    reference.dispose();
  });

  it("LinearRegression's full-batch gradient descent: a step per pass, fit's trajectory and optimum", async () => {
    const { X, y } = regressionData(BIG_ROWS, 2);
    const options = { solver: "gd", optimizer: "sgd", lr: 0.5, epochs: 40 } as const;
    const probe = memoryProbe(small);
    const model = await new LinearRegression({ ...options, runtime: small }).fitBatches(() => batchesOf(X, y, BATCH), { onBatch: probe.onBatch });
    const reference = await new LinearRegression({ ...options, runtime: big }).fit(X, y);
    expect(probe.passes).toBe(1 + 40);
    const loss = model.history.loss;
    const refLoss = reference.history.loss;
    expect(loss).toHaveLength(40);
    for (let e = 0; e < 40; e++) expect(relative(loss[e], refLoss[e])).toBeLessThan(1e-4);
    const coef = model.coef;
    for (let j = 0; j < COLS; j++) expect(Math.abs(coef[j] - reference.coef[j])).toBeLessThan(1e-4);
    // At the optimum of the standardised problem: the closed form's loss.
    const exact = await new LinearRegression({ runtime: big }).fitBatches(batchesOf(X, y, BATCH));
    const best = standardisedOptimum(X, y);
    expect(Math.abs(loss[39] - best)).toBeLessThan(1e-4);
    expect(probe.peak.memoryBytes).toBeLessThanOrEqual(MAX_MEMORY);
    expect(probe.peak.liveBytes).toBeLessThan(dataBytes(X) / 50);
    [model, reference, exact].forEach((m) => m.dispose());
  });

  it("LogisticRegression's L-BFGS: every evaluation a pass, the float64 optimum", async () => {
    const { X, y } = classData(BIG_ROWS, 2, 3);
    const probe = memoryProbe(small);
    const model = await new LogisticRegression({ runtime: small }).fitBatches(batchesOf(X, y, BATCH), { onBatch: probe.onBatch });
    expect(model.mode).toBe("binary");
    expect(model.classes).toEqual(["ant", "bee"]);
    // Passes: the statistics, then one per evaluation (iterations and line-search trials).
    expect(probe.passes).toBeGreaterThan(model.history.loss.length);
    const codes = new LabelEncoder().fit(y).transform(y);
    const z = standardize64(X.data, X.rows, X.cols);
    const best = logisticOptimum(z, codes, 1, 0);
    const layer = model.layers[0];
    const got = logisticObjective(z, codes, 1, layer.w.data, layer.b.data, 0);
    expect(got).toBeGreaterThanOrEqual(best * (1 - 1e-9));
    expect(relative(got, best)).toBeLessThan(1e-5);
    expect(probe.peak.memoryBytes).toBeLessThanOrEqual(MAX_MEMORY);
    expect(probe.peak.liveBytes).toBeLessThan(dataBytes(X) / 50);
    model.dispose();
  });

  it("Sequential: mini-batches through the shuffle buffer reach the least-squares optimum", async () => {
    const { X, y } = regressionData(BIG_ROWS, 4);
    const probe = memoryProbe(small);
    const model = new Sequential([dense({ units: 1 })], { runtime: small, optimizer: "adam", lr: 0.01, batchSize: 256, epochs: 2, seed: 3 });
    await model.fitBatches(() => batchesOf(X, y, BATCH), { onBatch: probe.onBatch });
    expect(probe.passes).toBe(3);
    const best = standardisedOptimum(X, y);
    // The second epoch's mean mini-batch loss, at the optimum to within Adam's noise.
    expect(model.history.loss[1]).toBeLessThan(best + 2e-4);
    expect(probe.peak.memoryBytes).toBeLessThanOrEqual(MAX_MEMORY);
    expect(probe.peak.liveBytes).toBeLessThan(dataBytes(X) / 50);
    model.dispose();
  });
});

describe("fitBatches trains like fit on small data", () => {
  it("LinearRegression (closed form and gd, with and without standardisation)", async () => {
    const { X, y } = regressionData(3000, 5);
    for (const options of [{}, { standardize: false }, { l2: 0.1 }, { solver: "gd", epochs: 50 }] as const) {
      const a = await new LinearRegression(options).fitBatches(batchesOf(X, y, 333));
      const b = await new LinearRegression(options).fit(X, y);
      // The closed form is exact in float64 both ways; gd's trajectories differ by the float32
      // rounding of the gradient's sums (over all rows, or batch by batch), which Adam's
      // normalised steps carry to the intercept through the column of mean 50.
      const tol = "solver" in options ? 1e-3 : 1e-9;
      for (let j = 0; j < COLS; j++) expect(Math.abs(a.coef[j] - b.coef[j])).toBeLessThan(tol * Math.max(1, Math.abs(b.coef[j])));
      expect(relative(a.intercept, b.intercept)).toBeLessThan(tol);
      expect(a.solverUsed).toBe(b.solverUsed);
      a.dispose();
      b.dispose();
    }
  });

  it("LogisticRegression: L-BFGS and full-batch gd, binary and multinomial", async () => {
    for (const k of [2, 3]) {
      const { X, y } = classData(4000, k, 6 + k);
      for (const options of [{}, { solver: "gd", epochs: 30 }, { l2: 0.05 }] as const) {
        const a = await new LogisticRegression(options).fitBatches(batchesOf(X, y, 512));
        const b = await new LogisticRegression(options).fit(X, y);
        expect(a.classes).toEqual(b.classes);
        expect(a.mode).toBe(b.mode);
        const codes = new LabelEncoder().fit(y).transform(y);
        const z = standardize64(X.data, X.rows, X.cols);
        const kk = k === 2 ? 1 : k;
        const l2 = ("l2" in options ? options.l2 : undefined) ?? 0;
        const fa = logisticObjective(z, codes, kk, a.layers[0].w.data, a.layers[0].b.data, l2);
        const fb = logisticObjective(z, codes, kk, b.layers[0].w.data, b.layers[0].b.data, l2);
        expect(relative(fa, fb)).toBeLessThan(options.solver === "gd" ? 1e-5 : 1e-6);
        if (options.solver === "gd") {
          expect(a.history.loss).toHaveLength(30);
          a.history.loss.forEach((v, e) => expect(relative(v, b.history.loss[e])).toBeLessThan(1e-5));
        }
        a.dispose();
        b.dispose();
      }
    }
  });

  it("Sequential classifier: the same accuracy as fit, classes gathered in the first pass", async () => {
    const { X, y } = classData(3000, 3, 9);
    const make = (): Sequential => new Sequential([dense({ units: 8, activation: "relu" }), dense({ units: 3, activation: "softmax" })], { epochs: 20, seed: 1 });
    const a = await make().fitBatches(batchesOf(X, y, 256));
    const b = await make().fit(X, y);
    expect(a.classes).toEqual(["ant", "bee", "cat"]);
    expect(Math.abs(a.score(X, y) - b.score(X, y))).toBeLessThan(0.03);
    expect(Math.abs(a.history.loss[19] - b.history.loss[19])).toBeLessThan(0.03);
    a.dispose();
    b.dispose();
  });

  it("Sequential trains on from its weights, with its statistics and classes, and needs no statistics pass then", async () => {
    const { X, y } = classData(2000, 2, 10);
    const model = new Sequential([dense({ units: 1, activation: "sigmoid" })], { epochs: 3 });
    await model.fit(X, y);
    const features = model.toJSON().features;
    const passes: number[] = [];
    await model.fitBatches(batchesOf(X, y, 500), { epochs: 2, onBatch: (i) => passes.push(i.pass) });
    expect(new Set(passes)).toEqual(new Set([1, 2]));
    expect(model.toJSON().features).toEqual(features);
    model.dispose();
  });

  it("accepts async iterables, a function returning a promise of batches, and sync generators by function", async () => {
    const { X, y } = regressionData(1000, 11);
    const list = batchesOf(X, y, 100);
    const reference = await new LinearRegression({ solver: "gd", epochs: 5 }).fitBatches(list);
    const sources = [
      async function* () { for (const b of list) yield b; },
      function* () { yield* list; },
      () => Promise.resolve(list),
      { [Symbol.asyncIterator]: async function* () { for (const b of list) yield b; } },
    ];
    for (const source of sources) {
      const m = await new LinearRegression({ solver: "gd", epochs: 5 }).fitBatches(source);
      expect(Array.from(m.coef)).toEqual(Array.from(reference.coef));
      m.dispose();
    }
    reference.dispose();
  });
});

describe("fitBatches's epochs, as fit's", () => {
  it("onEpoch (false stops), validationData and early stopping", async () => {
    const { X, y } = regressionData(2000, 21);
    const val = regressionData(300, 22);
    const infos: number[] = [];
    const model = new Sequential([dense({ units: 4, activation: "tanh" }), dense({ units: 1 })], { epochs: 50, seed: 2 });
    await model.fitBatches(batchesOf(X, y, 256), {
      validationData: { X: val.X, y: val.y }, onEpoch: (e) => { infos.push(e.epoch); return e.epoch < 4; },
    });
    expect(infos).toEqual([1, 2, 3, 4]);
    expect(model.history.loss).toHaveLength(4);
    expect(model.history.valLoss).toHaveLength(4);
    // Early stopping on the validation loss: a patience of 1 with a tolerance that only the first
    // epoch (against no best yet) beats stops at the second, as fit does.
    await model.fitBatches(batchesOf(X, y, 256), { validationData: { X: val.X, y: val.y }, earlyStopping: { patience: 1, tol: 1e9 } });
    expect(model.history.loss).toHaveLength(2);
    model.dispose();
  });
});

describe("fitBatches's shuffle buffer", () => {
  it("is seeded: the same seed gives the same weights, another seed others, and 0 keeps the source's order", async () => {
    const { X, y } = regressionData(2000, 12);
    const list = batchesOf(X, y, 128);
    const run = async (seed: number, shuffleBuffer?: number): Promise<Float32Array> => {
      const m = new Sequential([dense({ units: 4, activation: "tanh" }), dense({ units: 1 })], { seed, epochs: 2, batchSize: 32 });
      await m.fitBatches(list, { shuffleBuffer });
      const w = m.layers[0].w.toArray();
      m.dispose();
      return w;
    };
    const a = await run(1, 300);
    expect(await run(1, 300)).toEqual(a);
    expect(await run(2, 300)).not.toEqual(a);
    expect(await run(1, 0)).not.toEqual(a);
    expect(await run(1, 0)).toEqual(await run(1, 0));
  });
});

describe("fitBatches failures change nothing", () => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await createRuntime();
  });

  async function trained(): Promise<LogisticRegression> {
    const { X, y } = classData(500, 3, 13);
    return new LogisticRegression({ runtime: rt }).fit(X, y);
  }

  it("an abort mid-way leaves the model bit for bit as it was and the memory at its baseline", async () => {
    for (const kind of ["logistic", "sequential"] as const) {
      const { X, y } = classData(3000, 3, 14);
      const model = kind === "logistic"
        ? await trained()
        : await new Sequential([dense({ units: 5, activation: "relu" }), dense({ units: 3, activation: "softmax" })], { runtime: rt, epochs: 2 }).fit(X, y);
      const before = JSON.stringify(model.toJSON());
      const proba = model.predictProba(X);
      const memory = rt.memory();
      const abort = new AbortController();
      const reason = new Error("stop here");
      const fit = model.fitBatches(batchesOf(X, y, 300), {
        signal: abort.signal,
        // Sequential trains on from its weights (no statistics pass): pass 2 is its second epoch.
        onBatch: (i) => { if (i.pass === 2 && i.batch === 4) abort.abort(reason); },
      });
      await expect(fit).rejects.toBe(reason);
      expect(JSON.stringify(model.toJSON())).toBe(before);
      expect(model.predictProba(X)).toEqual(proba);
      expect(rt.memory().liveBytes).toBe(memory.liveBytes);
      expect(rt.memory().liveTensors).toBe(memory.liveTensors);
      expect(model.fitting).toBe(false);
      model.dispose();
    }
  });

  it("one fit at a time: fitBatches while fit runs is refused", async () => {
    const { X, y } = classData(500, 2, 15);
    const model = new LogisticRegression({ runtime: rt, solver: "gd", epochs: 50 });
    const running = model.fit(X, y);
    await expect(model.fitBatches(batchesOf(X, y, 100))).rejects.toThrow(/fit is already running on this model/);
    await running;
    model.dispose();
  });

  const bad: [string, (X: Matrix, y: Float32Array) => unknown, RegExp][] = [
    ["a batch of another width", (X, y) => batchesOf(X, y, 10).map((b, i) => (i === 3 ? { X: matrix(new Float32Array(70), 10, 7), y: b.y } : b)),
      /^descent: LinearRegression\.fitBatches: batch 3 has 7 columns, expected 8 \(as batch 0\)$/],
    ["a NaN", (X, y) => batchesOf(X, y, 10).map((b, i) => {
      if (i !== 2) return b;
      const data = (b.X as Matrix).data.slice();
      data[5 * COLS + 1] = NaN;
      return { X: matrix(data, 10, COLS), y: b.y };
    }), /^descent: LinearRegression\.fitBatches: batch 2: X\[5\]\[1\] is NaN \(row 5, column 1, counting from 0\)$/],
    ["y of another length", (X, y) => batchesOf(X, y, 10).map((b, i) => (i === 1 ? { X: b.X, y: b.y.subarray(0, 9) } : b)),
      /^descent: LinearRegression\.fitBatches: batch 1: y has 9 values but X has 10 rows$/],
    ["an infinite target", (X, y) => batchesOf(X, y, 10).map((b, i) => (i === 4 ? { X: b.X, y: b.y.map((v, r) => (r === 6 ? Infinity : v)) } : b)),
      /batch 4: y\[6\] is Infinity/],
    ["a batch that is not { X, y }", (X, y) => [...batchesOf(X, y, 10).slice(0, 2), [1, 2, 3]], /batch 2 must be an object \{ X, y \}, received Array\(3\)/],
    ["a source that is not iterable", () => 42, /source must be an iterable or async iterable of \{ X, y \} batches .* received 42/],
    ["a source that gives nothing", () => [], /the source gave no batches/],
    ["a function that returns no iterable", () => () => ({ X: 1 }), /the source function must return an iterable/],
  ];
  it.each(bad)("%s is refused by name, leaving the model and the memory as they were", async (_, make, message) => {
    const { X, y } = regressionData(100, 16);
    const model = await new LinearRegression({ runtime: rt }).fit(X, y);
    const before = JSON.stringify(model.toJSON());
    const memory = rt.memory();
    for (const solver of ["normal", "gd"] as const) {
      const m = solver === "normal" ? model : await new LinearRegression({ runtime: rt, solver: "gd", epochs: 3 }).fit(X, y);
      const json = JSON.stringify(m.toJSON());
      const live = rt.memory();
      await expect(m.fitBatches(make(X, y) as never)).rejects.toThrow(message);
      expect(JSON.stringify(m.toJSON())).toBe(json);
      expect(rt.memory().liveBytes).toBe(live.liveBytes);
      expect(rt.memory().liveTensors).toBe(live.liveTensors);
      if (m !== model) m.dispose();
    }
    expect(JSON.stringify(model.toJSON())).toBe(before);
    expect(rt.memory().liveBytes).toBe(memory.liveBytes);
    model.dispose();
  });

  it("a bad batch on a later pass (the source changed) is refused, and the memory is back at its baseline", async () => {
    const { X, y } = classData(1000, 2, 17);
    let calls = 0;
    const source = (): Batch<string[]>[] => {
      calls++;
      const list = batchesOf(X, y, 100);
      if (calls === 3) list[6] = { X: list[6].X, y: list[6].y.map((l, r) => (r === 2 ? "eel" : l)) };
      return list;
    };
    const model = new LogisticRegression({ runtime: rt, solver: "gd", epochs: 5 });
    const memory = rt.memory();
    await expect(model.fitBatches(source)).rejects.toThrow(
      /^descent: LogisticRegression\.fitBatches: batch 6: y\[2\] is "eel", not one of the 2 classes \(of the first pass: the source changed between passes\)$/,
    );
    expect(() => model.classes).toThrow(/not trained yet/);
    expect(rt.memory().liveBytes).toBe(memory.liveBytes);
    expect(rt.memory().liveTensors).toBe(memory.liveTensors);
    model.dispose();
  });

  it("labels: mixed kinds, a single class, and a label outside options.classes", async () => {
    const { X, y } = classData(300, 2, 18);
    const list = batchesOf(X, y, 100);
    const mixed = list.map((b, i) => (i === 1 ? { X: b.X, y: b.y.map((_, r) => r) } : b));
    await expect(new LogisticRegression().fitBatches(mixed as never)).rejects.toThrow(/batch 1: y holds numbers but batch 0 held strings/);
    const single = list.map((b) => ({ X: b.X, y: b.y.map(() => "ant") }));
    await expect(new LogisticRegression().fitBatches(single)).rejects.toThrow(/the batches hold a single class \("ant"\)/);
    await expect(new LogisticRegression().fitBatches(list, { classes: ["ant", "cat"] })).rejects.toThrow(
      /batch 0: y\[\d+\] is "bee", not one of the 2 classes \(given in options.classes\)/,
    );
    // Given classes fix the set and order, even with a class the batches lack.
    const m = await new LogisticRegression({ solver: "gd", epochs: 3 }).fitBatches(list, { classes: ["cat", "bee", "ant"] });
    expect(m.classes).toEqual(["ant", "bee", "cat"]);
    expect(m.mode).toBe("multinomial");
    m.dispose();
  });

  it("a one-shot iterator serves a one-pass fit but is refused, by name, when a second pass is needed", async () => {
    const { X, y } = regressionData(500, 19);
    const list = batchesOf(X, y, 100);
    function* once(): Generator<Batch<Float32Array>> {
      yield* list;
    }
    // The closed form reads its source once.
    const closed = await new LinearRegression().fitBatches(once());
    closed.dispose();
    const model = new LinearRegression({ solver: "gd", epochs: 3 });
    await expect(model.fitBatches(once())).rejects.toThrow(
      /^descent: LinearRegression\.fitBatches: the source is a one-shot iterator \(a generator object, a stream\) that was used up by pass 1, but this fit needs another pass: pass a function that returns new batches each time/,
    );
    // A ReadableStream of batches is one-shot too.
    const stream = new ReadableStream<Batch<Float32Array>>({
      start(c) {
        for (const b of list) c.enqueue(b);
        c.close();
      },
    });
    await expect(model.fitBatches(stream as unknown as AsyncIterable<Batch<Float32Array>>)).rejects.toThrow(/one-shot/);
    // An object that yields once and then nothing is told apart from an empty source.
    let used = false;
    const fading = { [Symbol.iterator]: () => (used ? [] : ((used = true), list))[Symbol.iterator]() };
    await expect(model.fitBatches(fading)).rejects.toThrow(/gave no batches on pass 2 \(it gave 500 rows on pass 1\): a one-shot iterator/);
    model.dispose();
  });

  it("options are checked: unknown keys, solver-only options, and types", async () => {
    const list = batchesOf(regressionData(100, 20).X, regressionData(100, 20).y, 50);
    await expect(new LinearRegression().fitBatches(list, { epochs: 3 })).rejects.toThrow(/option "epochs" needs solver "gd" \(this fit uses the closed form\)/);
    await expect(new LinearRegression().fitBatches(list, { nope: 1 } as never)).rejects.toThrow(/unknown option "nope"/);
    await expect(new LinearRegression({ solver: "gd" }).fitBatches(list, { shuffleBuffer: 10 })).rejects.toThrow(/"shuffleBuffer" needs mini-batches/);
    await expect(new LinearRegression({ solver: "gd" }).fitBatches(list, { onBatch: 3 } as never)).rejects.toThrow(/onBatch must be a function, received 3/);
    await expect(new LinearRegression({ solver: "gd" }).fitBatches(list, { classes: ["a", "b"] })).rejects.toThrow(/"classes" is for classifiers/);
  });
});
