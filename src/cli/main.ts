#!/usr/bin/env node
// The `descent` command: `descent train` fits a model to a CSV file and reports its metrics,
// `descent predict` applies a saved model to another CSV file. Library errors become one-line messages.
import { readFileSync, realpathSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  CsvColumnError, checkEncoding, featureNames, parseTable, toCsv, type CsvData, type CsvEncoding, type CsvHints, type CsvOptions,
} from "../data/csv.ts";
import { list, quote } from "../data/describe.ts";
import type { Matrix } from "../data/matrix.ts";
import { splitIndices, take, takeRows } from "../data/split.ts";
import { AUTO_NORMAL_MAX_FEATURES, LinearRegression, LogisticRegression, Sequential, dense, loadModel, type ActivationInput } from "../models/index.ts";
import { createRuntime, type Runtime } from "../runtime.ts";
import {
  EXPORT_USAGE, MAIN_USAGE, MAX_NUMERIC_CLASSES, PREDICT_USAGE, SOLVERS, TRAIN_USAGE, UsageError, VALIDATION_FRACTION, parseCommandLine,
  type ExportArgs, type ModelKind, type PredictArgs, type TrainArgs,
} from "./args.ts";
import { toONNX } from "../onnx/export.ts";
import { classReport, classificationMetrics, formatClassReport, metricsTable, regressionMetrics } from "./metrics.ts";
import { checkOutputs, type Output } from "./paths.ts";
import { lossCurveSvg } from "./plot.ts";
import { createProgress, formatDuration, type EpochReport, type ProgressStream } from "./progress.ts";
import { formatPairs, printable } from "./table.ts";
import { trainStream } from "./stream.ts";

/** Where a run reads and writes: the process's streams and directory, or a test's. */
export interface Io {
  stdout: ProgressStream;
  stderr: ProgressStream;
  /** Relative file names are resolved against this directory. */
  cwd: string;
  /** Aborting it (Ctrl-C, when run as a program) stops training between epochs. */
  signal?: AbortSignal;
}

/**
 * The file `descent train --out` writes: the model, its feature names, the target, and how the
 * CSV columns became the features (absent from files written before text columns were encoded:
 * then every feature is a number column).
 */
export interface ModelFile {
  descent: unknown;
  features: string[];
  target: string;
  encoding?: CsvEncoding;
}

type Label = string | number;
export type Target = Float32Array | Label[];

/** What the command needs of a model (the library's three model classes all provide it). */
export interface Model {
  readonly task: "regression" | "classification";
  readonly history: { loss: number[]; valLoss: number[] };
  readonly classes?: readonly Label[];
  /** LinearRegression: which solver ran and why. */
  readonly solverReason?: string;
  /** LogisticRegression with L-BFGS: when and why it stopped. */
  readonly convergence?: { iterations: number; reason: string };
  fit(X: Matrix, y: Target, options?: object): Promise<unknown>;
  fitBatches(source: unknown, options?: object): Promise<unknown>;
  predict(X: Matrix): Float32Array | Label[];
  predictProba?(X: Matrix): Float32Array;
  describe(): string;
  toJSON(): unknown;
  dispose(): void;
}

/**
 * Runs the command line `argv` (the arguments after the program name) and resolves to the exit
 * code: 0 done, 1 the library refused the data or the model, 2 a mistake in the command line or a
 * file that cannot be read. Never exits the process itself, so it can run inside another program.
 */
export async function main(argv: readonly string[], io?: Partial<Io>): Promise<number> {
  const ctx: Io = {
    stdout: io?.stdout ?? process.stdout, stderr: io?.stderr ?? process.stderr, cwd: io?.cwd ?? process.cwd(), signal: io?.signal,
  };
  try {
    const command = parseCommandLine(argv);
    switch (command.command) {
      case "version":
        ctx.stdout.write(`${packageVersion()}\n`);
        return 0;
      case "help":
        if (command.topic === "main" && argv.length === 0) {
          // Nothing asked: the usage goes where errors go, and the run is not a success.
          ctx.stderr.write(MAIN_USAGE);
          return 2;
        }
        ctx.stdout.write(usage(command.topic));
        return 0;
      case "train":
        return await train(command, ctx);
      case "predict":
        return await predict(command, ctx);
      case "export":
        return await exportModel(command, ctx);
    }
  } catch (err) {
    return report(err, ctx);
  }
}

/**
 * An error as the one line the command prints for it. Messages quote column names and labels from
 * the data, hence printable(); a stack trace would only bury the message, even for a bug.
 */
function errorLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof UsageError || message.startsWith("descent: ")) return printable(message);
  const name = err instanceof Error ? `${err.name}: ` : "";
  return printable(`descent: unexpected error: ${name}${message} (a bug in descent: please report it with the command that caused it)`);
}

function report(err: unknown, ctx: Io): number {
  ctx.stderr.write(`${errorLine(err)}\n`);
  if (err instanceof UsageError) {
    if (err.showUsage !== undefined) {
      ctx.stderr.write(`\n${usage(err.showUsage)}`);
    }
    return 2;
  }
  return 1;
}

/**
 * The version field of the package.json next to this program, read when asked: the package's
 * name may change, its version is what a user asking wants.
 */
function packageVersion(): string {
  const url = new URL("../../package.json", import.meta.url);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(url, "utf8"));
  } catch (err) {
    throw new Error(`descent: cannot read the version from ${fileURLToPath(url)}: ${(err as Error).message}`);
  }
  const version = (json as { version?: unknown } | null)?.version;
  if (typeof version !== "string") throw new Error(`descent: ${fileURLToPath(url)} has no "version" field`);
  return version;
}

// ------------------------------------------------------------------ files

async function readText(file: string, ctx: Io, what: string): Promise<string> {
  try {
    return await readFile(resolve(ctx.cwd, file), "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : code === "EACCES" ? "permission denied" : (err as Error).message;
    throw new UsageError(`cannot read the ${what} ${file}: ${why}`);
  }
}

async function writeText(file: string, text: string, ctx: Io, flag: string): Promise<void> {
  try {
    await writeFile(resolve(ctx.cwd, file), text);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such directory" : code === "EISDIR" ? "it is a directory" : code === "EACCES" ? "permission denied" : (err as Error).message;
    throw new UsageError(`cannot write ${flag} ${file}: ${why}`);
  }
}

/** The flag that gave each parseCsv option, to name in a message about a column it names. */
type Flags = Partial<Record<CsvColumnError["option"], string>>;

/**
 * parseCsv, with a column that a flag names and the file lacks reported as the command-line
 * mistake it is (exit code 2) rather than as bad data, and fixes suggested as flags.
 */
function readCsv(text: string, options: CsvOptions & { source: string }, hints: CsvHints, flags: Flags): CsvData {
  try {
    return parseTable(text, options, hints);
  } catch (err) {
    const flag = err instanceof CsvColumnError ? flags[err.option] : undefined;
    if (flag === undefined) throw err;
    const message = (err as Error).message.replace(/^descent: parseCsv: /, "");
    throw new UsageError(message.startsWith(`${flag} `) ? message : `${flag}: ${message}`);
  }
}

/**
 * A float32 value as the shortest decimal that reads back as the same float32 ("0.1", not
 * String(v)'s "0.10000000149011612"), so a predictions file is both readable and exact.
 */
export function formatFloat32(v: number): string {
  if (!Number.isFinite(v) || Math.fround(v) !== v) return String(v);
  for (let p = 1; p < 17; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return String(Number(s));
  }
  return String(v);
}

// ------------------------------------------------------------------ train

/** The model when --model is not given: an MLP when its flags are, else by the target's type. */
function chooseModel(args: TrainArgs, numeric: boolean): ModelKind {
  if (args.model !== undefined) return args.model;
  if (args.layers !== undefined || args.activations !== undefined) return "mlp";
  return numeric ? "linear" : "logistic";
}

/** The checks that need the chosen model (the flags' syntax was checked while parsing). */
function checkForModel(args: TrainArgs, kind: ModelKind, numeric: boolean, y: Target): void {
  if (args.solver !== undefined && !SOLVERS[kind].includes(args.solver)) {
    throw new UsageError(`--solver must be one of ${SOLVERS[kind].join(", ")} for --model ${kind}; received ${JSON.stringify(args.solver)}`);
  }
  if (kind === "logistic" && numeric) {
    // Every distinct value would become a class: say what the target looks like instead.
    const values = y as Float32Array;
    const distinct = new Set(values).size;
    const fractional = values.some((v) => !Number.isInteger(v));
    if (fractional || distinct > MAX_NUMERIC_CLASSES) {
      throw new UsageError(
        `--model logistic needs classes, but ${args.target} has ${distinct} distinct numeric values in ${values.length} rows ` +
          `(${fractional ? "some not whole numbers" : `more than ${MAX_NUMERIC_CLASSES}`}); ` +
          `it looks continuous: use --model linear or mlp, or write the classes as text labels`,
      );
    }
  }
  if (kind === "linear" && !numeric) {
    const sample = [...new Set(y as Label[])].slice(0, 3).join(", ");
    throw new UsageError(
      `--model linear needs a numeric target, but ${args.target} holds text (${sample}, …); use --model logistic or mlp`,
    );
  }
}

/** How a model will be fitted, decided before fitting: fit() takes different options for each. */
export interface Plan {
  kind: ModelKind;
  /** The linear closed form: no epochs, no validation loss, nothing to plot. */
  closedForm: boolean;
  /** Logistic regression's L-BFGS: iterations rather than epochs, no learning rate or batches. */
  lbfgs: boolean;
  options: Record<string, unknown>;
}

function plan(args: TrainArgs, kind: ModelKind, runtime: Runtime, cols: number): Plan {
  const s = args.solver;
  const closedForm = kind === "linear" && (s === "normal" || ((s === undefined || s === "auto") && cols <= AUTO_NORMAL_MAX_FEATURES));
  const lbfgs = kind === "logistic" && (s === undefined || s === "lbfgs");
  const o: Record<string, unknown> = { runtime, seed: args.seed };
  if (args.l2 !== undefined) o.l2 = args.l2;
  if (s === "sgd" || s === "momentum" || s === "adam") {
    o.optimizer = s;
    if (kind !== "mlp") o.solver = "gd";
  } else if (s !== undefined && kind !== "mlp") {
    o.solver = s;
  }
  if (!closedForm) {
    // L-BFGS counts iterations, each one pass over the data: --epochs bounds them.
    if (args.epochs !== undefined) o[lbfgs ? "maxIter" : "epochs"] = args.epochs;
    if (!lbfgs) {
      if (args.lr !== undefined) o.lr = args.lr;
      if (args.batch !== undefined) o.batchSize = args.batch;
    }
  }
  return { kind, closedForm, lbfgs, options: o };
}

function buildModel(args: TrainArgs, p: Plan, y: Target): Model {
  if (p.kind === "linear") return new LinearRegression(p.options) as unknown as Model;
  if (p.kind === "logistic") return new LogisticRegression(p.options) as unknown as Model;
  const numeric = y instanceof Float32Array;
  const sizes = args.layers ?? [16];
  const acts = args.activations ?? ["relu"];
  // dense() checks the names the user typed (the types only know the names written in code).
  const hidden = sizes.map((units, i) => dense({ units, activation: (acts.length === 1 ? acts[0] : acts[i]) as ActivationInput }));
  const output = numeric ? dense({ units: 1 }) : dense({ units: new Set(y as Label[]).size, activation: "softmax" });
  const loss = numeric ? "mse" : "categoricalCrossentropy";
  return new Sequential([...hidden, output], { ...p.options, loss }) as unknown as Model;
}

/** Rows of the data: their features and their targets. */
interface Rows {
  X: Matrix;
  y: Target;
}

function takeSet(X: Matrix, y: Target, rows: readonly number[]): Rows {
  return { X: takeRows(X, rows), y: take(y, rows) };
}

/**
 * The metrics table on the training and test rows, and for a classifier the per-class report and
 * confusion matrix of the test rows (of the training rows when there are none).
 */
function metricsReport(model: Model, train: Rows, test: Rows | undefined): string {
  if (model.task === "regression") {
    const m = (d: Rows): number[] => regressionMetrics(model.predict(d.X) as Float32Array, d.y as Float32Array);
    return metricsTable(["MSE", "RMSE", "R²"], m(train), test === undefined ? undefined : m(test));
  }
  const classes = model.classes ?? [...new Set(train.y as Label[])].sort();
  const scored = (d: Rows): { p: Label[]; metrics: (number | undefined)[] } => {
    const p = model.predict(d.X) as Label[];
    const proba = model.predictProba === undefined ? undefined : { values: model.predictProba(d.X), classes };
    return { p, metrics: classificationMetrics(p, d.y as Label[], proba) };
  };
  const tr = scored(train);
  const te = test === undefined ? undefined : scored(test);
  const table = metricsTable(["accuracy", "log loss"], tr.metrics, te?.metrics);
  const [set, rows, p] = te === undefined ? ["train", train, tr.p] : ["test", test as Rows, te.p];
  return `${table}\n${formatClassReport(classReport(rows.y as Label[], p, classes), set)}`;
}

function plural(n: number, word: string): string {
  if (n === 1) return `${n} ${word}`;
  return `${n} ${word.endsWith("s") ? `${word}es` : word.endsWith("y") ? `${word.slice(0, -1)}ies` : `${word}s`}`;
}

/** How --early-stopping went, for the facts. */
interface Stopping {
  patience: number;
  /** The epochs fit was asked for. */
  epochs: number;
}

/** The facts after the metrics: the model, how it was fitted, where, and how long it took. */
function runFacts(model: Model, p: Plan, backend: string, seconds: number, stopping: Stopping | undefined): [string, string][] {
  const facts: [string, string][] = [["model", model.describe()]];
  // Why "auto" chose what it did; a solver the user named needs no explanation.
  if (model.solverReason && (p.options.solver === undefined || p.options.solver === "auto")) facts.push(["solver", model.solverReason]);
  const ran = model.history.loss.length;
  if (p.closedForm) facts.push(["epochs", "none (closed form)"]);
  else if (p.lbfgs && model.convergence !== undefined) {
    facts.push(["iterations", `${model.convergence.iterations} (${model.convergence.reason})`]);
  } else if (stopping !== undefined && ran < stopping.epochs) {
    // fit keeps the first epoch of the lowest validation loss when it stops.
    const val = model.history.valLoss;
    const best = val.indexOf(Math.min(...val)) + 1;
    facts.push(["epochs", `${ran} of ${stopping.epochs} (early stopping: the validation loss did not improve for ` +
      `${plural(stopping.patience, "epoch")}; the weights of epoch ${best} kept)`]);
  } else if (stopping !== undefined) {
    facts.push(["epochs", `${ran} (early stopping did not stop it: the validation loss improved within every ${plural(stopping.patience, "epoch")})`]);
  } else facts.push(["epochs", String(ran)]);
  facts.push(["backend", backend], ["time", formatDuration(seconds)]);
  return facts;
}

const TRAIN_HINTS: CsvHints = {
  option: (name) => `--${name}`,
  missing: "use --missing drop or --missing mean to handle missing cells",
  encode: "--categorical auto, or a list naming it, one-hot encodes it",
  tooMany: "list the columns to encode with --categorical a,b, leave it out with --features, or use --categorical none",
};

/** The feature columns as the header shows them: an encoded column with its number of categories. */
function featureLine(data: CsvData): string {
  const columns = data.encoding.columns.map((c) => (c.type === "number" ? c.name : `${c.name} (${plural(c.categories.length, "category")})`));
  const skipped = data.skipped.length > 0 ? ` (skipped: ${data.skipped.join(", ")})` : "";
  const ids = data.ids.length > 0 ? ` (id-like, left out: ${data.ids.join(", ")})` : "";
  return `${columns.join(", ")}${skipped}${ids}`;
}

/** What reading the CSV file left out or filled in, as notes on standard error. */
function dataNotes(data: CsvData, args: TrainArgs, ctx: Io): void {
  const note = (s: string): void => {
    ctx.stderr.write(`descent: note: ${printable(s)}\n`);
  };
  if (data.ids.length > 0) {
    const them = data.ids.length === 1 ? "it" : "them";
    note(`left out ${list(data.ids)}: id-like (unique in every row), not a feature; name ${them} in --features to use ${them}`);
  }
  if (data.dropped.length > 0) {
    const what = args.missing === "drop" ? "a missing cell" : "a missing target (never filled)";
    note(`--missing ${args.missing} left out ${plural(data.dropped.length, "row")} with ${what}: ` +
      `line${data.dropped.length === 1 ? "" : "s"} ${list(data.dropped)}`);
  }
  if (data.filled.length > 0) {
    const text = new Set(data.encoding.columns.filter((c) => c.type === "category").map((c) => c.name));
    const parts = data.filled.map((f) => `${f.rows.length} in ${quote(f.column)} (${text.has(f.column) ? "no category" : "the training mean"})`);
    note(`--missing mean filled missing cells: ${parts.join(", ")}`);
  }
}

/**
 * The encoding with every number column's mean taken over the training rows alone, and the
 * filled cells of X refilled with it: parseCsv's means are over the whole file, and a mean that
 * has seen the test rows would flatter the test metrics.
 */
function refitMeans(data: CsvData, train: readonly number[]): CsvEncoding {
  const { X } = data;
  const k = X.cols;
  const holes = new Map(data.filled.map((f) => [f.column, f.rows]));
  let offset = 0;
  const columns = data.encoding.columns.map((c) => {
    const at = offset;
    offset += c.type === "number" ? 1 : c.categories.length;
    if (c.type !== "number") return c;
    const rows = holes.get(c.name) ?? [];
    const hole = new Uint8Array(X.rows);
    for (const r of rows) hole[r] = 1;
    let sum = 0, count = 0;
    for (const r of train) {
      if (hole[r] === 0) {
        sum += X.data[r * k + at];
        count++;
      }
    }
    if (count === 0) {
      throw new Error(`descent: --missing mean: column ${quote(c.name)} has no value in the ${plural(train.length, "training row")} to take the mean of`);
    }
    const mean = Math.fround(sum / count);
    for (const r of rows) X.data[r * k + at] = mean;
    return { ...c, mean };
  });
  return { missing: data.encoding.missing, columns };
}

async function train(args: TrainArgs, ctx: Io): Promise<number> {
  if (args.stream) {
    return trainStream(args, ctx, { hints: TRAIN_HINTS, chooseModel, checkForModel, plan, buildModel, writeText, runFacts, saveOutputs });
  }
  const outputs: Output[] = [];
  if (args.out !== undefined) outputs.push({ file: args.out, flag: "--out" });
  if (args.plot !== undefined) outputs.push({ file: args.plot, flag: "--plot" });
  checkOutputs([{ file: args.file, role: "the CSV file to train on" }], outputs, ctx.cwd);
  const text = await readText(args.file, ctx, "CSV file");
  const data = readCsv(
    text,
    { target: args.target, features: args.features, categorical: args.categorical, missing: args.missing, dropIds: true, source: args.file },
    TRAIN_HINTS, { target: "--target", features: "--features", categorical: "--categorical" },
  );
  const y = data.y as Target;
  const numeric = y instanceof Float32Array;
  const kind = chooseModel(args, numeric);
  checkForModel(args, kind, numeric, y);

  const n = data.X.rows;
  const parts = args.testSplit > 0
    ? splitIndices(n, { testSize: args.testSplit, seed: args.seed, stratify: numeric ? undefined : (y as Label[]) })
    : { train: Array.from({ length: n }, (_, i) => i), test: [] };
  const encoding = args.missing === "mean" && parts.test.length > 0 ? refitMeans(data, parts.train) : data.encoding;

  const runtime = await createRuntime({ backend: args.backend, ...(args.maxMemory !== undefined ? { maxMemory: args.maxMemory } : {}) });
  const p = plan(args, kind, runtime, data.X.cols);
  // Early stopping watches rows of its own, so the test rows stay unseen until the metrics.
  let fitRows = parts.train, valRows: number[] | undefined;
  if (args.earlyStopping !== undefined && !p.closedForm && !p.lbfgs) {
    let v: { train: number[]; test: number[] };
    try {
      v = splitIndices(fitRows.length, { testSize: VALIDATION_FRACTION, seed: args.seed, stratify: numeric ? undefined : take(y as Label[], fitRows) });
    } catch (err) {
      throw new Error(`descent: --early-stopping cannot hold out validation rows from the ${plural(fitRows.length, "training row")}: ` +
        (err as Error).message.replace(/^descent: trainTestSplit: /, ""));
    }
    valRows = v.test.map((i) => parts.train[i]);
    fitRows = v.train.map((i) => parts.train[i]);
  }
  const trainSet = takeSet(data.X, y, fitRows);
  const testSet = parts.test.length === 0 ? undefined : takeSet(data.X, y, parts.test);
  const valSet = valRows === undefined ? undefined : takeSet(data.X, y, valRows);
  const model = buildModel(args, p, y);
  try {
    const out = ctx.stdout;
    dataNotes(data, args, ctx);
    const classes = kind === "logistic" || !numeric;
    const sizes = [`${trainSet.X.rows} train`, ...(valSet === undefined ? [] : [`${valSet.X.rows} validation`])];
    const pairs: [string, string][] = [
      ["data", `${args.file}: ${plural(n, "row")}${data.dropped.length > 0
        ? ` (${data.dropped.length} more left out: a missing ${args.missing === "drop" ? "cell" : "target"})`
        : ""}`],
      ["features", featureLine(data)],
      ["target", `${args.target} (${classes ? plural(new Set<Label>(y).size, "class") : "numeric"})`],
      ["split", testSet === undefined
        ? `${valSet === undefined ? "" : `${sizes.join(" / ")}; `}no test set (--test-split 0)`
        : `${[...sizes, `${testSet.X.rows} test`].join(" / ")} (seed ${args.seed})`],
      ["model", kind],
    ];
    out.write(formatPairs(pairs.map(([k, v]) => [k, printable(v)])));
    out.write("\n");

    const progress = args.quiet || p.closedForm
      ? undefined
      : createProgress(ctx.stderr, { unit: p.lbfgs ? "iter" : "epoch", valLabel: valSet === undefined ? "test" : "val" });
    const fitOptions: Record<string, unknown> = {};
    // Counted here rather than read from model.history, which a fit that fails may put back as it was.
    let epochs = 0, planned = 0;
    if (!p.closedForm) {
      fitOptions.onEpoch = (e: EpochReport) => {
        epochs = e.epoch;
        planned = e.epochs;
        progress?.update(e);
      };
    }
    // The closed form takes no validation data: it has no per-epoch loss to report.
    if (!p.closedForm) {
      if (valSet !== undefined) {
        fitOptions.validationData = valSet;
        fitOptions.earlyStopping = { patience: args.earlyStopping };
      } else if (testSet !== undefined) fitOptions.validationData = testSet;
    }
    const abort = new AbortController();
    const onAbort = (): void => abort.abort(new Error("descent: training interrupted"));
    ctx.signal?.addEventListener("abort", onAbort, { once: true });
    if (ctx.signal?.aborted) onAbort();
    fitOptions.signal = abort.signal;
    const start = performance.now();
    try {
      await model.fit(trainSet.X, trainSet.y, fitOptions);
    } catch (err) {
      if (!abort.signal.aborted) throw err;
      progress?.done(); // before the message, so it does not land inside the progress line
      ctx.stderr.write(`descent: training interrupted after ${plural(epochs, p.lbfgs ? "iteration" : "epoch")}\n`);
      return 130;
    } finally {
      ctx.signal?.removeEventListener("abort", onAbort);
      progress?.done();
    }
    const seconds = (performance.now() - start) / 1000;

    // A blank line after the progress, if any, as after the header.
    out.write(`${progress === undefined ? "" : "\n"}${metricsReport(model, trainSet, testSet)}\n`);
    const stopping = valSet === undefined ? undefined : { patience: args.earlyStopping as number, epochs: planned };
    out.write(formatPairs(runFacts(model, p, runtime.backend, seconds, stopping)));

    const ignored = (p.closedForm ? ["epochs", "lr", "batch", "early-stopping"] : p.lbfgs ? ["lr", "batch", "early-stopping"] : [])
      .filter((f) => args.given.has(f));
    if (ignored.length > 0) {
      const why = p.closedForm ? "the closed-form solver does not iterate (use --solver gd)" : "L-BFGS chooses its own steps over the whole set (use --solver gd)";
      ctx.stderr.write(`descent: note: ${ignored.map((f) => `--${f}`).join(", ")} had no effect: ${why}\n`);
    }
    await saveOutputs(args, ctx, model, p, { features: data.features, encoding }, valSet === undefined ? "test" : "validation");
    return 0;
  } finally {
    model.dispose();
  }
}

/**
 * What train writes after training: the model file (--out), with its columns and their encoding,
 * and the loss curve (--plot; the closed form has none), with the second curve named `second`.
 */
async function saveOutputs(
  args: TrainArgs, ctx: Io, model: Model, p: Plan, columns: Pick<ModelFile, "features" | "encoding">, second: string,
): Promise<void> {
  const out = ctx.stdout;
  if (args.out !== undefined) {
    const file: ModelFile = { descent: model.toJSON(), features: columns.features, target: args.target, ...(columns.encoding ? { encoding: columns.encoding } : {}) };
    await writeText(args.out, `${JSON.stringify(file)}\n`, ctx, "--out");
    out.write(`\nsaved the model to ${printable(args.out)}\n`);
  }
  if (args.plot === undefined) return;
  if (p.closedForm) {
    ctx.stderr.write(`descent: note: no loss curve to plot: the closed-form solver does not iterate (use --solver gd); ${printable(args.plot)} not written\n`);
    return;
  }
  const svg = lossCurveSvg(
    { loss: model.history.loss, valLoss: model.history.valLoss },
    {
      title: `Loss: ${args.target} from ${args.file}`, subtitle: model.describe(),
      labels: { validation: second }, xLabel: p.lbfgs ? "iteration" : "epoch",
    },
  );
  await writeText(args.plot, svg, ctx, "--plot");
  out.write(`${args.out === undefined ? "\n" : ""}saved the loss curve to ${printable(args.plot)}\n`);
}

// ------------------------------------------------------------------ predict

/** A model file as train --out writes it, its encoding checked (untrusted: checked before anything is built from it). */
function readModelFile(text: string, file: string): ModelFile & { encoding: CsvEncoding } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file} is not a model file: ${(err as Error).message}`);
  }
  const m = json as Partial<ModelFile> | null;
  const not = `${file} is not a model file written by "descent train --out"`;
  if (typeof m !== "object" || m === null || m.descent === undefined || !Array.isArray(m.features) || typeof m.target !== "string" ||
    !m.features.every((f) => typeof f === "string")) {
    throw new UsageError(`${not} (it needs "descent", "features" and "target")`);
  }
  let encoding: CsvEncoding;
  try {
    encoding = checkEncoding(m.encoding ?? { missing: "error", columns: m.features.map((name) => ({ name, type: "number" })) }, "encoding");
  } catch (err) {
    throw new UsageError(`${not}: ${(err as Error).message.replace(/^descent: /, "")}`);
  }
  const names = featureNames(encoding.columns);
  if (names.length !== m.features.length || names.some((f, i) => f !== (m.features as string[])[i])) {
    throw new UsageError(`${not}: its features are not the ones its encoding makes`);
  }
  return { ...(m as ModelFile), encoding };
}

async function predict(args: PredictArgs, ctx: Io): Promise<number> {
  const inputs = [{ file: args.model, role: "the model file" }, { file: args.file, role: "the CSV file to predict on" }];
  checkOutputs(inputs, args.out === undefined ? [] : [{ file: args.out, flag: "--out" }], ctx.cwd);
  const saved = readModelFile(await readText(args.model, ctx, "model file"), args.model);
  const text = await readText(args.file, ctx, "CSV file");
  const trained = saved.encoding.missing;
  const hints: CsvHints = {
    ...TRAIN_HINTS,
    missing: `the model in ${args.model} was trained with --missing ${trained}, so it has no value to fill in: fill the cell, or train with --missing mean`,
  };
  let data: CsvData;
  try {
    // In the encoding's order, whatever the file's: the model's.
    data = readCsv(text, { encoding: saved.encoding, missing: trained === "mean" ? "mean" : "error", keep: args.keep, source: args.file },
      hints, { keep: "--keep" });
  } catch (err) {
    if (!(err instanceof CsvColumnError) || err.option !== "features") throw err;
    throw new Error(
      `descent: ${args.file} has no column${err.columns.length === 1 ? "" : "s"} ${list(err.columns, 20)}, which the model in ${args.model} ` +
        `was trained on (it needs ${saved.encoding.columns.map((c) => c.name).join(", ")})`,
    );
  }
  const X = data.X;
  const runtime = await createRuntime({ backend: args.backend });
  const model = loadModel(saved.descent, { runtime }) as unknown as Model;
  try {
    const classes = model.task === "classification" && model.predictProba !== undefined ? model.classes : undefined;
    const kept = (args.keep ?? []).map((k) => k.trim());
    const own = ["prediction", ...(classes ?? []).map((c) => `p_${c}`)];
    const clash = kept.find((k) => own.includes(k));
    if (clash !== undefined) {
      throw new UsageError(`--keep ${clash}: the output has a ${quote(clash)} column of its own; keep a column of another name`);
    }
    if (data.unseen.length > 0) {
      const cells = data.unseen.reduce((a, u) => a + u.rows, 0);
      const shown = data.unseen.slice(0, 5).map((u) => `${quote(u.category)} in ${quote(u.column)} (${plural(u.rows, "row")})`);
      const more = data.unseen.length > 5 ? ` and ${data.unseen.length - 5} more` : "";
      ctx.stderr.write(printable(`descent: note: ${plural(cells, "cell")} ${cells === 1 ? "holds" : "hold"} a category the model was not trained on, ` +
        `read as no category (all its one-hot columns 0): ${shown.join(", ")}${more}`) + "\n");
    }
    const pred = model.predict(X);
    // Labels shown on a terminal are escaped as in messages; into a file or a pipe they stay exact.
    const shown = args.out === undefined && ctx.stdout.isTTY === true ? printable : (s: string): string => s;
    const header = [...kept.map(shown), "prediction"];
    const columns: Label[][] = [
      ...data.kept.map((cells) => cells.map(shown)),
      pred instanceof Float32Array ? Array.from(pred, formatFloat32) : pred.map((p) => (typeof p === "string" ? shown(p) : p)),
    ];
    if (classes !== undefined) {
      const proba = (model.predictProba as (X: Matrix) => Float32Array)(X);
      const k = classes.length;
      classes.forEach((c, j) => {
        header.push(shown(`p_${c}`));
        columns.push(Array.from({ length: X.rows }, (_, i) => formatFloat32(proba[i * k + j])));
      });
    }
    // Class labels and kept cells come from the files: "=HYPERLINK(…)" must not become a live formula.
    const csv = toCsv(header, columns, { escapeFormulas: true });
    if (args.out === undefined) {
      ctx.stdout.write(csv);
    } else {
      await writeText(args.out, csv, ctx, "--out");
      ctx.stderr.write(`descent: wrote ${plural(X.rows, "prediction")} to ${printable(args.out)}\n`);
    }
    return 0;
  } finally {
    model.dispose();
  }
}

function usage(topic: "main" | "train" | "predict" | "export"): string {
  return topic === "train" ? TRAIN_USAGE : topic === "predict" ? PREDICT_USAGE : topic === "export" ? EXPORT_USAGE : MAIN_USAGE;
}

/**
 * `descent export model.json --onnx model.onnx`: the saved model (a "descent train --out" file or
 * a bare model.toJSON() file) checked by loadModel, then written as ONNX, with the feature names
 * and the target in its metadata since the graph's input is the encoded feature matrix.
 */
async function exportModel(args: ExportArgs, ctx: Io): Promise<number> {
  checkOutputs([{ file: args.model, role: "the model file" }], [{ file: args.onnx, flag: "--onnx" }], ctx.cwd);
  const text = await readText(args.model, ctx, "model file");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${args.model} is not a model file: ${(err as Error).message}`);
  }
  const bare = typeof parsed === "object" && parsed !== null && (parsed as { format?: unknown }).format === "descent-model";
  const saved = bare ? undefined : readModelFile(text, args.model);
  const runtime = await createRuntime({ backend: "js" });
  const model = loadModel(bare ? parsed : saved?.descent, { runtime });
  let bytes: Uint8Array;
  let width: number;
  try {
    const metadata: Record<string, string> = saved === undefined ? {} : {
      "descent.features": JSON.stringify(saved.features), "descent.target": JSON.stringify(saved.target),
    };
    const json = model.toJSON();
    width = json.layers[0].inputs;
    bytes = toONNX(json, packageVersion(), metadata);
  } finally {
    model.dispose();
  }
  try {
    await writeFile(resolve(ctx.cwd, args.onnx), bytes);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such directory" : code === "EISDIR" ? "it is a directory" : code === "EACCES" ? "permission denied" : (err as Error).message;
    throw new UsageError(`cannot write --onnx ${args.onnx}: ${why}`);
  }
  const features = saved === undefined ? "" : `: ${saved.features.join(", ")}`;
  ctx.stderr.write(printable(`descent: wrote ${args.onnx} (${bytes.length} bytes, ONNX opset 17; input X: rows × ${width} features${features})`) + "\n");
  return 0;
}

/** Whether this module is the program being run; argv[1] may be npm's bin symlink, hence realpath. */
function isProgram(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

/** Ends the program with one line on stderr, for what happens outside main(): nothing prints a stack trace. */
function die(line: string): never {
  try {
    process.stderr.write(`${line}\n`);
  } catch {
    // Nowhere left to say it.
  }
  process.exit(1);
}

// The exit code goes to process.exitCode rather than process.exit(), so pending output drains. The
// first Ctrl-C stops training cleanly between epochs; a second one ends the process at once.
if (isProgram()) {
  const interrupt = new AbortController();
  const onSigint = (): void => {
    if (interrupt.signal.aborted) process.exit(130);
    interrupt.abort();
  };
  process.on("SIGINT", onSigint);
  process.on("uncaughtException", (err) => die(errorLine(err)));
  process.on("unhandledRejection", (err) => die(errorLine(err)));
  // A reader that stops early (descent predict … | head) is not an error; a full disk is, but not a bug.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    die(`descent: cannot write to standard output: ${err.message.replace(/^E[A-Z]+: /, "").replace(/, \w+$/, "")}`);
  });
  process.stderr.on("error", () => process.exit(1));
  process.exitCode = await main(process.argv.slice(2), { signal: interrupt.signal });
  process.off("SIGINT", onSigint);
}
