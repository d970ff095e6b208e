// loadONNX(): a dense network in an ONNX file (descent's own export, PyTorch's, Keras's through
// tf2onnx) as a Sequential that predicts the same and trains further with fit.
//
// The file is untrusted. proto.ts checks every length against the bytes that remain; onnx.ts
// caps counts, dims and elements before allocating; here the graph is read backwards from its one
// output through the patterns a dense network makes (listed in docs/onnx.md), every operator
// outside them is refused by name, and the result is handed to loadModel as a saved model, which
// checks shapes and finiteness once more before the first byte of runtime memory is allocated.
//
// Standardisation at the input (Sub/Div, Mul/Add, optionally in float64 between Casts as
// descent's export writes it) becomes the Sequential's own feature standardisation when every
// scale is positive (so a later fit keeps it), and is folded into the first layer's weights when
// not. A Mul/Add after a regression's output becomes its target de-standardisation.
import type { Runtime } from "../runtime.ts";
import { ACTIVATIONS, type Activation } from "../registry.ts";
import { checkKeys, describe, type Label } from "../models/common.ts";
import { specToJSON, type ActivationSpec } from "../models/layers.ts";
import { checksum, loadModel, type LayerJSON, type ModelJSON } from "../models/model.ts";
import type { Sequential } from "../models/sequential.ts";
import {
  DataType, LIMITS, decodeModel, elementCount, tensorBools, tensorNumbers, tensorStrings, type Attr, type Model as OnnxModel,
  type Node, type Tensor,
} from "./onnx.ts";
import { ProtoError } from "./proto.ts";

const FN = "loadONNX";

/** The operators a dense network is made of; any other is refused by name before the graph is read. */
const SUPPORTED = new Set([
  "MatMul", "Gemm", "Add", "Sub", "Mul", "Div", "Cast", "Identity", "Constant",
  "Relu", "Sigmoid", "Tanh", "LeakyRelu", "PRelu", "Elu", "Softplus", "Softmax", "LogSoftmax",
  "Where", "Greater", "Concat", "ArgMax", "Gather", "Squeeze", "Flatten", "Reshape",
]);

/** Per-neuron activation groups (nested Where nodes) in one layer, at most. */
const MAX_GROUPS = 256;

const ROWWISE = new Set((ACTIVATIONS as readonly Activation[]).filter((a) => a.kind === "rowwise").map((a) => a.name));

class ImportError extends Error {}

const fail = (why: string): never => {
  throw new ImportError(why);
};

/** A constant's numbers and dims. */
interface Const {
  readonly dims: readonly number[];
  readonly values: Float64Array;
}

/** What a layer's activation is, before its width is known: one for all columns, or a Where of two. */
type Act =
  | { readonly kind: "one"; readonly spec: ActivationSpec | undefined; readonly slope?: Const }
  | { readonly kind: "where"; readonly mask: readonly boolean[]; readonly a: Act; readonly b: Act };

interface Dense {
  readonly input: string;
  readonly inputs: number;
  readonly units: number;
  /** Row-major [inputs, units]. */
  readonly w: Float64Array;
  readonly b: Float64Array;
}

const spec = (name: ActivationSpec["name"], params: number[] = []): ActivationSpec => ({ name, params: params.map(Math.fround) });

class Reader {
  readonly #producer = new Map<string, Node>();
  readonly #tensors = new Map<string, Tensor>();
  readonly #constNodes = new Map<string, Node>();
  readonly #input: string;
  readonly features: number | undefined;

  constructor(readonly model: OnnxModel) {
    const g = model.graph;
    const opset = model.opsets.find((o) => o.domain === "" || o.domain === "ai.onnx");
    if (opset === undefined) fail("the file imports no ai.onnx operator set");
    let elements = 0;
    for (const t of g.initializers) {
      elements += elementCount(t, `initializer "${t.name}"`);
      if (elements > LIMITS.elements) fail(`the initializers hold more than ${LIMITS.elements} elements in all`);
      this.#tensors.set(t.name, t);
    }
    // ONNX requires nodes in topological order; holding files to it rules out cycles, so that
    // every walk back through the graph ends (a cycle of Identity nodes would otherwise hang it).
    const made = new Set<string>([...g.inputs.map((v) => v.name), ...this.#tensors.keys(), ""]);
    for (const n of g.nodes) {
      if ((n.domain !== "" && n.domain !== "ai.onnx") || !SUPPORTED.has(n.op)) {
        fail(`unsupported operator "${n.domain !== "" && n.domain !== "ai.onnx" ? `${n.domain}.` : ""}${n.op}" (node "${n.name}"): descent imports dense networks (MatMul/Gemm, Add, activations, input scaling)`);
      }
      if (n.attrs.some((a) => a.hasGraph)) fail(`node "${n.name}" (${n.op}) has a subgraph attribute, which no dense layer has`);
      const early = n.inputs.find((i) => !made.has(i));
      if (early !== undefined) fail(`node "${n.name}" (${n.op}) reads "${early}" before any node makes it (the nodes are not in topological order, or form a cycle)`);
      for (const o of n.outputs) made.add(o);
      for (const o of n.outputs) {
        if (this.#producer.has(o) || this.#tensors.has(o)) fail(`value "${o}" is produced twice (node "${n.name}")`);
        this.#producer.set(o, n);
      }
      if (n.op === "Constant") {
        const t = n.attrs.find((a) => a.name === "value")?.t;
        if (t !== undefined) {
          elements += elementCount(t, `constant "${n.name}"`);
          if (elements > LIMITS.elements) fail(`the constants hold more than ${LIMITS.elements} elements in all`);
        }
        for (const o of n.outputs) this.#constNodes.set(o, n);
      }
    }
    const data = g.inputs.filter((v) => !this.#tensors.has(v.name));
    if (data.length !== 1) fail(`expected one graph input (the features), found ${data.length}${data.length > 1 ? `: ${data.map((d) => JSON.stringify(d.name)).join(", ")}` : ""}`);
    const x = data[0];
    if (x.elemType !== undefined && x.elemType !== DataType.FLOAT) fail(`input "${x.name}" must be float32 (elem_type 1), found elem_type ${x.elemType}`);
    if (x.shape !== undefined && x.shape.length !== 2) fail(`input "${x.name}" must be a matrix [rows, features], found ${x.shape.length} dimensions`);
    const f = x.shape?.[1];
    if (typeof f === "number" && f < 1) fail(`input "${x.name}" has ${f} features`);
    this.features = typeof f === "number" ? f : undefined;
    this.#input = x.name;
  }

  get input(): string {
    return this.#input;
  }

  /** The node producing `v`, looking through Identity (which every exporter may insert). */
  producer(v: string): Node | undefined {
    let n = this.#producer.get(v);
    while (n?.op === "Identity") n = this.#producer.get(n.inputs[0]);
    return n;
  }

  /** `v` with Identity nodes looked through. */
  resolve(v: string): string {
    let name = v;
    for (let n = this.#producer.get(name); n?.op === "Identity"; n = this.#producer.get(name)) name = n.inputs[0];
    return name;
  }

  isConst(v: string): boolean {
    const r = this.resolve(v);
    return this.#tensors.has(r) || this.#constNodes.has(r);
  }

  #tensor(v: string, where: string): Tensor | Const {
    const r = this.resolve(v);
    const t = this.#tensors.get(r);
    if (t !== undefined) return t;
    const n = this.#constNodes.get(r);
    if (n === undefined) return fail(`${where}: "${v}" must be a constant (an initializer)`);
    const a = n.attrs.find((x) => x.name.startsWith("value"));
    if (a?.name === "value" && a.t !== undefined) return a.t;
    if (a?.name === "value_float" && a.f !== undefined) return { dims: [], values: Float64Array.of(a.f) };
    if (a?.name === "value_floats") return { dims: [a.floats.length], values: Float64Array.from(a.floats) };
    if (a?.name === "value_int" && a.i !== undefined) return { dims: [], values: Float64Array.of(a.i) };
    if (a?.name === "value_ints") return { dims: [a.ints.length], values: Float64Array.from(a.ints) };
    return fail(`node "${n.name}" (Constant): its value is not a number tensor`);
  }

  numbers(v: string, where: string): Const {
    const t = this.#tensor(v, where);
    if ("values" in t) return t;
    return { dims: t.dims, values: tensorNumbers(t, `${where}: constant "${v}"`) };
  }

  bools(v: string, where: string): boolean[] {
    const t = this.#tensor(v, where);
    if ("values" in t) return fail(`${where}: "${v}" must be a bool tensor`);
    return tensorBools(t, `${where}: constant "${v}"`);
  }

  labels(v: string, where: string): Label[] {
    const t = this.#tensor(v, where);
    if (!("values" in t) && t.dataType === DataType.STRING) return tensorStrings(t, `${where}: constant "${v}"`);
    return [...this.numbers(v, where).values];
  }
}

const at = (n: Node): string => `node "${n.name}" (${n.op})`;

function attr(n: Node, name: string): Attr | undefined {
  return n.attrs.find((a) => a.name === name);
}

function intAttr(n: Node, name: string, dflt: number): number {
  const a = attr(n, name);
  return a === undefined ? dflt : a.i ?? fail(`${at(n)}: attribute ${name} must be an integer`);
}

function floatAttr(n: Node, name: string, dflt: number): number {
  const a = attr(n, name);
  return a === undefined ? dflt : a.f ?? fail(`${at(n)}: attribute ${name} must be a float`);
}

/** A scalar constant (dims [] or [1]). */
function scalar(r: Reader, v: string, where: string): number {
  const c = r.numbers(v, where);
  if (c.values.length !== 1) fail(`${where}: expected a single number, found ${c.values.length}`);
  return c.values[0];
}

/** A constant broadcast along the last axis to `width` values: [], [1], [width] or [1, width]. */
function row(c: Const, width: number, where: string): Float64Array {
  const lead = c.dims.slice(0, -1);
  if (lead.some((d) => d !== 1) || c.dims.length > 2) fail(`${where}: expected a vector of ${width}, found dims ${JSON.stringify(c.dims)}`);
  if (c.values.length === width) return c.values;
  if (c.values.length === 1) return new Float64Array(width).fill(c.values[0]);
  return fail(`${where}: expected ${width} values (or one), found ${c.values.length}`);
}

/** The data operand and the constant of a binary node (either order when `commutes`). */
function split(r: Reader, n: Node, commutes: boolean): [string, string] {
  if (n.inputs.length !== 2) fail(`${at(n)}: expected two inputs`);
  const [a, b] = n.inputs;
  if (r.isConst(b) && !r.isConst(a)) return [a, b];
  if (commutes && r.isConst(a) && !r.isConst(b)) return [b, a];
  return fail(`${at(n)}: expected the data and a constant${commutes ? "" : " (in that order)"}`);
}

/** Z = X·W + b: Gemm, MatMul + Add, or MatMul alone. */
function dense(r: Reader, z: string): Dense {
  const n = r.producer(z) ?? fail(`value "${z}" should be a dense layer's output (Gemm or MatMul) but is the graph input`);
  let matmul: Node = n;
  let bias: { c: Const; scale: number } | undefined;
  if (n.op === "Add") {
    const [d, c] = split(r, n, true);
    matmul = r.producer(d) ?? fail(`${at(n)}: adds a bias to the graph input, not to a MatMul`);
    if (matmul.op !== "MatMul") fail(`${at(n)}: expected a bias added to a MatMul, found it added to ${at(matmul)}`);
    bias = { c: r.numbers(c, at(n)), scale: 1 };
  } else if (n.op !== "Gemm" && n.op !== "MatMul") {
    fail(`${at(n)}: expected a dense layer (Gemm, or MatMul then Add) here`);
  }
  const [input, wName] = matmul.op === "Gemm" ? [matmul.inputs[0], matmul.inputs[1]] : split(r, matmul, false);
  if (r.isConst(input) || !r.isConst(wName ?? "")) fail(`${at(matmul)}: expected the data times a constant weight matrix`);
  const wc = r.numbers(wName, at(matmul));
  if (wc.dims.length !== 2) fail(`${at(matmul)}: the weights must be a matrix, found dims ${JSON.stringify(wc.dims)}`);
  let alpha = 1;
  let transB = 0;
  if (matmul.op === "Gemm") {
    if (intAttr(matmul, "transA", 0) !== 0) fail(`${at(matmul)}: transA=1 is not a dense layer over rows`);
    transB = intAttr(matmul, "transB", 0);
    alpha = floatAttr(matmul, "alpha", 1);
    const beta = floatAttr(matmul, "beta", 1);
    if (matmul.inputs.length > 3) fail(`${at(matmul)}: expected at most three inputs`);
    if (matmul.inputs.length === 3 && matmul.inputs[2] !== "") bias = { c: r.numbers(matmul.inputs[2], at(matmul)), scale: beta };
  }
  const [rows, cols] = wc.dims;
  const inputs = transB ? cols : rows;
  const units = transB ? rows : cols;
  if (inputs < 1 || units < 1) fail(`${at(matmul)}: the weights have dims ${JSON.stringify(wc.dims)}`);
  const w = new Float64Array(inputs * units);
  for (let i = 0; i < inputs; i++) {
    for (let j = 0; j < units; j++) w[i * units + j] = alpha * (transB ? wc.values[j * inputs + i] : wc.values[i * units + j]);
  }
  const b = bias === undefined ? new Float64Array(units) : row(bias.c, units, `${at(n)} bias`).map((v) => v * (bias as { scale: number }).scale);
  return { input, inputs, units, w, b };
}

/** softplus(βz)/β as PyTorch writes it: [Mul(z, β)] → Softplus → [Div(·, β)]; returns z and βz. */
function softplusOf(r: Reader, v: string): { z: string; bz: string; beta: number } | undefined {
  let n = r.producer(v);
  let beta: number | undefined;
  if (n?.op === "Div") {
    const [d, c] = split(r, n, false);
    beta = scalar(r, c, at(n));
    n = r.producer(d);
  }
  if (n?.op !== "Softplus") return undefined;
  const bz = n.inputs[0];
  const m = r.producer(bz);
  if (m?.op === "Mul") {
    const [z, c] = split(r, m, true);
    const b = scalar(r, c, at(m));
    if (beta !== undefined && b !== beta) fail(`${at(m)}: softplus scaled by ${b} but divided by ${beta}`);
    if (!(b > 0)) fail(`${at(m)}: softplus's beta must be > 0, found ${b}`);
    return { z, bz, beta: b };
  }
  if (beta !== undefined && beta !== 1) fail(`${at(n)}: divided by ${beta} without the matching multiplication`);
  return { z: bz, bz, beta: 1 };
}

/**
 * The activation that makes `v` from a layer output z: returns the activation and z's name.
 * A plain Softplus (no threshold in ONNX) gets descent's default threshold 20: for βx > 20 the
 * two differ by less than e^−20 relative, below float32's resolution.
 */
function activation(r: Reader, v: string, depth = 0): { act: Act; z: string } {
  // Each level is one Where of a per-neuron layer: a layer has at most one group per distinct activation.
  if (depth > MAX_GROUPS) fail(`more than ${MAX_GROUPS} nested Where nodes in one layer`);
  const n = r.producer(v);
  if (n === undefined || n.op === "Gemm" || n.op === "MatMul" || n.op === "Add") return { act: { kind: "one", spec: undefined }, z: v };
  const one = (s: ActivationSpec, slope?: Const): { act: Act; z: string } => ({ act: { kind: "one", spec: s, ...(slope ? { slope } : {}) }, z: n.inputs[0] });
  switch (n.op) {
    case "Relu": return one(spec("relu"));
    case "Sigmoid": return one(spec("sigmoid"));
    case "Tanh": return one(spec("tanh"));
    case "LeakyRelu": return one(spec("leakyRelu", [floatAttr(n, "alpha", 0.01)]));
    case "Elu": return one(spec("elu", [floatAttr(n, "alpha", 1)]));
    case "Softmax": case "LogSoftmax": {
      const axis = intAttr(n, "axis", -1);
      if (axis !== -1 && axis !== 1) fail(`${at(n)}: axis ${axis}: descent's ${n.op === "Softmax" ? "softmax" : "logSoftmax"} works on each row (axis 1)`);
      return one(spec(n.op === "Softmax" ? "softmax" : "logSoftmax"));
    }
    case "PRelu": {
      const [, s] = split(r, n, false);
      return one(spec("prelu"), r.numbers(s, at(n)));
    }
    case "Softplus": case "Div": {
      const sp = softplusOf(r, v) ?? fail(`${at(n)}: expected softplus(βx)/β here`);
      return { act: { kind: "one", spec: spec("softplus", [sp.beta, 20]) }, z: sp.z };
    }
    case "Where": {
      if (n.inputs.length !== 3) fail(`${at(n)}: expected three inputs`);
      const [cond, a, b] = n.inputs;
      const c = r.producer(cond);
      if (c?.op === "Greater") {
        // softplus's threshold branch: Where(βz > t, z, softplus(βz)/β).
        const sp = softplusOf(r, b) ?? fail(`${at(n)}: a Where on a comparison must be softplus's threshold branch`);
        const [bz, t] = split(r, c, false);
        if (r.resolve(bz) !== r.resolve(sp.bz) || r.resolve(a) !== r.resolve(sp.z)) fail(`${at(n)}: does not match softplus's threshold branch`);
        return { act: { kind: "one", spec: spec("softplus", [sp.beta, scalar(r, t, at(c))]) }, z: sp.z };
      }
      // A per-neuron activation: Where(mask, f(z), g(z)) with a constant boolean mask over the columns.
      const mask = r.bools(cond, at(n));
      const left = activation(r, a, depth + 1);
      const right = activation(r, b, depth + 1);
      if (r.resolve(left.z) !== r.resolve(right.z)) fail(`${at(n)}: its two branches start from different values`);
      return { act: { kind: "where", mask, a: left.act, b: right.act }, z: left.z };
    }
  }
  return fail(`${at(n)}: not an activation descent has, here`);
}

/** Per-column activations of a layer of `units`, and its PReLU slopes. */
function resolveAct(act: Act, units: number, where: string): { specs: (ActivationSpec | undefined)[]; slope: Const | undefined } {
  if (act.kind === "one") return { specs: new Array(units).fill(act.spec), slope: act.slope };
  if (act.mask.length !== units && act.mask.length !== 1) fail(`${where}: a mask of ${act.mask.length} columns on a layer of ${units}`);
  const a = resolveAct(act.a, units, where);
  const b = resolveAct(act.b, units, where);
  if (a.slope !== undefined && b.slope !== undefined && (a.slope.values.length !== b.slope.values.length || a.slope.values.some((v, i) => v !== b.slope?.values[i]))) {
    fail(`${where}: two different PReLU slope tensors in one layer (descent keeps one per layer)`);
  }
  return { specs: a.specs.map((s, j) => ((act.mask.length === 1 ? act.mask[0] : act.mask[j]) ? s : b.specs[j])), slope: a.slope ?? b.slope };
}

/** x·k + c at the input (from the scaling nodes), or undefined when the data enters the first layer unscaled. */
function inputScaling(r: Reader, v: string, width: number): { mean: Float64Array; scale: Float64Array } | { k: Float64Array; c: Float64Array } | undefined {
  let cur = r.resolve(v);
  const castTo = (n: Node | undefined): boolean => n?.op === "Cast";
  let n = r.producer(cur);
  if (castTo(n)) {
    // descent's export: Cast(double) → Sub → Div → Cast(float); the casts only change the precision.
    const to = intAttr(n as Node, "to", 0);
    if (to !== DataType.FLOAT) fail(`${at(n as Node)}: a cast to type ${to} before the first layer`);
    cur = r.resolve((n as Node).inputs[0]);
    n = r.producer(cur);
  }
  if (n === undefined) return undefined;
  const steps: { op: string; c: Float64Array }[] = [];
  while (n !== undefined && n.op !== "Cast") {
    if (!["Sub", "Div", "Mul", "Add"].includes(n.op)) fail(`${at(n)}: expected input scaling (Sub, Div, Mul, Add) or a dense layer here`);
    const [d, c] = split(r, n, n.op === "Mul" || n.op === "Add");
    steps.unshift({ op: n.op, c: row(r.numbers(c, at(n)), width, `${at(n)} constant`) });
    if (steps.length > 4) fail(`${at(n)}: more scaling steps at the input than a standardisation has`);
    cur = r.resolve(d);
    n = r.producer(cur);
  }
  if (n !== undefined) {
    const to = intAttr(n, "to", 0);
    if (to !== DataType.DOUBLE && to !== DataType.FLOAT) fail(`${at(n)}: a cast to type ${to} at the input`);
    cur = r.resolve(n.inputs[0]);
    const before = r.producer(cur);
    if (before !== undefined) fail(`${at(before)}: expected the graph input before the scaling`);
  }
  if (cur !== r.input) fail(`the first layer's input "${cur}" is not the graph input "${r.input}"`);
  const ops = steps.map((s) => s.op).join(",");
  if (ops === "Sub,Div" && steps[1].c.every((s) => s > 0)) return { mean: steps[0].c, scale: steps[1].c };
  // Otherwise as x·k + c, composed step by step.
  const k = new Float64Array(width).fill(1);
  const c = new Float64Array(width);
  for (const s of steps) {
    for (let j = 0; j < width; j++) {
      if (s.op === "Sub") c[j] -= s.c[j];
      else if (s.op === "Add") c[j] += s.c[j];
      else if (s.op === "Mul") { k[j] *= s.c[j]; c[j] *= s.c[j]; }
      else { k[j] /= s.c[j]; c[j] /= s.c[j]; }
    }
  }
  if (k.every((x) => x > 0 && Number.isFinite(1 / x))) return { mean: c.map((cj, j) => -cj / k[j]), scale: k.map((x) => 1 / x) };
  return { k, c };
}

/** The Mul/Add (optionally in float64 between Casts) after a regression's output: y·scale + mean. */
function targetScaling(r: Reader, v: string): { value: string; target: { mean: Const; scale: Const } | undefined } {
  let cur = r.resolve(v);
  let n = r.producer(cur);
  const cast = n?.op === "Cast";
  if (cast) {
    cur = r.resolve((n as Node).inputs[0]);
    n = r.producer(cur);
  }
  if (n?.op !== "Add") {
    if (cast) fail(`${at(r.producer(r.resolve(v)) as Node)}: a cast at the output that is not part of a target scaling`);
    return { value: cur, target: undefined };
  }
  const [d, mean] = split(r, n, true);
  const m = r.producer(d);
  if (m?.op !== "Mul") return { value: cur, target: undefined };
  const [d2, scale] = split(r, m, true);
  let inner = r.resolve(d2);
  const c2 = r.producer(inner);
  if (cast) {
    if (c2?.op !== "Cast") fail(`${at(m)}: expected the Cast to double that matches the one after it`);
    inner = r.resolve((c2 as Node).inputs[0]);
  }
  return { value: inner, target: { mean: r.numbers(mean, at(n)), scale: r.numbers(scale, at(m)) } };
}

/**
 * Whether `v` is a layer's output (a dense product or an activation) rather than the graph input
 * or its scaling (Sub, Div, Mul, an Add that is no bias, Cast). Softplus's Div(softplus, β) is an activation.
 */
function layerOutput(r: Reader, v: string): boolean {
  const p = r.producer(v);
  if (p === undefined || p.op === "Sub" || p.op === "Mul" || p.op === "Cast") return false;
  const data = (n: Node): Node | undefined => r.producer(n.inputs.find((i) => !r.isConst(i)) ?? "");
  if (p.op === "Div") return data(p)?.op === "Softplus";
  if (p.op === "Add") return data(p)?.op === "MatMul";
  return true;
}

/** The graph's outputs: the value output and, when there is one, the labels (Gather of constants by ArgMax). */
function outputs(r: Reader): { value: string; labels: Label[] | undefined; argmaxOf: string | undefined } {
  const g = r.model.graph;
  let labels: Label[] | undefined;
  let argmaxOf: string | undefined;
  const values: string[] = [];
  for (const o of g.outputs) {
    const n = r.producer(o.name);
    const idx = n?.op === "Gather" ? r.producer(n.inputs[1] ?? "") : undefined;
    if (n !== undefined && idx?.op === "ArgMax" && r.isConst(n.inputs[0])) {
      if (labels !== undefined) fail(`two label outputs ("${o.name}" and another)`);
      if (intAttr(n, "axis", 0) !== 0) fail(`${at(n)}: the labels must be gathered along axis 0`);
      const axis = intAttr(idx, "axis", 0);
      if (axis !== 1 && axis !== -1) fail(`${at(idx)}: ArgMax must run along each row (axis 1)`);
      if (intAttr(idx, "select_last_index", 0) !== 0) fail(`${at(idx)}: select_last_index=1 is not descent's predict (the first largest)`);
      labels = r.labels(n.inputs[0], at(n));
      argmaxOf = r.resolve(idx.inputs[0]);
    } else values.push(o.name);
  }
  if (values.length !== 1) fail(`expected one output of values (and optionally one of labels), found ${values.length}: ${values.map((v) => JSON.stringify(v)).join(", ")}`);
  return { value: values[0], labels, argmaxOf };
}

function build(r: Reader): ModelJSON {
  const out = outputs(r);
  let v = r.resolve(out.value);
  // Shape-only steps at the end: predict gives rows × outputs flat, so [N] and [N, 1] are the same.
  for (let n = r.producer(v); n !== undefined && ["Squeeze", "Flatten", "Reshape"].includes(n.op); n = r.producer(v)) v = r.resolve(n.inputs[0]);
  let loss: ModelJSON["loss"] = "mse";
  let target: { mean: Const; scale: Const } | undefined;
  const first = r.producer(v);
  if (first?.op === "Concat") {
    // binary probabilities: Concat(1 − σ(z), σ(z)) along the rows.
    const [q, p] = first.inputs;
    const s = r.producer(p);
    const sub = r.producer(q);
    if (first.inputs.length !== 2 || s?.op !== "Sigmoid" || sub?.op !== "Sub" || r.resolve(sub.inputs[1]) !== r.resolve(p) || scalar(r, sub.inputs[0], at(sub)) !== 1) {
      fail(`${at(first)}: the only Concat descent reads is binary probabilities [1 − σ(z), σ(z)]`);
    }
    loss = "binaryCrossentropy";
    v = r.resolve(p);
  } else if (out.labels !== undefined) {
    if (first?.op !== "Softmax") fail(`a label output needs probabilities from a Softmax (or [1 − σ, σ]), found ${first ? at(first) : "the input"}`);
    loss = "categoricalCrossentropy";
  } else {
    const t = targetScaling(r, v);
    v = t.value;
    target = t.target;
  }
  const probabilities = r.resolve(out.value);
  // The layers, from the last back to the input, until the value is the input or its scaling.
  const layers: { d: Dense; specs: (ActivationSpec | undefined)[]; slope: Const | undefined }[] = [];
  let lastZ: string | undefined;
  do {
    if (layers.length >= 1000) fail("more than 1000 layers");
    const { act, z } = activation(r, v);
    lastZ ??= r.resolve(z);
    const d = dense(r, r.resolve(z));
    const resolved = resolveAct(act, d.units, `the layer of "${z}"`);
    layers.unshift({ d, ...resolved });
    v = r.resolve(d.input);
  } while (layerOutput(r, v));
  const width = layers[0].d.inputs;
  if (r.features !== undefined && r.features !== width) fail(`input "${r.input}" has ${r.features} features but the first layer takes ${width}`);
  const scaling = inputScaling(r, v, width);
  let features: ModelJSON["features"];
  if (scaling !== undefined && "k" in scaling) {
    // Folded: (x·k + c)·W + b = x·(diag(k)·W) + (c·W + b).
    const { d } = layers[0];
    const b = Float64Array.from(d.b);
    for (let i = 0; i < d.inputs; i++) {
      for (let j = 0; j < d.units; j++) {
        b[j] += scaling.c[i] * d.w[i * d.units + j];
        d.w[i * d.units + j] *= scaling.k[i];
      }
    }
    layers[0] = { ...layers[0], d: { ...d, b } };
  } else if (scaling !== undefined) features = { mean: [...scaling.mean], scale: [...scaling.scale] };
  for (let i = 1; i < layers.length; i++) {
    if (layers[i].d.inputs !== layers[i - 1].d.units) fail(`layer ${i} takes ${layers[i].d.inputs} inputs but layer ${i - 1} has ${layers[i - 1].d.units} units`);
  }
  const last = layers[layers.length - 1];
  const lastUnits = last.d.units;
  let classes: Label[] | undefined;
  if (loss !== "mse") {
    const k = loss === "binaryCrossentropy" ? 2 : lastUnits;
    if (loss === "binaryCrossentropy" && lastUnits !== 1) fail(`binary probabilities from ${lastUnits} logits (expected 1)`);
    if (out.argmaxOf !== undefined && out.argmaxOf !== probabilities && out.argmaxOf !== lastZ) {
      fail("the labels' ArgMax reads another value than the probabilities");
    }
    classes = out.labels ?? Array.from({ length: k }, (_, i) => i);
    if (classes.length !== k) fail(`${classes.length} labels for ${k} classes`);
    if (ROWWISE.has(last.specs[0]?.name ?? "") && loss === "binaryCrossentropy") fail("a row-wise activation before the binary probabilities");
    // The probabilities are computed from the logits by predictProba; the layer's own activation is that.
    last.specs.fill(spec(loss === "binaryCrossentropy" ? "sigmoid" : "softmax"));
  }
  const layerJSON: LayerJSON[] = layers.map(({ d, specs, slope }, i) => {
    const same = specs.every((s) => s === specs[0] || (s !== undefined && specs[0] !== undefined && s.name === specs[0].name && s.params.every((p, k) => p === specs[0]?.params[k])));
    const rowwise = specs.some((s) => s !== undefined && ROWWISE.has(s.name));
    if (rowwise && !same) fail(`layer ${i}: a row-wise activation (softmax) on some columns only`);
    const usesPrelu = specs.some((s) => s?.name === "prelu");
    let slopes: number[] | undefined;
    if (usesPrelu) {
      const s = slope ?? fail(`layer ${i}: PReLU without slopes`);
      slopes = [...row(s, s.values.length === 1 ? 1 : d.units, `layer ${i} PReLU slope`)];
    }
    return {
      units: d.units, inputs: d.inputs,
      activation: same ? specToJSON(specs[0]) : specs.map(specToJSON),
      init: "glorot", slopes: slopes !== undefined && slopes.length > 1 ? "neuron" : "layer", slopeInit: 0.25,
      w: [...d.w], b: [...d.b], ...(slopes !== undefined ? { slope: slopes } : {}),
    };
  });
  const body: Omit<ModelJSON, "checksum"> = {
    format: "descent-model", version: 1, model: "Sequential", options: { loss }, loss,
    ...(features !== undefined ? { features } : {}),
    ...(target !== undefined ? { target: { mean: [...row(target.mean, lastUnits, "target mean")], scale: [...row(target.scale, lastUnits, "target scale")] } } : {}),
    ...(classes !== undefined ? { classes } : {}),
    layers: layerJSON,
  };
  return { ...body, checksum: checksum(body) };
}

export interface LoadONNXOptions {
  /** The runtime the network lives in (default: the default runtime). */
  runtime?: Runtime;
}

/**
 * A dense network read from an ONNX file (its bytes) as a Sequential: MatMul/Gemm layers, bias
 * Adds, the activations descent has, input scaling (standardisation) and, for descent's own
 * classifiers, the label head. Anything else is refused with a `descent: loadONNX:` error naming
 * the operator and node; a malformed or tampered file is refused before anything is allocated.
 */
export function loadONNX(bytes: Uint8Array, options?: LoadONNXOptions): Sequential {
  const o = checkKeys(FN, options, ["runtime"]);
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`descent: ${FN}: bytes must be a Uint8Array (the file's contents), received ${describe(bytes)}`);
  if (bytes.length === 0) throw new RangeError(`descent: ${FN}: the file is empty`);
  let json: ModelJSON;
  try {
    json = build(new Reader(decodeModel(bytes)));
  } catch (err) {
    if (err instanceof ProtoError || err instanceof ImportError) throw new RangeError(`descent: ${FN}: ${err.message}`);
    throw err;
  }
  try {
    return loadModel(json, o.runtime !== undefined ? { runtime: o.runtime as Runtime } : undefined) as Sequential;
  } catch (err) {
    const e = err as Error;
    if (typeof e.message === "string" && e.message.startsWith("descent: loadModel: ")) {
      throw new RangeError(`descent: ${FN}: ${e.message.slice("descent: loadModel: ".length)}`);
    }
    throw err;
  }
}
