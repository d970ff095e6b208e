// `descent export model.json --onnx model.onnx`: trained by `descent train --out` on small CSV
// files, exported, run in ONNX Runtime and compared with `descent predict`; and its refusals
// (an output that is an input, a missing flag, files that are not models) as one-line errors.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, describe, expect, it } from "vitest";
import { runIn } from "./cli-helpers.ts";
import { decodeModel } from "../src/onnx/onnx.ts";
import { rng } from "./helpers.ts";

const tmp = mkdtempSync(join(os.tmpdir(), "descent-cli-onnx-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the command in-process from the temporary folder; the streams are captured. */
const run = runIn(tmp);

/** A numeric CSV: three features and a target column `y` (a number, or a label from it). */
function csv(name: string, rows: number, label: boolean): { file: string; X: number[][] } {
  const r = rng(rows);
  const X = Array.from({ length: rows }, () => [r() * 10, r() * 4 - 2, r() * 100]);
  const y = X.map(([a, b, c]) => a - 3 * b + c / 20);
  const lines = ["a,b,c,y", ...X.map((row, i) => [...row, label ? (y[i] > 8 ? "high" : y[i] > 4 ? "mid" : "low") : y[i]].join(","))];
  writeFileSync(join(tmp, name), `${lines.join("\n")}\n`);
  return { file: name, X };
}

async function ortRun(file: string, X: number[][]): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(readFileSync(join(tmp, file)));
  try {
    return await session.run({ X: new ort.Tensor("float32", Float32Array.from(X.flat()), [X.length, X[0].length]) });
  } finally {
    await session.release();
  }
}

describe("descent export --onnx", () => {
  it("a regression and a classifier trained by `descent train` predict in ONNX Runtime as `descent predict` does", async () => {
    for (const [model, label] of [["linear", false], ["mlp", false], ["logistic", true], ["mlp", true]] as const) {
      const data = csv(`${model}-${label}.csv`, 60, label);
      const trained = await run("train", data.file, "--target", "y", "--model", model, "--out", `${model}.json`, "--epochs", "20", "-q");
      expect(trained.code, trained.stderr).toBe(0);
      const exported = await run("export", `${model}.json`, "--onnx", `${model}.onnx`);
      expect(exported.code, exported.stderr).toBe(0);
      expect(exported.stderr).toMatch(/^descent: wrote .+\.onnx \(\d+ bytes, ONNX opset 17; input X: rows × 3 features: a, b, c\)\n$/);
      const predicted = await run("predict", `${model}.json`, data.file);
      expect(predicted.code, predicted.stderr).toBe(0);
      const [header, ...rows] = predicted.stdout.trim().split("\n").map((l) => l.split(","));
      const out = await ortRun(`${model}.onnx`, data.X);
      const column = (name: string): string[] => rows.map((r) => r[header.indexOf(name)]);
      if (label) {
        expect(Array.from(out.prediction.data as string[])).toEqual(column("prediction"));
        const classes = header.filter((h) => h.startsWith("p_")).map((h) => h.slice(2));
        const p = out.probabilities.data as Float32Array;
        classes.forEach((c, j) => column(`p_${c}`).forEach((v, i) => expect(Math.abs(Number(v) - p[i * classes.length + j])).toBeLessThanOrEqual(1e-5)));
      } else {
        const p = out.prediction.data as Float32Array;
        column("prediction").forEach((v, i) => expect(Math.abs(Number(v) - p[i]) / Math.max(1, Math.abs(p[i]))).toBeLessThanOrEqual(1e-5));
      }
      const meta = decodeModel(readFileSync(join(tmp, `${model}.onnx`))).metadata;
      expect(meta.get("descent.features")).toBe(JSON.stringify(["a", "b", "c"]));
      expect(meta.get("descent.target")).toBe(JSON.stringify("y"));
    }
  });

  it("a bare model.toJSON() file exports too", async () => {
    const saved = JSON.parse(readFileSync(join(tmp, "linear.json"), "utf8")) as { descent: unknown };
    writeFileSync(join(tmp, "bare.json"), JSON.stringify(saved.descent));
    const r = await run("export", "bare.json", "--onnx", "bare.onnx");
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(tmp, "bare.onnx")).length).toBeGreaterThan(100);
  });

  it("refusals are one line starting with descent:, never a stack trace, and write nothing", async () => {
    const cases: [string[], number, RegExp][] = [
      [["export", "linear.json", "--onnx", "linear.json"], 2, /^descent: --onnx linear\.json would overwrite the model file, linear\.json; choose another --onnx\n/],
      [["export", "linear.json", "--onnx", "./linear.json"], 2, /would overwrite the model file/],
      [["export", "linear.json"], 2, /^descent: --onnx <file\.onnx> is required/],
      [["export"], 2, /^descent: missing the model file to export/],
      [["export", "linear.json", "more.json", "--onnx", "x.onnx"], 2, /^descent: expected one model file, received 2 arguments/],
      [["export", "linear.json", "--onxx", "x.onnx"], 2, /^descent: unknown option --onxx for descent export \(did you mean --onnx\?\)/],
      [["export", "nothing.json", "--onnx", "x.onnx"], 2, /^descent: cannot read the model file nothing\.json: no such file/],
      [["export", "linear-false.csv", "--onnx", "x.onnx"], 2, /^descent: linear-false\.csv is not a model file/],
      [["export", "linear.json", "--onnx", "missing/x.onnx"], 2, /^descent: cannot write --onnx missing\/x\.onnx/],
    ];
    // A model file whose weights were edited after saving: loadModel's checksum refuses it.
    const saved = JSON.parse(readFileSync(join(tmp, "linear.json"), "utf8")) as { descent: { layers: { w: number[] }[] } };
    saved.descent.layers[0].w[0] += 1;
    writeFileSync(join(tmp, "edited.json"), JSON.stringify(saved));
    cases.push([["export", "edited.json", "--onnx", "x.onnx"], 1, /^descent: loadModel: the checksum does not match/]);
    for (const [argv, code, message] of cases) {
      const r = await run(...argv);
      expect(r.code, argv.join(" ")).toBe(code);
      expect(r.stderr, argv.join(" ")).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(() => readFileSync(join(tmp, "x.onnx"))).toThrow();
    // The model file is as it was.
    expect(JSON.parse(readFileSync(join(tmp, "linear.json"), "utf8")).descent).toBeDefined();
  });

  it("help", async () => {
    const r = await run("export", "--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: descent export <model\.json> --onnx <file\.onnx>/);
    expect((await run("help", "export")).stdout).toBe(r.stdout);
    expect((await run("--help")).stdout).toMatch(/export <model\.json> --onnx <file>/);
  });
});
