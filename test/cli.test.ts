// The `descent` command line: its formatting pieces (table, progress, SVG plot), its argument
// checking, and train/predict run in-process on data/penguins.csv and small temporary CSV files.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parseCsv } from "../src/data/index.ts";
import { loadModel } from "../src/models/index.ts";
import { createRuntime } from "../src/runtime.ts";
import { formatFloat32, main } from "../src/cli/main.ts";
import { escapeXml, formatTick, logTicks, lossCurveSvg, niceTicks } from "../src/cli/plot.ts";
import {
  createProgress, formatBar, formatDuration, formatLoss, formatProgressLine, formatRate, formatStatus, type EpochReport,
} from "../src/cli/progress.ts";
import { displayWidth, formatMetric, formatPairs, formatTable } from "../src/cli/table.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const PENGUINS = "data/penguins.csv";
const tmp = mkdtempSync(join(os.tmpdir(), "descent-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A stream that keeps what is written to it. */
function capture(isTTY = false): { write(s: string): boolean; isTTY: boolean; columns: number; text: string } {
  return { isTTY, columns: 100, text: "", write(s: string) { this.text += s; return true; } };
}

/** Runs the command in-process from the repository root; the streams are captured, never a TTY. */
async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = capture();
  const stderr = capture();
  const code = await main(argv, { stdout, stderr, cwd: root });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

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
    expect(formatMetric(123456.78)).toBe("123456.8");
    expect(formatMetric(2.5e-7)).toBe("2.5e-7");
    expect(formatMetric(3e9)).toBe("3e+9");
    expect(formatMetric(0)).toBe("0");
    expect(formatMetric(undefined)).toBe("—");
    expect(formatMetric(NaN)).toBe("NaN");
    expect(formatMetric(-Infinity)).toBe("-∞");
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
    [["--out", "same.svg", "--plot", "same.svg"], /^descent: --out and --plot name the same file$/],
    [["--model", "linear"], /^descent: --model linear needs a numeric target, but species holds text \(Adelie, /],
    [["train", PENGUINS], /^descent: missing --target <column>/],
    [["train", PENGUINS, "--target", "mass"], /^descent: --target: data\/penguins\.csv: no target column "mass" \(columns: "species", /],
    [["train", PENGUINS, "--target", "species", "--features", "bill_length_mm,wingspan"], /^descent: --features: .*no feature column "wingspan"/],
    [["train", "no/such.csv", "--target", "y"], /^descent: cannot read the CSV file no\/such\.csv: no such file$/],
    [["train", "a.csv", "b.csv", "--target", "y"], /^descent: expected one CSV file, received 2: a\.csv b\.csv$/],
    [["train", "--target", "y"], /^descent: missing the CSV file to train on/],
    [["fit", PENGUINS], /^descent: unknown command "fit" \(known: train, predict\)/],
    [["--target", "y"], /^descent: expected a command before --target/],
    [["predict", "model.json"], /^descent: missing the CSV file to predict on/],
    [["predict", "no/model.json", PENGUINS], /^descent: cannot read the model file no\/model\.json: no such file$/],
    [["predict", PENGUINS, PENGUINS], /^descent: data\/penguins\.csv is not a model file: /],
    [["predict", "m.json", "a.csv", "--target", "y"], /^descent: unknown option --target for descent predict$/],
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
    expect(r.stdout).toMatch(/features\s+bill_length_mm, bill_depth_mm, flipper_length_mm \(skipped: species, island, sex\)/);
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
    expect(saved.features).toEqual(["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]);

    const p = await run("predict", model, PENGUINS);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stderr).toBe("");
    const { header, rows } = readPredictions(p.stdout);
    expect(header).toEqual(["prediction", "p_Adelie", "p_Chinstrap", "p_Gentoo"]);
    expect(rows).toHaveLength(333);

    const data = parseCsv(readFileSync(join(root, PENGUINS), "utf8"), { target: "species", features: saved.features });
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
    expect((await run("train", PENGUINS, "--target", "body_mass_g", "--out", model)).code).toBe(0);
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
    expect(r.stderr).toMatch(/^descent: .*partial\.csv has no column "flipper_length_mm", which the model in .*mass2\.json was trained on/);

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
