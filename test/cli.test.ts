// The `descent` command line: its formatting pieces (table, progress, SVG plot), its argument
// checking, and train/predict run in-process on data/penguins.csv and small temporary CSV files.
import { spawnSync } from "node:child_process";
import {
  closeSync, linkSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync,
} from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseCsvRecords } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCsv } from "../src/data/index.ts";
import { loadModel } from "../src/models/index.ts";
import { checksum } from "../src/models/model.ts";
import { createRuntime } from "../src/runtime.ts";
import { formatFloat32, main } from "../src/cli/main.ts";
import { capture, runIn } from "./cli-helpers.ts";
import { classReport, formatClassReport } from "../src/cli/metrics.ts";
import { splitIndices } from "../src/data/split.ts";
import { escapeXml, formatTick, logTicks, lossCurveSvg, niceTicks } from "../src/cli/plot.ts";
import {
  createProgress, formatBar, formatDuration, formatLoss, formatProgressLine, formatRate, formatStatus, type EpochReport,
} from "../src/cli/progress.ts";
import { displayWidth, formatColumn, formatMetric, formatPairs, formatTable } from "../src/cli/table.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const PENGUINS = "data/penguins.csv";
const tmp = mkdtempSync(join(os.tmpdir(), "descent-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the command in-process from the repository root; the streams are captured. */
const run = runIn(root);

function tempFile(name: string, text: string): string {
  const file = join(tmp, name);
  writeFileSync(file, text);
  return file;
}

/** Balanced tags, checked with a stack: the well-formedness a regex-level check can see. */
function checkWellFormed(svg: string): void {
  const stack: string[] = [];
  const body = svg.replace(/<!--[\s\S]*?-->/g, "");
  for (const m of body.matchAll(/<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g)) {
    const [, close, name, , selfClose] = m;
    if (selfClose === "/") continue;
    if (close === "/") expect(stack.pop(), `</${name}> closes the last open tag`).toBe(name);
    else stack.push(name);
  }
  expect(stack).toEqual([]);
  // Every "<" starts a tag the pattern above recognised, and text holds no bare "&".
  const tags = [...body.matchAll(/<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g)].length;
  expect(body.split("<").length - 1).toBe(tags);
  expect(body).not.toMatch(/&(?!(amp|lt|gt|quot|apos);)/);
}

// ---------------------------------------------------------------------------- table

describe("table", () => {
  it("aligns columns, numbers to the right, with a rule under the header and no trailing blanks", () => {
    const text = formatTable([["", "train", "test"], ["MSE", "1.5", "12.25"], ["R²", "0.9", "0.85"]], { header: true });
    expect(text).toBe(
      "      train    test\n" +
      "---   -----   -----\n" +
      "MSE     1.5   12.25\n" +
      "R²      0.9    0.85\n",
    );
    for (const line of text.split("\n")) expect(line).toBe(line.trimEnd());
  });

  it("counts code points, not UTF-16 units, and pads ragged rows", () => {
    expect(displayWidth("R²")).toBe(2);
    expect(displayWidth("𝑥→")).toBe(2);
    expect(formatTable([["a", "b", "c"], ["d"]])).toBe("a   b   c\nd\n");
    expect(formatTable([])).toBe("");
  });

  it("lists pairs left-aligned", () => {
    expect(formatPairs([["backend", "wasm-simd"], ["time", "1.2 s"]])).toBe("backend  wasm-simd\ntime     1.2 s\n");
  });

  it("formats metrics to 4 significant digits, exponents at the extremes", () => {
    expect(formatMetric(0.98765)).toBe("0.9877");
    expect(formatMetric(1)).toBe("1.000");
    expect(formatMetric(123456.78)).toBe("123457");
    expect(formatMetric(2.5e-7)).toBe("2.500e-7");
    expect(formatMetric(3e9)).toBe("3.000e+9");
    expect(formatMetric(0)).toBe("0");
    expect(formatMetric(undefined)).toBe("—");
    expect(formatMetric(NaN)).toBe("NaN");
    expect(formatMetric(-Infinity)).toBe("-∞");
  });

  it("formats the numbers of a row or column in one notation and with the same decimals (issue 12)", () => {
    // The row: 1.43e+9 next to 1.801e+9.
    expect(formatColumn([1.43e9, 1.801e9])).toEqual(["1.430e+9", "1.801e+9"]);
    expect(formatColumn([1, 0.98514])).toEqual(["1.0000", "0.9851"]);
    expect(formatColumn([24148.2, 19939.4])).toEqual(["24148", "19939"]);
    expect(formatColumn([12.5, 0.25])).toEqual(["12.5000", "0.2500"]);
    // A value past a bound puts the whole column in exponents: 1e6 and more, below 1e-3, or a span of 1e4.
    expect(formatColumn([2e6, 3])).toEqual(["2.000e+6", "3.000e+0"]);
    expect(formatColumn([0.0005, 0.5])).toEqual(["5.000e-4", "5.000e-1"]);
    expect(formatColumn([10000, 0.9])).toEqual(["1.000e+4", "9.000e-1"]);
    expect(formatColumn([0, 0.5, undefined, NaN])).toEqual(["0.0000", "0.5000", "—", "NaN"]);
    for (const values of [[0.5, 0.75, 1], [3.2e7, 4e8], [1e-5, 2e-3], [5, 50, 500]]) {
      const cells = formatColumn(values);
      const shape = cells.map((c) => (c.includes("e") ? `e${c.split("e")[0].split(".")[1]?.length}` : `f${c.split(".")[1]?.length ?? 0}`));
      expect(new Set(shape).size, cells.join(" ")).toBe(1);
    }
  });
});

// ---------------------------------------------------------------------------- progress

describe("progress", () => {
  const report = (epoch: number, epochs: number, extra: Partial<EpochReport> = {}): EpochReport =>
    ({ epoch, epochs, loss: 1 / epoch, seconds: epoch / 100, samplesPerSecond: 26600, ...extra });

  it("formats losses, rates and durations", () => {
    expect(formatLoss(0.123456)).toBe("0.1235");
    expect(formatLoss(12.5)).toBe("12.50");
    expect(formatLoss(1.5e-5)).toBe("1.50e-5");
    expect(formatLoss(2e6)).toBe("2.00e+6");
    expect(formatLoss(NaN)).toBe("NaN");
    expect(formatLoss(Infinity)).toBe("∞");
    expect(formatRate(12.345)).toBe("12.3");
    expect(formatRate(850.4)).toBe("850");
    expect(formatRate(12345)).toBe("12.3k");
    expect(formatRate(1_050_000)).toBe("1.05M");
    expect(formatDuration(0.0123)).toBe("12 ms");
    expect(formatDuration(3.4219)).toBe("3.42 s");
    expect(formatDuration(42.25)).toBe("42.3 s");
    expect(formatDuration(125)).toBe("2 min 05 s");
  });

  it("draws bars of a fixed width that fill in eighths", () => {
    for (const f of [0, 0.01, 0.3, 0.5, 0.999, 1, 1.5, NaN]) expect([...formatBar(f, 20)]).toHaveLength(20);
    expect(formatBar(1, 4)).toBe("████");
    expect(formatBar(0, 4)).toBe("    ");
    expect(formatBar(0.5, 4)).toBe("██  ");
    expect(formatBar(1 / 32, 4)).toBe("▏   ");
  });

  it("states the epoch, the losses and the speed", () => {
    expect(formatStatus(report(7, 100))).toBe("epoch   7/100  loss 0.1429  26.6k samples/s");
    expect(formatStatus(report(7, 100, { valLoss: 0.2, samplesPerSecond: undefined }))).toBe(
      "epoch   7/100  loss 0.1429  val 0.2000  100 epochs/s",
    );
    const line = formatProgressLine(report(50, 100), 80);
    expect(line).toMatch(/^\[█+ +\] epoch {2}50\/100 {2}loss 0\.02000/);
    expect([...line].length).toBeLessThanOrEqual(80);
  });

  it("on a terminal redraws one line at most every 100 ms and ends it with a newline", () => {
    const stream = capture(true);
    let t = 0;
    const p = createProgress(stream, { now: () => t });
    for (let e = 1; e <= 1000; e++) {
      t = e * 0.5; // 1000 epochs in 500 ms
      p.update(report(e, 1000));
    }
    p.done();
    const draws = stream.text.split("\r").length - 1;
    expect(draws).toBeGreaterThanOrEqual(5);
    expect(draws).toBeLessThanOrEqual(7);
    expect(stream.text.endsWith("\n")).toBe(true);
    expect(stream.text.split("\n")).toHaveLength(2);
    expect(stream.text.slice(stream.text.lastIndexOf("\r"))).toContain("epoch 1000/1000");
  });

  it("on a terminal shows the last epoch of a run that stopped early", () => {
    const stream = capture(true);
    let t = 0;
    const p = createProgress(stream, { now: () => t });
    p.update(report(1, 100));
    t = 10;
    p.update(report(2, 100));
    p.done();
    p.done();
    expect(stream.text.slice(stream.text.lastIndexOf("\r"))).toMatch(/epoch {3}2\/100.*\n$/);
    expect(stream.text.split("\n")).toHaveLength(2);
  });

  it("elsewhere writes a plain line about every 10% of the epochs", () => {
    const stream = capture(false);
    const p = createProgress(stream);
    for (let e = 1; e <= 250; e++) p.update(report(e, 250));
    p.done();
    const lines = stream.text.trimEnd().split("\n");
    expect(lines).toHaveLength(11);
    expect(lines[0]).toMatch(/^epoch {3}1\/250 {2}loss 1\.000/);
    expect(lines[10]).toMatch(/^epoch 250\/250/);
    expect(stream.text).not.toContain("\r");

    const few = capture(false);
    const q = createProgress(few);
    for (let e = 1; e <= 3; e++) q.update(report(e, 3));
    q.done();
    expect(few.text.trimEnd().split("\n")).toHaveLength(3);

    const early = capture(false);
    const r = createProgress(early);
    for (let e = 1; e <= 37; e++) r.update(report(e, 100));
    r.done();
    expect(early.text.trimEnd().split("\n").at(-1)).toMatch(/^epoch {2}37\/100/);
  });
});

// ---------------------------------------------------------------------------- plot

describe("plot", () => {
  const decay = (n: number, from: number, to: number): number[] =>
    Array.from({ length: n }, (_, i) => from * (to / from) ** (i / Math.max(1, n - 1)));
  const polylines = (svg: string): string[][] =>
    [...svg.matchAll(/<polyline[^>]*\bpoints="([^"]*)"/g)].map((m) => m[1].split(" ").filter((p) => p !== ""));

  it("picks nice ticks", () => {
    expect(niceTicks(0.13, 0.93, 5).values).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(1, 200, 8, true).values).toEqual([0, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200]);
    expect(niceTicks(1, 2, 8, true).values).toEqual([1, 2]);
    expect(niceTicks(0.1, 0.3, 3).values).toEqual([0.1, 0.2, 0.3]);
    const flat = niceTicks(5, 5);
    expect(flat.min).toBeLessThan(5);
    expect(flat.max).toBeGreaterThan(5);
    expect(logTicks(0.003, 40).values).toEqual([0.001, 0.01, 0.1, 1, 10, 100]);
    expect(logTicks(1e-12, 1e3).values.length).toBeLessThanOrEqual(9);
    expect(formatTick(0.2, 0.2)).toBe("0.2");
    expect(formatTick(150, 50)).toBe("150");
    expect(formatTick(1e-5, 1e-5)).toBe("1e-5");
  });

  it("draws a well-formed SVG with one polyline per series and a point per epoch", () => {
    const svg = lossCurveSvg({ loss: decay(50, 2, 0.5), valLoss: decay(50, 2.2, 0.6) }, { title: "penguins" });
    checkWellFormed(svg);
    expect(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")).toBe(true);
    const lines = polylines(svg);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toHaveLength(50);
    expect(lines[1]).toHaveLength(50);
    expect(svg).toContain(">train</text>");
    expect(svg).toContain(">validation</text>");
    expect(svg).toContain(">penguins</text>");
    expect(svg).not.toContain("log scale");
    // The first point is at the left (epoch 1) and high; the last lower and further right.
    const [x0, y0] = lines[0][0].split(",").map(Number);
    const [x1, y1] = lines[0][49].split(",").map(Number);
    expect(x1).toBeGreaterThan(x0);
    expect(y1).toBeGreaterThan(y0);
  });

  it("uses a log scale when the loss spans more than two decades", () => {
    const svg = lossCurveSvg({ loss: decay(30, 100, 0.01) });
    checkWellFormed(svg);
    expect(svg).toContain("loss (log scale)");
    expect(svg).toMatch(/>0\.01<\/text>/);
    expect(svg).toMatch(/>100<\/text>/);
    expect(polylines(svg)).toHaveLength(1);
    expect(lossCurveSvg({ loss: decay(30, 100, 0.01) }, { yScale: "linear" })).not.toContain("log scale");
  });

  it("escapes text and names the series as asked", () => {
    const svg = lossCurveSvg({ loss: [1, 0.5], valLoss: [] }, { title: `a<b & "c" 'd'`, subtitle: "x > y", labels: { train: "t&t" } });
    checkWellFormed(svg);
    expect(svg).toContain("a&lt;b &amp; &quot;c&quot; &apos;d&apos;");
    expect(svg).toContain("x &gt; y");
    expect(svg).toContain(">t&amp;t</text>");
    expect(polylines(svg)).toHaveLength(1);
    expect(escapeXml(`<&>"'`)).toBe("&lt;&amp;&gt;&quot;&apos;");
  });

  it("copes with one epoch, a flat loss and diverged (non-finite) values", () => {
    const one = lossCurveSvg({ loss: [0.7] });
    checkWellFormed(one);
    expect(polylines(one)[0]).toHaveLength(1);
    expect(one).toContain("<circle");
    checkWellFormed(lossCurveSvg({ loss: [3, 3, 3] }));
    const diverged = lossCurveSvg({ loss: [1, 2, Infinity, NaN] });
    checkWellFormed(diverged);
    expect(polylines(diverged)[0]).toHaveLength(2);
    expect(diverged).not.toMatch(/NaN|Infinity/);
    checkWellFormed(lossCurveSvg({ loss: [] }));
  });
});

// ---------------------------------------------------------------------------- arguments

describe("command-line arguments", () => {
  it("prints usage for --help, -h and help <command>; no arguments is an error", async () => {
    for (const argv of [["--help"], ["-h"], ["help"]]) {
      const r = await run(...argv);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: descent <command>/);
    }
    for (const argv of [["train", "--help"], ["train", "x.csv", "-h"], ["help", "train"]]) {
      const r = await run(...argv);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: descent train <file\.csv> --target <column>/);
      expect(r.stdout).toMatch(/linear for a numeric target/);
    }
    expect((await run("predict", "--help")).stdout).toMatch(/^Usage: descent predict <model\.json> <file\.csv>/);
    const none = await run();
    expect(none.code).toBe(2);
    expect(none.stdout).toBe("");
    expect(none.stderr).toMatch(/^Usage: descent/);
  });

  /** argv after "train data/penguins.csv --target species" (unless it starts with a command), and the message. */
  const BAD: [string[], RegExp][] = [
    [["--lr", "abc"], /^descent: --lr must be a number > 0, received "abc"$/],
    [["--lr", "0"], /^descent: --lr must be a number > 0, received "0"$/],
    [["--lr", "Infinity"], /^descent: --lr must be a number > 0/],
    [["--epochs", "0"], /^descent: --epochs must be an integer >= 1, received "0"$/],
    [["--epochs", "2.5"], /^descent: --epochs must be an integer >= 1, received "2\.5"$/],
    [["--batch", "-3"], /^descent: --batch needs a value/],
    [["--batch=-3"], /^descent: --batch must be an integer >= 1, received "-3"$/],
    [["--l2", "-1e-3"], /^descent: --l2 needs a value/],
    [["--l2=x"], /^descent: --l2 must be a number >= 0, received "x"$/],
    [["--seed", "1.5"], /^descent: --seed must be an integer >= 0/],
    [["--test-split", "1.5"], /^descent: --test-split must be a fraction in \[0, 1\), received "1\.5"$/],
    [["--test-split", "1"], /^descent: --test-split must be a fraction in \[0, 1\)/],
    [["--model", "forest"], /^descent: --model must be one of linear, logistic, mlp; received "forest"$/],
    [["--layers", "16,,8"], /^descent: --layers must be a comma list with no empty items/],
    [["--layers", "16,0"], /^descent: --layers must be a comma list of layer sizes/],
    [["--activation", "swish"], /^descent: --activation must be one of relu, /],
    [["--layers", "8,4,2", "--activation", "relu,tanh"], /^descent: --activation has 2 names for 3 hidden layers/],
    [["--model", "linear", "--layers", "8"], /^descent: --layers applies to --model mlp, not linear$/],
    [["--model", "logistic", "--activation", "tanh"], /^descent: --activation applies to --model mlp, not logistic$/],
    [["--model", "logistic", "--solver", "normal"], /^descent: --solver must be one of lbfgs, gd, sgd, momentum, adam for --model logistic/],
    [["--solver", "newton"], /^descent: --solver must be one of /],
    [["--solver", "normal"], /^descent: --solver must be one of lbfgs, gd, sgd, momentum, adam for --model logistic; received "normal"$/],
    [["--backend", "gpu"], /^descent: --backend must be one of auto, wasm-simd, wasm, js; received "gpu"$/],
    [["--lr"], /^descent: --lr needs a value$/],
    [["--quiet=yes"], /^descent: --quiet takes no value$/],
    [["--out", "same.svg", "--plot", "same.svg"], /^descent: --plot same\.svg would overwrite --out same\.svg; give each its own file$/],
    [["--model", "linear"], /^descent: --model linear needs a numeric target, but species holds text \(Adelie, /],
    [["train", PENGUINS], /^descent: missing --target <column>/],
    [["train", PENGUINS, "--target", "mass"], /^descent: --target: data\/penguins\.csv: no target column "mass" \(columns: "species", /],
    [["train", PENGUINS, "--target", "species", "--features", "bill_length_mm,wingspan"], /^descent: --features: .*no feature column "wingspan"/],
    [["train", "no/such.csv", "--target", "y"], /^descent: cannot read the CSV file no\/such\.csv: no such file$/],
    [["train", "a.csv", "b.csv", "--target", "y"], /^descent: expected one CSV file, received 2: a\.csv b\.csv$/],
    [["train", "--target", "y"], /^descent: missing the CSV file to train on/],
    [["fit", PENGUINS], /^descent: unknown command "fit" \(known: train, predict, export\)/],
    [["--target", "y"], /^descent: expected a command before --target/],
    [["predict", "model.json"], /^descent: missing the CSV file to predict on/],
    [["predict", "no/model.json", PENGUINS], /^descent: cannot read the model file no\/model\.json: no such file$/],
    [["predict", PENGUINS, PENGUINS], /^descent: data\/penguins\.csv is not a model file: /],
    [["predict", "m.json", "a.csv", "--target", "y"], /^descent: unknown option --target for descent predict$/],
    [["--missing", "fill"], /^descent: --missing must be one of error, drop, mean; received "fill"$/],
    [["--categorical", "island,,sex"], /^descent: --categorical must be a comma list with no empty items, received "island,,sex"$/],
    [["--categorical", "colour"], /^descent: --categorical: data\/penguins\.csv: no column "colour" to encode \(columns: "species", /],
    [["--early-stopping", "0"], /^descent: --early-stopping must be a patience, an integer >= 1 \(epochs\), received "0"$/],
    [["--early-stopping=2.5"], /^descent: --early-stopping must be a patience, an integer >= 1 \(epochs\), received "2\.5"$/],
    [["--early-stopping="], /^descent: --early-stopping must be a patience, an integer >= 1 \(epochs\), received ""$/],
    [["predict", "m.json", "a.csv", "--keep", "id,,x"], /^descent: --keep must be a comma list with no empty items, received "id,,x"$/],
    [["--categorical", "island,sex,island"], /^descent: --categorical lists "island" twice$/],
    [["--features", "island,bill_length_mm", "--categorical", "sex"], /^descent: --categorical lists "sex", which --features leaves out$/],
    [["--categorical", "species"], /^descent: --categorical lists "species", the target \(a text target holds class labels, never one-hot encoded\)$/],
    [["--features", "bill_length_mm,species"], /^descent: --features: "species" is the target and cannot also be a feature$/],
    [["--features", "bill_length_mm,bill_length_mm"], /^descent: --features lists "bill_length_mm" twice$/],
  ];

  it.each(BAD)("rejects %j with exit code 2 and one line naming the flag", async (args, message) => {
    const argv = ["train", "predict", "fit", "--target"].includes(args[0]) ? args : ["train", PENGUINS, "--target", "species", ...args];
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n")[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("answers an unknown flag with the error and the command's usage", async () => {
    const r = await run("train", PENGUINS, "--target", "species", "--epoch", "5");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^descent: unknown option --epoch for descent train \(did you mean --epochs\?\)\n\nUsage: descent train/);
    const far = await run("train", PENGUINS, "--target", "species", "--colour", "red");
    expect(far.stderr.split("\n")[0]).toBe("descent: unknown option --colour for descent train");
    const swapped = await run("train", PENGUINS, "--tagret", "species");
    expect(swapped.stderr.split("\n")[0]).toBe("descent: unknown option --tagret for descent train (did you mean --target?)");
  });
});

// ---------------------------------------------------------------------------- train and predict

/** The train and test values of a metric row of the table ("R²   0.8612   0.8433"). */
function metric(stdout: string, name: string): number[] {
  const line = stdout.split("\n").find((l) => l.trimStart().startsWith(`${name} `));
  expect(line, `a "${name}" row in:\n${stdout}`).toBeDefined();
  return (line as string).trim().slice(name.length).trim().split(/\s+/).map(Number);
}

/** A predictions CSV as its header and columns of cells. */
function readPredictions(csv: string): { header: string[]; rows: string[][] } {
  const [head, ...lines] = csv.trimEnd().split("\n");
  return { header: head.split(","), rows: lines.map((l) => l.split(",")) };
}

describe("descent train", () => {
  it("fits a linear regression by the closed form and reports MSE, RMSE and R² on train and test", async () => {
    const r = await run("train", PENGUINS, "--target", "body_mass_g");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/data\s+data\/penguins\.csv: 333 rows/);
    expect(r.stdout).toMatch(/features\s+species \(3 categories\), island \(3 categories\), bill_length_mm, bill_depth_mm, flipper_length_mm, sex \(2 categories\)\n/);
    expect(r.stdout).toMatch(/split\s+266 train \/ 67 test \(seed 0\)/);
    expect(r.stdout).toMatch(/\n {2}\s+train\s+test\n/);
    const [trainR2, testR2] = metric(r.stdout, "R²");
    expect(trainR2).toBeGreaterThan(0.7);
    expect(testR2).toBeGreaterThan(0.6);
    const [mse] = metric(r.stdout, "MSE");
    const [rmse] = metric(r.stdout, "RMSE");
    expect(rmse).toBeCloseTo(Math.sqrt(mse), -1);
    expect(r.stdout).toMatch(/backend\s+wasm-simd/);
    expect(r.stdout).toMatch(/solver\s+normal/);
    expect(r.stdout).toMatch(/time\s+\d/);
    expect(r.stderr).toBe(""); // a closed form has no epochs to show
  });

  it("fits a logistic regression on a text target, stratified, with accuracy and log loss", async () => {
    const r = await run("train", PENGUINS, "--target", "species", "--backend", "js");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/target\s+species \(3 classes\)/);
    expect(r.stdout).toMatch(/model\s+logistic/);
    const [trainAcc, testAcc] = metric(r.stdout, "accuracy");
    expect(trainAcc).toBeGreaterThan(0.95);
    expect(testAcc).toBeGreaterThan(0.9);
    const [trainLoss, testLoss] = metric(r.stdout, "log loss");
    expect(trainLoss).toBeGreaterThan(0);
    expect(testLoss).toBeLessThan(0.5);
    expect(r.stdout).toMatch(/backend\s+js/);
  });

  it("trains an MLP with the output layer added, showing progress at every 10% of the epochs", async () => {
    const r = await run("train", PENGUINS, "--target", "species", "--model", "mlp", "--layers", "8,4", "--activation", "tanh,relu",
      "--epochs", "40", "--lr", "0.01", "--seed", "3");
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(11);
    expect(lines[0]).toMatch(/^epoch {2}1\/40 {2}loss \S+ {2}test \S+ {2}\S+ samples\/s$/);
    expect(lines[10]).toMatch(/^epoch 40\/40/);
    expect(r.stdout).toMatch(/epochs\s+40/);
    expect(metric(r.stdout, "accuracy")[1]).toBeGreaterThan(0.8);
    expect(r.stdout).toMatch(/split\s+266 train \/ 67 test \(seed 3\)/);
  });

  it("bounds L-BFGS by --epochs, counting iterations, and says which flags it ignores", async () => {
    const r = await run("train", PENGUINS, "--target", "species", "--epochs", "4", "--lr", "0.5", "--batch", "8");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/iterations\s+4 \(maxIter reached\)/);
    expect(r.stderr).toMatch(/^iter 1\/4 {2}loss /);
    expect(r.stderr).toMatch(/descent: note: --lr, --batch had no effect: L-BFGS chooses its own steps/);
  });

  it("stops between epochs when interrupted, with exit code 130 and no metrics", async () => {
    const interrupt = new AbortController();
    const stderr = { text: "", write(s: string) { this.text += s; if (s.startsWith("epoch")) interrupt.abort(); return true; } };
    const stdout = capture();
    const code = await main(["train", PENGUINS, "--target", "species", "--model", "mlp", "--epochs", "500"],
      { stdout, stderr, cwd: root, signal: interrupt.signal });
    expect(code).toBe(130);
    expect(stderr.text).toMatch(/\ndescent: training interrupted after [1-9]\d* epochs?\n$/);
    expect(stdout.text).not.toContain("accuracy");
  });

  it("trains an MLP regression and draws the progress on a terminal in place", async () => {
    const stdout = capture();
    const stderr = capture(true);
    const code = await main(["train", PENGUINS, "--target", "body_mass_g", "--layers", "6", "--epochs", "5", "--test-split", "0"],
      { stdout, stderr, cwd: root });
    expect(code, stderr.text).toBe(0);
    expect(stdout.text).toMatch(/model\s+mlp/);
    expect(stdout.text).toMatch(/split\s+no test set/);
    expect(stdout.text).toMatch(/\n {2}\s+train\n/);
    expect(metric(stdout.text, "R²")).toHaveLength(1);
    expect(stderr.text.startsWith("\r[")).toBe(true);
    expect(stderr.text.endsWith("\n")).toBe(true);
    expect(stderr.text.slice(stderr.text.lastIndexOf("\r"))).toMatch(/epoch 5\/5/);
  });

  it("writes the loss curve with --plot, and explains why a closed form has none", async () => {
    const plot = join(tmp, "loss.svg");
    const r = await run("train", PENGUINS, "--target", "species", "--model", "mlp", "--epochs", "12", "--plot", plot, "-q");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain(`saved the loss curve to ${plot}`);
    const svg = readFileSync(plot, "utf8");
    checkWellFormed(svg);
    const lines = [...svg.matchAll(/<polyline[^>]*\bpoints="([^"]*)"/g)].map((m) => m[1].split(" "));
    expect(lines.map((l) => l.length)).toEqual([12, 12]);
    expect(svg).toContain(">test</text>");
    expect(svg).toContain("species from data/penguins.csv");

    const none = join(tmp, "none.svg");
    const c = await run("train", PENGUINS, "--target", "body_mass_g", "--plot", none, "--epochs", "5");
    expect(c.code).toBe(0);
    expect(c.stderr).toMatch(/--epochs had no effect: the closed-form solver does not iterate/);
    expect(c.stderr).toMatch(/no loss curve to plot: the closed-form solver does not iterate \(use --solver gd\)/);
    expect(() => readFileSync(none)).toThrow();
  });

  it("reports a bad cell by its line and column (exit code 1)", async () => {
    const file = tempFile("bad.csv", "a,b,y\n1,2,3\n4,5,6\n7,oops,9\n10,11,12\n");
    const r = await run("train", file, "--target", "y");
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^descent: .*line 4, column "b": "oops" is not a number/);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("reports the library's refusals as one line with exit code 1", async () => {
    const file = tempFile("one-class.csv", "x,label\n1,a\n2,a\n3,a\n4,a\n5,a\n");
    const r = await run("train", file, "--target", "label", "--test-split", "0");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^descent: .*single class/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("descent predict", () => {
  it("round-trips a classifier: the saved model predicts what the trained one does, with class probabilities", async () => {
    const model = join(tmp, "species.json");
    const t = await run("train", PENGUINS, "--target", "species", "--out", model, "-q");
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toContain(`saved the model to ${model}`);
    const saved = JSON.parse(readFileSync(model, "utf8"));
    expect(saved.target).toBe("species");
    expect(saved.features).toEqual([
      "island=Biscoe", "island=Dream", "island=Torgersen", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex=female", "sex=male",
    ]);

    const p = await run("predict", model, PENGUINS);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stderr).toBe("");
    const { header, rows } = readPredictions(p.stdout);
    expect(header).toEqual(["prediction", "p_Adelie", "p_Chinstrap", "p_Gentoo"]);
    expect(rows).toHaveLength(333);

    const data = parseCsv(readFileSync(join(root, PENGUINS), "utf8"), { target: "species", encoding: saved.encoding });
    const m = loadModel(saved.descent, { runtime: await createRuntime() });
    const labels = m.predict(data.X) as string[];
    const proba = m.predictProba(data.X);
    rows.forEach((row, i) => {
      expect(row[0]).toBe(labels[i]);
      for (let j = 0; j < 3; j++) expect(Math.fround(Number(row[1 + j]))).toBe(proba[i * 3 + j]);
    });
    const hits = rows.filter((row, i) => row[0] === (data.y as string[])[i]).length;
    expect(hits / 333).toBeGreaterThan(0.95);
    m.dispose();
  });

  it("round-trips a regression to --out, selecting the model's columns from a CSV laid out differently", async () => {
    const model = join(tmp, "mass.json");
    expect((await run("train", PENGUINS, "--target", "body_mass_g", "--categorical", "none", "--out", model)).code).toBe(0);
    const saved = JSON.parse(readFileSync(model, "utf8"));
    // The same rows with the columns reordered, an extra column and no target.
    const original = parseCsv(readFileSync(join(root, PENGUINS), "utf8"), { features: saved.features });
    const lines = ["flipper_length_mm,note,bill_depth_mm,bill_length_mm"];
    for (let i = 0; i < 20; i++) {
      const [len, depth, flipper] = original.X.data.subarray(i * 3, i * 3 + 3);
      lines.push(`${flipper},"row ${i}, ok",${depth},${len}`);
    }
    const csv = tempFile("new.csv", lines.join("\n") + "\n");
    const out = join(tmp, "pred.csv");
    const p = await run("predict", model, csv, "--out", out, "--backend", "wasm");
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toBe("");
    expect(p.stderr).toBe(`descent: wrote 20 predictions to ${out}\n`);
    const { header, rows } = readPredictions(readFileSync(out, "utf8"));
    expect(header).toEqual(["prediction"]);
    const m = loadModel(saved.descent, { runtime: await createRuntime({ backend: "wasm" }) });
    const expected = m.predict({ data: original.X.data.subarray(0, 60), rows: 20, cols: 3 }) as Float32Array;
    expect(rows.map((r) => Math.fround(Number(r[0])))).toEqual([...expected]);
    m.dispose();
  });

  it("names the column a CSV lacks, and refuses a file that is not a model", async () => {
    const model = join(tmp, "mass2.json");
    expect((await run("train", PENGUINS, "--target", "body_mass_g", "--out", model)).code).toBe(0);
    const csv = tempFile("partial.csv", "bill_length_mm,bill_depth_mm\n39.1,18.7\n");
    const r = await run("predict", model, csv);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^descent: .*partial\.csv has no columns "species", "island", "flipper_length_mm", "sex", which the model in .*mass2\.json was trained on \(it needs species, island, bill_length_mm, bill_depth_mm, flipper_length_mm, sex\)\n$/);

    const notModel = tempFile("not-model.json", JSON.stringify({ hello: 1 }));
    const n = await run("predict", notModel, PENGUINS);
    expect(n.code).toBe(2);
    expect(n.stderr).toMatch(/is not a model file written by "descent train --out"/);
  });

  it("writes float32 values as their shortest exact decimal", () => {
    for (const v of [0.1, 4123.4521484375, 1e-7, -2.5, 3, 1 / 3, 16777217, 3.4e38].map(Math.fround)) {
      const s = formatFloat32(v);
      expect(Math.fround(Number(s))).toBe(v);
      expect(s.length).toBeLessThanOrEqual(String(v).length);
    }
    expect(formatFloat32(Math.fround(0.1))).toBe("0.1");
    expect(formatFloat32(NaN)).toBe("NaN");
  });
});

describe("the descent program", () => {
  it("starts with a shebang that the TypeScript build keeps", async () => {
    const source = readFileSync(join(root, "src/cli/main.ts"), "utf8");
    expect(source.split("\n")[0]).toBe("#!/usr/bin/env node");
    const ts = await import("typescript");
    const js = ts.default.transpileModule(source, { compilerOptions: { module: ts.default.ModuleKind.NodeNext, target: ts.default.ScriptTarget.ES2022 } });
    expect(js.outputText.split("\n")[0]).toBe("#!/usr/bin/env node");
  });

  it("runs as a program, directly and through a bin symlink, and sets the exit code", () => {
    const tsx = join(root, "node_modules/.bin/tsx");
    const help = spawnSync(tsx, ["src/cli/main.ts", "--help"], { cwd: root, encoding: "utf8" });
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: descent <command>/);
    const link = join(tmp, "descent");
    symlinkSync(join(root, "src/cli/main.ts"), link);
    const bad = spawnSync(tsx, [link, "train", PENGUINS, "--target", "species", "--lr", "abc"], { cwd: root, encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toBe(`descent: --lr must be a number > 0, received "abc"\n`);
  });
});

// ---------------------------------------------------------------------------- issue 9: a refused call changes nothing
// These run the built program (dist/cli/main.js, what `npx descent` runs) as a user would, in a
// folder of its own, and compare the folder before and after.

const CLI = join(root, "dist/cli/main.js");

interface Ran { code: number | null; stdout: string; stderr: string }

/** Runs the built program in `cwd`; `node` options (such as --import) go before the script. */
function descent(cwd: string, argv: string[], options?: { node?: string[]; stdout?: number }): Ran {
  const r = spawnSync(process.execPath, [...(options?.node ?? []), CLI, ...argv], {
    cwd, encoding: "utf8", stdio: ["ignore", options?.stdout ?? "pipe", "pipe"],
  });
  return { code: r.status, stdout: r.stdout ?? "", stderr: r.stderr };
}

/** A new folder under tmp holding `files`. */
function folder(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmp, "case-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** A folder's entries and those of its subfolders, symbolic links as their targets (never followed). */
function contents(dir: string, prefix = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(join(dir, prefix)).sort()) {
    const rel = join(prefix, name), p = join(dir, rel), s = lstatSync(p);
    if (s.isSymbolicLink()) out[rel] = `-> ${readlinkSync(p)}`;
    else if (s.isDirectory()) Object.assign(out, { [rel]: "folder" }, contents(dir, rel));
    else out[rel] = readFileSync(p, "utf8");
  }
  return out;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** One line on stderr, nothing on stdout, no stack trace, exit code 2, and the folder as it was. */
function expectRefused(dir: string, argv: string[], message: RegExp): void {
  const before = contents(dir);
  const r = descent(dir, argv);
  expect(r.stderr, argv.join(" ")).toMatch(message);
  expect(r.stderr, argv.join(" ")).toMatch(/^descent: [^\n]+\n$/);
  expect(r.code, argv.join(" ")).toBe(2);
  expect(r.stdout, argv.join(" ")).toBe("");
  expect(contents(dir), argv.join(" ")).toEqual(before);
}

/** 60 rows of two features and a continuous y: 48 distinct values, none of them whole. */
const CONTINUOUS = ["x1,x2,y", ...Array.from({ length: 60 }, (_, i) => `${i % 7},${(i * 3) % 11},${(i % 48) * 0.5 + 0.25}`)].join("\n") + "\n";

/** A model trained on CONTINUOUS by the built program, for the predict cases. */
let MODEL = "";
beforeAll(() => {
  const dir = folder({ "data.csv": CONTINUOUS });
  const r = descent(dir, ["train", "data.csv", "--target", "y", "--out", "model.json"]);
  expect(r.code, r.stderr).toBe(0);
  MODEL = readFileSync(join(dir, "model.json"), "utf8");
});

describe("descent never writes over its own inputs (issue 9)", () => {
  it("refuses train --out or --plot naming the training CSV, however it is spelt", () => {
    const dir = folder({ "victim.csv": CONTINUOUS });
    mkdirSync(join(dir, "sub"));
    symlinkSync("victim.csv", join(dir, "link.csv"));
    symlinkSync(".", join(dir, "here"));
    linkSync(join(dir, "victim.csv"), join(dir, "hard.csv"));
    const spellings = ["victim.csv", "./victim.csv", "sub/../victim.csv", join(dir, "victim.csv"), "link.csv", "here/victim.csv", "hard.csv"];
    for (const flag of ["--out", "--plot"]) {
      for (const spelling of spellings) {
        expectRefused(dir, ["train", "victim.csv", "--target", "y", "--solver", "gd", flag, spelling], new RegExp(
          `^descent: ${flag} ${escapeRegExp(spelling)} would overwrite the CSV file to train on, victim\\.csv; choose another ${flag}\\n$`));
      }
    }
    expectRefused(dir, ["train", "link.csv", "--target", "y", "--out", "victim.csv"],
      /^descent: --out victim\.csv would overwrite the CSV file to train on, link\.csv; choose another --out\n$/);
  });

  it("refuses predict --out naming the CSV file or the model file", () => {
    const dir = folder({ "model.json": MODEL, "x.csv": CONTINUOUS });
    expectRefused(dir, ["predict", "model.json", "x.csv", "--out", "x.csv"],
      /^descent: --out x\.csv would overwrite the CSV file to predict on, x\.csv; choose another --out\n$/);
    expectRefused(dir, ["predict", "model.json", "x.csv", "--out", "./model.json"],
      /^descent: --out \.\/model\.json would overwrite the model file, model\.json; choose another --out\n$/);
  });

  it("refuses two outputs that are one file, also through a link to a file not yet written", () => {
    const dir = folder({ "data.csv": CONTINUOUS });
    expectRefused(dir, ["train", "data.csv", "--target", "y", "--solver", "gd", "--out", "./same.svg", "--plot", "same.svg"],
      /^descent: --plot same\.svg would overwrite --out \.\/same\.svg; give each its own file\n$/);
    symlinkSync("curve.svg", join(dir, "model.json"));
    expectRefused(dir, ["train", "data.csv", "--target", "y", "--solver", "gd", "--out", "model.json", "--plot", "curve.svg"],
      /^descent: --plot curve\.svg would overwrite --out model\.json; give each its own file\n$/);
  });

  it("checks that each output's folder exists before reading or training", () => {
    const dir = folder({ "data.csv": CONTINUOUS, "model.json": MODEL });
    mkdirSync(join(dir, "sub"));
    const train = ["train", "data.csv", "--target", "y", "--solver", "gd"];
    expectRefused(dir, [...train, "--out", "nodir/m.json"], /^descent: cannot write --out nodir\/m\.json: no such directory nodir\n$/);
    expectRefused(dir, [...train, "--plot", "data.csv/loss.svg"],
      /^descent: cannot write --plot data\.csv\/loss\.svg: data\.csv is not a directory\n$/);
    expectRefused(dir, [...train, "--out", "sub"], /^descent: cannot write --out sub: it is a directory\n$/);
    expectRefused(dir, ["predict", "model.json", "data.csv", "--out", "nodir/p.csv"],
      /^descent: cannot write --out nodir\/p\.csv: no such directory nodir\n$/);
  });

  it("writes outputs that are new files, and replaces an earlier output", () => {
    const dir = folder({ "data.csv": CONTINUOUS, "old.json": "{}\n" });
    mkdirSync(join(dir, "out"));
    const t = descent(dir, ["train", "data.csv", "--target", "y", "--solver", "gd", "--epochs", "3", "-q", "--out", "old.json", "--plot", "out/loss.svg"]);
    expect(t.code, t.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "old.json"), "utf8")).target).toBe("y");
    expect(readFileSync(join(dir, "out/loss.svg"), "utf8")).toMatch(/^<svg /);
    const p = descent(dir, ["predict", "old.json", "data.csv", "--out", "out/p.csv"]);
    expect(p.code, p.stderr).toBe(0);
    expect(readFileSync(join(dir, "out/p.csv"), "utf8").split("\n")).toHaveLength(62);
  });
});

describe("descent's CSV cannot run as a spreadsheet formula (issue 9)", () => {
  const LABELS = ['=HYPERLINK("http://evil.example","click")', "@SUM(1+1)", "-2+3", "+cmd"];
  const quoted = (s: string): string => `"${s.replaceAll('"', '""')}"`;
  /** 40 rows, the label set by x1's range, so every class is predicted. */
  const CLASSES = ["x1,x2,label", ...Array.from({ length: 40 }, (_, i) => `${Math.floor(i / 10) * 10 + (i % 10) / 10},${i % 3},${quoted(LABELS[Math.floor(i / 10)])}`)]
    .join("\n") + "\n";

  it("prefixes class labels that start with = + - @ with ', in standard output and in --out", () => {
    const dir = folder({ "data.csv": CLASSES });
    const t = descent(dir, ["train", "data.csv", "--target", "label", "--test-split", "0", "--out", "model.json"]);
    expect(t.code, t.stderr).toBe(0);
    const p = descent(dir, ["predict", "model.json", "data.csv"]);
    expect(p.code, p.stderr).toBe(0);
    const f = descent(dir, ["predict", "model.json", "data.csv", "--out", "p.csv"]);
    expect(f.code, f.stderr).toBe(0);
    for (const csv of [p.stdout, readFileSync(join(dir, "p.csv"), "utf8")]) {
      const [header, ...rows] = parseCsvRecords(csv) as string[][];
      expect(header).toEqual(["prediction", ...[...LABELS].sort().map((l) => `p_${l}`)]);
      expect(new Set(rows.map((r) => r[0]))).toEqual(new Set(LABELS.map((l) => `'${l}`)));
      for (const field of [...header, ...rows.flat()]) {
        expect(field === "" || !/^[=+\-@\t\r]/.test(field) || /^-?\d/.test(field), field).toBe(true);
      }
    }
  });

  it("leaves negative numbers as numbers", () => {
    const negative = CONTINUOUS.replace(/,([\d.]+)$/gm, ",-$1");
    const dir = folder({ "data.csv": negative });
    expect(descent(dir, ["train", "data.csv", "--target", "y", "--out", "model.json"]).code).toBe(0);
    const p = descent(dir, ["predict", "model.json", "data.csv"]);
    expect(p.code, p.stderr).toBe(0);
    const cells = p.stdout.trimEnd().split("\n").slice(1);
    expect(cells).toHaveLength(60);
    for (const cell of cells) expect(cell).toMatch(/^-\d+(\.\d+)?(e-?\d+)?$/);
  });
});

describe("descent prints no terminal control characters from the data (issue 9)", () => {
  /** C0 controls other than the line feed, DEL and C1 controls (ESC starts the sequences a terminal acts on). */
  // eslint-disable-next-line no-control-regex -- control characters are what this finds
  const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

  it("escapes them in column names and labels, in tables and in messages", () => {
    const dir = folder({
      "data.csv": "x\u001b[2J,\u009b31mb,note\u0007,y\n1,2,a,3\n2,1,b,5\n3,5,c,4\n4,3,d,8\n5,4,e,9\n",
      "labels.csv": "x,label\n1,\u001b[31mred\n2,blue\n3,red\n4,blue\n",
    });
    const t = descent(dir, ["train", "data.csv", "--target", "y", "--test-split", "0", "--out", "model.json"]);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).not.toMatch(CONTROL);
    expect(t.stdout).toMatch(/features\s+x\\x1b\[2J, \\x9b31mb \(id-like, left out: note\\x07\)/);
    expect(t.stderr).toMatch(/^descent: note: left out "note\\u0007": id-like/);

    const linear = descent(dir, ["train", "labels.csv", "--target", "label", "--model", "linear"]);
    expect(linear.code).toBe(2);
    expect(linear.stderr).not.toMatch(CONTROL);
    expect(linear.stderr).toMatch(/^descent: --model linear needs a numeric target, but label holds text \(\\x1b\[31mred, blue, red, …\)/);

    const missing = descent(dir, ["predict", "model.json", "labels.csv"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).not.toMatch(CONTROL);
    expect(missing.stderr).toMatch(
      /^descent: labels\.csv has no columns "x\\u001b\[2J", "\\x9b31mb", which the model in model\.json was trained on \(it needs x\\x1b\[2J, \\x9b31mb\)\n$/);
  });

  it("escapes them in predictions shown on a terminal, and keeps the data exact in a pipe", () => {
    const dir = folder({ "data.csv": "x,label\n1,\u001b[31mred\n2,blue\n3,\u001b[31mred\n4,blue\n5,\u001b[31mred\n6,blue\n" });
    expect(descent(dir, ["train", "data.csv", "--target", "label", "--test-split", "0", "--out", "model.json"]).code).toBe(0);
    const piped = descent(dir, ["predict", "model.json", "data.csv"]);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout.split("\n")[0]).toBe("prediction,p_\u001b[31mred,p_blue");
    // On a terminal (a pseudo-terminal made by util-linux's script, which returns the program's exit code with -e).
    const shell = (a: string): string => `'${a.replaceAll("'", "'\\''")}'`;
    const tty = spawnSync("script", ["-qec", [process.execPath, CLI, "predict", "model.json", "data.csv"].map(shell).join(" "), "/dev/null"],
      { cwd: dir, encoding: "utf8" });
    expect(tty.error, "this test needs util-linux's script to make a terminal").toBeUndefined();
    expect(tty.status, tty.stderr).toBe(0);
    expect(tty.stdout.split("\r\n")[0]).toBe("prediction,p_\\x1b[31mred,p_blue");
    expect(tty.stdout.replaceAll("\r\n", "\n")).not.toMatch(CONTROL);
  });
});

describe("descent train --model logistic on a continuous target (issue 9)", () => {
  it("says the target looks continuous instead of taking each value for a class", () => {
    const dir = folder({ "data.csv": CONTINUOUS });
    expectRefused(dir, ["train", "data.csv", "--target", "y", "--model", "logistic", "--out", "model.json"],
      /^descent: --model logistic needs classes, but y has 48 distinct numeric values in 60 rows \(some not whole numbers\); it looks continuous: use --model linear or mlp, or write the classes as text labels\n$/);
    const two = folder({ "data.csv": ["x,y", ...Array.from({ length: 20 }, (_, i) => `${i},${i < 10 ? 0.5 : 1.5}`)].join("\n") + "\n" });
    expectRefused(two, ["train", "data.csv", "--target", "y", "--model", "logistic"],
      /^descent: --model logistic needs classes, but y has 2 distinct numeric values in 20 rows \(some not whole numbers\); it looks continuous/);
    const many = folder({ "data.csv": ["x,y", ...Array.from({ length: 100 }, (_, i) => `${i},${i % 25}`)].join("\n") + "\n" });
    expectRefused(many, ["train", "data.csv", "--target", "y", "--model", "logistic"],
      /^descent: --model logistic needs classes, but y has 25 distinct numeric values in 100 rows \(more than 20\); it looks continuous/);
  });

  it("takes whole-number class codes, up to 20 of them", () => {
    const dir = folder({ "data.csv": ["x,y", ...Array.from({ length: 60 }, (_, i) => `${i},${Math.floor(i / 3)}`)].join("\n") + "\n" });
    const r = descent(dir, ["train", "data.csv", "--target", "y", "--model", "logistic", "--test-split", "0", "--epochs", "5"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/target\s+y \(20 classes\)/);
  });

  it("states the rule in the usage", () => {
    const r = descent(tmp, ["train", "--help"]);
    expect(r.stdout).toMatch(/looks continuous/);
    expect(r.stdout).toMatch(/more than 20/);
  });
});

describe("descent never prints a stack trace (issue 9)", () => {
  const failures: [string, string[], number][] = [
    ["a CSV file that does not exist", ["train", "missing.csv", "--target", "y"], 2],
    ["a folder given as the CSV file", ["train", "sub", "--target", "y"], 2],
    ["a bad cell", ["train", "bad.csv", "--target", "y"], 1],
    ["a model file that is not JSON", ["predict", "broken.json", "data.csv"], 2],
    ["a JSON file that is not a model", ["predict", "other.json", "data.csv"], 2],
    ["a model file edited after it was saved", ["predict", "edited.json", "data.csv"], 1],
    ["a model file resigned with a target field of length 1e8 (it allocated 2.4 GB and exited 0)", ["predict", "huge.json", "data.csv"], 1],
    ["the library refusing the data", ["train", "one-class.csv", "--target", "label", "--test-split", "0"], 1],
  ];
  let dir = "";
  beforeAll(() => {
    const model = JSON.parse(MODEL);
    model.descent.layers[0].b[0] += 1;
    const huge = JSON.parse(MODEL);
    const { checksum: _, ...body } = { ...huge.descent, target: { mean: { length: 1e8 }, scale: 0 } };
    huge.descent = { ...body, checksum: checksum(body) };
    dir = folder({
      "huge.json": JSON.stringify(huge),
      "data.csv": CONTINUOUS, "model.json": MODEL, "bad.csv": "x,y\n1,2\noops,3\n4,5\n", "broken.json": "{ not json", "other.json": '{"hello": 1}',
      "edited.json": JSON.stringify(model), "one-class.csv": "x,label\n1,a\n2,a\n3,a\n",
      // Makes the program fail inside, where no check of descent's could: a stand-in for a bug.
      "fault.mjs": 'performance.now = () => { throw new TypeError("injected fault"); };\n',
    });
    mkdirSync(join(dir, "sub"));
  });

  function expectOneLine(r: Ran, code: number): void {
    expect(r.stderr).toMatch(/^descent: [^\n]+\n$/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.code).toBe(code);
  }

  it.each(failures)("%s: one line, exit code %j", (_name, argv, code) => {
    expectOneLine(descent(dir, argv), code);
  });

  it("an error writing standard output (a full disk)", () => {
    const full = openSync("/dev/full", "w");
    try {
      const r = descent(dir, ["predict", "model.json", "data.csv"], { stdout: full });
      expectOneLine(r, 1);
      expect(r.stderr).toMatch(/^descent: cannot write to standard output: no space left on device/);
      const help = descent(dir, ["--help"], { stdout: full });
      expectOneLine(help, 1);
    } finally {
      closeSync(full);
    }
  });

  it("an internal error: the message, not the stack", () => {
    const r = descent(dir, ["train", "data.csv", "--target", "y"], { node: ["--import", "./fault.mjs"] });
    expectOneLine(r, 1);
    expect(r.stderr).toMatch(/^descent: unexpected error: TypeError: injected fault \(a bug in descent: please report it/);
  });

  it("an internal error in-process too", async () => {
    const stderr = capture();
    const broken = { write(): boolean { throw new TypeError("stream broke"); } };
    const code = await main(["train", PENGUINS, "--target", "species", "-q"], { stdout: broken, stderr, cwd: root });
    expect(code).toBe(1);
    expect(stderr.text).toMatch(/^descent: unexpected error: TypeError: stream broke \(a bug in descent[^\n]*\n$/);
  });
});

// ---------------------------------------------------------------------------- issue 12: tables as they come
// The built program on data/housing.csv (an id, an address, a neighbourhood, missing cells) and on
// small tables made to the point.

const HOUSING = readFileSync(join(root, "data/housing.csv"), "utf8");

/** One line on stderr, nothing on stdout, exit code 1 (the data, not the command line), and the folder as it was. */
function expectDataRefused(dir: string, argv: string[], message: RegExp): void {
  const before = contents(dir);
  const r = descent(dir, argv);
  expect(r.stderr, argv.join(" ")).toMatch(message);
  expect(r.stderr, argv.join(" ")).toMatch(/^descent: [^\n]+\n$/);
  expect(r.code, argv.join(" ")).toBe(1);
  expect(r.stdout, argv.join(" ")).toBe("");
  expect(contents(dir), argv.join(" ")).toEqual(before);
}

/** The features line of train's header. */
const featuresLine = (stdout: string): string => (/^features {2}(.*)$/m.exec(stdout) as RegExpExecArray)[1];

describe("descent --version (issue 12)", () => {
  it("prints the version field of package.json", async () => {
    const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version as string;
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    expect(descent(tmp, ["--version"])).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
    expect((await run("--version")).stdout).toBe(`${version}\n`);
    const extra = await run("--version", "train");
    expect(extra.code).toBe(2);
    expect(extra.stderr).toBe("descent: --version takes nothing after it, received train\n");
    expect((await run("--help")).stdout).toMatch(/"descent --version" for the version/);
  });
});

describe("descent train on text, id and missing columns (issue 12)", () => {
  it("encodes text columns, leaves id-like columns out with a note, and --missing mean fills cells with the training rows' means", () => {
    const dir = folder({ "housing.csv": HOUSING });
    const r = descent(dir, ["train", "housing.csv", "--target", "price", "--missing", "mean", "--out", "model.json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^data {6}housing\.csv: 149 rows \(1 more left out: a missing target\)$/m);
    expect(featuresLine(r.stdout)).toBe(
      "neighbourhood (5 categories), sqft, bedrooms, bathrooms, year_built, garage (2 categories) (id-like, left out: id, address)");
    expect(r.stderr).toBe(
      'descent: note: left out "id", "address": id-like (unique in every row), not a feature; name them in --features to use them\n' +
      "descent: note: --missing mean left out 1 row with a missing target (never filled): line 135\n" +
      'descent: note: --missing mean filled missing cells: 1 in "neighbourhood" (no category), 3 in "sqft" (the training mean), ' +
      '2 in "year_built" (the training mean), 1 in "garage" (no category)\n');
    expect(metric(r.stdout, "R²")[1]).toBeGreaterThan(0.9);

    const saved = JSON.parse(readFileSync(join(dir, "model.json"), "utf8"));
    expect(saved.features.slice(0, 6)).toEqual([
      "neighbourhood=Downtown", "neighbourhood=Harbourside", "neighbourhood=Hillcrest", "neighbourhood=Old Town", "neighbourhood=Riverside", "sqft",
    ]);
    expect(saved.encoding.missing).toBe("mean");
    expect(saved.encoding.columns.map((c: { name: string }) => c.name)).toEqual(["neighbourhood", "sqft", "bedrooms", "bathrooms", "year_built", "garage"]);
    // The saved mean is that of the training rows of the split, not of the whole file.
    const d = parseCsv(HOUSING, { target: "price", categorical: "auto", dropIds: true, missing: "mean" });
    const { train } = splitIndices(d.X.rows, { testSize: 0.2, seed: 0 });
    const holes = new Set(d.filled.find((f) => f.column === "sqft")?.rows);
    const at = d.features.indexOf("sqft");
    const values = train.filter((i) => !holes.has(i)).map((i) => d.X.data[i * d.X.cols + at]);
    expect(saved.encoding.columns[1].mean).toBe(Math.fround(values.reduce((a, b) => a + b, 0) / values.length));
    expect(saved.encoding.columns[1].mean).not.toBe((d.encoding.columns[1] as { mean: number }).mean);
  });

  it("--categorical none leaves text out, a list encodes just its columns, and --features can name an id", async () => {
    const file = "data/housing.csv";
    const none = await run("train", file, "--target", "price", "--missing", "drop", "--categorical", "none", "-q");
    expect(none.code, none.stderr).toBe(0);
    // Text left out is left out: the address among it, unread.
    expect(featuresLine(none.stdout)).toBe("sqft, bedrooms, bathrooms, year_built (skipped: address, neighbourhood, garage) (id-like, left out: id)");
    const list = await run("train", file, "--target", "price", "--missing", "drop", "--categorical", "garage", "-q");
    expect(featuresLine(list.stdout)).toBe(
      "sqft, bedrooms, bathrooms, year_built, garage (2 categories) (skipped: address, neighbourhood) (id-like, left out: id)");
    const named = await run("train", file, "--target", "price", "--missing", "drop", "--features", "id,sqft,neighbourhood", "-q");
    expect(named.code, named.stderr).toBe(0);
    expect(featuresLine(named.stdout)).toBe("id, sqft, neighbourhood (5 categories) (skipped: address, garage)");
    expect(named.stderr).not.toMatch(/id-like/);
    const text = await run("train", PENGUINS, "--target", "species", "--features", "island", "--categorical", "none");
    expect(text.code).toBe(1);
    expect(text.stderr).toBe('descent: parseCsv: data/penguins.csv: feature column "island" is not numeric (line 2, column "island": "Torgersen" ' +
      "is not a number); --categorical auto, or a list naming it, one-hot encodes it\n");
    // The penguins' island and sex, text columns, are features by default and in the model file.
    const penguins = await run("train", PENGUINS, "--target", "species", "-q");
    expect(featuresLine(penguins.stdout)).toBe("island (3 categories), bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g, sex (2 categories)");
  });

  it("refuses a text column of too many categories for auto, naming it and the flags, and writes nothing", () => {
    const comments = ["great", "ok", "needs work", "lovely garden", "noisy", "quiet street"];
    const rows = Array.from({ length: 40 }, (_, i) => `${i % 7},${comments[i % 6]} ${i % 30},${(i % 7) * 2 + (i % 3)}`);
    const dir = folder({ "data.csv": ["rooms,comment,y", ...rows].join("\n") + "\n" });
    expectDataRefused(dir, ["train", "data.csv", "--target", "y", "--out", "model.json"],
      /^descent: parseCsv: data\.csv: column "comment" has 30 distinct values in 40 rows, too many to one-hot encode \(auto takes at most 50, and at most half as many as rows\); list the columns to encode with --categorical a,b, leave it out with --features, or use --categorical none\n$/);
    const r = descent(dir, ["train", "data.csv", "--target", "y", "--categorical", "none", "--test-split", "0"]);
    expect(r.code, r.stderr).toBe(0);
    expect(featuresLine(r.stdout)).toBe("rooms (skipped: comment)");
  });

  it("stops at a missing cell by default, naming its line, column and the flags; --missing drop leaves its rows out", () => {
    const dir = folder({ "housing.csv": HOUSING });
    expectDataRefused(dir, ["train", "housing.csv", "--target", "price", "--out", "model.json"],
      /^descent: parseCsv: housing\.csv: line 9, column "sqft": the cell is empty, though the column holds numbers \(147 of its 150 cells\); use --missing drop or --missing mean to handle missing cells\n$/);
    const r = descent(dir, ["train", "housing.csv", "--target", "price", "--missing", "drop"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^data {6}housing\.csv: 142 rows \(8 more left out: a missing cell\)$/m);
    expect(r.stdout).toMatch(/^split {5}113 train \/ 29 test \(seed 0\)$/m);
    expect(r.stderr).toContain("descent: note: --missing drop left out 8 rows with a missing cell: lines 9, 25, 43, 66, 90, 104, 121, 135\n");
  });
});

describe("descent predict on text, id and missing columns (issue 12)", () => {
  /** Rows A to E: Downtown; an unseen neighbourhood; sqft missing; sqft at the training mean; neighbourhood missing. */
  const fresh = (mean: number): string => [
    "garage,year_built,id,bathrooms,neighbourhood,bedrooms,sqft,price",
    "yes,1990,A-1,2,Downtown,3,1500,",
    "yes,1990,B-2,2,Lakeside,3,1500,",
    "yes,1990,@C-3,2,Downtown,3,NA,",
    `yes,1990,D-4,2,Downtown,3,${mean},`,
    "yes,1990,E-5,2,,3,1500,",
  ].join("\n") + "\n";
  let dir = "";
  let mean = 0;
  beforeAll(() => {
    dir = folder({ "housing.csv": HOUSING });
    for (const missing of ["mean", "drop"]) {
      const r = descent(dir, ["train", "housing.csv", "--target", "price", "--missing", missing, "--out", `${missing}.json`]);
      expect(r.code, r.stderr).toBe(0);
    }
    mean = JSON.parse(readFileSync(join(dir, "mean.json"), "utf8")).encoding.columns[1].mean;
    writeFileSync(join(dir, "new.csv"), fresh(mean));
  });

  it("encodes as in training, copies --keep columns first, fills a missing cell with the saved mean, and reads an unseen category as none", () => {
    const r = descent(dir, ["predict", "mean.json", "new.csv", "--keep", "id,neighbourhood"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('descent: note: 1 cell holds a category the model was not trained on, read as no category (all its one-hot columns 0): ' +
      '"Lakeside" in "neighbourhood" (1 row)\n');
    const [header, ...rows] = parseCsvRecords(r.stdout) as string[][];
    expect(header).toEqual(["id", "neighbourhood", "prediction"]);
    // Kept text that a spreadsheet would run gets its quote, as class labels do.
    expect(rows.map((row) => row.slice(0, 2))).toEqual([["A-1", "Downtown"], ["B-2", "Lakeside"], ["'@C-3", "Downtown"], ["D-4", "Downtown"], ["E-5", ""]]);
    const p = rows.map((row) => Number(row[2]));
    expect(p[2]).toBe(p[3]); // a missing sqft is the saved mean
    expect(p[1]).toBe(p[4]); // an unseen neighbourhood is no neighbourhood
    expect(p[0]).not.toBe(p[1]);
    // The same rows through the library with the saved encoding give the same numbers.
    const saved = JSON.parse(readFileSync(join(dir, "mean.json"), "utf8"));
    expect(parseCsv(fresh(mean), { encoding: saved.encoding }).unseen).toEqual([{ column: "neighbourhood", category: "Lakeside", rows: 1 }]);
  });

  it("refuses a missing cell for a model trained without --missing mean, saying why, and writes nothing", () => {
    expectDataRefused(dir, ["predict", "drop.json", "new.csv", "--out", "p.csv"],
      /^descent: parseCsv: new\.csv: line 4, column "sqft": "NA" marks a missing value, though the column holds numbers \(4 of its 5 cells\); the model in drop\.json was trained with --missing drop, so it has no value to fill in: fill the cell, or train with --missing mean\n$/);
  });

  it("refuses --keep naming a column the file lacks, or one the output has already", () => {
    expectRefused(dir, ["predict", "mean.json", "new.csv", "--keep", "idd", "--out", "p.csv"],
      /^descent: --keep: new\.csv: no column "idd" to keep \(columns: "garage", "year_built", "id", /);
    writeFileSync(join(dir, "again.csv"), fresh(mean).replace("price", "prediction"));
    expectRefused(dir, ["predict", "mean.json", "again.csv", "--keep", "id,prediction", "--out", "p.csv"],
      /^descent: --keep prediction: the output has a "prediction" column of its own; keep a column of another name\n$/);
  });

  it("reads a model file written before encodings (every feature a number column), and checks an encoding before using it", () => {
    const old = JSON.parse(MODEL);
    delete old.encoding;
    const bad = JSON.parse(MODEL);
    bad.encoding.columns[0] = { name: "x1", type: "category", categories: Array.from({ length: 5000 }, (_, i) => `c${i}`) };
    const other = JSON.parse(MODEL);
    other.features = ["x2", "x1"];
    const d = folder({ "data.csv": CONTINUOUS, "model.json": MODEL, "old.json": JSON.stringify(old), "bad.json": JSON.stringify(bad), "other.json": JSON.stringify(other) });
    const now = descent(d, ["predict", "model.json", "data.csv"]);
    const before = descent(d, ["predict", "old.json", "data.csv"]);
    expect(before.code, before.stderr).toBe(0);
    expect(before.stdout).toBe(now.stdout);
    expectRefused(d, ["predict", "bad.json", "data.csv"],
      /^descent: bad\.json is not a model file written by "descent train --out": encoding: columns\[0\]\.categories must hold 1 to 1000 categories, received 5000\n$/);
    expectRefused(d, ["predict", "other.json", "data.csv"],
      /^descent: other\.json is not a model file written by "descent train --out": its features are not the ones its encoding makes\n$/);
  });
});

describe("descent train --early-stopping (issue 12)", () => {
  it("holds out validation rows from the training rows, stops when their loss stalls, and keeps the best epoch", async () => {
    const plot = join(tmp, "early.svg");
    const r = await run("train", PENGUINS, "--target", "species", "--model", "mlp", "--epochs", "1000", "--lr", "0.05",
      "--early-stopping", "3", "--plot", plot);
    expect(r.code, r.stderr).toBe(0);
    // 10% of the 266 training rows, rounded up: the 67 test rows are left alone.
    expect(r.stdout).toMatch(/^split {5}239 train \/ 27 validation \/ 67 test \(seed 0\)$/m);
    const m = /^epochs {3}(\d+) of 1000 \(early stopping: the validation loss did not improve for 3 epochs; the weights of epoch (\d+) kept\)$/m.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    const [ran, best] = [Number((m as RegExpExecArray)[1]), Number((m as RegExpExecArray)[2])];
    expect(ran).toBeLessThan(1000);
    expect(best).toBeLessThanOrEqual(ran - 3);
    expect(r.stderr).toMatch(/^epoch +1\/1000 {2}loss \S+ {2}val \S+/);
    const svg = readFileSync(plot, "utf8");
    expect(svg).toContain(">validation</text>");
    expect([...svg.matchAll(/<polyline[^>]*\bpoints="([^"]*)"/g)].map((p) => p[1].split(" ").length)).toEqual([ran, ran]);
  });

  it("takes its patience from the next argument when it is a number, else 10", async () => {
    const bare = await run("train", "--early-stopping", PENGUINS, "--target", "species", "--model", "mlp", "--epochs", "15", "-q", "--test-split", "0");
    expect(bare.code, bare.stderr).toBe(0);
    expect(bare.stdout).toMatch(/^split {5}299 train \/ 34 validation; no test set \(--test-split 0\)$/m);
    expect(bare.stdout).toMatch(/^epochs {3}.*(did not improve for 10 epochs|within every 10 epochs)/m);
    const eq = await run("train", PENGUINS, "--target", "species", "--model", "mlp", "--epochs", "15", "-q", "--early-stopping=20");
    expect(eq.stdout).toMatch(/^epochs {3}15 \(early stopping did not stop it: the validation loss improved within every 20 epochs\)$/m);
  });

  it("says it had no effect on the closed form and on L-BFGS", async () => {
    const closed = await run("train", PENGUINS, "--target", "body_mass_g", "--early-stopping", "5");
    expect(closed.code).toBe(0);
    expect(closed.stderr).toBe("descent: note: --early-stopping had no effect: the closed-form solver does not iterate (use --solver gd)\n");
    expect(closed.stdout).toMatch(/^split {5}266 train \/ 67 test/m);
    const lbfgs = await run("train", PENGUINS, "--target", "species", "--early-stopping", "-q");
    expect(lbfgs.stderr).toMatch(/descent: note: --early-stopping had no effect: L-BFGS chooses its own steps/);
  });
});

describe("descent train's classification report (issue 12)", () => {
  it("computes precision, recall, F1, support and their macro averages as scikit-learn does", () => {
    // scikit-learn's classification_report example: y_true [0, 1, 2, 2, 2], y_pred [0, 0, 2, 2, 1].
    const r = classReport([0, 1, 2, 2, 2], [0, 0, 2, 2, 1], [0, 1, 2]);
    expect(r.precision).toEqual([0.5, 0, 1]);
    expect(r.recall.map((v) => v.toFixed(4))).toEqual(["1.0000", "0.0000", "0.6667"]);
    expect(r.f1.map((v) => v.toFixed(4))).toEqual(["0.6667", "0.0000", "0.8000"]);
    expect(r.support).toEqual([1, 1, 3]);
    expect([r.macro.precision, r.macro.recall, r.macro.f1].map((v) => v.toFixed(2))).toEqual(["0.50", "0.56", "0.49"]);
    expect(r.confusion).toEqual([[1, 0, 0], [1, 0, 0], [0, 1, 2]]);
    // Classes that neither the truth nor the predictions hold are left out, as unique_labels does.
    expect(classReport(["a", "a"], ["a", "b"], ["a", "b", "c"]).labels).toEqual(["a", "b"]);
    const text = formatClassReport(r, "test");
    expect(text).toContain("  0              0.5000   1.0000   0.6667         1\n");
    expect(text).toContain("  macro avg      0.5000   0.5556   0.4889         5\n");
    expect(text).toContain("  2                  0   1   2\n");
  });

  it("prints the per-class table and a confusion matrix of the test rows, agreeing with the accuracy", async () => {
    const r = await run("train", PENGUINS, "--target", "species", "-q");
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split("\n");
    const row = (name: string, from: number): string[] => {
      const line = lines.slice(from).find((l) => l.trimStart().startsWith(`${name} `));
      expect(line, name).toBeDefined();
      return (line as string).trim().slice(name.length).trim().split(/\s+/);
    };
    const table = lines.findIndex((l) => /^ {2}test rows {3}precision {3}recall {7}F1 {3}support$/.test(l));
    const matrix = lines.findIndex((l) => /^ {2}true \\ predicted {3}Adelie {3}Chinstrap {3}Gentoo$/.test(l));
    expect(table, r.stdout).toBeGreaterThan(0);
    expect(matrix, r.stdout).toBeGreaterThan(table);
    const classes = ["Adelie", "Chinstrap", "Gentoo"];
    const counts = classes.map((c) => row(c, matrix).map(Number));
    const total = counts.flat().reduce((a, b) => a + b, 0);
    expect(total).toBe(67);
    const correct = counts.reduce((a, r, i) => a + r[i], 0);
    expect(metric(r.stdout, "accuracy")[1]).toBeCloseTo(correct / total, 4);
    classes.forEach((c, i) => {
      const [precision, recall, , support] = row(c, table);
      const predicted = counts.reduce((a, r) => a + r[i], 0);
      expect(Number(support)).toBe(counts[i].reduce((a, b) => a + b, 0));
      expect(precision).toBe((counts[i][i] / predicted).toFixed(4));
      expect(recall).toBe((counts[i][i] / Number(support)).toFixed(4));
    });
    expect(row("macro avg", table)[3]).toBe("67");
  });

  it("leaves out the confusion matrix beyond 20 classes, and reports the training rows when there is no test set", () => {
    const labels = Array.from({ length: 21 }, (_, i) => `k${String(i).padStart(2, "0")}`);
    const dir = folder({ "data.csv": ["x,label", ...Array.from({ length: 84 }, (_, i) => `${Math.floor(i / 4)},${labels[Math.floor(i / 4)]}`)].join("\n") + "\n" });
    const r = descent(dir, ["train", "data.csv", "--target", "label", "--test-split", "0", "-q", "--epochs", "5"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ {2}train rows {3}precision/m);
    expect(r.stdout).toContain("  confusion matrix: not shown for 21 classes (more than 20)\n");
  });
});

describe("the README's command line (issue 12)", () => {
  it("runs the example on data/housing.csv as written, and prints what it shows", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### Tables as they come"));
    const commands = (/```sh\n([\s\S]*?)```/.exec(section) as RegExpExecArray)[1].trim().split("\n");
    expect(commands).toHaveLength(2);
    const dir = folder();
    mkdirSync(join(dir, "data"));
    writeFileSync(join(dir, "data/housing.csv"), HOUSING);
    const runs = commands.map((command) => {
      const words = command.split(/\s+/);
      // "npx <bin> train …": what follows the program's name.
      const at = words.findIndex((w) => w === "train" || w === "predict");
      expect(at, command).toBe(2);
      const r = descent(dir, words.slice(at));
      expect(r.code, `${command}\n${r.stderr}`).toBe(0);
      return r;
    });
    const shown = (/```text\n([\s\S]*?)```/.exec(section) as RegExpExecArray)[1].split("\n").filter((l) => l !== "" && l !== "…");
    const printed = `${runs[0].stderr}${runs[0].stdout}`.split("\n");
    for (const line of shown) expect(printed, line).toContain(line);
    const [header, ...rows] = parseCsvRecords(readFileSync(join(dir, "prices.csv"), "utf8")) as string[][];
    expect(header).toEqual(["id", "prediction"]);
    expect(rows.map((r) => r[0])).toEqual(HOUSING.trimEnd().split("\n").slice(1).map((l) => l.split(",")[0]));
  });
});
