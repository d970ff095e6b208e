// `descent train --stream`: trains on a CSV file read in chunks (a Node stream, never the whole
// file) through csvBatches and model.fitBatches, so that a file larger than memory trains with
// memory bounded by a batch. Progress is in bytes of each pass; the metrics come from one more
// pass over the training rows (there is no test set: holding rows out of a stream is left to the
// user). The rules of the non-stream path apply where a stream allows: the target and model
// choice, --features, --categorical and id-like columns (decided from the first rows), --missing
// error or drop; --missing mean, --test-split and --early-stopping are refused with the reason.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { CsvHints } from "../data/csv.ts";
import { CsvBatches } from "../data/stream.ts";
import { createRuntime, type Runtime } from "../runtime.ts";
import { UsageError, type ModelKind, type TrainArgs } from "./args.ts";
import type { Io, Model, ModelFile, Plan, Target } from "./main.ts";
import { checkOutputs, type Output } from "./paths.ts";
import { formatBar, formatLoss, type EpochReport, type ProgressStream } from "./progress.ts";
import { formatPairs, printable } from "./table.ts";

/** What the stream path shares with main.ts's train (passed in, so that the two files do not import each other at load). */
export interface StreamDeps {
  hints: CsvHints;
  chooseModel(args: TrainArgs, numeric: boolean): ModelKind;
  checkForModel(args: TrainArgs, kind: ModelKind, numeric: boolean, y: Target): void;
  plan(args: TrainArgs, kind: ModelKind, runtime: Runtime, cols: number): Plan;
  buildModel(args: TrainArgs, p: Plan, y: Target): Model;
  writeText(file: string, text: string, ctx: Io, flag: string): Promise<void>;
  runFacts(model: Model, p: Plan, backend: string, seconds: number, stopping: undefined): [string, string][];
  saveOutputs(args: TrainArgs, ctx: Io, model: Model, p: Plan, columns: Pick<ModelFile, "features" | "encoding">, second: string): Promise<void>;
}

/** Bytes for people: "850 B", "12.3 KB", "1.05 GB" (powers of 1024, as --max-memory reads them). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toPrecision(3)} ${units[u]}`;
}

/**
 * The bytes of each pass: on a terminal one line redrawn (bar, pass, what it is for, bytes, the
 * last loss); elsewhere a line at the end of passes 1 to 10, every 10th to 100, then every 100th,
 * so that a log of a thousand epochs stays short. A pass starts when the bytes read start over.
 */
function byteProgress(stream: ProgressStream, size: number, unit: string): {
  label(what: string): void; next(what: string): void; bytes(read: number): void; epoch(e: EpochReport): void; done(): void;
} {
  const tty = stream.isTTY === true;
  let pass = 0;
  let label = "";
  let coming: string | undefined;
  let read = 0;
  let loss: number | undefined;
  let last = -Infinity;
  const line = (): string =>
    `${tty ? `${formatBar(size > 0 ? read / size : 1, 20)} ` : ""}pass ${pass} (${label}): ${formatBytes(read)} of ${formatBytes(size)}` +
    (loss === undefined ? "" : `, loss ${formatLoss(loss)}`);
  const draw = (): void => {
    stream.write(`\r${line()}\u001b[K`);
    last = performance.now();
  };
  const ended = (): void => {
    if (pass === 0) return;
    if (tty) draw();
    else if (pass <= 10 || (pass <= 100 && pass % 10 === 0) || pass % 100 === 0) stream.write(`${line()}\n`);
  };
  return {
    /** What the pass in progress is for. */
    label(what) {
      label = what;
    },
    /** What the next pass is for (a training pass says which epoch once it ends). */
    next(what) {
      coming = what;
    },
    bytes(n) {
      if (pass === 0 || n === 0) {
        ended();
        pass++;
        label = coming ?? "training";
        coming = undefined;
      }
      read = n;
      if (tty && performance.now() - last > 100) draw();
    },
    epoch(e) {
      loss = e.loss;
      label = `${unit} ${e.epoch}/${e.epochs}`;
    },
    done() {
      if (pass === 0) return;
      if (tty) {
        draw();
        stream.write("\n");
      } else stream.write(`${line()}\n`);
      pass = 0;
    },
  };
}

export async function trainStream(args: TrainArgs, ctx: Io, deps: StreamDeps): Promise<number> {
  if (args.given.has("test-split") && args.testSplit > 0) {
    throw new UsageError("--stream trains on every row and reports the metrics of the training rows: --test-split does not apply (hold out a file of your own and run descent predict on it)");
  }
  if (args.earlyStopping !== undefined) throw new UsageError("--early-stopping watches rows held out of training, which --stream does not hold out");
  if (args.missing === "mean") {
    throw new UsageError("--missing mean needs the whole file's means before training, which --stream cannot give: use --missing drop, or fill the cells beforehand");
  }
  const outputs: Output[] = [];
  if (args.out !== undefined) outputs.push({ file: args.out, flag: "--out" });
  if (args.plot !== undefined) outputs.push({ file: args.plot, flag: "--plot" });
  checkOutputs([{ file: args.file, role: "the CSV file to train on" }], outputs, ctx.cwd);
  const path = resolve(ctx.cwd, args.file);
  let size: number;
  try {
    const s = await stat(path);
    if (s.isDirectory()) throw Object.assign(new Error("directory"), { code: "EISDIR" });
    size = s.size;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : code === "EACCES" ? "permission denied" : (err as Error).message;
    throw new UsageError(`cannot read the CSV file ${args.file}: ${why}`);
  }

  let onBytes: (read: number) => void = () => undefined;
  const hints: CsvHints = { ...deps.hints, missing: "use --missing drop to leave such rows out" };
  const batches = new CsvBatches<Target>(
    // A new stream for every pass; 1 MiB chunks.
    () => createReadStream(path, { highWaterMark: 1 << 20 }),
    {
      target: args.target, features: args.features, categorical: args.categorical, missing: args.missing as "error" | "drop",
      dropIds: true, source: args.file, onProgress: (read) => onBytes(read),
    },
    hints, "train",
  );

  // The first rows decide the target's type, hence the model (as the whole file does without --stream).
  const peek = batches[Symbol.asyncIterator]();
  const first = await peek.next();
  await peek.return(undefined);
  const y0 = (first.value as { y: Target }).y;
  const cols = (first.value as { X: { cols: number } }).X.cols;
  const numeric = y0 instanceof Float32Array;
  const kind = deps.chooseModel(args, numeric);
  deps.checkForModel(args, kind, numeric, y0);
  const runtime = await createRuntime({ backend: args.backend, ...(args.maxMemory !== undefined ? { maxMemory: args.maxMemory } : {}) });
  const p = deps.plan(args, kind, runtime, cols);
  const progress = args.quiet ? undefined : byteProgress(ctx.stderr, size, p.lbfgs ? "iteration" : "epoch");
  onBytes = (read) => progress?.bytes(read);

  // An mlp classifier's output layer has a unit per class: they are counted in a pass of their own.
  let classes: Target = y0;
  if (kind === "mlp" && !numeric) {
    progress?.next("counting the classes");
    const labels = new Set<string | number>();
    for await (const b of batches) for (const l of b.y) labels.add(l);
    classes = [...labels] as Target;
  }
  const model = deps.buildModel(args, p, classes);
  try {
    const info = batches.info;
    const out = ctx.stdout;
    out.write(formatPairs(([
      ["data", `${args.file}: ${formatBytes(size)}, read in batches of 10,000 rows (--stream)`],
      ["features", `${(info.features ?? []).join(", ")}${info.skipped.length > 0 ? ` (skipped: ${info.skipped.join(", ")})` : ""}` +
        `${info.ids.length > 0 ? ` (id-like, left out: ${info.ids.join(", ")})` : ""}`],
      ["target", `${args.target} (${numeric && kind !== "logistic" ? "numeric" : "classes"})`],
      ["split", "every row trains; no test set (--stream)"],
      ["model", kind],
    ] as [string, string][]).map(([k, v]) => [k, printable(v)])));
    out.write("\n");

    let peak = 0;
    let passes = 0;
    const abort = new AbortController();
    const onAbort = (): void => abort.abort(new Error("descent: training interrupted"));
    ctx.signal?.addEventListener("abort", onAbort, { once: true });
    if (ctx.signal?.aborted) onAbort();
    const fitOptions: Record<string, unknown> = {
      signal: abort.signal,
      onBatch: (b: { pass: number; phase: string; batch: number }) => {
        peak = Math.max(peak, runtime.memory().memoryBytes);
        passes = b.pass;
        if (b.phase === "statistics") progress?.label(p.closedForm ? "the closed form's sums" : "statistics and classes");
      },
    };
    if (!p.closedForm) fitOptions.onEpoch = (e: EpochReport) => progress?.epoch(e);
    const start = performance.now();
    try {
      await model.fitBatches(batches, fitOptions);
    } catch (err) {
      if (!abort.signal.aborted) throw err;
      progress?.done();
      ctx.stderr.write(`descent: training interrupted after ${passes} pass${passes === 1 ? "" : "es"} over the file\n`);
      return 130;
    } finally {
      ctx.signal?.removeEventListener("abort", onAbort);
    }
    const seconds = (performance.now() - start) / 1000;

    // The metrics of the training rows: one more pass, predicting batch by batch.
    progress?.next("metrics");
    let rows = 0, hits = 0, sse = 0, sae = 0, sum = 0, sumSq = 0;
    for await (const b of batches) {
      const pred = model.predict(b.X);
      rows += b.X.rows;
      for (let i = 0; i < b.X.rows; i++) {
        if (model.task === "classification") {
          if (pred[i] === (b.y as ArrayLike<unknown>)[i]) hits++;
        } else {
          const t = (b.y as Float32Array)[i];
          const e = (pred as Float32Array)[i] - t;
          sse += e * e;
          sae += Math.abs(e);
          sum += t;
          sumSq += t * t;
        }
      }
      peak = Math.max(peak, runtime.memory().memoryBytes);
    }
    progress?.done();
    const metrics: [string, string][] = [["rows", `${rows}${batches.info.dropped > 0 ? ` (${batches.info.dropped} more left out: a missing cell)` : ""}`]];
    if (model.task === "classification") metrics.push(["accuracy", (hits / rows).toFixed(4)]);
    else {
      const tss = sumSq - (sum * sum) / rows;
      metrics.push(["R²", (tss > 0 ? 1 - sse / tss : sse === 0 ? 1 : 0).toFixed(4)], ["RMSE", Math.sqrt(sse / rows).toPrecision(4)], ["MAE", (sae / rows).toPrecision(4)]);
    }
    out.write(`${progress === undefined ? "" : "\n"}metrics of the training rows:\n${formatPairs(metrics)}\n`);
    const facts = deps.runFacts(model, p, runtime.backend, seconds, undefined);
    facts.push([
      "memory",
      `peak ${formatBytes(peak)} of WebAssembly memory${args.maxMemory !== undefined ? ` (--max-memory ${formatBytes(args.maxMemory)})` : ""} ` +
        `for a ${formatBytes(size)} file, ${passes + 1} passes`,
    ]);
    out.write(formatPairs(facts));
    await deps.saveOutputs(args, ctx, model, p, { features: [...(batches.info.features ?? [])], encoding: batches.info.encoding }, "validation");
    return 0;
  } finally {
    progress?.done();
    model.dispose();
  }
}
