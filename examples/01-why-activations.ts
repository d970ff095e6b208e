// Course question: "Why do we need activation functions?"
//
// Because without them depth buys nothing. A dense layer computes X·W + b; two of them in a row
// compute (X·W1 + b1)·W2 + b2 = X·(W1·W2) + (b1·W2 + b2), which is again one dense layer. However
// many linear layers are stacked, the network is a single linear map, so it can only draw a
// straight decision boundary.
//
// This example shows both halves on XOR (points in [−1, 1]², class 1 where both coordinates
// have the same sign, which no straight line separates):
//   (a) it trains a 2→8→8→1 network with no hidden activations (only the output's sigmoid, as
//       in logistic regression), multiplies its trained weights out into one 2×1 layer, and
//       checks that the single layer predicts the same probabilities;
//   (b) it compares accuracies: the linear stack is no better than logistic regression (a single
//       layer; no straight line gets more than about 2/3 of XOR right), while the very same
//       stack with tanh or ReLU between the layers fits XOR.
//
// Run: npx tsx examples/01-why-activations.ts
import { pathToFileURL } from "node:url";
import { LogisticRegression, Sequential, dense, type Matrix, type Model } from "../src/index.ts";
import { printTable, xor } from "./shared.ts";

export interface Result {
  /** The largest |difference| between the stack's probabilities and those of the multiplied-out single layer, relative to the largest probability. */
  collapseError: number;
  /** Parameters of the linear stack, and of the single layer it equals. */
  stackParameters: number;
  collapsedParameters: number;
  /** Training accuracy on XOR. */
  accuracy: { logistic: number; linearStack: number; tanhStack: number; reluStack: number };
}

const ROWS = 400;
const HIDDEN = 8;

/** The 2→8→8→1 stack with the given hidden activation (undefined: none), trained on XOR with fixed seeds. */
async function stack(X: Matrix, y: number[], activation: "tanh" | "relu" | undefined): Promise<Sequential> {
  const model = new Sequential(
    [dense({ units: HIDDEN, activation }), dense({ units: HIDDEN, activation }), dense({ units: 1, activation: "sigmoid" })],
    // The features are already centred and of unit size; keeping them as they are (no
    // standardisation inside the model) lets part (a) multiply the weights out against raw X.
    { loss: "binaryCrossentropy", optimizer: "adam", lr: 0.02, epochs: 150, batchSize: 32, seed: 1, standardize: false },
  );
  return model.fit(X, y);
}

/** Multiplies the layers of a network without hidden activations into one: W = W1·W2·…, b = (b1·W2 + b2)·W3 + …, in float64. */
function collapse(model: Model): { W: Float64Array; b: Float64Array } {
  const [first, ...rest] = model.layers;
  const inputs = first.inputs;
  let W = Float64Array.from(first.w.data); // inputs × units, row-major
  let b = Float64Array.from(first.b.data);
  let cols = first.units;
  for (const layer of rest) {
    const w = layer.w.data; // cols × layer.units
    const units = layer.units;
    const W2 = new Float64Array(inputs * units);
    const b2 = Float64Array.from(layer.b.data);
    for (let k = 0; k < cols; k++) {
      for (let j = 0; j < units; j++) {
        const wkj = w[k * units + j];
        for (let i = 0; i < inputs; i++) W2[i * units + j] += W[i * cols + k] * wkj;
        b2[j] += b[k] * wkj;
      }
    }
    W = W2;
    b = b2;
    cols = units;
  }
  return { W, b };
}

const parameters = (model: Model): number => model.layers.reduce((n, l) => n + l.w.length + l.b.length, 0);

export async function main(): Promise<Result> {
  const { X, y } = xor(ROWS, 1);

  // (a) A trained linear stack is one linear layer in disguise.
  const linear = await stack(X, y, undefined);
  const { W, b } = collapse(linear);
  const proba = linear.predictProba(X); // rows × 2: P(class 0), P(class 1)
  let maxDiff = 0;
  let maxP = 0;
  for (let r = 0; r < X.rows; r++) {
    const z = X.data[2 * r] * W[0] + X.data[2 * r + 1] * W[1] + b[0];
    const p = 1 / (1 + Math.exp(-z)); // the output layer's sigmoid, applied to the single layer's logit
    maxDiff = Math.max(maxDiff, Math.abs(p - proba[2 * r + 1]));
    maxP = Math.max(maxP, p);
  }
  const collapseError = maxDiff / maxP;
  const stackParameters = parameters(linear);
  const collapsedParameters = W.length + b.length;

  console.log("Why activation functions? Stacked linear layers collapse into one.\n");
  console.log(`(a) A 2→${HIDDEN}→${HIDDEN}→1 network without hidden activations, trained on XOR (${ROWS} points):`);
  console.log(`    its ${stackParameters} parameters multiply out to W = W1·W2·W3 = [${W[0].toFixed(4)}, ${W[1].toFixed(4)}], b = ${b[0].toFixed(4)}`);
  console.log(`    (${collapsedParameters} parameters). Probabilities of the network vs the single layer σ(x·W + b):`);
  console.log(`    largest difference ${collapseError.toExponential(1)} (float32 rounding), so they are the same function.\n`);

  // (b) The linear stack can do no more than logistic regression; activations change that.
  const logistic = await new LogisticRegression().fit(X, y);
  const tanh = await stack(X, y, "tanh");
  const relu = await stack(X, y, "relu");
  const accuracy = {
    logistic: logistic.score(X, y),
    linearStack: linear.score(X, y),
    tanhStack: tanh.score(X, y),
    reluStack: relu.score(X, y),
  };
  console.log("(b) Training accuracy on XOR. Guessing gets 0.5; the best any straight line can do is about");
  console.log("    2/3 (it cuts off one corner), and that is all the linear stack reaches too:\n");
  printTable(["model", "parameters", "accuracy"], [
    ["logistic regression (one linear layer)", parameters(logistic), accuracy.logistic],
    [`2→${HIDDEN}→${HIDDEN}→1, no hidden activation`, stackParameters, accuracy.linearStack],
    [`2→${HIDDEN}→${HIDDEN}→1, tanh hidden layers`, parameters(tanh), accuracy.tanhStack],
    [`2→${HIDDEN}→${HIDDEN}→1, relu hidden layers`, parameters(relu), accuracy.reluStack],
  ]);
  const times = Math.round(stackParameters / parameters(logistic));
  console.log(`\nThe linear stack has ${times}× the parameters of logistic regression but the same straight`);
  console.log("decision boundary; a nonlinearity between the layers is what lets depth bend it.");

  for (const m of [linear, logistic, tanh, relu]) m.dispose();
  return { collapseError, stackParameters, collapsedParameters, accuracy };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
