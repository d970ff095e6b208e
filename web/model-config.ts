// What the playground's form describes, turned into a descent model. No DOM here: the form
// (playground.ts) reads its fields into a ModelSettings and shows the messages thrown back.
import {
  ACTIVATIONS, LogisticRegression, Sequential, dense, type ActivationName, type DenseConfig, type LayerActivationInput, type Model,
  type NeuronActivationInput, type Runtime,
} from "../src/index.ts";

export type Optimizer = "adam" | "momentum" | "sgd";

export interface LayerSettings {
  units: number;
  /** One activation name for the layer, or names separated by commas, one per neuron. */
  activation: string;
  /** PReLU's learnable slope: one for the layer or one per neuron. */
  slopes: "layer" | "neuron";
}

export interface ModelSettings {
  kind: "logistic" | "sequential";
  hidden: LayerSettings[];
  /** The output layer of a Sequential: softmax over the classes, or one sigmoid unit (two classes). */
  output: "softmax" | "sigmoid";
  optimizer: Optimizer;
  lr: number;
  epochs: number;
  batchSize: number;
  seed: number;
}

/** The activations a hidden layer can use ("linear" is none); softmax only as a whole layer. */
export const ACTIVATION_NAMES: readonly (ActivationName | "linear")[] = ["linear", ...ACTIVATIONS.map((a) => a.name)];
const BY_LOWER = new Map(ACTIVATION_NAMES.map((n) => [n.toLowerCase(), n]));

/** "relu" → "relu"; "ReLU, tanh" → ["relu", "tanh"]; unknown names throw with the list. */
export function parseActivations(text: string, units: number, where: string): LayerActivationInput {
  const names = text.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (names.length === 0) return "linear";
  const resolved = names.map((n) => {
    const name = BY_LOWER.get(n.toLowerCase().replace(/[\s_-]/g, "")) ?? BY_LOWER.get(n.toLowerCase());
    if (name === undefined) throw new Error(`${where}: unknown activation "${n}" (known: ${ACTIVATION_NAMES.join(", ")})`);
    return name;
  });
  if (resolved.length === 1) return resolved[0];
  if (resolved.length !== units) {
    throw new Error(`${where}: ${resolved.length} activations for ${units} units: give one for the whole layer, or exactly one per neuron`);
  }
  // dense() refuses softmax per neuron, with a message the form shows.
  return resolved as NeuronActivationInput[];
}

/** The dense layers of a Sequential for `classes` classes. */
export function layersFor(settings: ModelSettings, classes: number): DenseConfig[] {
  const layers = settings.hidden.map((l, i) => {
    const where = `Hidden layer ${i + 1}`;
    if (!Number.isInteger(l.units) || l.units < 1 || l.units > 1024) throw new Error(`${where}: units must be a whole number from 1 to 1024`);
    const activation = parseActivations(l.activation, l.units, where);
    try {
      return dense({ units: l.units, activation, slopes: l.slopes });
    } catch (err) {
      throw new Error(`${where}: ${(err as Error).message.replace(/^descent: dense: /, "")}`);
    }
  });
  if (settings.output === "sigmoid") {
    if (classes !== 2) throw new Error(`A sigmoid output separates two classes; the points have ${classes}: choose softmax`);
    layers.push(dense({ units: 1, activation: "sigmoid" }));
  } else {
    layers.push(dense({ units: classes, activation: "softmax" }));
  }
  return layers;
}

/** A new, untrained model for the settings, on `runtime`. */
export function buildModel(settings: ModelSettings, classes: number, runtime: Runtime): Model {
  const { optimizer, lr, seed } = settings;
  if (!(lr > 0 && lr <= 10)) throw new Error("The learning rate must be above 0 (and at most 10)");
  if (!Number.isInteger(settings.epochs) || settings.epochs < 1) throw new Error("Epochs must be a whole number of at least 1");
  if (!Number.isInteger(settings.batchSize) || settings.batchSize < 1) throw new Error("The batch size must be a whole number of at least 1");
  if (settings.kind === "logistic") {
    // Gradient descent (not L-BFGS), so that the regions move epoch by epoch like the network's.
    return new LogisticRegression({ solver: "gd", optimizer, lr, seed, runtime });
  }
  const loss = settings.output === "sigmoid" ? "binaryCrossentropy" : "categoricalCrossentropy";
  return new Sequential(layersFor(settings, classes), { loss, optimizer, lr, seed, runtime });
}

/** A one-line description of the network for the status line, e.g. "2 → 8 tanh → 3 softmax". */
export function describeSettings(settings: ModelSettings, classes: number): string {
  if (settings.kind === "logistic") return `logistic regression (${classes === 2 ? "sigmoid" : "softmax"})`;
  const hidden = settings.hidden.map((l) => `${l.units} ${l.activation.replace(/\s+/g, "") || "linear"}`);
  const out = settings.output === "sigmoid" ? "1 sigmoid" : `${classes} softmax`;
  return ["2", ...hidden, out].join(" → ");
}

/** Weights and biases of the model the settings describe, for two input features. */
export function parameterCount(settings: ModelSettings, classes: number): number {
  const out = settings.kind === "sequential" && settings.output === "sigmoid" ? 1 : classes === 2 && settings.kind === "logistic" ? 1 : classes;
  const sizes = [2, ...(settings.kind === "sequential" ? settings.hidden.map((l) => l.units) : []), out];
  let n = 0;
  for (let i = 1; i < sizes.length; i++) n += (sizes[i - 1] + 1) * sizes[i];
  return n;
}
