// The `descent` command line's grammar: usage texts, flag parsing (node:util parseArgs, strict) and
// the checks on each value, so that every mistake is reported before any data is read or trained on.
import { parseArgs } from "node:util";
import { AUTO_MAX_CATEGORIES, MAX_CATEGORIES, type CsvCategorical, type CsvMissing } from "../data/csv.ts";
import { readNumber } from "../data/number.ts";

/** A mistake in the command line: reported as one line (plus usage when asked), exit code 2. */
export class UsageError extends Error {
  /** Print the command's usage after the message (for unknown flags and missing arguments). */
  readonly showUsage: "main" | "train" | "predict" | "export" | undefined;
  constructor(message: string, showUsage?: "main" | "train" | "predict" | "export") {
    super(message.startsWith("descent: ") ? message : `descent: ${message}`);
    this.name = "UsageError";
    this.showUsage = showUsage;
  }
}

export const MODELS = ["linear", "logistic", "mlp"] as const;
export type ModelKind = (typeof MODELS)[number];
export const BACKEND_NAMES = ["auto", "wasm-simd", "wasm", "js"] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
/**
 * A numeric target that --model logistic takes for classes only up to this many distinct whole
 * numbers; beyond, or with any value that is not whole (scikit-learn's type_of_target calls that
 * "continuous"), it looks continuous and is refused.
 */
export const MAX_NUMERIC_CLASSES = 20;
/** --solver values: how each model may be fitted (see TRAIN_USAGE). */
export const SOLVERS: Readonly<Record<ModelKind, readonly string[]>> = {
  linear: ["auto", "normal", "gd", "sgd", "momentum", "adam"],
  logistic: ["lbfgs", "gd", "sgd", "momentum", "adam"],
  mlp: ["gd", "sgd", "momentum", "adam"],
};
/** Hidden-layer activations --activation accepts (the registry's elementwise ones, plus linear). */
export const HIDDEN_ACTIVATIONS = ["relu", "leakyRelu", "prelu", "elu", "sigmoid", "tanh", "softplus", "linear"] as const;
export type HiddenActivation = (typeof HIDDEN_ACTIVATIONS)[number];
export const MISSING_MODES = ["error", "drop", "mean"] as const;
/** --early-stopping without a number: the library's default patience. */
export const DEFAULT_PATIENCE = 10;
/**
 * The share of the training rows --early-stopping holds out to watch, as scikit-learn's
 * validation_fraction: the test set stays unseen until the metrics.
 */
export const VALIDATION_FRACTION = 0.1;

export const MAIN_USAGE = `Usage: descent <command> [options]

Commands:
  train <file.csv> --target <column>   fit a model to a CSV file and report its metrics
  predict <model.json> <file.csv>      predict with a saved model, CSV out
  export <model.json> --onnx <file>    write a saved model as an ONNX file

Run "descent <command> --help" for a command's options, "descent --version" for the version.
`;

export const TRAIN_USAGE = `Usage: descent train <file.csv> --target <column> [options]

Fits a model to a CSV file, holding out a test set, and prints train and test metrics (for
classifiers also precision, recall and F1 per class and a confusion matrix). Numeric columns
are features as they are; text columns are one-hot encoded (a 0/1 column per category, named
like "neighbourhood=Downtown"); id-like columns, unique integers in every row under a name like
id, ID, house_id or houseId, or text unique in every row, are left out with a note.

Options:
  -t, --target <column>    the column to predict (required)
      --features <a,b,…>   the feature columns, id-like ones too (default: every column but
                           the target, the id-like ones and text that --categorical leaves out)
      --categorical <how>  text columns to one-hot encode: auto (default: every text column but
                           the target and id-like ones; a column of more than ${AUTO_MAX_CATEGORIES} categories, or
                           of more than half as many as rows, is refused), none (leave text
                           out), or a comma list of columns, text or numbers (up to ${MAX_CATEGORIES}
                           categories each)
      --missing <how>      a missing cell in a feature or the target (empty, or NA, N/A, NaN,
                           null, None and the other spellings pandas reads as missing):
                           error (default) stops at it; drop leaves its row out; mean fills a
                           number with the column's mean over the training rows and a text
                           cell with no category (all its one-hot columns 0), and leaves out a
                           row whose target is missing
  -m, --model <name>       linear | logistic | mlp (default: mlp when --layers or
                           --activation is given, else linear for a numeric target and
                           logistic for a text target); logistic takes a numeric target's
                           values for classes, unless it looks continuous: a value that is
                           not a whole number, or more than ${MAX_NUMERIC_CLASSES} distinct values
      --layers <n,n,…>     mlp hidden layer sizes (default 16); the output layer is added:
                           1 linear unit for a numeric target, softmax over the classes otherwise
      --activation <name>  mlp hidden activation, one for all layers or a comma list with one
                           per layer (default relu):
                           ${HIDDEN_ACTIVATIONS.join(", ")}
      --solver <name>      linear: auto | normal | gd | sgd | momentum | adam (default auto)
                           logistic: lbfgs | gd | sgd | momentum | adam (default lbfgs)
                           mlp: sgd | momentum | adam (default adam)
                           (gd = gradient descent with the default optimizer; sgd, momentum
                           and adam = gradient descent with that optimizer)
      --epochs <n>         passes over the training data (gradient descent; for lbfgs,
                           the most iterations)
      --lr <rate>          learning rate (gradient descent)
      --batch <n>          mini-batch size (gradient descent; default: the model's)
      --l2 <lambda>        L2 penalty on the weights (default 0)
      --seed <n>           seed of the split, the initial weights and the shuffling (default 0)
      --backend <name>     ${BACKEND_NAMES.join(" | ")} (default auto: the fastest available)
      --test-split <f>     fraction of rows held out for testing, in [0, 1) (default 0.2;
                           stratified by class for classifiers; 0 = no test set)
      --early-stopping [n] stop when the validation loss has not improved for n epochs
                           (default ${DEFAULT_PATIENCE}) and keep the best epoch's weights; the validation
                           rows are ${VALIDATION_FRACTION * 100}% of the training rows (stratified for classifiers),
                           so the test set stays unseen (gradient descent only)
      --stream             read the CSV file in chunks, never whole, and train from batches
                           (model.fitBatches): for files larger than memory. The columns and
                           categories are decided from the first 10,000 rows; every row
                           trains (no test set: --test-split and --early-stopping are
                           refused) and the metrics are of the training rows; --missing
                           mean is refused (its means need the whole file first)
      --max-memory <bytes> the most WebAssembly memory training may use (a number of bytes,
                           or with a K, M or G suffix: 64M); default 4G
  -o, --out <model.json>   save the trained model, with its columns and their encoding
      --plot <loss.svg>    save the loss curve as SVG (iterative solvers only)
  -q, --quiet              no progress display
  -h, --help               show this help

Numbers in the CSV file and in options are decimal ("12", "-0.5", "1e-3"), as pandas reads
them. An output that is an input, or the other output, is refused before anything is read.

Examples:
  descent train data/penguins.csv --target species --model mlp --layers 16,8 --plot loss.svg
  descent train data/housing.csv --target price --missing mean --out housing.json
`;

export const PREDICT_USAGE = `Usage: descent predict <model.json> <file.csv> [options]

Predicts with a model saved by "descent train --out". The CSV must have the columns the model
was trained on (other columns are ignored), and they are encoded as in training. A category the
model was not trained on gets all-zero one-hot columns, with a note on standard error (as
scikit-learn's OneHotEncoder(handle_unknown="ignore") gives). A missing
cell gets the training mean, or no category, when the model was trained with --missing mean, and
is refused otherwise. Writes the --keep columns, a "prediction" column, and for classifiers one
"p_<class>" probability column per class.

Options:
      --keep <a,b,…>       columns of the CSV file to copy into the output, before the
                           predictions (an id, say)
  -o, --out <file.csv>     write the predictions here (default: standard output)
      --backend <name>     ${BACKEND_NAMES.join(" | ")} (default auto)
  -h, --help               show this help
`;

export const EXPORT_USAGE = `Usage: descent export <model.json> --onnx <file.onnx>

Writes a model saved by "descent train --out" (or by model.toJSON()) as an ONNX file (ai.onnx
opset 17) for ONNX Runtime and other ONNX tools. Its input "X" is float32 [rows, features]: the
feature columns as training encoded them (numbers as they are, one 0/1 column per category);
their names are listed in the file's metadata ("descent.features"). Its output "prediction" is
what "descent predict" gives, and classifiers add "probabilities" (one column per class).

Options:
      --onnx <file.onnx>   where to write the ONNX file (required)
  -h, --help               show this help
`;

export interface ExportArgs {
  command: "export";
  model: string;
  onnx: string;
}

export interface TrainArgs {
  command: "train";
  file: string;
  target: string;
  features: string[] | undefined;
  categorical: CsvCategorical;
  missing: CsvMissing;
  /** undefined: chosen from the target's type once the data is read. */
  model: ModelKind | undefined;
  layers: number[] | undefined;
  activations: HiddenActivation[] | undefined;
  solver: string | undefined;
  epochs: number | undefined;
  lr: number | undefined;
  batch: number | undefined;
  l2: number | undefined;
  seed: number;
  backend: BackendName;
  testSplit: number;
  /** The patience of --early-stopping; undefined without it. */
  earlyStopping: number | undefined;
  out: string | undefined;
  plot: string | undefined;
  quiet: boolean;
  /** --stream: read the file in chunks and train with fitBatches (src/cli/stream.ts). */
  stream: boolean;
  /** --max-memory, in bytes. */
  maxMemory: number | undefined;
  /** The flags given explicitly, to warn about those the chosen solver ignores. */
  given: ReadonlySet<string>;
}

export interface PredictArgs {
  command: "predict";
  model: string;
  file: string;
  keep: string[] | undefined;
  out: string | undefined;
  backend: BackendName;
}

export type Command = TrainArgs | PredictArgs | ExportArgs | { command: "help"; topic: "main" | "train" | "predict" | "export" } | { command: "version" };

type Spec = Record<string, { type: "string" | "boolean"; short?: string }>;

const TRAIN_OPTIONS: Spec = {
  target: { type: "string", short: "t" },
  features: { type: "string" },
  categorical: { type: "string" },
  missing: { type: "string" },
  model: { type: "string", short: "m" },
  layers: { type: "string" },
  activation: { type: "string" },
  solver: { type: "string" },
  epochs: { type: "string" },
  lr: { type: "string" },
  batch: { type: "string" },
  l2: { type: "string" },
  seed: { type: "string" },
  backend: { type: "string" },
  "test-split": { type: "string" },
  "early-stopping": { type: "string" },
  out: { type: "string", short: "o" },
  plot: { type: "string" },
  quiet: { type: "boolean", short: "q" },
  stream: { type: "boolean" },
  "max-memory": { type: "string" },
  help: { type: "boolean", short: "h" },
};

const PREDICT_OPTIONS: Spec = {
  keep: { type: "string" },
  out: { type: "string", short: "o" },
  backend: { type: "string" },
  help: { type: "boolean", short: "h" },
};

/** Parses a whole command line (without "node" and the script path). */
export function parseCommandLine(argv: readonly string[]): Command {
  const [command, ...rest] = argv;
  if (command === undefined || command === "-h" || command === "--help") return { command: "help", topic: "main" };
  if (command === "--version") {
    if (rest.length > 0) throw new UsageError(`--version takes nothing after it, received ${rest.join(" ")}`);
    return { command: "version" };
  }
  if (command === "help") {
    const topic = rest[0];
    if (topic === undefined) return { command: "help", topic: "main" };
    if (topic === "train" || topic === "predict" || topic === "export") return { command: "help", topic };
    throw new UsageError(`unknown command ${JSON.stringify(topic)}`, "main");
  }
  if (command === "train") return parseTrain(rest);
  if (command === "predict") return parsePredict(rest);
  if (command === "export") return parseExport(rest);
  if (command.startsWith("-")) throw new UsageError(`expected a command before ${command}`, "main");
  throw new UsageError(`unknown command ${JSON.stringify(command)} (known: train, predict, export)`, "main");
}

type Values = Record<string, string | boolean | undefined>;

/** parseArgs with its errors rewritten as one-line usage errors naming the flag. */
function parse(args: readonly string[], options: Spec, command: "train" | "predict" | "export"): { values: Values; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
    return { values: values as Values, positionals };
  } catch (err) {
    const e = err as Error & { code?: string };
    // Node names an option with a short alias as '-q, --quiet': keep the long name.
    const flag = /'(?:-\w, )?(-{1,2}[^' ]+)/.exec(e.message)?.[1] ?? "";
    switch (e.code) {
      case "ERR_PARSE_ARGS_UNKNOWN_OPTION": {
        const near = closest(flag.replace(/^-+/, "").split("=")[0], Object.keys(options));
        const hint = near === undefined ? "" : ` (did you mean --${near}?)`;
        throw new UsageError(`unknown option ${flag} for descent ${command}${hint}`, command);
      }
      case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
        if (/does not take an argument/.test(e.message)) throw new UsageError(`${flag} takes no value`);
        if (/ambiguous/.test(e.message)) {
          throw new UsageError(`${flag} needs a value (to pass one starting with "-", write ${flag}=-…)`);
        }
        throw new UsageError(`${flag} needs a value`);
      default:
        throw new UsageError(`${command}: ${e.message.split("\n")[0]}`, command);
    }
  }
}

/**
 * --early-stopping takes an optional number, which parseArgs cannot express: the number that
 * follows it (a decimal, as readNumber reads one) is its value, and without one it gets the
 * default patience. Nothing after "--" is an option.
 */
function optionalValue(args: readonly string[], flag: string, fallback: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      out.push(...args.slice(i));
      break;
    }
    if (a !== flag) out.push(a);
    else if (i + 1 < args.length && readNumber(args[i + 1]) !== undefined) out.push(`${flag}=${args[++i]}`);
    else out.push(`${flag}=${fallback}`);
  }
  return out;
}

/** --max-memory: bytes, or with a K, M or G suffix (powers of 1024), at least one 64 KiB page. */
function bytes(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMG]?)i?B?$/i.exec(s.trim());
  const value = m === null ? NaN : Number(m[1]) * 1024 ** " KMG".indexOf((m[2] || " ").toUpperCase());
  if (!(value >= 65536)) throw new UsageError(`--max-memory must be a number of bytes of at least 64K (65536), as 64M or 1G; received ${JSON.stringify(s)}`);
  return Math.floor(value);
}

function parseTrain(args: readonly string[]): Command {
  const { values, positionals } = parse(optionalValue(args, "--early-stopping", String(DEFAULT_PATIENCE)), TRAIN_OPTIONS, "train");
  if (values.help === true) return { command: "help", topic: "train" };
  if (positionals.length === 0) throw new UsageError("missing the CSV file to train on", "train");
  if (positionals.length > 1) {
    throw new UsageError(`expected one CSV file, received ${positionals.length}: ${positionals.join(" ")}`);
  }
  const str = (name: string): string | undefined => values[name] as string | undefined;
  const target = str("target");
  if (target === undefined) throw new UsageError("missing --target <column> (the column to predict)", "train");
  if (target.trim() === "") throw new UsageError("--target must name a column, received an empty string");

  const model = str("model");
  if (model !== undefined && !(MODELS as readonly string[]).includes(model)) {
    throw new UsageError(`--model must be one of ${MODELS.join(", ")}; received ${JSON.stringify(model)}`);
  }
  const kind = model as ModelKind | undefined;
  const layers = str("layers") === undefined ? undefined : list(str("layers") as string, "--layers").map((s) =>
    integer(s, "--layers", 1, "a comma list of layer sizes, each an integer >= 1"));
  const activations = str("activation") === undefined ? undefined : list(str("activation") as string, "--activation").map((a) => {
    if (!(HIDDEN_ACTIVATIONS as readonly string[]).includes(a)) {
      throw new UsageError(`--activation must be one of ${HIDDEN_ACTIVATIONS.join(", ")}; received ${JSON.stringify(a)}`);
    }
    return a as HiddenActivation;
  });
  if (kind !== undefined && kind !== "mlp") {
    if (layers !== undefined) throw new UsageError(`--layers applies to --model mlp, not ${kind}`);
    if (activations !== undefined) throw new UsageError(`--activation applies to --model mlp, not ${kind}`);
  }
  const hidden = layers?.length ?? 1;
  if (activations !== undefined && activations.length !== 1 && activations.length !== hidden) {
    throw new UsageError(
      `--activation has ${activations.length} names for ${hidden} hidden layer${hidden === 1 ? "" : "s"}; ` +
        `give one for all, or one per layer`,
    );
  }
  const solver = str("solver");
  if (solver !== undefined) {
    const allowed = kind === undefined ? [...new Set(Object.values(SOLVERS).flat())] : SOLVERS[kind];
    if (!allowed.includes(solver)) {
      throw new UsageError(`--solver must be one of ${allowed.join(", ")}${kind === undefined ? "" : ` for --model ${kind}`}; received ${JSON.stringify(solver)}`);
    }
  }
  const backend = str("backend") ?? "auto";
  if (!(BACKEND_NAMES as readonly string[]).includes(backend)) {
    throw new UsageError(`--backend must be one of ${BACKEND_NAMES.join(", ")}; received ${JSON.stringify(backend)}`);
  }
  const opt = <T>(name: string, read: (s: string) => T): T | undefined => (str(name) === undefined ? undefined : read(str(name) as string));
  const features = opt("features", (s) => list(s, "--features"));
  const categorical = opt("categorical", (s): CsvCategorical => (s === "auto" || s === "none" ? s : list(s, "--categorical"))) ?? "auto";
  const missing = opt("missing", (s) => {
    if (!(MISSING_MODES as readonly string[]).includes(s)) {
      throw new UsageError(`--missing must be one of ${MISSING_MODES.join(", ")}; received ${JSON.stringify(s)}`);
    }
    return s as CsvMissing;
  }) ?? "error";
  // Whether they name one file (or an input) is for the file system to say: see paths.ts.
  const out = opt("out", (s) => path(s, "--out"));
  const plot = opt("plot", (s) => path(s, "--plot"));

  return {
    command: "train",
    file: positionals[0],
    target,
    features,
    categorical,
    missing,
    model: kind,
    layers,
    activations,
    solver,
    epochs: opt("epochs", (s) => integer(s, "--epochs", 1)),
    lr: opt("lr", (s) => number(s, "--lr", (v) => v > 0, "a number > 0")),
    batch: opt("batch", (s) => integer(s, "--batch", 1)),
    l2: opt("l2", (s) => number(s, "--l2", (v) => v >= 0, "a number >= 0")),
    seed: opt("seed", (s) => integer(s, "--seed", 0, "an integer >= 0", 2 ** 32 - 1)) ?? 0,
    backend: backend as BackendName,
    testSplit: opt("test-split", (s) => number(s, "--test-split", (v) => v >= 0 && v < 1, "a fraction in [0, 1)")) ?? 0.2,
    earlyStopping: opt("early-stopping", (s) => integer(s, "--early-stopping", 1, "a patience, an integer >= 1 (epochs)")),
    out,
    plot,
    quiet: values.quiet === true,
    stream: values.stream === true,
    maxMemory: opt("max-memory", bytes),
    given: new Set(Object.keys(values).filter((k) => values[k] !== undefined)),
  };
}

function parsePredict(args: readonly string[]): Command {
  const { values, positionals } = parse(args, PREDICT_OPTIONS, "predict");
  if (values.help === true) return { command: "help", topic: "predict" };
  if (positionals.length < 2) {
    const missing = positionals.length === 0 ? "the model file and the CSV file" : "the CSV file to predict on";
    throw new UsageError(`missing ${missing}`, "predict");
  }
  if (positionals.length > 2) {
    throw new UsageError(`expected a model file and one CSV file, received ${positionals.length} arguments: ${positionals.join(" ")}`);
  }
  const backend = (values.backend as string | undefined) ?? "auto";
  if (!(BACKEND_NAMES as readonly string[]).includes(backend)) {
    throw new UsageError(`--backend must be one of ${BACKEND_NAMES.join(", ")}; received ${JSON.stringify(backend)}`);
  }
  const out = values.out === undefined ? undefined : path(values.out as string, "--out");
  const keep = values.keep === undefined ? undefined : list(values.keep as string, "--keep");
  return { command: "predict", model: positionals[0], file: positionals[1], keep, out, backend: backend as BackendName };
}

const EXPORT_OPTIONS: Spec = {
  onnx: { type: "string" },
  help: { type: "boolean", short: "h" },
};

function parseExport(args: readonly string[]): Command {
  const { values, positionals } = parse(args, EXPORT_OPTIONS, "export");
  if (values.help === true) return { command: "help", topic: "export" };
  if (positionals.length === 0) throw new UsageError("missing the model file to export", "export");
  if (positionals.length > 1) throw new UsageError(`expected one model file, received ${positionals.length} arguments: ${positionals.join(" ")}`);
  if (values.onnx === undefined) throw new UsageError("--onnx <file.onnx> is required: where to write the ONNX file", "export");
  return { command: "export", model: positionals[0], onnx: path(values.onnx as string, "--onnx") };
}

/** The option name within two edits of `name` (a typo such as --epoch or --tagret), if one is. */
function closest(name: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const n of names) {
    const d = editDistance(name, n);
    if (d < bestDistance) [best, bestDistance] = [n, d];
  }
  return name.length > 1 ? best : undefined;
}

/** Levenshtein distance, with transpositions counted as one edit (Damerau's restricted form). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

// ------------------------------------------------------------------ values

/** A finite decimal number, read by the rule parseCsv reads cells with (not "0x10", "1_000" or "Infinity"). */
function number(s: string, flag: string, ok: (v: number) => boolean, expected: string): number {
  const v = readNumber(s);
  if (v === undefined || !Number.isFinite(v) || !ok(v)) throw new UsageError(`${flag} must be ${expected}, received ${JSON.stringify(s)}`);
  return v;
}

function integer(s: string, flag: string, min: number, expected = `an integer >= ${min}`, max = Number.MAX_SAFE_INTEGER): number {
  return number(s, flag, (v) => Number.isInteger(v) && v >= min && v <= max, expected);
}

/** A comma list with blanks trimmed; an empty item ("16,,8") is a mistake, not something to skip. */
function list(s: string, flag: string): string[] {
  const items = s.split(",").map((x) => x.trim());
  if (items.some((x) => x === "")) throw new UsageError(`${flag} must be a comma list with no empty items, received ${JSON.stringify(s)}`);
  return items;
}

function path(s: string, flag: string): string {
  if (s.trim() === "") throw new UsageError(`${flag} needs a file name, received an empty string`);
  return s;
}
