// Training on worker threads: 1, 2 and 4 threads give correct weights, bit-identical run to run
// for a fixed thread count; the shared memory survives growth while workers use it; where threads
// cannot run, the runtime says why and runs single-threaded; trainInWorker trains on the worker's
// threads.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { LinearRegression, LogisticRegression, Sequential, createRuntime, dense, trainInWorker, type Matrix, type Runtime } from "../src/index.ts";
import { createRuntimeSync } from "../src/runtime.ts";
import { mulberry32 } from "../src/random.ts";
import { sameBits } from "./helpers.ts";

const SAME = { equal: true, at: -1 };

const runtimes: Record<number, Runtime> = {};
beforeAll(async () => {
  for (const t of [1, 2, 4]) runtimes[t] = await createRuntime({ backend: "wasm-simd", threads: t });
});
afterAll(async () => {
  for (const rt of Object.values(runtimes)) await rt.close();
});

function problem(rows: number, cols: number, seed: number): { X: Matrix; y: Float32Array; labels: number[] } {
  const r = mulberry32(seed);
  const data = Float32Array.from({ length: rows * cols }, () => r() * 2 - 1);
  const y = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0.5;
    for (let j = 0; j < cols; j++) s += data[i * cols + j] * ((j % 5) - 2);
    y[i] = s + (r() - 0.5);
  }
  return { X: { data, rows, cols }, y, labels: Array.from(y, (v) => (v > 0.5 ? 1 : 0)) };
}

const weights = (m: LinearRegression | LogisticRegression): Float32Array =>
  Float32Array.from([...m.layers[0].w.data, ...m.layers[0].b.data]);

describe("threads", () => {
  // 4001 rows: not a multiple of four or of the thread count, so every share boundary is exercised.
  const { X, y, labels } = problem(4001, 24, 3);

  it("a runtime reports its threads", () => {
    expect(runtimes[1].threads).toBe(1);
    expect(runtimes[2].threads).toBe(2);
    expect(runtimes[4].threads).toBe(4);
    expect(runtimes[4].label).toMatch(/with 4 threads/);
    expect(runtimes[4].heap.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it.each([2, 4])("%i threads train linear and logistic regression to the single-thread result (to rounding), bit-identical run to run", async (threads) => {
    for (const [make, target] of [
      [() => new LinearRegression({ solver: "gd", optimizer: "sgd", lr: 0.05, epochs: 30, runtime: runtimes[threads] }), y],
      [() => new LogisticRegression({ solver: "gd", optimizer: "adam", epochs: 30, runtime: runtimes[threads] }), labels],
    ] as const) {
      const single = await (make() as LinearRegression).fit(X, target);
      expect(single.threads).toBe(threads);
      const a = weights(single);
      const b = weights(await (make() as LinearRegression).fit(X, target));
      expect(b).toEqual(a);
      const one = make() as LinearRegression;
      // The same model limited to one thread: a different summation order, the same weights to rounding.
      const reference = await new (one.constructor as typeof LinearRegression)({ ...optionsOf(one), threads: 1 }).fit(X, target);
      const r = weights(reference);
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - r[i])).toBeLessThan(1e-4 * Math.max(1, Math.abs(r[i])));
      expect(a).not.toEqual(new Float32Array(a.length));
    }
  });

  it("the default L-BFGS solver reaches the same optimum on 1, 2 and 4 threads", async () => {
    const losses = [];
    for (const t of [1, 2, 4]) {
      const m = await new LogisticRegression({ l2: 0.01, runtime: runtimes[t] }).fit(X, labels);
      losses.push(m.history.loss.at(-1) as number);
      m.dispose();
    }
    expect(Math.abs(losses[1] - losses[0])).toBeLessThan(1e-6);
    expect(Math.abs(losses[2] - losses[0])).toBeLessThan(1e-6);
  });

  it("the memory shared with the workers survives growth", async () => {
    const rt = runtimes[2];
    const before = rt.memory().memoryBytes;
    // Force growth with a big block, then train on data placed after it.
    const ballast = rt.zeros([Math.ceil((before * 2) / 4)]);
    const m = await new LinearRegression({ solver: "gd", optimizer: "sgd", lr: 0.05, epochs: 30, runtime: rt }).fit(X, y);
    expect(rt.memory().memoryBytes).toBeGreaterThan(before);
    const reference = await new LinearRegression({ solver: "gd", optimizer: "sgd", lr: 0.05, epochs: 30, runtime: runtimes[2] }).fit(X, y);
    expect(weights(m)).toEqual(weights(reference));
    ballast.dispose();
    m.dispose();
    reference.dispose();
  });

  it("a model asks for at most the runtime's threads", () => {
    expect(new LinearRegression({ runtime: runtimes[2], threads: 8 }).threads).toBe(2);
    expect(new LinearRegression({ runtime: runtimes[4], threads: 2 }).threads).toBe(2);
    expect(() => new LinearRegression({ runtime: runtimes[2], threads: 0 })).toThrow(/threads must be >= 1, received 0/);
  });

  it("without wasm-simd, or synchronously, threads are refused or fall back with one message", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const js = await createRuntime({ backend: "js", threads: 2 });
    expect(js.threads).toBe(1);
    await createRuntime({ backend: "js", threads: 2 });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/single-threaded: threads need a SIMD backend \(wasm-relaxed or wasm-simd\), and this runtime is js/);
    // trainInWorker's worker does not say it: the caller does, once, and tells onStart.
    const starts: unknown[] = [];
    const m = new LinearRegression({ solver: "gd", epochs: 2, runtime: js });
    await trainInWorker(m, [[1], [2], [3]], [1, 2, 3], { threads: 2, onStart: (s) => void starts.push(s) });
    await trainInWorker(m, [[1], [2], [3]], [1, 2, 3], { threads: 2, onStart: (s) => void starts.push(s) });
    const why = "threads need a SIMD backend (wasm-relaxed or wasm-simd), and this runtime is js";
    expect(starts).toEqual([{ backend: "js", threads: 1, singleThreaded: why }, { backend: "js", threads: 1, singleThreaded: why }]);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
    expect(() => createRuntimeSync({ threads: 2 })).toThrow(/threads start asynchronously/);
    await expect(createRuntime({ threads: 0 })).rejects.toThrow(/threads must be "auto" or an integer from 1 to 256/);
  });
});

function optionsOf(m: LinearRegression): Record<string, unknown> {
  return { ...(m as unknown as { saved: Record<string, unknown> }).saved, runtime: m.runtime };
}

describe("kernels split over the threads", () => {
  // Odd sizes (not multiples of 16, rows not a multiple of the thread count), from just below to
  // well above the split threshold, and the threshold lowered so that small shares are split too.
  it.each([1, 2, 4])("activations, forward and backward, and the updates give one thread's bits on %i threads", async (threads) => {
    const rt = runtimes[threads];
    const single = runtimes[1];
    const saved = rt.splitMinElements;
    rt.splitMinElements = 0;
    // (So that the test cannot pass by running everything on one thread.)
    const runs = rt.pool === undefined ? undefined : vi.spyOn(rt.pool, "run");
    try {
      for (const n of [1, 17, 1001, 131_071, 300_003]) {
        const r = mulberry32(n);
        const x = Float32Array.from({ length: n }, () => r() * 40 - 20);
        const dy = Float32Array.from({ length: n }, () => r() * 2 - 1);
        for (const name of ["sigmoid", "tanh", "relu", "leakyRelu", "elu", "softplus"] as const) {
          const op = rt.activations[name];
          const ref = single.activations[name];
          expect(sameBits(op.forward(x), ref.forward(x)), `${name} n=${n}`).toEqual(SAME);
          expect(sameBits(op.backward(x, dy), ref.backward(x, dy)), `${name}′ n=${n}`).toEqual(SAME);
        }
        for (const name of ["softmax", "logSoftmax"] as const) {
          const cols = n >= 1001 ? 7 : 1;
          const m = n - (n % cols);
          const xs = x.subarray(0, m);
          expect(sameBits(rt.activations[name].forward(xs, { cols }), single.activations[name].forward(xs, { cols })), `${name} n=${m}`).toEqual(SAME);
          expect(sameBits(rt.activations[name].backward(xs, dy.subarray(0, m), { cols }), single.activations[name].backward(xs, dy.subarray(0, m), { cols })), `${name}′ n=${m}`).toEqual(SAME);
        }
        const w1 = x.slice(), w2 = x.slice(), m1 = new Float32Array(n), m2 = new Float32Array(n), v1 = new Float32Array(n), v2 = new Float32Array(n);
        for (let step = 1; step <= 3; step++) {
          rt.adam(w1, dy, m1, v1, { step });
          single.adam(w2, dy, m2, v2, { step });
        }
        expect(sameBits(w1, w2), `adam n=${n}`).toEqual(SAME);
        rt.momentum(w1, dy, m1, { nesterov: true });
        single.momentum(w2, dy, m2, { nesterov: true });
        rt.sgd(w1, dy);
        single.sgd(w2, dy);
        expect(sameBits(w1, w2), `momentum + sgd n=${n}`).toEqual(SAME);
      }
      if (threads > 1) expect(runs?.mock.calls.length).toBeGreaterThan(100);
    } finally {
      rt.splitMinElements = saved;
      runs?.mockRestore();
    }
  });
});

describe("networks on threads", () => {
  // 2,051 rows × 48 features through 48 → 32 → 3: above the split threshold, rows not a multiple
  // of the thread count, so every share boundary is exercised.
  const rows = 2051, cols = 48;
  const r = mulberry32(17);
  const X: Matrix = { data: Float32Array.from({ length: rows * cols }, () => r() * 2 - 1), rows, cols };
  const labels = Array.from({ length: rows }, (_, i) => (X.data[i * cols] + X.data[i * cols + 1] > 0.3 ? "a" : X.data[i * cols + 2] > 0 ? "b" : "c"));
  const yReg = { data: Float32Array.from({ length: rows * 2 }, (_, i) => X.data[(i >> 1) * cols + (i & 1)] * 2 - 1), rows, cols: 2 };
  const make = (rt: Runtime, loss: "categoricalCrossentropy" | "mse", activation: "softmax" | "linear"): Sequential => new Sequential(
    [dense({ units: 32, activation: ["relu", "tanh", "prelu", "elu"].flatMap((a) => Array(8).fill(a)) as never, slopes: "neuron" }), dense({ units: 16, activation: "tanh" }), dense({ units: loss === "mse" ? 2 : 3, activation })],
    { loss, lr: 0.01, seed: 9, batchSize: 1024, epochs: 3, l2: 1e-3, runtime: rt },
  );

  it.each([2, 4])("%i threads: gradients agree with one thread to float32 rounding, predictions bit for bit", async (threads) => {
    for (const [loss, activation, y] of [["categoricalCrossentropy", "softmax", labels], ["mse", "linear", yReg]] as const) {
      const one = make(runtimes[1], loss, activation);
      const many = make(runtimes[threads], loss, activation);
      await one.fit(X, y, { epochs: 1 });
      await many.fit(X, y, { epochs: 1 });
      // (So that the comparison below cannot pass by running everything on one thread.)
      const runs = vi.spyOn(runtimes[threads].pool!, "runPrograms");
      // Same weights in both: load one's into the other, then compare what each computes.
      const same = loadModelInto(one, runtimes[threads]);
      const g1 = one.gradients(X, y);
      const gn = same.gradients(X, y);
      expect(runs).toHaveBeenCalled();
      runs.mockRestore();
      expect(Math.abs(gn.loss - g1.loss)).toBeLessThanOrEqual(1e-6 * Math.abs(g1.loss));
      g1.layers.forEach((l, i) => {
        for (const key of ["w", "b", "slope"] as const) {
          const a = l[key], b = gn.layers[i][key];
          if (a === undefined) continue;
          const scale = Math.max(...Array.from(a, Math.abs));
          for (let j = 0; j < a.length; j++) expect(Math.abs((b as Float32Array)[j] - a[j]), `${loss} layer ${i} ${key}[${j}]`).toBeLessThanOrEqual(1e-5 * scale + 1e-12);
        }
      });
      const outputs = (m: Sequential): Float32Array => (m.task === "classification" ? m.predictProba(X) : m.predict(X) as Float32Array);
      expect(sameBits(outputs(same), outputs(one))).toEqual(SAME);
      for (const m of [one, many, same]) m.dispose();
    }
  });

  it.each([2, 4])("%i threads train bit-identical networks run to run", async (threads) => {
    const weights = async (): Promise<Float32Array[]> => {
      const m = await make(runtimes[threads], "categoricalCrossentropy", "softmax").fit(X, labels);
      const out = m.layers.flatMap((l) => [l.w.toArray(), l.b.toArray(), ...(l.slope ? [l.slope.toArray()] : [])]);
      m.dispose();
      return out;
    };
    const a = await weights();
    const b = await weights();
    a.forEach((w, i) => expect(sameBits(w, b[i])).toEqual(SAME));
  });

  it("trainInWorker(model, X, y, { threads: 2 }) trains on the worker's 2 threads, to a 2-thread runtime's bits, and says so to onStart", async () => {
    const here = await make(runtimes[2], "categoricalCrossentropy", "softmax").fit(X, labels);
    const model = make(runtimes[1], "categoricalCrossentropy", "softmax");
    const starts: unknown[] = [];
    await trainInWorker(model, X, labels, { threads: 2, onStart: (s) => void starts.push(s) });
    expect(starts).toEqual([{ backend: "wasm-simd", threads: 2 }]);
    model.layers.forEach((l, i) => {
      expect(sameBits(l.w.toArray(), here.layers[i].w.toArray()), `layer ${i} w`).toEqual(SAME);
      expect(sameBits(l.b.toArray(), here.layers[i].b.toArray()), `layer ${i} b`).toEqual(SAME);
    });
    for (const m of [here, model]) m.dispose();
  });

  it.each([2, 4])("multinomial LogisticRegression (L-BFGS and gd) on %i threads: the same optimum as one thread, bit-identical run to run", async (threads) => {
    for (const solver of ["lbfgs", "gd"] as const) {
      const one = await new LogisticRegression({ solver, l2: 0.01, runtime: runtimes[1] }).fit(X, labels);
      // 2,051 × 48 with 3 classes is below the work at which a fit splits: split every pass here.
      const rt = runtimes[threads];
      const threshold = rt.splitMinWork;
      rt.splitMinWork = 0;
      const runs = vi.spyOn(rt.pool!, "runPrograms");
      let many: LogisticRegression, again: LogisticRegression;
      try {
        many = await new LogisticRegression({ solver, l2: 0.01, runtime: rt }).fit(X, labels);
        expect(runs, solver).toHaveBeenCalled();
        again = await new LogisticRegression({ solver, l2: 0.01, runtime: rt }).fit(X, labels);
      } finally {
        runs.mockRestore();
        rt.splitMinWork = threshold;
      }
      const p1 = one.predictProba(X), pn = many.predictProba(X);
      let worst = 0;
      for (let i = 0; i < p1.length; i++) worst = Math.max(worst, Math.abs(p1[i] - pn[i]));
      expect(worst, solver).toBeLessThan(solver === "lbfgs" ? 1e-3 : 1e-4);
      expect(sameBits(many.layers[0].w.toArray(), again.layers[0].w.toArray()), `${solver} w`).toEqual(SAME);
      expect(sameBits(many.layers[0].b.toArray(), again.layers[0].b.toArray()), `${solver} b`).toEqual(SAME);
      for (const m of [one, many, again]) m.dispose();
    }
  });
});

/** The same model (weights, statistics, classes) on another runtime, through its saved form. */
function loadModelInto(m: Sequential, rt: Runtime): Sequential {
  return Sequential.fromJSON(m.toJSON(), { runtime: rt }) as Sequential;
}

describe("the closed form on threads", () => {
  it("a given thread count gives the same bits run to run, and the weights of one thread to float64 rounding", async () => {
    const r = mulberry32(23);
    const rows = 20_001, cols = 12;
    const X: Matrix = { data: Float32Array.from({ length: rows * cols }, () => r() * 4 - 2), rows, cols };
    const y = Float32Array.from({ length: rows }, (_, i) => X.data[i * cols] * 3 - X.data[i * cols + 5] + 0.01 * r());
    const coef = async (t: number): Promise<Float64Array> => {
      const m = await new LinearRegression({ solver: "normal", runtime: runtimes[t] }).fit(X, y);
      const c = Float64Array.from([...m.coef, m.intercept]);
      m.dispose();
      return c;
    };
    const one = await coef(1);
    for (const t of [2, 4]) {
      const runs = vi.spyOn(runtimes[t].pool!, "runPrograms");
      const a = await coef(t);
      expect(runs).toHaveBeenCalled();
      runs.mockRestore();
      expect(Array.from(await coef(t))).toEqual(Array.from(a));
      a.forEach((v, j) => expect(Math.abs(v - one[j])).toBeLessThan(1e-9 * Math.max(1, Math.abs(one[j]))));
    }
  });
});
