// Mistakes the types catch, each marked with @ts-expect-error (tsc fails when a marked line stops
// being an error), and what must keep compiling beside them. test/pack.test.ts also compiles this
// file without the markers in a new project and expects an error on exactly the marked lines.
import {
  LinearRegression, LogisticRegression, Sequential, createRuntime, dense, type LayerActivationInput, type LossName,
} from "descent-ml";

const X = [[1, 2], [3, 4], [5, 6]];
const labels = ["a", "b", "a"];

// A typo in an activation name, for a layer and per neuron.
// @ts-expect-error: "Relu" is not an activation
dense({ units: 4, activation: "Relu" });
// @ts-expect-error: nor is "gelu"
dense({ units: 2, activation: ["relu", "gelu"] });
// @ts-expect-error: elu's parameter is alpha
dense({ units: 4, activation: { name: "elu", beta: 1 } });
// @ts-expect-error: softmax works on whole rows, not per neuron
dense({ units: 2, activation: ["softmax", "relu"] });
// @ts-expect-error: a misspelt dense option
dense({ units: 4, activation: "relu", slope: "neuron" });

// Data of the wrong kind.
// @ts-expect-error: X is a matrix, not a string
await new LogisticRegression().fit("X", labels);
// @ts-expect-error: nor a flat list of numbers
await new LinearRegression().fit([1, 2, 3], [1, 2, 3]);
// @ts-expect-error: a regression's targets are numbers
await new LinearRegression().fit(X, labels);
// @ts-expect-error: a classifier's labels are strings or numbers
await new LogisticRegression().fit(X, 42);
// @ts-expect-error: a misspelt model option
new LinearRegression({ solvr: "gd" });
// @ts-expect-error: an unknown loss
new Sequential([dense({ units: 1 })], { loss: "crossEntropy" });
// @ts-expect-error: the runtime option is a Runtime
new Sequential([dense({ units: 1 })], { runtime: "wasm-simd" });

// A Sequential's task follows its loss, given or implied by the output layer.
const regression = new Sequential([dense({ units: 4, activation: "relu" }), dense({ units: 1 })]);
// @ts-expect-error: a regression takes numbers
await regression.fit(X, labels);
// @ts-expect-error: and has no classes
console.log(regression.classes.length);
const classifier = new Sequential([dense({ units: 4, activation: "relu" }), dense({ units: 2, activation: "softmax" })]);
// @ts-expect-error: a classifier predicts labels, which may be strings
classifier.predict(X)[0].toFixed(2);
// @ts-expect-error: its validation data has labels too
await classifier.fit(X, labels, { validationData: { X, y: [[1], [2], [3]] } });

// What compiles: numbers from regressions, labels and classes from classifiers after fit.
const lin = await new LinearRegression().fit(X, [1, 2, 3]);
lin.predict(X)[0].toFixed(2);
await regression.fit(X, new Float32Array([1, 2, 3]));
regression.predict(X)[0].toFixed(2);
const log = new LogisticRegression();
await log.fit(X, labels);
console.log(log.classes.length, log.predict(X).length);
await classifier.fit(X, labels);
console.log(classifier.classes.length);
const binary = new Sequential([dense({ units: 1, activation: "sigmoid" })]);
binary.loss satisfies "binaryCrossentropy";
await binary.fit(X, [0, 1, 0]);

// Activation names from configuration are checked at run time; typed wide, the types stay wide.
const fromConfig = JSON.parse('"relu"') as LayerActivationInput;
const configured = new Sequential([dense({ units: 2, activation: fromConfig })]);
configured.loss satisfies LossName;
const rt = await createRuntime({ backend: "js" });
new LinearRegression({ runtime: rt }).dispose();
