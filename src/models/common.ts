// What every model shares: option checking with clear errors, the fit options and epoch report,
// the training history, and the small numeric helpers (seeded initialisation, metrics).
import { optimizerSetting } from "../checks.ts";
import type { Labels, MatrixLike } from "../data/index.ts";
import { runtime as defaultRuntime } from "../default.ts";
import { Runtime } from "../runtime.ts";

/** Passed to `onEpoch` after every epoch. */
export interface EpochInfo {
  /** 1-based. */
  readonly epoch: number;
  readonly epochs: number;
  /** The training objective over the epoch: mean loss plus the l2 term. */
  readonly loss: number;
  /** The same objective on `validationData`, when given (without the l2 term). */
  readonly valLoss?: number;
  /** Seconds since fit() started. */
  readonly seconds: number;
  /** Training rows processed per second over the run so far. */
  readonly samplesPerSecond: number;
}

export interface History {
  /** The training objective per epoch (or per solver iteration for lbfgs). */
  readonly loss: number[];
  /** The validation loss per epoch, when validationData was given. */
  readonly valLoss: number[];
}

export interface EarlyStopping {
  /** Epochs without an improvement larger than `tol` before stopping (default 10). */
  patience?: number;
  /** The smallest decrease of the monitored loss that counts as an improvement (default 1e-4). */
  tol?: number;
  /** Put back the weights of the best epoch when stopping (default true). */
  restoreBest?: boolean;
}

/** One class label: a string or a number. */
export type Label = string | number;

/** Regression targets: one number per row, or a rows × outputs matrix (a Sequential with several outputs). */
export type RegressionTargets = ArrayLike<number> | MatrixLike;

/**
 * Class labels, one per row: strings or numbers, in an array or a typed array (as LabelEncoder,
 * trainTestSplit's stratify and parseCsv's y have them).
 */
export type ClassLabels = Labels;

/** What a model's fit takes as y: regression targets, or class labels for a classifier. */
export type Targets = RegressionTargets | ClassLabels;

/** fit's options; Y is the model's kind of targets (for `validationData`). */
export interface FitOptions<Y = Targets> {
  epochs?: number;
  batchSize?: number;
  /** Called after every epoch (or solver iteration); returning false stops training there, keeping what was learned. */
  onEpoch?: (info: EpochInfo) => void | boolean;
  /** Data the loss is also reported on after every epoch (`valLoss`), and that early stopping watches. */
  validationData?: { X: MatrixLike; y: Y };
  earlyStopping?: boolean | EarlyStopping;
  /** Aborting stops training between epochs; fit() then rejects with the signal's reason. */
  signal?: AbortSignal;
}

export const FIT_KEYS = ["epochs", "batchSize", "onEpoch", "validationData", "earlyStopping", "signal"] as const;

export function describe(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (Array.isArray(v)) return `Array(${v.length})`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as Float32Array).length})`;
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (typeof v === "function") return "a function";
  if (typeof v === "object") return (v as object).constructor?.name ?? "object";
  return typeof v;
}

/** Throws on an options object that is not one, or that has a key outside `known`. */
export function checkKeys(fn: string, options: unknown, known: readonly string[]): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError(`descent: ${fn}: options must be an object, received ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new TypeError(`descent: ${fn}: unknown option "${key}" (known: ${known.join(", ")})`);
    }
  }
  return options as Record<string, unknown>;
}

interface NumberRule {
  min?: number;
  max?: number;
  /** Excludes min itself. */
  above?: number;
  integer?: boolean;
}

/** A numeric option: the default when undefined, else checked against the rule. */
export function num(fn: string, name: string, value: unknown, fallback: number, rule: NumberRule = {}): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new TypeError(`descent: ${fn}: ${name} must be a number, received ${describe(value)}`);
  }
  const why =
    rule.integer && !Number.isInteger(value) ? "an integer"
    : rule.min !== undefined && !(value >= rule.min) ? `>= ${rule.min}`
    : rule.above !== undefined && !(value > rule.above) ? `> ${rule.above}`
    : rule.max !== undefined && !(value <= rule.max) ? `<= ${rule.max}`
    : !Number.isFinite(value) ? "finite"
    : undefined;
  if (why !== undefined) throw new RangeError(`descent: ${fn}: ${name} must be ${why}, received ${value}`);
  return value;
}

export function oneOf<T extends string>(fn: string, name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== "string" || !allowed.includes(value as T)) {
    throw new TypeError(
      `descent: ${fn}: ${name} must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, received ${describe(value)}`,
    );
  }
  return value as T;
}

export function bool(fn: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new TypeError(`descent: ${fn}: ${name} must be true or false, received ${describe(value)}`);
  return value;
}

/** fit's `signal`: an AbortSignal (anything with `aborted` and `addEventListener`), or undefined. */
export function signalOption(fn: string, value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  const s = value as Partial<AbortSignal> | null;
  if (typeof s !== "object" || s === null || typeof s.aborted !== "boolean" || typeof s.addEventListener !== "function") {
    throw new TypeError(`descent: ${fn}: signal must be an AbortSignal (from an AbortController), received ${describe(value)}`);
  }
  return value as AbortSignal;
}

export function runtimeOption(fn: string, value: unknown): Runtime {
  if (value === undefined) return defaultRuntime();
  if (!(value instanceof Runtime)) {
    throw new TypeError(`descent: ${fn}: runtime must be a Runtime from createRuntime() or init(), received ${describe(value)}`);
  }
  return value;
}

export interface ResolvedEarlyStopping {
  patience: number;
  tol: number;
  restoreBest: boolean;
}

export function earlyStoppingOption(fn: string, value: unknown): ResolvedEarlyStopping | undefined {
  if (value === undefined || value === false) return undefined;
  const o = value === true ? {} : checkKeys(`${fn} (earlyStopping)`, value, ["patience", "tol", "restoreBest"]);
  return {
    patience: num(fn, "earlyStopping.patience", o.patience, 10, { min: 1, integer: true }),
    tol: num(fn, "earlyStopping.tol", o.tol, 1e-4, { min: 0 }),
    restoreBest: bool(fn, "earlyStopping.restoreBest", o.restoreBest, true),
  };
}

/** Which optimizer a gradient-descent solver uses, with PyTorch's defaults. */
export type OptimizerName = "sgd" | "momentum" | "adam";
export const OPTIMIZERS: readonly OptimizerName[] = ["sgd", "momentum", "adam"];

export interface OptimizerConfig {
  name: OptimizerName;
  lr: number;
  momentum: number;
  nesterov: boolean;
  beta1: number;
  beta2: number;
  eps: number;
}

export const OPTIMIZER_KEYS = ["optimizer", "lr", "momentum", "nesterov", "beta1", "beta2", "eps"] as const;

/** The keys of TrainingOptions. */
export const TRAINING_KEYS = [...OPTIMIZER_KEYS, "epochs", "batchSize", "l2", "seed", "standardize", "threads", "runtime"] as const;

/** The options every model takes for gradient-descent training (each model states its defaults). */
export interface TrainingOptions {
  optimizer?: OptimizerName;
  /** Learning rate (Adam's default is 0.001 for Sequential, 0.01 for the regressions; SGD and momentum 0.01). */
  lr?: number;
  /** Momentum's coefficient (0.9). */
  momentum?: number;
  /** Nesterov's form of momentum (false). */
  nesterov?: boolean;
  /** Adam's decay rates (0.9, 0.999) and ε (1e-8). */
  beta1?: number;
  beta2?: number;
  eps?: number;
  epochs?: number;
  batchSize?: number;
  /** (l2/2)·‖W‖² added to the mean loss; biases and PReLU slopes are not penalised. */
  l2?: number;
  /** Seeds the initial weights and the mini-batch shuffles (default 0). */
  seed?: number;
  /** Standardise features, and regression targets, inside the model (default true). */
  standardize?: boolean;
  /** The runtime to train and predict on (default: the default runtime). */
  runtime?: Runtime;
  /** Threads for training: a number up to the runtime's, or "auto" for all of them (the default). */
  threads?: number | "auto";
}

export function optimizerOption(fn: string, o: Record<string, unknown>, fallback: OptimizerName): OptimizerConfig {
  const name = oneOf(fn, "optimizer", o.optimizer, OPTIMIZERS, fallback);
  const defaultLr = name === "adam" ? 0.001 : 0.01;
  return {
    name,
    // The update kernels' own rules (src/checks.ts), so a model refuses what runtime.adam would.
    lr: optimizerSetting(fn, "lr", o.lr, defaultLr),
    momentum: optimizerSetting(fn, "momentum", o.momentum, 0.9),
    nesterov: bool(fn, "nesterov", o.nesterov, false),
    beta1: optimizerSetting(fn, "beta1", o.beta1, 0.9),
    beta2: optimizerSetting(fn, "beta2", o.beta2, 0.999),
    eps: optimizerSetting(fn, "eps", o.eps, 1e-8),
  };
}

/** The gradient-descent settings every model resolves from its options (and passes to the epoch loop). */
export interface TrainingSettings {
  optimizer: OptimizerConfig;
  epochs: number;
  /** undefined: full batch. */
  batchSize: number | undefined;
  l2: number;
  seed: number;
}

/** Resolves TrainingOptions against a model's defaults, with the checks and messages of num(). */
export function trainingSettings(
  fn: string, o: Record<string, unknown>, defaults: { epochs: number; batchSize: number | undefined; adamLr: number },
): TrainingSettings {
  const optimizer = optimizerOption(fn, o, "adam");
  if (o.lr === undefined && optimizer.name === "adam") optimizer.lr = defaults.adamLr;
  return {
    optimizer,
    epochs: num(fn, "epochs", o.epochs, defaults.epochs, { min: 1, integer: true }),
    batchSize: o.batchSize === undefined ? defaults.batchSize : num(fn, "batchSize", o.batchSize, 0, { min: 1, integer: true }),
    l2: num(fn, "l2", o.l2, 0, { min: 0 }),
    seed: num(fn, "seed", o.seed, 0, { integer: true }),
  };
}

/** R² = 1 − SS_res/SS_tot over every output, in float64 (scikit-learn's r2_score, uniform average for one output). */
export function r2(pred: ArrayLike<number>, target: ArrayLike<number>): number {
  const n = target.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += target[i];
  mean /= n;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < n; i++) {
    res += (pred[i] - target[i]) ** 2;
    tot += (target[i] - mean) ** 2;
  }
  if (tot === 0) return res === 0 ? 1 : 0;
  return 1 - res / tot;
}

/** Yields to the event loop so that progress can render; cheap enough to call every epoch. */
export function createYielder(): () => Promise<void> {
  let last = performance.now();
  return async () => {
    const now = performance.now();
    if (now - last < 15) return;
    await new Promise<void>((resolve) => {
      if (typeof setImmediate === "function") setImmediate(resolve);
      else setTimeout(resolve, 0);
    });
    last = performance.now();
  };
}
