// Dense layers: their configuration (`dense({ units, activation })`, with one activation per
// layer or one per neuron), their parameters in WASM memory, and the forward and backward pass of
// one layer over a batch, written next to each other at the pointer level.
import { ACTIVATIONS, kernelNames, type Activation, type ActivationName } from "../registry.ts";
import type { Runtime } from "../runtime.ts";
import type { Tensor } from "../tensor.ts";
import { checkKeys, describe, num, oneOf } from "./common.ts";

/** An activation of the registry with its scalar parameters (registry order, float32). */
export interface ActivationSpec<N extends ActivationName = ActivationName> {
  readonly name: N;
  readonly params: readonly number[];
}

type Entry<N extends ActivationName> = Extract<(typeof ACTIVATIONS)[number], { readonly name: N }>;

/** An activation's scalar parameters by name, from the registry: leakyRelu's slope, elu's alpha, softplus's beta and threshold. */
export type ActivationParams<N extends ActivationName> = { readonly [P in Entry<N>["params"][number]["name"]]?: number };

/** An activation named with its parameters, as `{ name: "elu", alpha: 0.5 }`. */
export type ActivationWithParams<N extends ActivationName = ActivationName> = N extends ActivationName
  ? { readonly name: N } & ActivationParams<N>
  : never;

/** How users name an activation: "relu", "linear" (none), or `{ name: "elu", alpha: 0.5 }`. */
export type ActivationInput = ActivationName | "linear" | ActivationWithParams;

/** The activations that work on whole rows (softmax, logSoftmax): one per layer, never per neuron. */
export type RowwiseActivationName = Extract<(typeof ACTIVATIONS)[number], { readonly kind: "rowwise" }>["name"];

/** One neuron's activation in a per-neuron array: any but the row-wise ones. */
export type NeuronActivationInput = Exclude<ActivationInput, RowwiseActivationName | { readonly name: RowwiseActivationName }>;

/**
 * A layer's `activation` option: one for the layer, or an array with one per neuron. N is what
 * the option's type tells: the activation's name, "linear", or the per-neuron array.
 */
export type LayerActivationInput<N extends ActivationChoice = ActivationChoice> =
  | N
  | ActivationWithParams<Extract<N, ActivationName>>
  | readonly NeuronActivationInput[];

/** What the type of a layer's activation option can tell: one activation by name, none, or one per neuron. */
export type ActivationChoice = ActivationName | "linear" | readonly NeuronActivationInput[];

/** What a layer computes after X·W + b: one activation, none (undefined: linear), or one per neuron. */
export type LayerActivation = ActivationSpec | undefined | readonly (ActivationSpec | undefined)[];

/** The validated form of a layer's activation (what `dense` stores), from what the option's type tells. */
export type ActivationOf<N extends ActivationChoice> = N extends ActivationName
  ? ActivationSpec<N>
  : N extends "linear" ? undefined
  : readonly (ActivationSpec | undefined)[];

export type Init = "glorot" | "he" | "zeros";

export interface DenseOptions<N extends ActivationChoice = ActivationChoice, U extends number = number> {
  units: U;
  /** One activation for the layer, or an array with one per neuron; default none (linear). */
  activation?: LayerActivationInput<N>;
  /** Weight initialisation (default "glorot", Keras's glorot_uniform); biases start at 0. */
  init?: Init;
  /** PReLU's learnable slopes: one for the layer (default, as PyTorch) or one per neuron. */
  slopes?: "layer" | "neuron";
  /** PReLU's initial slope (default 0.25, as PyTorch). */
  slopeInit?: number;
}

/**
 * A validated dense layer configuration. Its type keeps the activation and the units when they
 * are written out, so that a Sequential knows its task from its output layer (see Sequential).
 */
export interface DenseConfig<S extends LayerActivation = LayerActivation, U extends number = number> {
  readonly type: "dense";
  readonly units: U;
  /** undefined: linear. An array: one per neuron (undefined entries are linear). */
  readonly activation: S;
  readonly init: Init;
  readonly slopes: "layer" | "neuron";
  readonly slopeInit: number;
}

const BY_NAME = new Map<string, Activation>((ACTIVATIONS as readonly Activation[]).map((a) => [a.name, a]));

export function activationSpec(fn: string, value: unknown, where: string): ActivationSpec | undefined {
  if (value === undefined || value === null || value === "linear") return undefined;
  const name = typeof value === "string" ? value : typeof value === "object" ? (value as { name?: unknown }).name : undefined;
  const a = typeof name === "string" ? BY_NAME.get(name) : undefined;
  if (a === undefined) {
    const known = ["linear", ...BY_NAME.keys()].join(", ");
    throw new TypeError(`descent: ${fn}: ${where} must be an activation name (${known}) or { name, ...parameters }, received ${describe(name ?? value)}`);
  }
  const given = typeof value === "object" ? checkKeys(`${fn} (${where})`, value, ["name", ...a.params.map((p) => p.name)]) : {};
  const params = a.params.map((p) => {
    const v = num(fn, `${where}.${p.name}`, given[p.name], p.default);
    const why = p.check?.(v);
    if (why !== undefined) throw new RangeError(`descent: ${fn}: ${where}.${p.name} must be ${why}, received ${v}`);
    return Math.fround(v);
  });
  return { name: a.name as ActivationName, params };
}

/** A fully connected layer: Z = X·W + b, then the activation. */
export function dense<const N extends ActivationChoice = "linear", const U extends number = number>(
  options: DenseOptions<N, U>,
): DenseConfig<ActivationOf<NoInfer<N>>, U>;
export function dense(options: DenseOptions): DenseConfig {
  const fn = "dense";
  const o = checkKeys(fn, options, ["units", "activation", "init", "slopes", "slopeInit"]);
  if (options === undefined) throw new TypeError("descent: dense: options { units } are required");
  const units = num(fn, "units", o.units, NaN, { min: 1, integer: true });
  if (Number.isNaN(units)) throw new TypeError("descent: dense: units is required (a positive integer)");
  let activation: DenseConfig["activation"];
  if (Array.isArray(o.activation)) {
    if (o.activation.length !== units) {
      throw new RangeError(`descent: dense: a per-neuron activation array must have one entry per unit (${units}), received ${o.activation.length}`);
    }
    activation = o.activation.map((v, i) => {
      const spec = activationSpec(fn, v, `activation[${i}]`);
      if (spec !== undefined && BY_NAME.get(spec.name)?.kind === "rowwise") {
        throw new TypeError(`descent: dense: activation[${i}] is "${spec.name}", which works on a whole row: use it for the whole layer, not per neuron`);
      }
      return spec;
    });
  } else {
    activation = activationSpec(fn, o.activation, "activation");
  }
  return Object.freeze({
    type: "dense",
    units,
    activation,
    init: oneOf<Init>(fn, "init", o.init, ["glorot", "he", "zeros"], "glorot"),
    slopes: oneOf(fn, "slopes", o.slopes, ["layer", "neuron"] as const, "layer"),
    slopeInit: Math.fround(num(fn, "slopeInit", o.slopeInit, 0.25)),
  });
}

/** Columns of a layer that share one activation, as a blend mask (int32 −1/0 per column). */
interface Group {
  readonly spec: ActivationSpec | undefined;
  readonly mask: Tensor | undefined;
}

/**
 * Where a pass's kernel calls go: run at once on this thread, or recorded as one thread's program
 * (src/threads.ts) when a batch's rows are split over the runtime's threads.
 */
export interface Sink {
  /** This thread's scratch for matmul's packed panels (8 floats per row of the longest dimension). */
  readonly panel: number;
  call(kernel: string, ...args: number[]): void;
  /** A kernel whose return value is stored at byte offset `ptr`, as f32 or f64. */
  store(ptr: number, type: "f32" | "f64", kernel: string, ...args: number[]): void;
}

/** Byte offsets of a layer's per-batch buffers for a range of rows (0 where a buffer is absent). */
export interface Rows {
  readonly z: number;
  readonly a: number;
  readonly dz: number;
  readonly tmp: number;
  readonly tmp2: number;
}

/** Byte offsets where backward writes a layer's gradients (dslope 0 without PReLU). */
export interface Gradients {
  readonly dw: number;
  readonly db: number;
  readonly dslope: number;
}

/** Per-batch buffers of one layer (rows × units). */
export interface LayerBuffers {
  readonly z: Tensor;
  /** The activation's output; the same tensor as z for a linear layer. */
  readonly a: Tensor;
  readonly dz: Tensor;
  /** Scratch for per-neuron activations. */
  readonly tmp: Tensor | undefined;
  readonly tmp2: Tensor | undefined;
}

export class DenseLayer {
  readonly config: DenseConfig;
  readonly inputs: number;
  readonly units: number;
  readonly w: Tensor;
  readonly b: Tensor;
  readonly slope: Tensor | undefined;
  readonly dw: Tensor;
  readonly db: Tensor;
  readonly dslope: Tensor | undefined;
  readonly groups: readonly Group[];
  readonly #rt: Runtime;

  constructor(rt: Runtime, config: DenseConfig, inputs: number, random: () => number) {
    this.#rt = rt;
    this.config = config;
    this.inputs = inputs;
    this.units = config.units;
    const { units } = config;
    // Every tensor is tracked as it is made, so that a full memory half-way frees the ones before.
    const made: Tensor[] = [];
    const make = (t: Tensor): Tensor => (made.push(t), t);
    try {
      this.w = make(rt.zeros([inputs, units]));
      this.b = make(rt.zeros([units]));
      this.dw = make(rt.zeros([inputs, units]));
      this.db = make(rt.zeros([units]));
      const w = this.w.data;
      if (config.init !== "zeros") {
        // glorot_uniform (Keras): U(±√(6/(in+out))); he_uniform: U(±√(6/in)).
        const limit = Math.sqrt(6 / (config.init === "he" ? inputs : inputs + units));
        for (let i = 0; i < w.length; i++) w[i] = (2 * random() - 1) * limit;
      }
      const specs = Array.isArray(config.activation) ? config.activation as readonly (ActivationSpec | undefined)[] : undefined;
      const usesPrelu = specs !== undefined
        ? specs.some((s) => s?.name === "prelu")
        : (config.activation as ActivationSpec | undefined)?.name === "prelu";
      if (usesPrelu) {
        const n = config.slopes === "neuron" ? units : 1;
        this.slope = make(rt.tensor(new Float32Array(n).fill(config.slopeInit)));
        this.dslope = make(rt.zeros([n]));
      }
      if (specs === undefined) {
        this.groups = [{ spec: config.activation as ActivationSpec | undefined, mask: undefined }];
      } else {
        const keys = [...new Set(specs.map(specKey))];
        this.groups = keys.map((key) => {
          const mask = make(rt.zeros([units]));
          const bits = new Int32Array(mask.data.buffer, mask.ptr, units);
          specs.forEach((s, j) => { if (specKey(s) === key) bits[j] = -1; });
          return { spec: specs.find((s) => specKey(s) === key), mask };
        });
      }
    } catch (err) {
      for (const t of made) t.dispose();
      throw err;
    }
  }

  get perNeuron(): boolean {
    return this.groups[0].mask !== undefined;
  }

  get linear(): boolean {
    return !this.perNeuron && this.groups[0].spec === undefined;
  }

  /** The single (per-layer) activation, if any. */
  get spec(): ActivationSpec | undefined {
    return this.perNeuron ? undefined : this.groups[0].spec;
  }

  /** Trainable tensors with their gradients; `decay` marks the weights the l2 term applies to. */
  params(): { value: Tensor; grad: Tensor; decay: boolean }[] {
    const list = [{ value: this.w, grad: this.dw, decay: true }, { value: this.b, grad: this.db, decay: false }];
    if (this.slope !== undefined) list.push({ value: this.slope, grad: this.dslope as Tensor, decay: false });
    return list;
  }

  buffers(rows: number): LayerBuffers {
    const rt = this.#rt;
    const shape = [rows, this.units];
    const made: Tensor[] = [];
    const make = (): Tensor => {
      const t = rt.zeros(shape);
      made.push(t);
      return t;
    };
    try {
      const z = make();
      return {
        z,
        a: this.linear ? z : make(),
        dz: make(),
        tmp: this.perNeuron ? make() : undefined,
        tmp2: this.perNeuron ? make() : undefined,
      };
    } catch (err) {
      for (const t of made) t.dispose();
      throw err;
    }
  }

  /** Z = X·W + b and, when `activate`, A = f(Z) for `rows` rows of X at byte offset x. */
  forward(k: Sink, x: number, rows: number, buf: Rows, activate = true): void {
    // One unit (every regression): a matrix-vector product, which streams X once in SIMD rows.
    if (this.units === 1) k.call("gemv_f32", x, this.w.ptr, buf.z, rows, this.inputs);
    else k.call("matmul_f32", x, this.w.ptr, buf.z, rows, this.inputs, this.units, 0, 0, k.panel);
    k.call("addRow_f32", buf.z, this.b.ptr, rows, this.units);
    if (this.linear || !activate) return;
    if (!this.perNeuron) {
      this.activate(k, this.groups[0].spec as ActivationSpec, buf.z, buf.a, rows);
      return;
    }
    for (const g of this.groups) {
      const src = g.spec === undefined ? buf.z : (this.activate(k, g.spec, buf.z, buf.tmp, rows), buf.tmp);
      k.call("blendCols_f32", src, buf.a, (g.mask as Tensor).ptr, rows, this.units);
    }
  }

  /**
   * dZ = dA ⊙ f′(Z) from dA at byte offset `da` (which may be buf.a's memory: forward is done),
   * and the slope gradient for PReLU into `dslope`.
   */
  backwardActivation(k: Sink, da: number, rows: number, buf: Rows, dslope: number): void {
    const n = rows * this.units;
    if (this.linear) {
      if (da !== buf.dz) k.call("copy_f32", da, buf.dz, n);
      return;
    }
    if (!this.perNeuron) {
      this.differentiate(k, this.groups[0].spec as ActivationSpec, buf.z, da, buf.dz, rows, dslope);
      return;
    }
    for (const g of this.groups) {
      const mask = (g.mask as Tensor).ptr;
      if (g.spec === undefined) {
        k.call("blendCols_f32", da, buf.dz, mask, rows, this.units);
        continue;
      }
      let dy = da;
      if (g.spec.name === "prelu") {
        // Only this group's columns may contribute to the slope gradient.
        k.call("fill_f32", buf.tmp2, 0, n);
        k.call("blendCols_f32", da, buf.tmp2, mask, rows, this.units);
        dy = buf.tmp2;
      }
      this.differentiate(k, g.spec, buf.z, dy, buf.tmp, rows, dslope);
      k.call("blendCols_f32", buf.tmp, buf.dz, mask, rows, this.units);
    }
  }

  /** dW = Xᵀ·dZ, db = column sums of dZ (via a vector of ones), plus l2·W, into `g`. */
  backwardParams(k: Sink, x: number, rows: number, buf: Rows, ones: number, l2: number, g: Gradients): void {
    if (this.units === 1) {
      k.call("gemvT_f32", x, buf.dz, g.dw, rows, this.inputs);
      k.store(g.db, "f32", "dot_f32", buf.dz, ones, rows);
    } else {
      k.call("matmul_f32", x, buf.dz, g.dw, this.inputs, rows, this.units, 1, 0, k.panel);
      k.call("gemvT_f32", buf.dz, ones, g.db, rows, this.units);
    }
    if (l2 !== 0) k.call("axpy_f32", this.w.length, Math.fround(l2), this.w.ptr, g.dw);
  }

  /** dX = dZ·Wᵀ into `dx` (rows × inputs). */
  backwardInput(k: Sink, rows: number, buf: Rows, dx: number): void {
    k.call("matmul_f32", buf.dz, this.w.ptr, dx, rows, this.units, this.inputs, 0, 1, k.panel);
  }

  /** The buffers of rows [r0, r0 + …) of a workspace's buffers, as byte offsets. */
  rows(buf: LayerBuffers, r0: number): Rows {
    const at = (t: Tensor | undefined): number => (t === undefined ? 0 : t.ptr + r0 * this.units * 4);
    return { z: at(buf.z), a: at(buf.a), dz: at(buf.dz), tmp: at(buf.tmp), tmp2: at(buf.tmp2) };
  }

  /** Where backward writes this layer's own gradients. */
  get gradients(): Gradients {
    return { dw: this.dw.ptr, db: this.db.ptr, dslope: this.dslope?.ptr ?? 0 };
  }

  private activate(k: Sink, spec: ActivationSpec, z: number, a: number, rows: number): void {
    const act = BY_NAME.get(spec.name) as Activation;
    const fwd = kernelNames(act).forward;
    const n = rows * this.units;
    if (act.kind === "elementwise") k.call(fwd, z, a, n, spec.params[0] ?? 0, spec.params[1] ?? 0);
    else if (act.kind === "rowwise") k.call(fwd, z, a, rows, this.units);
    else {
      const slope = this.slope as Tensor;
      k.call(fwd, z, a, n, slope.ptr, slope.length);
    }
  }

  private differentiate(k: Sink, spec: ActivationSpec, z: number, dy: number, dz: number, rows: number, dslope: number): void {
    const act = BY_NAME.get(spec.name) as Activation;
    const bwd = kernelNames(act).backward;
    const n = rows * this.units;
    if (act.kind === "elementwise") k.call(bwd, z, dy, dz, n, spec.params[0] ?? 0, spec.params[1] ?? 0);
    else if (act.kind === "rowwise") k.call(bwd, z, dy, dz, rows, this.units);
    else {
      const slope = this.slope as Tensor;
      k.call(bwd, z, dy, dz, n, slope.ptr, slope.length, dslope);
    }
  }

  dispose(): void {
    for (const t of [this.w, this.b, this.dw, this.db, this.slope, this.dslope]) t?.dispose();
    for (const g of this.groups) g.mask?.dispose();
  }
}

function specKey(s: ActivationSpec | undefined): string {
  return s === undefined ? "linear" : `${s.name}(${s.params.join(",")})`;
}

/** The JSON form of an activation (inverse of activationSpec). */
export function specToJSON(s: ActivationSpec | undefined): ActivationInput {
  if (s === undefined) return "linear";
  const a = BY_NAME.get(s.name) as Activation;
  if (a.params.length === 0) return s.name;
  const out: Record<string, unknown> = { name: s.name };
  a.params.forEach((p, i) => { out[p.name] = s.params[i]; });
  return out as ActivationInput;
}
