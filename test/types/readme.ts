// The README's API as a user writes it in strict TypeScript, importing the package by name: it
// must type-check against the built declarations, and every value it declares must be nameable
// (no TS2742) when a project emits declarations. Types are pinned with `expect<…>()` where the
// README promises them.
import { readFileSync } from "node:fs";
import {
  LinearRegression, LogisticRegression, Sequential, createRuntime, dense, init, leakyRelu, loadModel, mse, mseGrad, parseCsv,
  sigmoid, softmax, trainInWorker, trainTestSplit,
  type DenseLayer, type EpochInfo, type History, type Label, type Matrix, type ModelJSON, type Runtime, type Tensor,
} from "descent-ml";

/** Compiles only when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
function expect<T extends true>(): T | void {}

// Using it: kernels on arrays and tensors.
export const rt: Runtime = await init();
const x = new Float32Array([-2, -0.5, 0, 1.5, 3, 7]);
export const s: Float32Array = sigmoid(x);
leakyRelu(x, { slope: 0.2 });
softmax(x, { cols: 3 });
export const loss: number = mse(x, new Float32Array(6));
mseGrad(x, new Float32Array(6));
export const t = rt.tensor(x, [2, 3]);
export const y = rt.activations.tanh.forward(t);
expect<Equal<typeof y, Tensor>>();
rt.activations.tanh.backward(t, y, { out: y });
export const p = rt.activations.prelu.forward(t, { slope: new Float32Array([0.1, 0.2, 0.3]) });
console.log(String(t), y.data, p.data);
t.dispose(); y.dispose(); p.dispose();
console.log(rt.memory().liveTensors);

// Models.
const { X, y: species } = parseCsv(readFileSync("data/penguins.csv", "utf8"), { target: "species" });
const { XTrain, XTest, yTrain, yTest } = trainTestSplit(X, species, { testSize: 0.2, seed: 0, stratify: species });

export const logistic = await new LogisticRegression({ l2: 1e-3 }).fit(XTrain, yTrain);
export const accuracy: number = logistic.score(XTest, yTest);
export const proba: Float32Array = logistic.predictProba(XTest);
export const classes: readonly Label[] = logistic.classes;
console.log(logistic.classes.length);

export const net = new Sequential([
  dense({ units: 16, activation: "relu" }),
  dense({ units: 4, activation: ["tanh", "elu", "prelu", "prelu"], slopes: "neuron" }),
  dense({ units: 3, activation: "softmax" }),
], { loss: "categoricalCrossentropy", optimizer: "adam", lr: 0.01, seed: 42 });
expect<Equal<typeof net, Sequential<"categoricalCrossentropy">>>();
await net.fit(XTrain, yTrain, {
  epochs: 200, batchSize: 32, validationData: { X: XTest, y: yTest },
  earlyStopping: { patience: 10 }, onEpoch: ({ epoch, loss, valLoss }: EpochInfo) => console.log(epoch, loss, valLoss),
});
export const labels = net.predict(XTest);
expect<Equal<typeof labels, Label[]>>();
export const layers = net.layers;
expect<Equal<typeof layers, readonly DenseLayer[]>>();
export const weights: Float32Array = net.layers[0]!.w.data;
export const history: History = net.history;
export const table: string = net.summary();
console.log(String(net), table);
export const saved: ModelJSON = net.toJSON();
export const again = loadModel(JSON.stringify(saved));
export const sameKind = Sequential.fromJSON(saved);
if (again instanceof Sequential) console.log(again.loss);

// Without a loss, the output layer decides: a softmax classifies.
export const inferred = new Sequential([dense({ units: 8, activation: "relu" }), dense({ units: 3, activation: "softmax" })]);
expect<Equal<typeof inferred, Sequential<"categoricalCrossentropy">>>();
await inferred.fit(XTrain, yTrain);
export const inferredClasses: readonly Label[] = inferred.classes;

// A regression: parseCsv cannot know a column's type before reading it.
const mass = parseCsv(readFileSync("data/penguins.csv", "utf8"), { target: "body_mass_g" });
if (!(mass.y instanceof Float32Array)) throw new Error("body_mass_g is not a number column");
export const ols = await new LinearRegression().fit(mass.X, mass.y);
export const predicted = ols.predict(mass.X);
console.log(predicted[0].toFixed(2), ols.solverReason, ols.coef, ols.intercept);
export const regressor = await new Sequential([dense({ units: 8, activation: "tanh" }), dense({ units: 1 })]).fit(mass.X, mass.y);
expect<Equal<typeof regressor, Sequential<"mse">>>();
console.log(regressor.predict(mass.X)[0].toFixed(2));
export const rows: Matrix = { data: new Float32Array(6), rows: 2, cols: 3 };
await new LinearRegression().fit([[1, 2], [3, 4], [5, 7]], [1, 2, 3]);

// Threads and workers.
const threaded = await createRuntime({ threads: "auto" });
const gd = await new LinearRegression({ solver: "gd", runtime: threaded }).fit(mass.X, mass.y);
await threaded.close();
const controller = new AbortController();
export const trained = await trainInWorker(gd, mass.X, mass.y, {
  epochs: 200, updateEvery: 100, onEpoch: ({ epoch, loss }) => console.log(epoch, loss), signal: controller.signal,
});
expect<Equal<typeof trained, LinearRegression>>();

// Whatever a program reaches has a name it can be declared with (the pack test emits declarations).
export const heap = rt.heap;
export const pool = rt.pool;
export const sigmoidOp = rt.activations.sigmoid;
export const plainSigmoid = sigmoid;
export const spec = rt.activations.softplus.spec;
export const firstLayer = net.layers[0];
export const config = dense({ units: 2, activation: { name: "leakyRelu", slope: 0.2 } });
export const split = trainTestSplit(X, species, { testSize: 0.2 });

net.dispose(); again.dispose(); sameKind.dispose(); logistic.dispose(); inferred.dispose(); ols.dispose(); regressor.dispose(); gd.dispose();
