// Argument checks that the runtime and the models share: how a received value is described in an
// error (never throwing itself, whatever the value), and the one rule for each optimizer setting.
import { isTensor, tensorLabel } from "./tensor.ts";

/**
 * What a value is, for "received …" in an error message. Never throws, and runs none of the
 * value's own code that it can avoid (getters, toString, a Proxy's traps), since it runs while
 * another error is being reported.
 */
export function describe(v: unknown): string {
  switch (typeof v) {
    case "undefined": return "undefined";
    case "number": case "boolean": return String(v);
    case "bigint": return `the BigInt ${v}n`;
    case "symbol": return v.toString();
    case "string": return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
    case "function": return "a function";
  }
  if (v === null) return "null";
  if (isTensor(v)) return tensorLabel(v);
  try {
    // Typed arrays and DataViews, named from their internal slots (a constructor can lie).
    if (ArrayBuffer.isView(v)) {
      const tag = Object.prototype.toString.call(v).slice(8, -1);
      return tag === "DataView" ? `DataView(${(v as DataView).byteLength} bytes)` : `${tag}(${(v as Float32Array).length})`;
    }
    if (Array.isArray(v)) return `Array(${(v as unknown[]).length})`;
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto === null) return "an object without a prototype";
    const name = (Object.getOwnPropertyDescriptor(proto, "constructor")?.value as { name?: unknown } | undefined)?.name;
    if (typeof name !== "string" || name === "") return "an object";
    // A typed array's prototype without a typed array's data: a Proxy of one, most likely.
    if (Object.getPrototypeOf(proto) === TYPED_ARRAY_PROTOTYPE) return `an object posing as a ${name} (a Proxy?)`;
    return name;
  } catch {
    return "an object that cannot be inspected (a Proxy?)";
  }
}

const TYPED_ARRAY_PROTOTYPE: unknown = Object.getPrototypeOf(Float32Array.prototype);

/** An error's text for a message, whatever was thrown. */
export function errorText(err: unknown): string {
  try {
    if (err instanceof Error) return `${err.name}: ${err.message}`;
  } catch {
    // fall through: an error object that cannot be read
  }
  return describe(err);
}

// -------------------------------------------------------------------- optimizer settings

/** Why a value breaks a rule (to follow "must be"), or undefined when it does not. */
export type Rule = (v: number) => string | undefined;

// The kernels compute in float32: a rule holds for the value they will see, so 0.99999999 (which is
// 1 in float32) is as much a decay rate of 1 as 1 itself.
const positive: Rule = (v) => {
  const f = Math.fround(v);
  return !(f > 0) ? "> 0" : f === Infinity ? "finite" : undefined;
};
const decayRate: Rule = (v) => {
  const f = Math.fround(v);
  return f >= 0 && f < 1 ? undefined : ">= 0 and < 1";
};

/**
 * The one rule for each optimizer setting, for the update kernels (runtime.adam, runtime.momentum,
 * runtime.sgd) and the models' options alike. A decay rate of 1 is refused: Adam's bias correction
 * divides by 1 − β^t = 0, and momentum 1 never forgets a gradient.
 */
export const OPTIMIZER_RULES = {
  lr: positive,
  eps: positive,
  momentum: decayRate,
  beta1: decayRate,
  beta2: decayRate,
} as const satisfies Record<string, Rule>;

export type OptimizerSetting = keyof typeof OPTIMIZER_RULES;

/**
 * An optimizer setting: `fallback` when undefined, else checked against its rule. Throws a
 * TypeError for a value that is not a number, a RangeError for one that breaks the rule, naming
 * `fn` and the setting.
 */
export function optimizerSetting(fn: string, name: OptimizerSetting, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number") throw new TypeError(`descent: ${fn}: ${name} must be a number, received ${describe(value)}`);
  const why = OPTIMIZER_RULES[name](value);
  if (why !== undefined) {
    const f = Math.fround(value);
    const rounded = f !== value && !Number.isNaN(value) ? ` (${f} in float32)` : "";
    throw new RangeError(`descent: ${fn}: ${name} must be ${why}, received ${value}${rounded}`);
  }
  return value;
}
