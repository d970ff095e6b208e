#!/usr/bin/env node
// The `descent` command: `descent train` fits a model to a CSV file and reports its metrics,
// `descent predict` applies a saved model to another CSV file. Library errors become one-line messages.
import { realpathSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseCsv, toCsv, trainTestSplit, type Matrix } from "../data/index.ts";
import { r2 } from "../models/common.ts";
import { AUTO_NORMAL_MAX_FEATURES, LinearRegression, LogisticRegression, Sequential, dense, loadModel, type ActivationInput } from "../models/index.ts";
import { createRuntime, type Runtime } from "../runtime.ts";
import {
  MAIN_USAGE, MAX_NUMERIC_CLASSES, PREDICT_USAGE, SOLVERS, TRAIN_USAGE, UsageError, parseCommandLine,
  type ModelKind, type PredictArgs, type TrainArgs,
} from "./args.ts";
import { checkOutputs, type Output } from "./paths.ts";
import { lossCurveSvg } from "./plot.ts";
import { createProgress, formatDuration, type EpochReport, type ProgressStream } from "./progress.ts";
import { formatMetric, formatPairs, formatTable, printable } from "./table.ts";

/** Where a run reads and writes: the process's streams and directory, or a test's. */
export interface Io {
  stdout: ProgressStream;
  stderr: ProgressStream;
  /** Relative file names are resolved against this directory. */
  cwd: string;
  /** Aborting it (Ctrl-C, when run as a program) stops training between epochs. */
  signal?: AbortSignal;
}

/** The file `descent train --out` writes: the model, and the CSV columns it was trained on. */
export interface ModelFile {
  descent: unknown;
  features: string[];
  target: string;
}

type Label = string | number;
type Target = Float32Array | Label[];

/** What the command needs of a model (the library's three model classes all provide it). */
interface Model {
  readonly task: "regression" | "classification";
  readonly history: { loss: number[]; valLoss: number[] };
  readonly classes?: readonly Label[];
  /** LinearRegression: which solver ran and why. */
  readonly solverReason?: string;
  /** LogisticRegression with L-BFGS: when and why it stopped. */
  readonly convergence?: { iterations: number; reason: string };
  fit(X: Matrix, y: Target, options?: object): Promise<unknown>;
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
      case "help":
        if (command.topic === "main" && argv.length === 0) {
          // Nothing asked: the usage goes where errors go, and the run is not a success.
          ctx.stderr.write(MAIN_USAGE);
          return 2;
        }
        ctx.stdout.write(command.topic === "train" ? TRAIN_USAGE : command.topic === "predict" ? PREDICT_USAGE : MAIN_USAGE);
        return 0;
      case "train":
        return await train(command, ctx);
      case "predict":
        return await predict(command, ctx);
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
      ctx.stderr.write(`\n${err.showUsage === "train" ? TRAIN_USAGE : err.showUsage === "predict" ? PREDICT_USAGE : MAIN_USAGE}`);
    }
    return 2;
  }
  return 1;
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

/**
 * parseCsv, with a --target or --features name the file lacks reported as the command-line
 * mistake it is (exit code 2) rather than as bad data.
 */
function readCsv(text: string, options: { target?: string; features?: readonly string[]; source: string }): ReturnType<typeof parseCsv> {
  try {
    return parseCsv(text, options);
  } catch (err) {
    const message = (err as Error).message ?? "";
    const flag = /: no target column /.test(message) ? "--target" : /: no feature column /.test(message) ? "--features" : undefined;
    if (flag !== undefined && (flag === "--target" ? options.target : options.features) !== undefined) {
      throw new UsageError(`${flag}: ${message.replace(/^descent: parseCsv: /, "")}`);
    }
    throw err;
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
interface Plan {
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

function regressionMetrics(model: Model, X: Matrix, y: Float32Array): number[] {
  const p = model.predict(X) as Float32Array;
  let res = 0;
  for (let i = 0; i < y.length; i++) res += (p[i] - y[i]) ** 2;
  const mse = res / y.length;
  return [mse, Math.sqrt(mse), r2(p, y)];
}

function classificationMetrics(model: Model, X: Matrix, y: Label[]): (number | undefined)[] {
  const p = model.predict(X) as Label[];
  let correct = 0;
  for (let i = 0; i < y.length; i++) if (p[i] === y[i]) correct++;
  let logLoss: number | undefined;
  const classes = model.classes;
  if (model.predictProba !== undefined && classes !== undefined) {
    const proba = model.predictProba(X);
    const k = classes.length;
    const index = new Map(classes.map((c, i) => [c, i]));
    let sum = 0;
    for (let i = 0; i < y.length; i++) {
      // Clipped as scikit-learn's log_loss does, so one confident mistake gives a large, finite loss.
      sum -= Math.log(Math.max(proba[i * k + (index.get(y[i]) as number)], 1e-15));
    }
    logLoss = sum / y.length;
  }
  return [correct / y.length, logLoss];
}

function metricsTable(model: Model, train: { X: Matrix; y: Target }, test: { X: Matrix; y: Target } | undefined): string {
  const regression = model.task === "regression";
  const names = regression ? ["MSE", "RMSE", "R²"] : ["accuracy", "log loss"];
  const compute = (d: { X: Matrix; y: Target }): (number | undefined)[] =>
    regression ? regressionMetrics(model, d.X, d.y as Float32Array) : classificationMetrics(model, d.X, d.y as Label[]);
  const tr = compute(train);
  const te = test === undefined ? undefined : compute(test);
  const header = test === undefined ? ["", "train"] : ["", "train", "test"];
  const rows = names.map((name, i) => [name, formatMetric(tr[i]), ...(te === undefined ? [] : [formatMetric(te[i])])]);
  return formatTable([header, ...rows], { header: true, indent: "  " });
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : word.endsWith("s") ? "es" : "s"}`;
}

/** The facts after the metrics: the model, how it was fitted, where, and how long it took. */
function runFacts(model: Model, p: Plan, backend: string, seconds: number): [string, string][] {
  const facts: [string, string][] = [["model", model.describe()]];
  // Why "auto" chose what it did; a solver the user named needs no explanation.
  if (model.solverReason && (p.options.solver === undefined || p.options.solver === "auto")) facts.push(["solver", model.solverReason]);
  if (p.closedForm) facts.push(["epochs", "none (closed form)"]);
  else if (p.lbfgs && model.convergence !== undefined) {
    facts.push(["iterations", `${model.convergence.iterations} (${model.convergence.reason})`]);
  } else facts.push(["epochs", String(model.history.loss.length)]);
  facts.push(["backend", backend], ["time", formatDuration(seconds)]);
  return facts;
}

async function train(args: TrainArgs, ctx: Io): Promise<number> {
  const outputs: Output[] = [];
  if (args.out !== undefined) outputs.push({ file: args.out, flag: "--out" });
  if (args.plot !== undefined) outputs.push({ file: args.plot, flag: "--plot" });
  checkOutputs([{ file: args.file, role: "the CSV file to train on" }], outputs, ctx.cwd);
  const text = await readText(args.file, ctx, "CSV file");
  const data = readCsv(text, { target: args.target, features: args.features, source: args.file });
  const y = data.y as Target;
  const numeric = y instanceof Float32Array;
  const kind = chooseModel(args, numeric);
  checkForModel(args, kind, numeric, y);

  const split = args.testSplit > 0
    ? trainTestSplit(data.X, y, { testSize: args.testSplit, seed: args.seed, stratify: numeric ? undefined : (y as Label[]) })
    : undefined;
  const trainSet = split === undefined ? { X: data.X, y } : { X: split.XTrain, y: split.yTrain as Target };
  const testSet = split === undefined ? undefined : { X: split.XTest, y: split.yTest as Target };

  const runtime = await createRuntime({ backend: args.backend });
  const p = plan(args, kind, runtime, data.X.cols);
  const model = buildModel(args, p, y);
  try {
    const out = ctx.stdout;
    const skipped = data.skipped.length > 0 ? ` (skipped: ${data.skipped.join(", ")})` : "";
    const classes = kind === "logistic" || !numeric;
    const pairs: [string, string][] = [
      ["data", `${args.file}: ${plural(data.X.rows, "row")}`],
      ["features", `${data.features.join(", ")}${skipped}`],
      ["target", `${args.target} (${classes ? plural(new Set<Label>(y).size, "class") : "numeric"})`],
      ["split", testSet === undefined ? "no test set (--test-split 0)" : `${trainSet.X.rows} train / ${testSet.X.rows} test (seed ${args.seed})`],
      ["model", kind],
    ];
    out.write(formatPairs(pairs.map(([k, v]) => [k, printable(v)])));
    out.write("\n");

    const progress = args.quiet || p.closedForm ? undefined : createProgress(ctx.stderr, { unit: p.lbfgs ? "iter" : "epoch", valLabel: "test" });
    const fitOptions: Record<string, unknown> = {};
    // Counted here rather than read from model.history, which a fit that fails may put back as it was.
    let epochs = 0;
    if (progress !== undefined) {
      fitOptions.onEpoch = (e: EpochReport) => {
        epochs = e.epoch;
        progress.update(e);
      };
    }
    // The closed form takes no validation data: it has no per-epoch loss to report.
    if (testSet !== undefined && !p.closedForm) fitOptions.validationData = testSet;
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
    out.write(`${progress === undefined ? "" : "\n"}${metricsTable(model, trainSet, testSet)}\n`);
    out.write(formatPairs(runFacts(model, p, runtime.backend, seconds)));

    const ignored = (p.closedForm ? ["epochs", "lr", "batch"] : p.lbfgs ? ["lr", "batch"] : []).filter((f) => args.given.has(f));
    if (ignored.length > 0) {
      const why = p.closedForm ? "the closed-form solver does not iterate (use --solver gd)" : "L-BFGS chooses its own steps over the whole set (use --solver gd)";
      ctx.stderr.write(`descent: note: ${ignored.map((f) => `--${f}`).join(", ")} had no effect: ${why}\n`);
    }
    if (args.out !== undefined) {
      const file: ModelFile = { descent: model.toJSON(), features: data.features, target: args.target };
      await writeText(args.out, `${JSON.stringify(file)}\n`, ctx, "--out");
      out.write(`\nsaved the model to ${printable(args.out)}\n`);
    }
    if (args.plot !== undefined) {
      if (p.closedForm) {
        ctx.stderr.write(`descent: note: no loss curve to plot: the closed-form solver does not iterate (use --solver gd); ${printable(args.plot)} not written\n`);
      } else {
        const svg = lossCurveSvg(
          { loss: model.history.loss, valLoss: model.history.valLoss },
          {
            title: `Loss: ${args.target} from ${args.file}`, subtitle: model.describe(), labels: { validation: "test" },
            xLabel: p.lbfgs ? "iteration" : "epoch",
          },
        );
        await writeText(args.plot, svg, ctx, "--plot");
        out.write(`${args.out === undefined ? "\n" : ""}saved the loss curve to ${printable(args.plot)}\n`);
      }
    }
    return 0;
  } finally {
    model.dispose();
  }
}

// ------------------------------------------------------------------ predict

function readModelFile(text: string, file: string): ModelFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file} is not a model file: ${(err as Error).message}`);
  }
  const m = json as Partial<ModelFile> | null;
  if (typeof m !== "object" || m === null || m.descent === undefined || !Array.isArray(m.features) || typeof m.target !== "string" ||
    !m.features.every((f) => typeof f === "string")) {
    throw new UsageError(`${file} is not a model file written by "descent train --out" (it needs "descent", "features" and "target")`);
  }
  return m as ModelFile;
}

async function predict(args: PredictArgs, ctx: Io): Promise<number> {
  const inputs = [{ file: args.model, role: "the model file" }, { file: args.file, role: "the CSV file to predict on" }];
  checkOutputs(inputs, args.out === undefined ? [] : [{ file: args.out, flag: "--out" }], ctx.cwd);
  const saved = readModelFile(await readText(args.model, ctx, "model file"), args.model);
  const text = await readText(args.file, ctx, "CSV file");
  let X: Matrix;
  try {
    // parseCsv returns the columns in the order asked for: the model's.
    X = parseCsv(text, { features: saved.features, source: args.file }).X;
  } catch (err) {
    const missing = /: no feature column ("(?:[^"\\]|\\.)*")/.exec((err as Error).message ?? "");
    if (missing === null) throw err;
    throw new Error(
      `descent: ${args.file} has no column ${missing[1]}, which the model in ${args.model} was trained on ` +
        `(it needs ${saved.features.join(", ")})`,
    );
  }
  const runtime = await createRuntime({ backend: args.backend });
  const model = loadModel(saved.descent, { runtime }) as unknown as Model;
  try {
    const pred = model.predict(X);
    // Labels shown on a terminal are escaped as in messages; into a file or a pipe they stay exact.
    const shown = args.out === undefined && ctx.stdout.isTTY === true ? printable : (s: string): string => s;
    const header = ["prediction"];
    const columns: Label[][] = [
      pred instanceof Float32Array ? Array.from(pred, formatFloat32) : pred.map((p) => (typeof p === "string" ? shown(p) : p)),
    ];
    const classes = model.classes;
    if (model.task === "classification" && model.predictProba !== undefined && classes !== undefined) {
      const proba = model.predictProba(X);
      const k = classes.length;
      classes.forEach((c, j) => {
        header.push(shown(`p_${c}`));
        columns.push(Array.from({ length: X.rows }, (_, i) => formatFloat32(proba[i * k + j])));
      });
    }
    // Class labels come from the training file: "=HYPERLINK(…)" must not become a live formula.
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
