// Course question (linear regression): "Can you represent this model as a neural network?"
//
// Yes: f(x) = wᵀx + b is one neuron with k inputs and no activation, and minimising the mean
// squared error by gradient descent, x_{n+1} = x_n − α∇f(x_n), is exactly how that one-layer
// network is trained by backpropagation. Logistic regression is the same neuron followed by a
// sigmoid, trained on the binary cross-entropy; with k classes it is a layer of k neurons
// followed by a softmax (multinomial logistic regression).
//
// In descent this is literal: LinearRegression's and LogisticRegression's "gd" solvers build a
// one-layer network. This example trains each regression model next to the Sequential network it
// claims to be, with the same optimizer, learning rate, full batch and number of steps, and
// checks that the weights agree to the last bit. It also runs the course's update rule written
// out in float64 for a plain one-layer network (forward X·W + b, output activation, gradient
// Xᵀ·(A − Y)/n) and compares: the same numbers up to float32 rounding.
//
// Data: data/penguins.csv, body mass (regression), sex (binary) and species (three classes) from
// the size measurements, standardised here with StandardScaler so that all three computations see
// the same inputs (the models' own standardisation is turned off).
//
// Run: npx tsx examples/04-regression-as-a-network.ts
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import {
  LabelEncoder, LinearRegression, LogisticRegression, Sequential, StandardScaler, dense, parseCsv,
  type Matrix, type Model,
} from "../src/index.ts";
import { fmt, printTable } from "./shared.ts";

export interface Row {
  model: string;
  network: string;
  /** Trainable numbers (weights and biases). */
  parameters: number;
  /** max |regression model's parameter − network's parameter|; 0 when bit-identical. */
  maxDifference: number;
  /** max |model's parameter − float64 reference| / max |reference parameter|. */
  referenceError: number;
}

export interface Result {
  rows: Row[];
  steps: number;
}

const STEPS = 200;

type Output = "identity" | "sigmoid" | "softmax";

/**
 * Plain full-batch gradient descent on a one-layer network, in float64: Z = X·W + b, A = f(Z), and
 * for each of these losses dL/dZ = (A − Y)·c/n (c = 2 for the mean squared error, 1 for the
 * cross-entropies, which pair with sigmoid and softmax); W −= lr·Xᵀ·dZ, b −= lr·Σ dZ.
 */
function reference(X: Matrix, Y: Float64Array, units: number, output: Output, lr: number, steps: number): Float64Array {
  const { rows: n, cols: k } = X;
  const W = new Float64Array(k * units);
  const b = new Float64Array(units);
  const dZ = new Float64Array(n * units);
  const c = output === "identity" ? 2 : 1;
  for (let step = 0; step < steps; step++) {
    for (let r = 0; r < n; r++) {
      const z = Array.from({ length: units }, (_, j) => {
        let s = b[j];
        for (let i = 0; i < k; i++) s += X.data[r * k + i] * W[i * units + j];
        return s;
      });
      let a = z;
      if (output === "sigmoid") a = z.map((v) => 1 / (1 + Math.exp(-v)));
      if (output === "softmax") {
        const max = Math.max(...z);
        const e = z.map((v) => Math.exp(v - max));
        const sum = e.reduce((p, q) => p + q, 0);
        a = e.map((v) => v / sum);
      }
      for (let j = 0; j < units; j++) dZ[r * units + j] = (c * (a[j] - Y[r * units + j])) / n;
    }
    for (let j = 0; j < units; j++) {
      for (let i = 0; i < k; i++) {
        let g = 0;
        for (let r = 0; r < n; r++) g += X.data[r * k + i] * dZ[r * units + j];
        W[i * units + j] -= lr * g;
      }
      let g = 0;
      for (let r = 0; r < n; r++) g += dZ[r * units + j];
      b[j] -= lr * g;
    }
  }
  return Float64Array.from([...W, ...b]);
}

/** Every weight then every bias of a one-layer model, as one array. */
function parameters(model: Model): Float32Array {
  const { w, b } = model.layers[0];
  return Float32Array.from([...w.data, ...b.data]);
}

function compare(model: string, network: string, a: Model, b: Model, ref: Float64Array): Row {
  const pa = parameters(a);
  const pb = parameters(b);
  let maxDifference = 0;
  let err = 0;
  let scale = 0;
  for (let i = 0; i < pa.length; i++) {
    maxDifference = Math.max(maxDifference, Math.abs(pa[i] - pb[i]));
    err = Math.max(err, Math.abs(pa[i] - ref[i]));
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  return { model, network, parameters: pa.length, maxDifference, referenceError: err / scale };
}

/** Targets as a float64 rows × units matrix: values, a 0/1 column, or one-hot rows. */
function targets(codes: ArrayLike<number>, units: number): Float64Array {
  const Y = new Float64Array(codes.length * units);
  for (let r = 0; r < codes.length; r++) {
    if (units === 1) Y[r] = codes[r];
    else Y[r * units + codes[r]] = 1;
  }
  return Y;
}

export async function main(): Promise<Result> {
  const text = readFileSync(new URL("../data/penguins.csv", import.meta.url), "utf8");
  const rows: Row[] = [];
  const options = { optimizer: "sgd", epochs: STEPS, standardize: false } as const;

  // Linear regression: body mass (g) from bill and flipper sizes.
  {
    const { X: raw, y } = parseCsv(text, { target: "body_mass_g" });
    const X = new StandardScaler().fitTransform(raw);
    const lr = 0.1;
    const mass = y as Float32Array;
    const model = await new LinearRegression({ solver: "gd", lr, ...options }).fit(X, mass);
    const net = await new Sequential([dense({ units: 1, init: "zeros" })], { loss: "mse", lr, batchSize: X.rows, ...options }).fit(X, mass);
    rows.push(compare("LinearRegression", "dense(1), mse", model, net, reference(X, targets(mass, 1), 1, "identity", lr, STEPS)));
    model.dispose();
    net.dispose();
  }

  // Binary logistic regression: sex from the four measurements.
  {
    const { X: raw, y } = parseCsv(text, { target: "sex" });
    const X = new StandardScaler().fitTransform(raw);
    const labels = y as string[];
    const lr = 0.5;
    const model = await new LogisticRegression({ solver: "gd", lr, ...options }).fit(X, labels);
    const net = await new Sequential([dense({ units: 1, activation: "sigmoid", init: "zeros" })], {
      loss: "binaryCrossentropy", lr, batchSize: X.rows, ...options,
    }).fit(X, labels);
    const codes = new LabelEncoder().fitTransform(labels); // female 0, male 1: sorted, as the models do
    rows.push(compare("LogisticRegression, 2 classes", "dense(1, sigmoid), binary CE", model, net,
      reference(X, targets(codes, 1), 1, "sigmoid", lr, STEPS)));
    model.dispose();
    net.dispose();
  }

  // Multinomial logistic regression: species from the four measurements.
  {
    const { X: raw, y } = parseCsv(text, { target: "species" });
    const X = new StandardScaler().fitTransform(raw);
    const labels = y as string[];
    const lr = 0.5;
    const model = await new LogisticRegression({ solver: "gd", lr, ...options }).fit(X, labels);
    const net = await new Sequential([dense({ units: 3, activation: "softmax", init: "zeros" })], {
      loss: "categoricalCrossentropy", lr, batchSize: X.rows, ...options,
    }).fit(X, labels);
    const codes = new LabelEncoder().fitTransform(labels);
    rows.push(compare("LogisticRegression, 3 classes", "dense(3, softmax), categorical CE", model, net,
      reference(X, targets(codes, 3), 3, "softmax", lr, STEPS)));
    model.dispose();
    net.dispose();
  }

  console.log("Can linear regression be represented as a neural network? Each regression model next to");
  console.log(`the one-layer Sequential network it is, after ${STEPS} full-batch SGD steps from zero weights`);
  console.log("(penguins data, features standardised):\n");
  printTable(["model", "as a network", "parameters", "vs network", "vs float64 loop"], rows.map((r) => [
    r.model, r.network, r.parameters, fmt(r.maxDifference, 2), fmt(r.referenceError, 2),
  ]));
  console.log("\n\"vs network\": the largest |difference| between the model's and the network's weights (0: the");
  console.log("same bits). \"vs float64 loop\": the largest difference from x_{n+1} = x_n − α∇f(x_n) written");
  console.log("out by hand in float64, relative to the largest weight: float32 rounding.");
  console.log("\nSo yes: linear regression is a single neuron without activation, logistic regression one");
  console.log("with a sigmoid (or a layer with a softmax), and gradient descent on their loss is");
  console.log("backpropagation through that one layer.");

  return { rows, steps: STEPS };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
