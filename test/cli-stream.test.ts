// `descent train --stream`: a CSV file ten times larger than --max-memory trains to the model the
// whole-file path gives, with the peak memory reported under the cap; on a small file the stream
// and the whole-file path save the same model; what a stream cannot do is refused as a usage error.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { runIn } from "./cli-helpers.ts";
import { LinearRegression, LogisticRegression, loadModel } from "../src/models/index.ts";
import { mulberry32 } from "../src/random.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const tmp = mkdtempSync(join(os.tmpdir(), "descent-cli-stream-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the command in-process from the repository root; the streams are captured. */
const run = runIn(root);

/** A seeded CSV of `rows` rows: 8 numeric features, a numeric target y and a class label. */
function writeCsv(name: string, rows: number, seed: number): string {
  const r = mulberry32(seed);
  const w = [2, -1, 0.5, 0, 3, -2, 1, 0.25];
  const lines = ["x0,x1,x2,x3,x4,x5,x6,x7,y,label"];
  for (let i = 0; i < rows; i++) {
    const x = w.map((_, j) => 4 * r() - 2 + (j === 2 ? 50 : 0));
    let y = 10 + (r() - 0.5);
    x.forEach((v, j) => { y += w[j] * v; });
    const label = x[0] - x[1] + (r() - 0.5) > 0 ? "up" : "down";
    lines.push(`${x.map((v) => v.toFixed(4)).join(",")},${y.toFixed(4)},${label}`);
  }
  const file = join(tmp, name);
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

function linear(file: string): LinearRegression {
  return loadModel(JSON.parse(readFileSync(file, "utf8")).descent) as LinearRegression;
}

describe("descent train --stream", () => {
  it("on a file ten times larger than --max-memory: the whole-file model, the peak memory under the cap", async () => {
    const csv = writeCsv("big.csv", 150_000, 1);
    const size = statSync(csv).size;
    const cap = 1 << 20;
    expect(size).toBeGreaterThan(10 * cap);
    const streamed = join(tmp, "big-stream.json");
    const s = await run("train", csv, "--target", "y", "--features", "x0,x1,x2,x3,x4,x5,x6,x7", "--stream", "--max-memory", "1M", "--out", streamed);
    expect(s.stderr).not.toMatch(/descent: (?!note)/);
    expect(s.code).toBe(0);
    const peak = /memory\s+peak ([\d.]+) (KB|MB) of WebAssembly memory \(--max-memory 1\.00 MB\) for a ([\d.]+) MB file/.exec(s.stdout);
    expect(peak).not.toBeNull();
    const bytes = Number(peak?.[1]) * (peak?.[2] === "MB" ? 2 ** 20 : 2 ** 10);
    expect(bytes).toBeLessThanOrEqual(cap);
    expect(s.stdout).toMatch(/rows\s+150000/);
    // The whole file does not fit under the cap without --stream.
    const capped = await run("train", csv, "--target", "y", "--features", "x0,x1,x2,x3,x4,x5,x6,x7", "--test-split", "0", "--max-memory", "1M");
    expect(capped.code).toBe(1);
    expect(capped.stderr).toMatch(/WASM memory can hold at most 1048576 bytes/);
    const whole = join(tmp, "big-whole.json");
    const w = await run("train", csv, "--target", "y", "--features", "x0,x1,x2,x3,x4,x5,x6,x7", "--test-split", "0", "--out", whole);
    expect(w.code).toBe(0);
    const a = linear(streamed);
    const b = linear(whole);
    a.coef.forEach((c, j) => expect(Math.abs(c - b.coef[j])).toBeLessThan(1e-9 * Math.max(1, Math.abs(b.coef[j]))));
    expect(Math.abs(a.intercept - b.intercept)).toBeLessThan(1e-9 * Math.abs(b.intercept));
    // R² of the training rows, as the whole-file path computes it on them.
    const r2 = (out: string): string | undefined => /R²\s+([\d.]+)/.exec(out)?.[1];
    expect(r2(s.stdout)).toBe(r2(w.stdout));
    a.dispose();
    b.dispose();
  });

  it("on a small file: the same models as without --stream (closed form, L-BFGS), and predict reads the saved file", async () => {
    const csv = writeCsv("small.csv", 3000, 2);
    const out = (name: string): string => join(tmp, name);
    for (const [target, extra] of [["y", ["--features", "x0,x1,x2,x3,x4,x5,x6,x7"]], ["label", ["--features", "x0,x1,x2,x3"]]] as const) {
      const s = await run("train", csv, "--target", target, ...extra, "--stream", "--quiet", "--out", out(`${target}-s.json`));
      const w = await run("train", csv, "--target", target, ...extra, "--test-split", "0", "--quiet", "--out", out(`${target}-w.json`));
      expect([s.code, w.code]).toEqual([0, 0]);
      const a = loadModel(JSON.parse(readFileSync(out(`${target}-s.json`), "utf8")).descent);
      const b = loadModel(JSON.parse(readFileSync(out(`${target}-w.json`), "utf8")).descent);
      if (a instanceof LinearRegression && b instanceof LinearRegression) {
        a.coef.forEach((c, j) => expect(Math.abs(c - b.coef[j])).toBeLessThan(1e-9 * Math.max(1, Math.abs(b.coef[j]))));
      } else {
        expect(a).toBeInstanceOf(LogisticRegression);
        const wa = a.layers[0].w.toArray();
        const wb = b.layers[0].w.toArray();
        wa.forEach((v, j) => expect(Math.abs(v - wb[j])).toBeLessThan(1e-3 * Math.max(1, Math.abs(wb[j]))));
        expect(/accuracy\s+([\d.]+)/.exec(s.stdout)?.[1]).toBe(/accuracy\s+([\d.]+)/.exec(w.stdout)?.[1]);
      }
      const p = await run("predict", out(`${target}-s.json`), csv, "--out", out(`${target}-p.csv`));
      expect(p.code).toBe(0);
      expect(readFileSync(out(`${target}-p.csv`), "utf8").split("\n")[0]).toMatch(/^prediction/);
      a.dispose();
      b.dispose();
    }
  });

  it("a gradient-descent mlp streams epoch by epoch, with progress per pass in bytes", async () => {
    const csv = writeCsv("mlp.csv", 2000, 3);
    const r = await run("train", csv, "--target", "label", "--features", "x0,x1", "--stream", "--model", "mlp", "--layers", "4", "--epochs", "3", "--batch", "64");
    expect(r.code).toBe(0);
    // The classes are counted (the output layer needs them), then statistics, three epochs, the metrics.
    expect(r.stderr).toMatch(/^pass 1 \(counting the classes\): [\d.]+ KB of [\d.]+ KB\npass 2 \(statistics and classes\)/);
    expect(r.stderr).toMatch(/pass 5 \(epoch 3\/3\): [\d.]+ KB of [\d.]+ KB, loss [\d.]+\npass 6 \(metrics\)/);
    expect(r.stdout).toMatch(/epochs\s+3/);
  });

  it.each([
    [["--missing", "mean"], /--missing mean needs the whole file's means before training, which --stream cannot give/],
    [["--test-split", "0.3"], /--test-split does not apply/],
    [["--early-stopping"], /--early-stopping watches rows held out of training, which --stream does not hold out/],
    [["--max-memory", "12"], /--max-memory must be a number of bytes of at least 64K/],
  ])("refuses %j as a usage error", async (flags, message) => {
    const r = await run("train", "data/penguins.csv", "--target", "species", "--stream", ...flags);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it("bad data is refused naming the file's line, as without --stream", async () => {
    const lines = readFileSync(join(root, "data/penguins.csv"), "utf8").split("\n");
    lines[200] = lines[200].replace(/,(\d+\.\d+),/, ",abc,");
    const file = join(tmp, "bad.csv");
    writeFileSync(file, lines.join("\n"));
    const r = await run("train", file, "--target", "species", "--stream");
    const w = await run("train", file, "--target", "species");
    expect([r.code, w.code]).toEqual([1, 1]);
    expect(r.stderr).toMatch(/^descent: train: .*bad\.csv: line 201, column "bill_length_mm": "abc" is not a number/);
    // The same place and cell; the whole-file path names parseCsv, the stream the command.
    const place = (text: string): string => text.replace(/^descent: \w+: /, "").replace(/, though .*/s, "");
    expect(place(r.stderr)).toBe(place(w.stderr));
  });
});
