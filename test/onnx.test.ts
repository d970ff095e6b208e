// ONNX interchange: every exported model run in ONNX Runtime (onnxruntime-node) against descent's
// own predict and predictProba; export → loadONNX → predict; imported networks trained further;
// hand-written graphs as PyTorch writes them; and the reader's refusals of unsupported operators
// and of truncated, tampered and oversized files, with runtime memory back to its baseline.
import fc from "fast-check";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ACTIVATIONS, LinearRegression, LogisticRegression, Sequential, createRuntime, dense, loadONNX, type ActivationInput, type DenseConfig,
  type Label, type Model, type Runtime,
} from "../src/index.ts";
import { encodeModel, type NodeSpec, type TensorSpec } from "../src/onnx/onnx.ts";
import { rng } from "./helpers.ts";

let rt: Runtime;
beforeAll(async () => {
  rt = await createRuntime();
});

/** Seeded rows × cols data with columns of different means and scales (so standardisation matters). */
function data(rows: number, cols: number, seed: number): number[][] {
  const r = rng(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, (_, j) => (r() * 2 - 1) * (j + 1) * 3 + j * 10));
}

/** A smooth target of the rows (one column per output). */
function targets(X: number[][], outputs: number): number[][] {
  return X.map((row) => Array.from({ length: outputs }, (_, k) => row.reduce((s, v, j) => s + Math.sin(v * 0.1 + j + k) * (j + 1), 0)));
}

async function runOrt(bytes: Uint8Array, X: number[][]): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    return await session.run({ X: new ort.Tensor("float32", Float32Array.from(X.flat()), [X.length, X[0].length]) });
  } finally {
    await session.release();
  }
}

/** The largest |a − b| / max(1, |b|). */
function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i]));
    m = Math.max(m, Number.isNaN(d) ? Infinity : d);
  }
  return m;
}

/** The measured differences, printed at the end (the numbers docs/onnx.md quotes). */
const measured: Record<string, number> = {};
const note = (k: string, v: number): void => {
  measured[k] = Math.max(measured[k] ?? 0, v);
};
afterAll(() => {
  const worst = (what: string): number => Math.max(0, ...Object.entries(measured).filter(([k]) => k.includes(what)).map(([, v]) => v));
  console.log(`ONNX: largest relative difference vs ONNX Runtime ${worst("ORT").toExponential(2)}, after the round trip ${worst("round trip").toExponential(2)}, PyTorch-style ${worst("PyTorch").toExponential(2)}, other exporters' activations ${worst("other exporters").toExponential(2)}`);
});

/** Checks a model's export in ONNX Runtime and its round trip through loadONNX. */
async function check(model: Model, X: number[][], name: string): Promise<void> {
  const bytes = model.toONNX();
  const out = await runOrt(bytes, X);
  const back = loadONNX(bytes, { runtime: rt });
  try {
    if (model.task === "regression") {
      const p = model.predict(X) as Float32Array;
      expect(out.prediction.type).toBe("float32");
      const outputs = p.length / X.length;
      expect(out.prediction.dims).toEqual(outputs === 1 ? [X.length] : [X.length, outputs]);
      const d = maxRel(out.prediction.data as Float32Array, p);
      note(`${name}: ORT prediction`, d);
      expect(d, name).toBeLessThanOrEqual(1e-5);
      const r = maxRel(back.predict(X) as Float32Array, p);
      note(`${name}: round trip`, r);
      expect(r, name).toBeLessThanOrEqual(1e-6);
      return;
    }
    const proba = model.predictProba(X);
    const labels = model.predict(X) as Label[];
    const classes = model.classes as readonly Label[];
    expect(out.probabilities.dims).toEqual([X.length, classes.length]);
    const d = maxRel(out.probabilities.data as Float32Array, proba);
    note(`${name}: ORT probabilities`, d);
    expect(d, name).toBeLessThanOrEqual(1e-5);
    expect(out.prediction.type).toBe(typeof classes[0] === "string" ? "string" : "float64");
    expect(Array.from(out.prediction.data as ArrayLike<Label>)).toEqual(labels);
    expect(back.classes).toEqual(classes);
    const r = maxRel(back.predictProba(X), proba);
    note(`${name}: round trip`, r);
    expect(r, name).toBeLessThanOrEqual(1e-6);
    expect(back.predict(X)).toEqual(labels);
  } finally {
    back.dispose();
  }
}

describe("export: ONNX Runtime computes what descent predicts", () => {
  const X = data(64, 5, 1);
  const Y = targets(X, 2);
  const y = Y.map((r) => r[0]);

  it("LinearRegression, standardised or not (normal equations and gradient descent)", async () => {
    for (const options of [{}, { standardize: false }, { solver: "gd" as const, epochs: 50 }]) {
      const m = new LinearRegression({ ...options, runtime: rt });
      await m.fit(X, y);
      await check(m, X, `LinearRegression ${JSON.stringify(options)}`);
      m.dispose();
    }
  });

  it("LogisticRegression: binary and multinomial, string and numeric labels", async () => {
    const cases: [string, Label[]][] = [
      ["binary strings", y.map((v) => (v > 0 ? "yes" : "no"))],
      ["binary numbers", y.map((v) => (v > 0 ? 3.5 : -2))],
      ["multinomial strings", y.map((v) => (v > 3 ? "high" : v > -3 ? "mid" : "low"))],
      ["multinomial numbers", y.map((v) => (v > 3 ? 30 : v > -3 ? 20 : v > -6 ? 10 : 0))],
    ];
    for (const [name, labels] of cases) {
      const m = new LogisticRegression({ runtime: rt });
      await m.fit(X, labels);
      await check(m, X, `LogisticRegression ${name}`);
      m.dispose();
    }
  });

  it("Sequential classifiers (softmax and one sigmoid unit) and a multi-output regression", async () => {
    const softmax = new Sequential([dense({ units: 8, activation: "tanh" }), dense({ units: 3, activation: "softmax" })], { runtime: rt, seed: 3 });
    await softmax.fit(X, y.map((v) => (v > 3 ? "c" : v > -3 ? "b" : "a")), { epochs: 20 });
    await check(softmax, X, "Sequential softmax classifier");
    const binary = new Sequential([dense({ units: 6, activation: "relu" }), dense({ units: 1, activation: "sigmoid" })], { runtime: rt, seed: 4 });
    await binary.fit(X, y.map((v) => (v > 0 ? 1 : 0)), { epochs: 20 });
    await check(binary, X, "Sequential sigmoid classifier");
    const multi = new Sequential([dense({ units: 8, activation: "relu" }), dense({ units: 2 })], { runtime: rt, seed: 5 });
    await multi.fit(X, Y, { epochs: 20 });
    await check(multi, X, "Sequential 2-output regression");
    // N is dynamic: one row and many rows run through the same file.
    const one = await runOrt(multi.toONNX(), X.slice(0, 1));
    expect(one.prediction.dims).toEqual([1, 2]);
    for (const m of [softmax, binary, multi]) m.dispose();
  });

  it("every activation of the registry, as a hidden layer and as the output layer", async () => {
    for (const a of ACTIVATIONS) {
      const hidden = new Sequential([dense({ units: 6, activation: a.name }), dense({ units: 2 })], { runtime: rt, seed: 7 });
      await hidden.fit(X, Y, { epochs: 15 });
      await check(hidden, X, `hidden ${a.name}`);
      hidden.dispose();
      const output = new Sequential([dense({ units: 6, activation: "tanh" }), dense({ units: 3, activation: a.name })], { runtime: rt, seed: 8, loss: "mse" });
      await output.fit(X, targets(X, 3), { epochs: 15 });
      await check(output, X, `output ${a.name}`);
      output.dispose();
    }
  });

  it("activation parameters: leaky slope, ELU alpha, softplus beta and threshold (both branches taken), PReLU per layer and per neuron", async () => {
    const layers: [string, DenseConfig][] = [
      ["leakyRelu slope 0.3", dense({ units: 6, activation: { name: "leakyRelu", slope: 0.3 } })],
      ["elu alpha 0.4", dense({ units: 6, activation: { name: "elu", alpha: 0.4 } })],
      ["softplus beta 2.5 threshold 1", dense({ units: 6, activation: { name: "softplus", beta: 2.5, threshold: 1 } })],
      ["softplus beta 0.5 threshold -0.5", dense({ units: 6, activation: { name: "softplus", beta: 0.5, threshold: -0.5 } })],
      ["prelu per layer", dense({ units: 6, activation: "prelu", slopeInit: 0.1 })],
      ["prelu per neuron", dense({ units: 6, activation: "prelu", slopes: "neuron", slopeInit: 0.3 })],
    ];
    for (const [name, layer] of layers) {
      const m = new Sequential([layer, dense({ units: 2 })], { runtime: rt, seed: 9, optimizer: "adam", lr: 0.05 });
      await m.fit(X, Y, { epochs: 30 });
      if (name.startsWith("prelu")) {
        // The slopes trained away from their start, per neuron differently.
        const slopes = [...(m.layers[0].slope?.data ?? [])];
        expect(slopes.some((s) => s !== layer.slopeInit)).toBe(true);
        if (name.endsWith("neuron")) expect(new Set(slopes).size).toBeGreaterThan(1);
      }
      if (name.startsWith("softplus")) {
        // Both sides of the threshold are reached by this data.
        const json = m.toJSON();
        const [beta, t] = [(json.layers[0].activation as { beta: number }).beta, (json.layers[0].activation as { threshold: number }).threshold];
        const l = json.layers[0];
        const features = json.features as { mean: number[]; scale: number[] };
        const z = X.flatMap((row) => Array.from({ length: l.units }, (_, j) =>
          row.reduce((s, v, i) => s + ((v - features.mean[i]) / features.scale[i]) * l.w[i * l.units + j], l.b[j])));
        expect(z.some((v) => Math.fround(beta * v) > t)).toBe(true);
        expect(z.some((v) => Math.fround(beta * v) <= t)).toBe(true);
      }
      await check(m, X, name);
      m.dispose();
    }
  });

  it("per-neuron activations: every elementwise activation mixed in one layer, PReLU slopes per layer and per neuron", async () => {
    const perNeuron: ActivationInput[] = [
      "relu", "linear", { name: "softplus", beta: 2, threshold: 0.5 }, "elu", "prelu", "tanh", "sigmoid",
      { name: "leakyRelu", slope: 0.2 }, "prelu", { name: "elu", alpha: 0.3 }, "relu", "linear",
    ];
    for (const slopes of ["layer", "neuron"] as const) {
      const m = new Sequential([
        dense({ units: perNeuron.length, activation: perNeuron as never, slopes }),
        dense({ units: 4, activation: ["tanh", "prelu", "linear", "sigmoid"], slopes }),
        dense({ units: 3, activation: "softmax" }),
      ], { runtime: rt, seed: 11, optimizer: "adam", lr: 0.02 });
      await m.fit(X, y.map((v) => (v > 3 ? "c" : v > -3 ? "b" : "a")), { epochs: 25 });
      await check(m, X, `per-neuron, slopes per ${slopes}`);
      m.dispose();
    }
  });
});

describe("import", () => {
  const X = data(80, 4, 21);
  const Y = targets(X, 1).map((r) => r[0]);

  it("an imported network trains further with fit: the loss goes down and the predictions change", async () => {
    const m = new Sequential([dense({ units: 8, activation: "elu" }), dense({ units: 1 })], { runtime: rt, seed: 2 });
    await m.fit(X, Y, { epochs: 3 });
    const back = loadONNX(m.toONNX(), { runtime: rt });
    const before = back.predict(X) as Float32Array;
    expect(maxRel(before, m.predict(X) as Float32Array)).toBeLessThanOrEqual(1e-6);
    await back.fit(X, Y, { epochs: 40 });
    const loss = back.history.loss;
    expect(loss[loss.length - 1]).toBeLessThan(loss[0]);
    expect(maxRel(back.predict(X) as Float32Array, before)).toBeGreaterThan(1e-4);
    // The standardisation came with the file and was kept: the first epoch started from the file's predictions.
    expect(back.toJSON().features).toEqual(m.toJSON().features);
    back.dispose();
    m.dispose();
  });

  const f32 = (n: number, seed: number, scale = 1): Float32Array => {
    const r = rng(seed);
    return Float32Array.from({ length: n }, () => Math.fround((r() * 2 - 1) * scale));
  };
  const floatInit = (name: string, dims: number[], data: Float32Array, floatData = false): TensorSpec => ({ name, type: "float", dims, data, floatData });

  /** A graph as torch.onnx.export writes a small MLP: Gemm with transB=1, Softplus (β=1 and β=2 as Mul/Softplus/Div), Elu, MatMul + Add. */
  function torchStyle(scaling: "none" | "mulAdd" | "subDiv"): Uint8Array {
    const nodes: NodeSpec[] = [];
    const inits: TensorSpec[] = [];
    let x = "input";
    if (scaling === "mulAdd") {
      // x·k + c with one negative k: not a standardisation descent can hold, so it is folded into the weights.
      inits.push(floatInit("k", [4], Float32Array.of(0.5, -2, 0.25, 1)), floatInit("c", [4], Float32Array.of(1, 0.5, -3, 0)));
      nodes.push({ op: "Mul", name: "scale", inputs: [x, "k"], outputs: ["xk"] }, { op: "Add", name: "shift", inputs: ["xk", "c"], outputs: ["xs"] });
      x = "xs";
    } else if (scaling === "subDiv") {
      inits.push(floatInit("mean", [1, 4], Float32Array.of(1, 20, 30, -4)), floatInit("std", [1, 4], Float32Array.of(2, 5, 10, 0.5)));
      nodes.push({ op: "Sub", name: "center", inputs: [x, "mean"], outputs: ["xc"] }, { op: "Div", name: "scale", inputs: ["xc", "std"], outputs: ["xs"] });
      x = "xs";
    }
    inits.push(
      floatInit("fc1.weight", [5, 4], f32(20, 1)), floatInit("fc1.bias", [5], f32(5, 2), true),
      floatInit("fc2.weight", [3, 5], f32(15, 3), true), floatInit("fc2.bias", [3], f32(3, 4)),
      floatInit("beta", [], Float32Array.of(2)),
      floatInit("fc3.weight_t", [3, 2], f32(6, 5)), floatInit("fc3.bias", [2], f32(2, 6)),
    );
    nodes.push(
      { op: "Gemm", name: "/fc1/Gemm", inputs: [x, "fc1.weight", "fc1.bias"], outputs: ["h1"], attrs: [{ name: "alpha", float: 1 }, { name: "beta", float: 1 }, { name: "transB", int: 1 }] },
      { op: "Softplus", name: "/act1/Softplus", inputs: ["h1"], outputs: ["a1"] },
      { op: "Gemm", name: "/fc2/Gemm", inputs: ["a1", "fc2.weight", "fc2.bias"], outputs: ["h2"], attrs: [{ name: "transB", int: 1 }] },
      { op: "Mul", name: "/act2/Mul", inputs: ["h2", "beta"], outputs: ["h2b"] },
      { op: "Softplus", name: "/act2/Softplus", inputs: ["h2b"], outputs: ["s2"] },
      { op: "Div", name: "/act2/Div", inputs: ["s2", "beta"], outputs: ["a2"] },
      { op: "MatMul", name: "/fc3/MatMul", inputs: ["a2", "fc3.weight_t"], outputs: ["h3"] },
      { op: "Add", name: "/fc3/Add", inputs: ["fc3.bias", "h3"], outputs: ["h3b"] },
      { op: "Elu", name: "/act3/Elu", inputs: ["h3b"], outputs: ["a3"], attrs: [{ name: "alpha", float: 0.7 }] },
      { op: "Identity", name: "out", inputs: ["a3"], outputs: ["output"] },
    );
    return encodeModel({
      graphName: "torch_jit", nodes, initializers: inits, opset: 17,
      inputs: [{ name: "input", type: "float", shape: ["batch", 4] }],
      outputs: [{ name: "output", type: "float", shape: ["batch", 2] }],
    });
  }

  it("each activation as other exporters write it (tf2onnx's MatMul + Add, opset 13), imported and checked against ONNX Runtime", async () => {
    const ops: [string, NodeSpec["attrs"], string | undefined][] = [
      ["Relu", [], "relu"], ["Sigmoid", [], "sigmoid"], ["Tanh", [], "tanh"], ["LeakyRelu", [{ name: "alpha", float: 0.2 }], "leakyRelu"],
      ["LeakyRelu", [], "leakyRelu"], ["Elu", [{ name: "alpha", float: 0.5 }], "elu"], ["Elu", [], "elu"], ["PRelu", [], "prelu"],
      ["Softplus", [], "softplus"], ["Softmax", [{ name: "axis", int: 1 }], "softmax"], ["LogSoftmax", [{ name: "axis", int: -1 }], "logSoftmax"],
      ["Identity", [], undefined],
    ];
    const Xs = data(40, 4, 9).map((r) => r.map((v) => v / 10));
    for (const [op, attrs, name] of ops) {
      const inits: TensorSpec[] = [floatInit("dense/kernel", [4, 5], f32(20, 11, 2)), floatInit("dense/bias", [5], f32(5, 12))];
      if (op === "PRelu") inits.push(floatInit("slope", [5], Float32Array.of(0.1, 0.2, 0.3, 0.4, 0.5)));
      const bytes = encodeModel({
        graphName: "tf2onnx", opset: 13, initializers: inits,
        nodes: [
          { op: "MatMul", name: "dense/MatMul", inputs: ["dense_input", "dense/kernel"], outputs: ["mm"] },
          { op: "Add", name: "dense/BiasAdd", inputs: ["mm", "dense/bias"], outputs: ["z"] },
          { op, name: `dense/${op}`, inputs: op === "PRelu" ? ["z", "slope"] : ["z"], outputs: ["dense"], attrs },
        ],
        inputs: [{ name: "dense_input", type: "float", shape: ["unk__6", 4] }],
        outputs: [{ name: "dense", type: "float", shape: ["unk__7", 5] }],
      });
      const session = await ort.InferenceSession.create(bytes);
      const expected = (await session.run({ dense_input: new ort.Tensor("float32", Float32Array.from(Xs.flat()), [40, 4]) })).dense.data as Float32Array;
      await session.release();
      const m = loadONNX(bytes, { runtime: rt });
      const act = m.toJSON().layers[0].activation;
      expect(typeof act === "string" ? act : (act as { name: string }).name, op).toBe(name ?? "linear");
      const d = maxRel(m.predict(Xs) as Float32Array, expected);
      note(`other exporters (${op})`, d);
      expect(d, op).toBeLessThanOrEqual(1e-5);
      m.dispose();
    }
  });

  it("a PyTorch-style graph (Gemm transB=1, Softplus, Mul/Softplus/Div, Elu, MatMul + Add; raw_data and float_data) predicts as ONNX Runtime does", async () => {
    for (const scaling of ["none", "mulAdd", "subDiv"] as const) {
      const bytes = torchStyle(scaling);
      const session = await ort.InferenceSession.create(bytes);
      const Xs = data(50, 4, 5).map((r) => r.map((v) => v / 10));
      const expected = (await session.run({ input: new ort.Tensor("float32", Float32Array.from(Xs.flat()), [50, 4]) })).output.data as Float32Array;
      await session.release();
      const m = loadONNX(bytes, { runtime: rt });
      expect(m.toString()).toBe("Sequential(4 → 5 → 3 → 2, loss mse, trained)");
      const json = m.toJSON();
      expect(json.layers.map((l) => l.activation)).toEqual([
        { name: "softplus", beta: 1, threshold: 20 }, { name: "softplus", beta: 2, threshold: 20 }, { name: "elu", alpha: Math.fround(0.7) },
      ]);
      const d = maxRel(m.predict(Xs) as Float32Array, expected);
      note(`PyTorch-style (${scaling})`, d);
      expect(d).toBeLessThanOrEqual(1e-5);
      expect(json.features !== undefined).toBe(scaling === "subDiv");
      m.dispose();
    }
  });
});

describe("refusals: what loadONNX does not read, and files that are not what they say", () => {
  const X = data(20, 3, 31);
  let good: Uint8Array;
  beforeAll(async () => {
    const m = new Sequential([dense({ units: 4, activation: "relu" }), dense({ units: 3, activation: "softmax" })], { runtime: rt, seed: 1 });
    await m.fit(X, X.map((r) => (r[0] > 0 ? "p" : r[1] > 10 ? "q" : "r")), { epochs: 2 });
    good = m.toONNX();
    m.dispose();
  });

  /** Runs `f`, expects a `descent: loadONNX:` error matching `why`, and memory() back to where it was. */
  function refused(f: () => unknown, why: RegExp): void {
    const before = rt.memory();
    let error: unknown;
    try {
      (f() as Model | undefined)?.dispose();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^descent: loadONNX: /);
    expect((error as Error).message).toMatch(why);
    const after = rt.memory();
    expect([after.liveTensors, after.liveBytes]).toEqual([before.liveTensors, before.liveBytes]);
  }

  const w = (name: string, dims: number[], n = dims.reduce((a, b) => a * b, 1)): TensorSpec => ({ name, type: "float", dims, data: new Float32Array(n).fill(0.5) });
  const graph = (nodes: NodeSpec[], inits: TensorSpec[], output = "y"): Uint8Array => encodeModel({
    graphName: "g", nodes, initializers: inits,
    inputs: [{ name: "x", type: "float", shape: ["N", 3] }], outputs: [{ name: output, type: "float", shape: ["N", 2] }],
  });

  it("an unsupported operator is refused by name, with its node", () => {
    const conv = graph([
      { op: "Gemm", name: "fc", inputs: ["x", "W", "b"], outputs: ["h"] },
      { op: "Conv", name: "conv1", inputs: ["h", "K"], outputs: ["y"] },
    ], [w("W", [3, 2]), w("b", [2]), w("K", [2, 2, 1])]);
    refused(() => loadONNX(conv, { runtime: rt }), /unsupported operator "Conv" \(node "conv1"\)/);
    const custom = encodeModel({
      graphName: "g", nodes: [{ op: "FusedGemm", name: "f", domain: "com.microsoft", inputs: ["x", "W"], outputs: ["y"] }], initializers: [w("W", [3, 2])],
      inputs: [{ name: "x", type: "float", shape: ["N", 3] }], outputs: [{ name: "y", type: "float", shape: ["N", 2] }],
    });
    refused(() => loadONNX(custom, { runtime: rt }), /unsupported operator "com\.microsoft\.FusedGemm" \(node "f"\)/);
    // A supported operator where a dense network has none: two activations in a row.
    const twice = graph([
      { op: "Gemm", name: "fc", inputs: ["x", "W", "b"], outputs: ["h"] },
      { op: "Relu", name: "r1", inputs: ["h"], outputs: ["a"] },
      { op: "Tanh", name: "t1", inputs: ["a"], outputs: ["y"] },
    ], [w("W", [3, 2]), w("b", [2])]);
    refused(() => loadONNX(twice, { runtime: rt }), /node "r1" \(Relu\): expected a dense layer/);
  });

  it("graphs that loop or nest without end: a cycle of Identity nodes, nodes out of order, 10,000 nested Where nodes", () => {
    const cycle = graph([
      { op: "Identity", name: "i1", inputs: ["b"], outputs: ["a"] },
      { op: "Identity", name: "i2", inputs: ["a"], outputs: ["b"] },
      { op: "Gemm", name: "fc", inputs: ["x", "W", "b0"], outputs: ["y"] },
    ], [w("W", [3, 2]), w("b0", [2])]);
    refused(() => loadONNX(cycle, { runtime: rt }), /node "i1" \(Identity\) reads "b" before any node makes it/);
    const late = graph([
      { op: "Relu", name: "act", inputs: ["h"], outputs: ["y"] },
      { op: "Gemm", name: "fc", inputs: ["x", "W", "b0"], outputs: ["h"] },
    ], [w("W", [3, 2]), w("b0", [2])]);
    refused(() => loadONNX(late, { runtime: rt }), /node "act" \(Relu\) reads "h" before any node makes it/);
    const nodes: NodeSpec[] = [{ op: "Gemm", name: "fc", inputs: ["x", "W", "b0"], outputs: ["w0"] }];
    for (let i = 1; i <= 10_000; i++) nodes.push({ op: "Where", name: `where${i}`, inputs: ["mask", "z", `w${i - 1}`], outputs: [i === 10_000 ? "y" : `w${i}`] });
    nodes.push({ op: "Identity", name: "z", inputs: ["w0"], outputs: ["z"] });
    const deep = graph(nodes, [w("W", [3, 2]), w("b0", [2]), { name: "mask", type: "bool", dims: [2], data: [true, false] }]);
    refused(() => loadONNX(deep, { runtime: rt }), /reads "z" before any node makes it|more than 256 nested Where nodes/);
    const deepOrdered = graph([nodes[0], nodes[nodes.length - 1], ...nodes.slice(1, -1)], [w("W", [3, 2]), w("b0", [2]), { name: "mask", type: "bool", dims: [2], data: [true, false] }]);
    refused(() => loadONNX(deepOrdered, { runtime: rt }), /more than 256 nested Where nodes/);
  });

  it("declared sizes that the data does not back: dims vs raw_data and float_data, a huge tensor, a huge length", () => {
    const mismatch = (t: TensorSpec): Uint8Array => graph([{ op: "Gemm", name: "fc", inputs: ["x", "W", "b"], outputs: ["y"] }], [t, w("b", [2])]);
    refused(() => loadONNX(mismatch(w("W", [3, 2], 5)), { runtime: rt }), /raw_data has 20 bytes but dims \[3,2\] need 24/);
    refused(() => loadONNX(mismatch({ ...w("W", [3, 2], 7), floatData: true }), { runtime: rt }), /holds more values than dims \[3,2\] declare|holds 7 values/);
    refused(() => loadONNX(mismatch({ ...w("W", [3, 2], 5), floatData: true }), { runtime: rt }), /holds 5 values but dims \[3,2\] declare 6/);
    // dims of a terabyte with 24 bytes of data: refused from the dims, before anything is allocated.
    refused(() => loadONNX(mismatch({ ...w("W", [3, 2]), dims: [1_000_000, 1_000_000] }), { runtime: rt }), /declare more than 67108864 elements/);
    // A graph field declaring 2^40 bytes in a file of a few hundred.
    const huge = Uint8Array.of(0x08, 0x08, 0x3a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 1, 2, 3);
    refused(() => loadONNX(huge, { runtime: rt }), /declares 1099511627776 bytes but only 3 remain/);
    refused(() => loadONNX(Uint8Array.of(0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), { runtime: rt }), /runs over 10 bytes/);
    refused(() => loadONNX(new TextEncoder().encode("not an onnx file"), { runtime: rt }), /./);
  });

  it("toONNX on a model that is not trained, or disposed, says so", async () => {
    const m = new LogisticRegression({ runtime: rt });
    expect(() => m.toONNX()).toThrow(/^descent: LogisticRegression\.toONNX: the model is not trained yet: call fit\(\) first$/);
    await m.fit(X, X.map((r) => (r[0] > 0 ? "a" : "b")));
    m.dispose();
    expect(() => m.toONNX()).toThrow(/^descent: LogisticRegression\.toONNX: the model was disposed$/);
  });

  it("bad arguments: not bytes, an empty file, an unknown option", () => {
    expect(() => loadONNX("model.onnx" as never)).toThrow(/^descent: loadONNX: bytes must be a Uint8Array \(the file's contents\), received/);
    expect(() => loadONNX(new Uint8Array(0))).toThrow(/^descent: loadONNX: the file is empty/);
    expect(() => loadONNX(good, { runtme: rt } as never)).toThrow(/^descent: loadONNX: unknown option "runtme"/);
  });

  it("every truncation of a file is refused cleanly, or (cut between whole fields) reads as the same network", () => {
    const whole = loadONNX(good, { runtime: rt });
    const expected = whole.predictProba(X);
    whole.dispose();
    const before = rt.memory();
    for (let cut = 0; cut < good.length; cut += Math.max(1, Math.floor(good.length / 400))) {
      let model: Model | undefined;
      try {
        model = loadONNX(good.subarray(0, cut), { runtime: rt });
      } catch (err) {
        expect((err as Error).message, `cut at ${cut}`).toMatch(/^descent: loadONNX: /);
        continue;
      }
      expect(model.predictProba(X)).toEqual(expected);
      model.dispose();
    }
    expect(rt.memory().liveTensors).toBe(before.liveTensors);
  });

  it("random byte changes (fast-check): a descent error or a valid network, never a RangeError of its own, a crash or a hang", () => {
    const before = rt.memory();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (flips) => {
        const bytes = Uint8Array.from(good);
        for (const [i, v] of flips) bytes[i % bytes.length] = v;
        try {
          const m = loadONNX(bytes, { runtime: rt });
          // A change that still reads (a weight's value, a name) gives a working network.
          expect(m.predictProba(X).length).toBe(X.length * 3);
          m.dispose();
        } catch (err) {
          expect((err as Error).message).toMatch(/^descent: loadONNX: /);
        }
      }),
      { numRuns: 400, seed: 42 },
    );
    const after = rt.memory();
    expect([after.liveTensors, after.liveBytes]).toEqual([before.liveTensors, before.liveBytes]);
  });
});
