// Bad input to the models gets a clear error naming the argument and what was wrong, never a
// NaN model: bad data, unknown options, a single class, diverging training, tampered model
// files. Afterwards nothing is left allocated.
import { describe, expect, it } from "vitest";
import { LinearRegression, LogisticRegression, Sequential, dense, loadModel, runtime, type Matrix } from "../src/index.ts";

const X: number[][] = [[1, 2], [2, 1], [3, 5], [4, 3], [5, 8], [6, 5]];
const yReg = [3, 3.2, 8.1, 7, 13.2, 11];
const yCls = ["a", "b", "a", "b", "a", "b"];

// Wrong data on purpose: fit is called with what the types would refuse.
interface Fits {
  fit(X: unknown, y: unknown): Promise<unknown>;
  dispose(): void;
}
const models: [string, () => Fits, unknown][] = [
  ["LinearRegression", () => new LinearRegression(), yReg],
  ["LinearRegression gd", () => new LinearRegression({ solver: "gd", epochs: 3 }), yReg],
  ["LogisticRegression", () => new LogisticRegression(), yCls],
  ["Sequential", () => new Sequential([dense({ units: 2, activation: "relu" }), dense({ units: 1 })], { epochs: 2 }), yReg],
];

describe.each(models)("%s rejects bad data", (_, make, y) => {
  const cases: [string, unknown, unknown, RegExp][] = [
    ["NaN in X, by row and column", [[1, 2], [2, NaN], [3, 5], [4, 3], [5, 8], [6, 5]], y, /X\[1\]\[1\] is NaN \(row 1, column 1/],
    ["Infinity in X", [[1, 2], [2, 1], [Infinity, 5], [4, 3], [5, 8], [6, 5]], y, /X\[2\]\[0\] is Infinity/],
    ["empty X", [], [], /X has no rows/],
    ["ragged X", [[1, 2], [2], [3, 5], [4, 3], [5, 8], [6, 5]], y, /X\[1\] has 1 values but X\[0\] has 2/],
    ["X of the wrong type", "1,2,3", y, /X must be a Matrix or an array of rows/],
    ["fewer labels than rows", X, (y as unknown[]).slice(0, 4), /has 4 .*but X has 6 rows/],
  ];
  it.each(cases)("%s", async (_, bx, by, message) => {
    const before = runtime().memory();
    const model = make();
    await expect(model.fit(bx, by)).rejects.toThrow(message);
    model.dispose();
    expect(runtime().memory().liveBytes).toBe(before.liveBytes);
    expect(runtime().memory().liveTensors).toBe(before.liveTensors);
  });
});

describe("regression targets and class labels", () => {
  it("NaN in y is named by index", async () => {
    await expect(new LinearRegression().fit(X, [1, 2, NaN, 4, 5, 6])).rejects.toThrow(/y\[2\] is NaN/);
  });
  it("a single class is refused", async () => {
    await expect(new LogisticRegression().fit(X, ["a", "a", "a", "a", "a", "a"])).rejects.toThrow(/single class \("a"\).*at least two/);
  });
  it("mixing string and number labels is refused", async () => {
    await expect(new LogisticRegression().fit(X, ["a", 1, "a", 1, "a", 1])).rejects.toThrow(/labels/);
  });
  it("the output layer must match the classes", async () => {
    const m = new Sequential([dense({ units: 2, activation: "softmax" })], { loss: "categoricalCrossentropy" });
    await expect(m.fit(X, ["a", "b", "c", "a", "b", "c"])).rejects.toThrow(/last layer has 2 unit\(s\) but y has 3 classes/);
    m.dispose();
  });
  it("a loss needs a suitable output layer", () => {
    expect(() => new Sequential([dense({ units: 3, activation: "relu" })], { loss: "categoricalCrossentropy" }))
      .toThrow(/categoricalCrossentropy" needs an output layer with softmax/);
    expect(() => new Sequential([dense({ units: 2, activation: "sigmoid" })], { loss: "binaryCrossentropy" }))
      .toThrow(/binaryCrossentropy" needs an output layer of 1 unit/);
  });
  it("predicting with the wrong number of columns", async () => {
    const m = await new LinearRegression().fit(X, yReg);
    expect(() => m.predict([[1, 2, 3]])).toThrow(/X has 3 columns but the model was trained on 2/);
    m.dispose();
  });
  it("using a model before fit, or after dispose", async () => {
    const m = new LinearRegression();
    expect(() => m.predict(X)).toThrow(/not trained yet: call fit\(\) first/);
    await m.fit(X, yReg);
    m.dispose();
    expect(() => m.predict(X)).toThrow(/LinearRegression.predict: the model was disposed/);
  });
});

describe("options", () => {
  it.each([
    ["an unknown constructor option", () => new LinearRegression({ learningRate: 0.1 } as never), /unknown option "learningRate" \(known: solver/],
    ["an unknown solver", () => new LinearRegression({ solver: "qr" as never }), /solver must be one of "auto", "normal", "gd", received "qr"/],
    ["a negative l2", () => new LogisticRegression({ l2: -1 }), /l2 must be >= 0, received -1/],
    ["a zero learning rate", () => new Sequential([dense({ units: 1 })], { lr: 0 }), /lr must be > 0, received 0/],
    // @ts-expect-error: the types know the registry's names too
    ["an unknown activation", () => dense({ units: 2, activation: "gelu" }), /activation must be an activation name \(linear, sigmoid.*received "gelu"/],
    // @ts-expect-error: and each activation's parameters
    ["an unknown activation parameter", () => dense({ units: 2, activation: { name: "elu", beta: 1 } }), /unknown option "beta" \(known: name, alpha\)/],
    // @ts-expect-error: and that softmax works on whole rows
    ["softmax per neuron", () => dense({ units: 2, activation: ["softmax", "relu"] }), /activation\[0\] is "softmax", which works on a whole row/],
    ["a per-neuron array of the wrong length", () => dense({ units: 3, activation: ["relu", "tanh"] }), /one entry per unit \(3\), received 2/],
    ["units that are not a positive integer", () => dense({ units: 1.5 }), /units must be an integer, received 1.5/],
    ["layers that are not dense()", () => new Sequential([{ units: 3 }] as never), /layers\[0\] must be made by dense/],
  ])("%s", (_, make, message) => {
    expect(make).toThrow(message);
  });

  it("unknown fit options, and fit options the closed form cannot use", async () => {
    const m = new LinearRegression();
    await expect(m.fit(X, yReg, { epoch: 3 } as never)).rejects.toThrow(/unknown option "epoch" \(known: epochs/);
    await expect(m.fit(X, yReg, { epochs: 3 })).rejects.toThrow(/option "epochs" needs solver "gd"/);
    m.dispose();
  });
});

describe("divergence", () => {
  it("stops with the epoch, the loss and a suggestion, and leaves the model as it was (here: untrained, never NaN)", async () => {
    const m = new LinearRegression({ solver: "gd", optimizer: "sgd", lr: 50, epochs: 200 });
    await expect(m.fit(X, yReg)).rejects.toThrow(/training diverged at epoch \d+: the loss is .*; try a smaller learning rate \(lr is 50\)\. The model is left as it was/);
    expect(() => m.predict(X)).toThrow(/not trained yet/);
    m.dispose();
  });
});

describe("model files", () => {
  async function saved(): Promise<Record<string, unknown>> {
    const m = await new LogisticRegression().fit(X, yCls);
    const json = JSON.parse(JSON.stringify(m.toJSON())) as Record<string, unknown>;
    m.dispose();
    return json;
  }

  it("an edited weight breaks the checksum", async () => {
    const json = await saved();
    (json.layers as { w: number[] }[])[0].w[0] += 1;
    expect(() => loadModel(json)).toThrow(/checksum does not match: the file was edited or corrupted/);
  });
  it("a newer format version asks for an upgrade", async () => {
    const json = await saved();
    json.version = 2;
    expect(() => loadModel(json)).toThrow(/format version 2, newer than this descent reads \(1\)/);
  });
  it("fromJSON on a class checks the kind; loadModel takes any", async () => {
    const json = await saved();
    expect(() => LinearRegression.fromJSON(json)).toThrow(/LinearRegression.fromJSON: the file holds a LogisticRegression, not a LinearRegression/);
    const m = LogisticRegression.fromJSON(json);
    const any = loadModel(json);
    expect(m.predict(X)).toEqual(any.predict(X));
    m.dispose();
    any.dispose();
  });
  it("something that is not a model file", () => {
    expect(() => loadModel({ hello: 1 })).toThrow(/not a descent model file/);
    expect(() => loadModel("{not json")).toThrow(/the text is not JSON/);
    expect(() => loadModel(42)).toThrow(/expected a saved model/);
  });
  it("a consistent but wrong shape is caught even with a recomputed checksum", async () => {
    const json = await saved();
    const layers = json.layers as { w: number[] }[];
    layers[0].w.pop();
    const { checksum: _drop, ...body } = json;
    const { checksum } = await import("../src/models/model.ts");
    expect(() => loadModel({ ...body, checksum: checksum(body) })).toThrow(/layers\[0\].w must have 2 numbers, received 1/);
  });
});

describe("memory", () => {
  it("fit, predict, save, load and dispose leave nothing behind", async () => {
    const data: Matrix = { data: Float32Array.from({ length: 200 }, (_, i) => Math.sin(i)), rows: 100, cols: 2 };
    const y = Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? "x" : i % 3 === 1 ? "y" : "z"));
    const before = runtime().memory();
    for (let round = 0; round < 20; round++) {
      const m = new Sequential([dense({ units: 4, activation: ["relu", "prelu", "tanh", "elu"], slopes: "neuron" }), dense({ units: 3, activation: "softmax" })], {
        loss: "categoricalCrossentropy", batchSize: 16, epochs: 2,
      });
      await m.fit(data, y, { validationData: { X: data, y } });
      m.predict(data);
      m.predictProba(data);
      const back = loadModel(m.toJSON());
      back.predict(data);
      m.dispose();
      back.dispose();
      const l = await new LogisticRegression().fit(data, y);
      l.dispose();
    }
    const after = runtime().memory();
    expect(after.liveTensors).toBe(before.liveTensors);
    expect(after.liveBytes).toBe(before.liveBytes);
  });
});
