// The models' public API, and loadModel: the inverse of model.toJSON(), which checks the format,
// its version, the checksum and every field before any memory is allocated.
import { checkKeys, describe } from "./common.ts";
import { LinearRegression } from "./linear.ts";
import { LogisticRegression } from "./logistic.ts";
import { FORMAT, FORMAT_VERSION, checksum, type Model, type ModelJSON } from "./model.ts";
import { LOSSES } from "./network.ts";
import { Sequential } from "./sequential.ts";
import { dense, type DenseConfig } from "./layers.ts";

export { LinearRegression, AUTO_NORMAL_MAX_FEATURES } from "./linear.ts";
export type { LinearRegressionOptions, LinearSolver } from "./linear.ts";
export { LogisticRegression } from "./logistic.ts";
export type { LogisticRegressionOptions } from "./logistic.ts";
export { Sequential } from "./sequential.ts";
export type { SequentialOptions } from "./sequential.ts";
export { dense } from "./layers.ts";
export type { ActivationInput, DenseConfig, DenseOptions } from "./layers.ts";
export type { EarlyStopping, EpochInfo, FitOptions, History } from "./common.ts";
export { Model } from "./model.ts";
export type { Label, ModelJSON, ModelKind, Task } from "./model.ts";
export type { LossName } from "./network.ts";

const bad = (what: string): never => {
  throw new RangeError(`descent: loadModel: ${what}`);
};

function numbers(v: unknown, length: number, where: string): number[] {
  if (!Array.isArray(v)) return bad(`${where} must be an array of ${length} numbers, received ${describe(v)}`);
  if (v.length !== length) return bad(`${where} must have ${length} numbers, received ${v.length}`);
  v.forEach((x, i) => {
    if (typeof x !== "number" || !Number.isFinite(x)) bad(`${where}[${i}] must be a finite number, received ${describe(x)}`);
  });
  return v as number[];
}

/** Recreates a model from model.toJSON() (an object, or its JSON text). */
export function loadModel(json: unknown, options?: { runtime?: unknown }): Model {
  const o = checkKeys("loadModel", options, ["runtime"]);
  let j = json;
  if (typeof j === "string") {
    try {
      j = JSON.parse(j);
    } catch (err) {
      bad(`the text is not JSON (${(err as Error).message})`);
    }
  }
  if (typeof j !== "object" || j === null) throw new TypeError(`descent: loadModel: expected a saved model (object or JSON text), received ${describe(j)}`);
  const m = j as Partial<ModelJSON> & Record<string, unknown>;
  if (m.format !== FORMAT) bad(`this is not a descent model file (format is ${describe(m.format)}, expected "${FORMAT}")`);
  if (m.version !== FORMAT_VERSION) {
    bad(typeof m.version === "number" && m.version > FORMAT_VERSION
      ? `the file has format version ${m.version}, newer than this descent reads (${FORMAT_VERSION}): upgrade descent`
      : `unsupported format version ${describe(m.version)} (this descent reads version ${FORMAT_VERSION})`);
  }
  const { checksum: sum, ...body } = m;
  if (sum !== checksum(body)) bad(`the checksum does not match: the file was edited or corrupted after it was saved`);
  if (!["LinearRegression", "LogisticRegression", "Sequential"].includes(m.model as string)) bad(`unknown model type ${describe(m.model)}`);
  if (!LOSSES.includes(m.loss as never)) bad(`unknown loss ${describe(m.loss)}`);
  if (!Array.isArray(m.layers) || m.layers.length === 0) bad("layers must be a non-empty array");
  const layers = m.layers as ModelJSON["layers"];
  const configs: DenseConfig[] = [];
  let inputs = layers[0]?.inputs;
  if (!Number.isInteger(inputs) || inputs < 1) bad(`layers[0].inputs must be a positive integer, received ${describe(inputs)}`);
  layers.forEach((l, i) => {
    if (typeof l !== "object" || l === null) bad(`layers[${i}] must be an object`);
    if (l.inputs !== inputs) bad(`layers[${i}].inputs is ${describe(l.inputs)} but the layer before it has ${inputs} units`);
    let config: DenseConfig;
    try {
      config = dense({ units: l.units, activation: l.activation as never, init: l.init as never, slopes: l.slopes as never, slopeInit: l.slopeInit });
    } catch (err) {
      return bad(`layers[${i}]: ${(err as Error).message.replace(/^descent: dense: /, "")}`);
    }
    numbers(l.w, inputs * l.units, `layers[${i}].w`);
    numbers(l.b, l.units, `layers[${i}].b`);
    const prelu = JSON.stringify(l.activation).includes('"prelu"');
    if (prelu) numbers(l.slope, l.slopes === "neuron" ? l.units : 1, `layers[${i}].slope`);
    else if (l.slope !== undefined) bad(`layers[${i}].slope is given but the layer has no PReLU`);
    configs.push(config);
    inputs = l.units;
  });
  const first = layers[0].inputs;
  const last = layers[layers.length - 1].units;
  if (m.features !== undefined) {
    numbers(m.features.mean, first, "features.mean");
    numbers(m.features.scale, first, "features.scale").forEach((s, i) => { if (!(s > 0)) bad(`features.scale[${i}] must be > 0`); });
  }
  const classification = m.loss !== "mse";
  if (classification) {
    if (!Array.isArray(m.classes) || m.classes.length < 2) bad("a classifier needs classes: an array of at least two labels");
    const k = (m.classes as unknown[]).length;
    if (m.loss === "binaryCrossentropy" ? k !== 2 || last !== 1 : k !== last) bad(`${k} classes do not fit an output layer of ${last} unit(s)`);
  } else if (m.target !== undefined) {
    numbers(m.target.mean, last, "target.mean");
    numbers(m.target.scale, last, "target.scale").forEach((s, i) => { if (!(s > 0)) bad(`target.scale[${i}] must be > 0`); });
  }
  const opts = { ...(m.options as Record<string, unknown> | undefined ?? {}), ...(o.runtime !== undefined ? { runtime: o.runtime } : {}) };
  let model: Model;
  try {
    model = m.model === "LinearRegression" ? new LinearRegression(opts)
      : m.model === "LogisticRegression" ? new LogisticRegression(opts)
      : new Sequential(configs, opts);
  } catch (err) {
    return bad(`options: ${(err as Error).message.replace(/^descent: \w+: /, "")}`);
  }
  model.restoreFrom(m as ModelJSON);
  if (model instanceof LogisticRegression) model.restoreMode(m.loss as "binaryCrossentropy" | "categoricalCrossentropy");
  return model;
}
