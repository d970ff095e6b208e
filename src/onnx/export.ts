// model.toONNX(): a trained model as an ONNX graph (ai.onnx opset 17) that computes what descent's
// predict and predictProba compute, written from the model's saved form (toJSON) so that it sees
// exactly what a saved file holds. See docs/onnx.md for the op mapping.
//
// How descent predicts, mirrored here (src/models/model.ts, layers.ts):
// - features: (x − mean)/scale in float64, rounded once to float32 → Cast to double, Sub, Div,
//   Cast to float, so the graph's standardised inputs are descent's to the bit;
// - each layer: Z = X·W + b (Gemm), then its activation (per layer, or per neuron);
// - regression: the output layer's activation, then y·scale + mean in float64 (Cast, Mul, Add, Cast),
//   and predict's shape: [N] for one output, [N, outputs] for more;
// - classification: the output layer's logits (its activation is not applied), then Sigmoid →
//   [1 − p, p] (binary) or Softmax (multinomial) as `probabilities`, and `prediction` the label of
//   the first largest probability (ArgMax keeps the first, as predict does) gathered from a
//   constant tensor of the labels: strings, or numbers as doubles (every JS number exactly).
import { ACTIVATIONS, type Activation } from "../registry.ts";
import { activationSpec, type ActivationSpec } from "../models/layers.ts";
import type { LayerJSON, ModelJSON } from "../models/model.ts";
import { OPSET, encodeModel, type AttrSpec, type NodeSpec, type TensorSpec, type TensorType } from "./onnx.ts";

const BY_NAME = new Map<string, Activation>((ACTIVATIONS as readonly Activation[]).map((a) => [a.name, a]));

/** The metadata key under which the exported file names what it was made from. */
export const META_MODEL = "descent.model";

/** Builds a graph node by node; names are unique and say what each value is. */
class Graph {
  readonly nodes: NodeSpec[] = [];
  readonly initializers: TensorSpec[] = [];
  readonly #used = new Set<string>(["X"]);

  name(hint: string): string {
    let n = hint;
    for (let i = 1; this.#used.has(n); i++) n = `${hint}_${i}`;
    this.#used.add(n);
    return n;
  }

  constant(hint: string, type: TensorType, dims: readonly number[], data: TensorSpec["data"]): string {
    const name = this.name(hint);
    this.initializers.push({ name, type, dims, data });
    return name;
  }

  /** A node with one output; `out` names the output when given (graph outputs). */
  op(op: string, inputs: readonly string[], attrs: readonly AttrSpec[] = [], out?: string): string {
    const output = out ?? this.name(`${inputs[0]}_${op.toLowerCase()}`);
    if (out !== undefined) this.#used.add(out);
    this.nodes.push({ op, name: this.name(`${op}_${this.nodes.length}`), inputs, outputs: [output], attrs });
    return output;
  }
}

/** One activation of the registry on the whole of `z` ([N, units]), as standard ONNX ops. */
function activation(g: Graph, spec: ActivationSpec, z: string, slope: string | undefined, layer: string): string {
  const a = BY_NAME.get(spec.name) as Activation;
  const p = spec.params;
  switch (a.name) {
    case "sigmoid": return g.op("Sigmoid", [z]);
    case "tanh": return g.op("Tanh", [z]);
    case "relu": return g.op("Relu", [z]);
    case "leakyRelu": return g.op("LeakyRelu", [z], [{ name: "alpha", float: p[0] }]);
    case "prelu": return g.op("PRelu", [z, slope as string]);
    case "elu": return g.op("Elu", [z], [{ name: "alpha", float: p[0] }]);
    case "softmax": return g.op("Softmax", [z], [{ name: "axis", int: -1 }]);
    case "logSoftmax": return g.op("LogSoftmax", [z], [{ name: "axis", int: -1 }]);
    case "softplus": {
      // descent: x where float32(βx) > threshold, else log(1 + e^(βx))/β. ONNX's Softplus has no β
      // and no threshold: Mul by β (float32, so the comparison sees descent's float32 βx), Softplus,
      // Div by β, and Where for the threshold branch.
      const [beta, threshold] = p;
      const b = beta === 1 ? undefined : g.constant(`${layer}_softplus_beta`, "float", [], [beta]);
      const bz = b === undefined ? z : g.op("Mul", [z, b]);
      const sp = g.op("Softplus", [bz]);
      const scaled = b === undefined ? sp : g.op("Div", [sp, b]);
      const t = g.constant(`${layer}_softplus_threshold`, "float", [], [threshold]);
      const above = g.op("Greater", [bz, t]);
      return g.op("Where", [above, z, scaled]);
    }
  }
  throw new TypeError(`descent: toONNX: activation ${JSON.stringify(spec.name)} has no ONNX mapping`);
}

function parseActivation(l: LayerJSON, i: number): ActivationSpec | undefined | (ActivationSpec | undefined)[] {
  const where = `layers[${i}].activation`;
  return Array.isArray(l.activation)
    ? l.activation.map((a, j) => activationSpec("toONNX", a, `${where}[${j}]`))
    : activationSpec("toONNX", l.activation, where);
}

/**
 * A layer's activation. Per neuron: each distinct activation (with its parameters) is computed on
 * the whole Z and its columns are picked with Where and a constant boolean mask [units], as
 * descent's own forward pass blends them (the columns of a group need not be adjacent, so masks
 * keep the graph one node per group where Slice/Concat would need a Gather to put columns back).
 */
function layerActivation(g: Graph, act: ReturnType<typeof parseActivation>, z: string, slope: string | undefined, layer: string, units: number): string {
  if (act === undefined) return z;
  if (!Array.isArray(act)) return activation(g, act, z, slope, layer);
  const key = (s: ActivationSpec | undefined): string => (s === undefined ? "linear" : `${s.name}(${s.params.join(",")})`);
  const groups = new Map<string, ActivationSpec>();
  for (const s of act) if (s !== undefined && !groups.has(key(s))) groups.set(key(s), s);
  let out = z;
  for (const [k, s] of groups) {
    const mask = g.constant(`${layer}_mask_${s.name}`, "bool", [units], act.map((x) => key(x) === k));
    out = g.op("Where", [mask, activation(g, s, z, slope, layer), out]);
  }
  return out;
}

/** Standardisation in float64, as descent does it: Cast to double, then op1 and op2 with double constants, Cast back. */
function affine64(g: Graph, x: string, ops: [string, string], a: readonly number[], b: readonly number[], hint: string, out?: string): string {
  const ca = g.constant(`${hint}_${ops[0] === "Sub" ? "mean" : "scale"}`, "double", [a.length], a);
  const cb = g.constant(`${hint}_${ops[0] === "Sub" ? "scale" : "mean"}`, "double", [b.length], b);
  const d = g.op("Cast", [x], [{ name: "to", int: 11 }]);
  const r = g.op(ops[1], [g.op(ops[0], [d, ca]), cb]);
  return g.op("Cast", [r], [{ name: "to", int: 1 }], out);
}

/** The ONNX model file of a saved descent model (see the header for what it computes). */
export function toONNX(json: ModelJSON, version = "", extra: Readonly<Record<string, string>> = {}): Uint8Array {
  const g = new Graph();
  const features = json.layers[0].inputs;
  let x = "X";
  if (json.features !== undefined) x = affine64(g, x, ["Sub", "Div"], json.features.mean, json.features.scale, "features");
  const classification = json.loss !== "mse";
  const last = json.layers.length - 1;
  json.layers.forEach((l, i) => {
    const name = `layer${i}`;
    const w = g.constant(`${name}_W`, "float", [l.inputs, l.units], Float32Array.from(l.w));
    const b = g.constant(`${name}_b`, "float", [l.units], Float32Array.from(l.b));
    const z = g.op("Gemm", [x, w, b], [], `${name}_Z`);
    if (i === last && classification) {
      x = z;
      return;
    }
    const slope = l.slope === undefined ? undefined : g.constant(`${name}_slope`, "float", [l.slope.length], Float32Array.from(l.slope));
    x = layerActivation(g, parseActivation(l, i), z, slope, name, l.units);
  });
  const outputs = json.layers[last].units;
  const value = (name: string, type: TensorType, shape: (number | string)[]) => ({ name, type, shape });
  if (!classification) {
    const flat = outputs === 1;
    if (json.target !== undefined) x = affine64(g, x, ["Mul", "Add"], json.target.scale, json.target.mean, "target", flat ? undefined : "prediction");
    if (flat) x = g.op("Squeeze", [x, g.constant("squeeze_axes", "int64", [1], [1])], [], "prediction");
    else if (x !== "prediction") x = g.op("Identity", [x], [], "prediction");
    return encodeModel({
      graphName: json.model, nodes: g.nodes, initializers: g.initializers, producerVersion: version,
      inputs: [value("X", "float", ["N", features])],
      outputs: [value("prediction", "float", flat ? ["N"] : ["N", outputs])],
      metadata: { [META_MODEL]: json.model, ...extra },
    });
  }
  const classes = json.classes ?? [];
  let proba: string;
  if (json.loss === "binaryCrossentropy") {
    const p = g.op("Sigmoid", [x]);
    const q = g.op("Sub", [g.constant("one", "float", [], [1]), p]);
    proba = g.op("Concat", [q, p], [{ name: "axis", int: 1 }], "probabilities");
  } else proba = g.op("Softmax", [x], [{ name: "axis", int: -1 }], "probabilities");
  const index = g.op("ArgMax", [proba], [{ name: "axis", int: 1 }, { name: "keepdims", int: 0 }]);
  const strings = classes.every((c) => typeof c === "string");
  const labels = strings
    ? g.constant("labels", "string", [classes.length], classes as string[])
    : g.constant("labels", "double", [classes.length], classes as number[]);
  g.op("Gather", [labels, index], [{ name: "axis", int: 0 }], "prediction");
  return encodeModel({
    graphName: json.model, nodes: g.nodes, initializers: g.initializers, producerVersion: version,
    inputs: [value("X", "float", ["N", features])],
    outputs: [value("prediction", strings ? "string" : "double", ["N"]), value("probabilities", "float", ["N", classes.length])],
    metadata: { [META_MODEL]: json.model, ...extra },
  });
}

export { OPSET };
