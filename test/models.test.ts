// The models against float64 references on real data (data/penguins.csv): the closed form and
// gradient descent reach the least-squares optimum, logistic regression reaches the optimum of
// its stated objective, backpropagation matches finite differences of a float64 network for
// every activation (per layer and per neuron), seeds make training bit-identical, and a hidden
// layer fits what no linear model can.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  ACTIVATIONS, LabelEncoder, LinearRegression, LogisticRegression, Sequential, dense, loadModel, parseCsv,
  type NeuronActivationInput, type Matrix, type Runtime, type Targets,
} from "../src/index.ts";
import { mulberry32 } from "../src/random.ts";
import { runtimes } from "./helpers.ts";
import {
  leastSquaresMse, logisticObjective, logisticOptimum, networkObjective, standardize64, type Layer64,
} from "./reference64.ts";

const csv = readFileSync(new URL("../data/penguins.csv", import.meta.url), "utf8");
const regression = parseCsv(csv, { target: "body_mass_g" });
const sex = parseCsv(csv, { target: "sex" });
const island = parseCsv(csv, { target: "island" });

let rt: Record<"wasm-simd" | "wasm" | "js", Runtime>;
beforeAll(async () => {
  rt = await runtimes();
});

function mse(pred: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (pred[i] - y[i]) ** 2;
  return s / y.length;
}

const relative = (got: number, want: number): number => Math.abs(got - want) / Math.abs(want);

describe("LinearRegression reaches the float64 least-squares optimum on real data", () => {
  const { X, y } = regression as { X: Matrix; y: Float32Array };
  const optimum = leastSquaresMse(X.data, X.rows, X.cols, y);

  it.each(["wasm-simd", "wasm", "js"] as const)("the closed form within 1e-5 relative (%s)", async (backend) => {
    const model = await new LinearRegression({ solver: "normal", runtime: rt[backend] }).fit(X, y);
    const got = mse(model.predict(X) as Float32Array, y);
    expect(relative(got, optimum)).toBeLessThan(1e-5);
    expect(model.solverUsed).toBe("normal");
    model.dispose();
  });

  it("the closed form without standardisation gives the same predictions (no l2)", async () => {
    const a = await new LinearRegression({ standardize: false }).fit(X, y);
    const b = await new LinearRegression().fit(X, y);
    const pa = a.predict(X) as Float32Array;
    const pb = b.predict(X) as Float32Array;
    for (let i = 0; i < pa.length; i++) expect(Math.abs(pa[i] - pb[i])).toBeLessThan(1e-3);
    expect(relative(mse(pa, y), optimum)).toBeLessThan(1e-5);
    a.dispose();
    b.dispose();
  });

  it("solver auto picks the closed form for few features and says why", async () => {
    const model = await new LinearRegression().fit(X, y);
    expect(model.solverUsed).toBe("normal");
    expect(model.solverReason).toMatch(/auto: 3 features/);
    model.dispose();
  });

  it.each([
    ["adam", {}],
    ["momentum", { epochs: 3000 }],
  ] as const)("gradient descent with %s (default settings plus epochs) within 1e-4 relative", async (optimizer, extra) => {
    const model = await new LinearRegression({ solver: "gd", optimizer, ...extra }).fit(X, y);
    const got = mse(model.predict(X) as Float32Array, y);
    expect(relative(got, optimum)).toBeLessThan(1e-4);
    model.dispose();
  });

  it("coef and intercept are in the original units (they reproduce predict)", async () => {
    const model = await new LinearRegression().fit(X, y);
    const pred = model.predict(X) as Float32Array;
    const { coef, intercept } = model;
    for (let r = 0; r < 5; r++) {
      let s = intercept;
      for (let j = 0; j < X.cols; j++) s += coef[j] * X.data[r * X.cols + j];
      expect(Math.abs(s - pred[r])).toBeLessThan(1e-3 * Math.abs(pred[r]));
    }
    model.dispose();
  });

  it("ridge (l2) solves the stated objective: the gradient of mean loss + (l2/2)‖w‖² vanishes", async () => {
    const l2 = 0.1;
    const closed = await new LinearRegression({ l2 }).fit(X, y);
    const g = closed.gradients(X, y);
    const norm = Math.hypot(...g.layers[0].w, ...g.layers[0].b);
    expect(norm).toBeLessThan(1e-5);
    const plain = await new LinearRegression().fit(X, y);
    // A penalty must shrink the weights (on the standardised scale).
    const size = (m: LinearRegression): number => Math.hypot(...m.layers[0].w.data);
    expect(size(closed)).toBeLessThan(size(plain) * 0.99);
    closed.dispose();
    plain.dispose();
  });

  it("collinear features get the minimum-norm solution instead of a failure", async () => {
    const rows = X.rows;
    const data = new Float32Array(rows * 2);
    for (let r = 0; r < rows; r++) {
      data[2 * r] = X.data[r * 3 + 2];
      data[2 * r + 1] = X.data[r * 3 + 2]; // the same column twice
    }
    const model = await new LinearRegression().fit({ data, rows, cols: 2 }, y);
    const w = model.layers[0].w.data;
    expect(Math.abs(w[0] - w[1])).toBeLessThan(1e-5 * Math.abs(w[0]));
    // The duplicate adds nothing: the optimum is that of the single column.
    const single = Float32Array.from({ length: rows }, (_, r) => X.data[r * 3 + 2]);
    expect(relative(mse(model.predict({ data, rows, cols: 2 }) as Float32Array, y), leastSquaresMse(single, rows, 1, y))).toBeLessThan(1e-5);
    model.dispose();
  });
});

describe("LogisticRegression's default solver reaches the optimum of its objective", () => {
  const cases = [
    ["binary (sex)", sex, 0],
    ["binary (sex), l2", sex, 0.05],
    ["multinomial (island)", island, 0],
    ["multinomial (island), l2", island, 0.05],
  ] as const;

  it.each(cases)("%s within 1e-4 relative", async (_, data, l2) => {
    const X = data.X;
    const labels = data.y as string[];
    const model = await new LogisticRegression({ l2 }).fit(X, labels);
    const codes = new LabelEncoder().fit(labels).transform(labels);
    const k = model.classes?.length === 2 ? 1 : (model.classes as unknown[]).length;
    expect(model.mode).toBe(k === 1 ? "binary" : "multinomial");
    const z = standardize64(X.data, X.rows, X.cols);
    const best = logisticOptimum(z, codes, k, l2);
    const layer = model.layers[0];
    const got = logisticObjective(z, codes, k, layer.w.data, layer.b.data, l2);
    expect(got).toBeGreaterThanOrEqual(best * (1 - 1e-9));
    expect(relative(got, best)).toBeLessThan(1e-4);
    model.dispose();
  });

  it("multinomial probabilities are the softmax of one linear map, not normalised one-vs-rest sigmoids", async () => {
    const X = island.X;
    const labels = island.y as string[];
    const model = await new LogisticRegression().fit(X, labels);
    const proba = model.predictProba(X);
    const z = standardize64(X.data, X.rows, X.cols);
    const { w, b } = { w: model.layers[0].w.data, b: model.layers[0].b.data };
    const k = 3;
    let worst = 0;
    for (let r = 0; r < X.rows; r++) {
      const logits = [0, 1, 2].map((c) => b[c] + [0, 1, 2, 3].reduce((s, j) => s + z.x[r * 4 + j] * w[j * k + c], 0));
      const m = Math.max(...logits);
      const e = logits.map((v) => Math.exp(v - m));
      const s = e.reduce((a, v) => a + v, 0);
      for (let c = 0; c < k; c++) worst = Math.max(worst, Math.abs(proba[r * k + c] - e[c] / s));
      expect(Math.abs(proba[r * k] + proba[r * k + 1] + proba[r * k + 2] - 1)).toBeLessThan(1e-6);
    }
    expect(worst).toBeLessThan(1e-5);
    // At the multinomial optimum the softmax objective's gradient vanishes: this fails for OvR weights.
    const g = model.gradients(X, labels);
    expect(Math.max(...g.layers[0].w.map(Math.abs))).toBeLessThan(1e-4);
    model.dispose();
  });

  it("predict gives the labels, predictProba columns follow classes", async () => {
    const model = await new LogisticRegression().fit(sex.X, sex.y as string[]);
    expect(model.classes).toEqual(["female", "male"]);
    const pred = model.predict(sex.X) as string[];
    const proba = model.predictProba(sex.X);
    pred.forEach((p, r) => expect(p).toBe(proba[2 * r + 1] > 0.5 ? "male" : "female"));
    expect(model.score(sex.X, sex.y)).toBeGreaterThan(0.85);
    model.dispose();
  });

  it("the gradient-descent solver approaches the same optimum", async () => {
    const X = sex.X;
    const labels = sex.y as string[];
    const model = await new LogisticRegression({ solver: "gd", epochs: 3000 }).fit(X, labels);
    const codes = new LabelEncoder().fit(labels).transform(labels);
    const z = standardize64(X.data, X.rows, X.cols);
    const got = logisticObjective(z, codes, 1, model.layers[0].w.data, model.layers[0].b.data, 0);
    expect(relative(got, logisticOptimum(z, codes, 1, 0))).toBeLessThan(1e-3);
    model.dispose();
  });
});

/** Seeded rows in [-1, 1]. */
function randomMatrix(rows: number, cols: number, seed: number): Matrix {
  const r = mulberry32(seed);
  return { data: Float32Array.from({ length: rows * cols }, () => 2 * r() - 1), rows, cols };
}

/** The float64 twin of a trained Sequential, for finite differences. */
function twin(model: Sequential): Layer64[] {
  return model.layers.map((l) => ({
    w: Float64Array.from(l.w.data),
    b: Float64Array.from(l.b.data),
    inputs: l.inputs,
    units: l.units,
    activation: l.config.activation,
    ...(l.slope ? { slope: Float64Array.from(l.slope.data) } : {}),
  }));
}

/** Central differences of the float64 objective in every parameter, compared with backprop. */
function checkGradients(model: Sequential, X: Matrix, y: ArrayLike<number> | string[], targets: ArrayLike<number>, l2: number): void {
  const grads = model.gradients(X, y);
  const layers = twin(model);
  const x = Float64Array.from(X.data);
  const f = (): number => networkObjective(layers, x, X.rows, targets, model.lossName64, l2);
  expect(Math.abs(grads.loss - f())).toBeLessThan(1e-5 * Math.max(1, f()));
  const h = 1e-6;
  layers.forEach((layer, li) => {
    const parts: [Float64Array, Float32Array][] = [[layer.w, grads.layers[li].w], [layer.b, grads.layers[li].b]];
    if (layer.slope) parts.push([layer.slope, grads.layers[li].slope as Float32Array]);
    for (const [param, grad] of parts) {
      let scale = 0;
      for (const g of grad) scale = Math.max(scale, Math.abs(g));
      for (let i = 0; i < param.length; i++) {
        const keep = param[i];
        param[i] = keep + h;
        const up = f();
        param[i] = keep - h;
        const down = f();
        param[i] = keep;
        const numeric = (up - down) / (2 * h);
        expect(Math.abs(grad[i] - numeric), `layer ${li} parameter ${i}`).toBeLessThan(1e-3 * Math.max(scale, 1e-3));
      }
    }
  });
}

declare module "../src/models/sequential.ts" {
  interface Sequential {
    readonly lossName64: "mse" | "binaryCrossentropy" | "categoricalCrossentropy";
  }
}
Object.defineProperty(Sequential.prototype, "lossName64", { get(this: { lossName: string }) { return this.lossName; } });

describe("backpropagation matches finite differences of a float64 network", () => {
  const X = randomMatrix(12, 3, 7);
  const yReg = randomMatrix(12, 2, 8).data;
  const elementwise = ACTIVATIONS.filter((a) => a.kind !== "rowwise").map((a) => a.name);

  it.each(ACTIVATIONS.map((a) => a.name))("a hidden layer of %s (per layer), mse, l2", async (name) => {
    const model = new Sequential([dense({ units: 4, activation: name }), dense({ units: 2 })], {
      standardize: false, l2: 0.01, seed: 3, runtime: rt["wasm-simd"],
    });
    await model.fit(X, { data: yReg, rows: 12, cols: 2 }, { epochs: 1 });
    checkGradients(model, X, { data: yReg, rows: 12, cols: 2 } as never, yReg, 0.01);
    model.dispose();
  });

  it.each(["wasm-simd", "wasm", "js"] as const)("per-neuron activations with per-neuron PReLU slopes (%s)", async (backend) => {
    const acts: NeuronActivationInput[] = [...elementwise, { name: "elu", alpha: 0.5 }, "prelu", "linear"];
    const model = new Sequential([
      dense({ units: acts.length, activation: acts, slopes: "neuron", slopeInit: 0.3 }),
      dense({ units: 3, activation: ["tanh", "prelu", "sigmoid"] }), // a shared slope over one neuron
      dense({ units: 1 }),
    ], { standardize: false, seed: 11, runtime: rt[backend] });
    const y = randomMatrix(12, 1, 9).data;
    await model.fit(X, y, { epochs: 2 });
    expect(model.layers[0].slope?.length).toBe(acts.length);
    expect(model.layers[1].slope?.length).toBe(1);
    checkGradients(model, X, y as never, y, 0);
    model.dispose();
  });

  it.each(["binaryCrossentropy", "categoricalCrossentropy"] as const)("%s from logits, with a softmax/logSoftmax hidden layer", async (loss) => {
    const k = loss === "binaryCrossentropy" ? 2 : 3;
    const labels = Array.from({ length: 12 }, (_, i) => `c${i % k}`);
    const model = new Sequential([
      dense({ units: 4, activation: "logSoftmax" }),
      dense({ units: 3, activation: "softmax" }),
      dense({ units: k === 2 ? 1 : k, activation: k === 2 ? "sigmoid" : "softmax" }),
    ], { loss, standardize: false, seed: 5, l2: 0.02, runtime: rt["wasm-simd"] });
    await model.fit(X, labels, { epochs: 1 });
    const codes = labels.map((l) => Number(l.slice(1)));
    checkGradients(model, X, labels, codes, 0.02);
    model.dispose();
  });
});

describe("LinearRegression's and LogisticRegression's gradients match finite differences", () => {
  /** Random weights (so the gradient is far from zero), then backprop against float64 central differences. */
  function check(model: LinearRegression | LogisticRegression, X: Matrix, y: Targets, objective: (w: Float64Array, b: Float64Array) => number): void {
    const layer = model.layers[0];
    const r = mulberry32(17);
    layer.w.data.forEach((_, i, a) => { a[i] = r() * 2 - 1; });
    layer.b.data.forEach((_, i, a) => { a[i] = r() - 0.5; });
    const g = model.gradients(X, y);
    const w = Float64Array.from(layer.w.data);
    const b = Float64Array.from(layer.b.data);
    expect(relative(g.loss, objective(w, b))).toBeLessThan(1e-6);
    const h = 1e-6;
    for (const [param, grad] of [[w, g.layers[0].w], [b, g.layers[0].b]] as const) {
      for (let i = 0; i < param.length; i++) {
        const keep = param[i];
        param[i] = keep + h;
        const up = objective(w, b);
        param[i] = keep - h;
        const down = objective(w, b);
        param[i] = keep;
        expect(Math.abs(grad[i] - (up - down) / (2 * h)), `parameter ${i}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(grad[i])));
      }
    }
  }

  it("LinearRegression (standardised mean squared error + l2)", async () => {
    const { X, y } = regression as { X: Matrix; y: Float32Array };
    const model = await new LinearRegression({ l2: 0.3 }).fit(X, y);
    const z = standardize64(X.data, X.rows, X.cols);
    const t = standardize64(y, X.rows, 1).x;
    check(model, X, y, (w, b) => {
      let s = 0;
      for (let r = 0; r < X.rows; r++) s += (b[0] + w[0] * z.x[3 * r] + w[1] * z.x[3 * r + 1] + w[2] * z.x[3 * r + 2] - t[r]) ** 2;
      return s / X.rows + (0.3 / 2) * (w[0] ** 2 + w[1] ** 2 + w[2] ** 2);
    });
    model.dispose();
  });

  it.each([["binary", sex, 1], ["multinomial", island, 3]] as const)("LogisticRegression, %s (cross-entropy + l2)", async (_, data, k) => {
    const labels = data.y as string[];
    const model = await new LogisticRegression({ l2: 0.2, maxIter: 3 }).fit(data.X, labels);
    const codes = new LabelEncoder().fit(labels).transform(labels);
    const z = standardize64(data.X.data, data.X.rows, data.X.cols);
    check(model, data.X, labels, (w, b) => logisticObjective(z, codes, k, w, b, 0.2));
    model.dispose();
  });
});

describe("training", () => {
  function xor(rows: number, seed: number): { X: Matrix; y: number[] } {
    const r = mulberry32(seed);
    const data = new Float32Array(rows * 2);
    const y: number[] = [];
    for (let i = 0; i < rows; i++) {
      const a = r() * 2 - 1;
      const b = r() * 2 - 1;
      data[2 * i] = a;
      data[2 * i + 1] = b;
      y.push(a * b > 0 ? 1 : 0);
    }
    return { X: { data, rows, cols: 2 }, y };
  }

  it("a hidden layer fits XOR-like data that no linear model can", async () => {
    const { X, y } = xor(400, 1);
    const linear = await new LogisticRegression().fit(X, y);
    expect(linear.score(X, y)).toBeLessThan(0.7);
    const net = new Sequential([dense({ units: 8, activation: "tanh" }), dense({ units: 1, activation: "sigmoid" })], {
      loss: "binaryCrossentropy", lr: 0.02, seed: 1,
    });
    await net.fit(X, y, { epochs: 150 });
    expect(net.score(X, y)).toBeGreaterThan(0.95);
    linear.dispose();
    net.dispose();
  });

  it("the same seed gives bit-identical weights; another seed does not", async () => {
    const { X, y } = xor(200, 2);
    const train = async (seed: number): Promise<Float32Array[]> => {
      const m = new Sequential([dense({ units: 6, activation: "prelu", slopes: "neuron" }), dense({ units: 1, activation: "sigmoid" })], {
        loss: "binaryCrossentropy", seed, batchSize: 16,
      });
      await m.fit(X, y, { epochs: 5 });
      const w = m.layers.flatMap((l) => [l.w.toArray(), l.b.toArray(), ...(l.slope ? [l.slope.toArray()] : [])]);
      m.dispose();
      return w;
    };
    const a = await train(42);
    const b = await train(42);
    const c = await train(43);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it("wasm-simd and wasm train bit-identical networks", async () => {
    const { X, y } = xor(100, 3);
    const weights = async (backend: "wasm-simd" | "wasm"): Promise<Float32Array> => {
      const m = new Sequential([dense({ units: 5, activation: "elu" }), dense({ units: 1, activation: "sigmoid" })], {
        loss: "binaryCrossentropy", seed: 9, batchSize: 10, runtime: rt[backend],
      });
      await m.fit(X, y, { epochs: 3 });
      const w = m.layers[0].w.toArray();
      m.dispose();
      return w;
    };
    expect(await weights("wasm-simd")).toEqual(await weights("wasm"));
  });

  it("LinearRegression by gradient descent is Sequential([dense({ units: 1 })]) after the same steps", async () => {
    const { X, y } = regression as { X: Matrix; y: Float32Array };
    const lr = await new LinearRegression({ solver: "gd", optimizer: "sgd", lr: 0.05, epochs: 25 }).fit(X, y);
    const net = await new Sequential([dense({ units: 1, init: "zeros" })], {
      optimizer: "sgd", lr: 0.05, batchSize: X.rows,
    }).fit(X, y, { epochs: 25 });
    expect(lr.layers[0].w.toArray()).toEqual(net.layers[0].w.toArray());
    expect(lr.layers[0].b.toArray()).toEqual(net.layers[0].b.toArray());
    // And both are plain gradient descent on the standardised least-squares objective.
    const z = standardize64(X.data, X.rows, X.cols);
    const t = standardize64(y, X.rows, 1).x;
    const w = new Float64Array(3);
    let b = 0;
    for (let step = 0; step < 25; step++) {
      const gw = new Float64Array(3);
      let gb = 0;
      for (let r = 0; r < X.rows; r++) {
        const err = (2 * (b + w[0] * z.x[3 * r] + w[1] * z.x[3 * r + 1] + w[2] * z.x[3 * r + 2] - t[r])) / X.rows;
        for (let j = 0; j < 3; j++) gw[j] += err * z.x[3 * r + j];
        gb += err;
      }
      for (let j = 0; j < 3; j++) w[j] -= 0.05 * gw[j];
      b -= 0.05 * gb;
    }
    const got = lr.layers[0].w.data;
    for (let j = 0; j < 3; j++) expect(Math.abs(got[j] - w[j])).toBeLessThan(1e-5);
    lr.dispose();
    net.dispose();
  });

  it("history, onEpoch, validation loss and early stopping with the best weights restored", async () => {
    const { X, y } = xor(200, 4);
    const seen: number[] = [];
    const model = new Sequential([dense({ units: 4, activation: "tanh" }), dense({ units: 1, activation: "sigmoid" })], {
      loss: "binaryCrossentropy", lr: 0.05, seed: 2,
    });
    await model.fit(X, y, {
      epochs: 400,
      validationData: xor(100, 5),
      earlyStopping: { patience: 5, tol: 1e-3 },
      onEpoch: (e) => { seen.push(e.epoch); },
    });
    const { loss, valLoss } = model.history;
    expect(loss.length).toBe(seen.length);
    expect(valLoss.length).toBe(loss.length);
    expect(loss.length).toBeLessThan(400);
    const best = Math.min(...valLoss);
    // The weights kept are those of the best validation epoch.
    const val = xor(100, 5);
    const labels = new LabelEncoder().fit(val.y);
    const g = model.gradients(val.X, labels.inverseTransform(labels.transform(val.y)));
    expect(Math.abs(g.loss - best)).toBeLessThan(1e-6);
    model.dispose();
  });

  it("onEpoch returning false stops, and an aborted signal rejects between epochs", async () => {
    const { X, y } = xor(50, 6);
    const model = new Sequential([dense({ units: 1, activation: "sigmoid" })], { loss: "binaryCrossentropy" });
    await model.fit(X, y, { epochs: 50, onEpoch: (e) => e.epoch < 3 });
    expect(model.history.loss.length).toBe(3);
    const controller = new AbortController();
    const run = model.fit(X, y, { epochs: 1000, signal: controller.signal, onEpoch: (e) => { if (e.epoch === 2) controller.abort(); } });
    await expect(run).rejects.toThrow(/abort/i);
    expect(Number.isFinite(model.layers[0].w.data[0])).toBe(true);
    model.dispose();
  });
});

describe("saving and loading", () => {
  it.each([
    ["LinearRegression (normal)", () => new LinearRegression(), regression],
    ["LinearRegression (gd, momentum)", () => new LinearRegression({ solver: "gd", optimizer: "momentum", epochs: 50 }), regression],
    ["LogisticRegression (binary)", () => new LogisticRegression({ l2: 0.01 }), sex],
    ["LogisticRegression (multinomial)", () => new LogisticRegression(), island],
    ["Sequential (per-neuron, PReLU)", () => new Sequential([
      dense({ units: 3, activation: ["prelu", { name: "leakyRelu", slope: 0.2 }, "softplus"], slopes: "neuron" }),
      dense({ units: 3, activation: "softmax" }),
    ], { loss: "categoricalCrossentropy", epochs: 5 }), island],
  ] as const)("%s round-trips through JSON text with identical predictions", async (_, make, data) => {
    const model = make();
    await model.fit(data.X, data.y as never);
    const text = JSON.stringify(model.toJSON());
    const back = loadModel(text);
    expect(back.kind).toBe(model.kind);
    expect(back.predict(data.X)).toEqual(model.predict(data.X));
    if (model.task === "classification") expect(back.predictProba(data.X)).toEqual(model.predictProba(data.X));
    model.dispose();
    back.dispose();
  });
});

describe("a Sequential without a loss takes the one its output layer implies", () => {
  it.each([
    ["a softmax", [dense({ units: 4, activation: "relu" }), dense({ units: 3, activation: "softmax" })], "categoricalCrossentropy"],
    ["one sigmoid unit", [dense({ units: 1, activation: "sigmoid" })], "binaryCrossentropy"],
    ["two sigmoid units", [dense({ units: 2, activation: "sigmoid" })], "mse"],
    ["a linear output", [dense({ units: 4, activation: "tanh" }), dense({ units: 1 })], "mse"],
    ["one activation per neuron", [dense({ units: 2, activation: ["sigmoid", "relu"] })], "mse"],
  ] as const)("%s", (_, layers, loss) => {
    const model = new Sequential(layers);
    expect(model.loss).toBe(loss);
    expect(model.task).toBe(loss === "mse" ? "regression" : "classification");
    expect(new Sequential(layers, { loss: "mse" }).loss).toBe("mse");
  });

  it("so a softmax network trains on string labels with no loss given (issue 12)", async () => {
    const model = new Sequential([dense({ units: 8, activation: "relu" }), dense({ units: 3, activation: "softmax" })], { epochs: 30, seed: 1 });
    await model.fit(island.X, island.y as string[]);
    expect(model.classes).toEqual(["Biscoe", "Dream", "Torgersen"]);
    for (const p of model.predict(island.X)) expect(model.classes).toContain(p);
    expect(model.score(island.X, island.y as string[])).toBeGreaterThan(0.6);
    // The file says which loss it was trained with.
    expect(model.toJSON().options.loss).toBe("categoricalCrossentropy");
    model.dispose();
  });

  it("a file saved by 0.1.0 without a loss (whose default was mse) still loads as mse; one claiming another loss is refused", async () => {
    const { checksum } = await import("../src/models/model.ts");
    const model = new Sequential([dense({ units: 3, activation: "softmax" })], { loss: "mse", epochs: 2 });
    const y = randomMatrix(island.X.rows, 3, 5);
    await model.fit(island.X, y);
    const { checksum: _, ...body } = model.toJSON();
    const old = { ...body, options: { ...body.options, loss: undefined } };
    const loaded = loadModel(JSON.stringify({ ...old, checksum: checksum(JSON.parse(JSON.stringify(old))) }));
    expect((loaded as Sequential).loss).toBe("mse");
    expect(loaded.predict(island.X)).toEqual(model.predict(island.X));
    const claims = { ...old, loss: "categoricalCrossentropy", classes: ["a", "b", "c"], target: undefined };
    expect(() => loadModel(JSON.stringify({ ...claims, checksum: checksum(JSON.parse(JSON.stringify(claims))) })))
      .toThrow(/the loss is "categoricalCrossentropy" but a Sequential with these options trains with "mse"/);
    model.dispose();
    loaded.dispose();
  });
});

describe("classes", () => {
  it("a classifier's classes throw before fit, saying so; a regression has none", async () => {
    expect(() => new LogisticRegression().classes).toThrow(/LogisticRegression.classes: the model is not trained yet: call fit\(\) first/);
    expect(() => new Sequential([dense({ units: 2, activation: "softmax" })]).classes).toThrow(/not trained yet/);
    expect(new Sequential([dense({ units: 1 })]).classes).toBeUndefined();
    const model = await new LogisticRegression().fit(sex.X, sex.y as string[]);
    expect(model.classes).toEqual(["female", "male"]);
    model.dispose();
    expect(() => model.classes).toThrow(/disposed/);
  });
});

describe("properties: random networks on the three backends", () => {
  const names = ACTIVATIONS.map((a) => a.name);
  const layer = fc.record({
    units: fc.integer({ min: 1, max: 9 }),
    activation: fc.constantFrom("linear", ...names),
    perNeuron: fc.boolean(),
  });

  it("wasm-simd and wasm compute bit-identical losses and gradients; js agrees to float32 rounding", async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(layer, { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 17 }), fc.integer({ min: 1, max: 9 }), fc.integer(),
      async (layers, rows, cols, seed) => {
        const configs = layers.map((l, i) => {
          const rowwise = l.activation === "softmax" || l.activation === "logSoftmax";
          // Per neuron: cycle through the elementwise activations from this one.
          const activation = l.perNeuron && !rowwise
            ? Array.from({ length: l.units }, (_, j) => names.filter((n) => n !== "softmax" && n !== "logSoftmax")[(j + i) % 7])
            : l.activation;
          return dense({ units: l.units, activation, slopes: l.perNeuron ? "neuron" : "layer" });
        });
        const X = randomMatrix(rows, cols, seed);
        const outputs = layers[layers.length - 1].units;
        const y = randomMatrix(rows, outputs, seed + 1);
        const results = [];
        for (const backend of ["wasm-simd", "wasm", "js"] as const) {
          // mse whatever the output layer (which would otherwise pick a cross-entropy after a softmax or one sigmoid).
          const m = new Sequential(configs, { loss: "mse", seed, standardize: false, runtime: rt[backend] });
          await m.fit(X, y, { epochs: 1 });
          results.push(m.gradients(X, y));
          m.dispose();
        }
        const [simd, scalar, js] = results;
        expect(scalar).toEqual(simd);
        expect(Math.abs(js.loss - simd.loss)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(simd.loss)));
      },
    ), { numRuns: 60, seed: 7 });
  });
});

