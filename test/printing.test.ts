// What users see when they print descent's objects (issue 12): a tensor as its values, a model and
// a runtime as one line, never their internals; model.summary() as a table of layers and
// parameters that adds up to the weights the model really holds.
import { inspect } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import {
  LinearRegression, LogisticRegression, Sequential, createRuntime, dense, type Model, type Runtime,
} from "../src/index.ts";
import { describe as describeValue } from "../src/checks.ts";

let rt: Runtime;
beforeAll(async () => {
  rt = await createRuntime({ backend: "wasm-simd" });
});

const X = [[0, 1], [1, 0], [1, 1], [0, 0], [2, 1], [1, 2]];
const y = [1, 1, 2, 0, 3, 3];
const labels = ["b", "b", "c", "a", "c", "c"];

describe("a tensor prints as its values", () => {
  it("nested by its shape, in String(), template literals, console.log and util.inspect alike", () => {
    const t = rt.tensor(new Float32Array([1, 2, 3, 4]), [2, 2]);
    expect(String(t)).toBe("Tensor [[1, 2], [3, 4]]");
    expect(`${t}`).toBe("Tensor [[1, 2], [3, 4]]");
    expect(inspect(t)).toBe("Tensor [[1, 2], [3, 4]]");
    expect(inspect({ w: t })).toBe("{ w: Tensor [[1, 2], [3, 4]] }");
    // Colours as Node gives numbers, when asked for.
    expect(inspect(t, { colors: true })).toBe(`Tensor [[${["1", "2"].map((n) => `\x1b[33m${n}\x1b[39m`).join(", ")}], [${["3", "4"].map((n) => `\x1b[33m${n}\x1b[39m`).join(", ")}]]`);
    t.dispose();
  });

  it("each value in the shortest form that reads back as the same float32", () => {
    const t = rt.tensor([0.1, -0, 1e-7, 1 / 3, 3.4e38, NaN, -Infinity, 16777216]);
    expect(String(t)).toBe("Tensor [0.1, -0, 1e-7, 0.33333334, 3.4e+38, NaN, -Infinity, 16777216]");
    t.dispose();
  });

  it("past 1000 values, the first and last three of each dimension around …, then the shape (as NumPy and PyTorch)", () => {
    const long = rt.tensor(Float32Array.from({ length: 1001 }, (_, i) => i));
    expect(String(long)).toBe("Tensor [0, 1, 2, …, 998, 999, 1000] (shape [1001])");
    const wide = rt.tensor(Float32Array.from({ length: 2000 }, (_, i) => i), [2, 1000]);
    expect(String(wide)).toBe("Tensor [[0, 1, 2, …, 997, 998, 999], [1000, 1001, 1002, …, 1997, 1998, 1999]] (shape [2, 1000])");
    const cube = rt.tensor(Float32Array.from({ length: 8 * 8 * 16 }, (_, i) => i), [8, 8, 16]);
    const text = String(cube);
    expect(text.startsWith("Tensor [[[0, 1, 2, …, 13, 14, 15], [16, 17, 18, …, 29, 30, 31], [32, 33, 34, …, 45, 46, 47], …, ")).toBe(true);
    expect(text.endsWith("…, 1021, 1022, 1023]]] (shape [8, 8, 16])")).toBe(true);
    expect(text.split("…").length - 1).toBe(1 + 6 * (1 + 6)); // the outer gap, and in each of the 6 blocks shown: its gap and its 6 rows'
    // At the threshold nothing is left out.
    const full = rt.tensor(Float32Array.from({ length: 1000 }, (_, i) => i));
    expect(String(full)).not.toContain("…");
    for (const x of [long, wide, cube, full]) x.dispose();
  });

  it("never shows the runtime, and a disposed tensor says so", () => {
    const t = rt.tensor(new Float32Array([1, 2]), [1, 2]);
    for (const text of [String(t), inspect(t), inspect(t, { depth: Infinity, showHidden: true })]) {
      expect(text).not.toMatch(/runtime|heap|memory|kernel|owner|wasm/i);
    }
    t.dispose();
    expect(String(t)).toBe("Tensor (disposed, shape [1, 2])");
    expect(inspect(t)).toBe("Tensor (disposed, shape [1, 2])");
    // Error messages name a tensor by its shape and runtime, not its values.
    expect(describeValue(t)).toBe("Tensor(disposed, wasm-simd runtime)");
    const u = rt.tensor(new Float32Array(3));
    expect(describeValue(u)).toBe("Tensor([3], wasm-simd runtime)");
    u.dispose();
  });
});

describe("a runtime prints as one line", () => {
  it("its backend, threads and memory; closed once closed", async () => {
    const js = await createRuntime({ backend: "js" });
    const t = js.tensor(new Float32Array(10));
    expect(String(js)).toBe("Runtime(js, 1 thread, 1 live tensor in 48 B, memory 64 KiB)");
    expect(inspect(js)).toBe(String(js));
    expect(inspect({ js })).toBe(`{ js: ${String(js)} }`);
    t.dispose();
    await js.close();
    expect(String(js)).toBe("Runtime(js, closed)");
  });
});

/** What the layers really hold: weights, biases and PReLU slopes. */
function heldParameters(model: Model): number {
  return model.layers.reduce((n, l) => n + l.w.length + l.b.length + (l.slope?.length ?? 0), 0);
}

describe("a model prints as one line: kind, shape, training, trained or not", () => {
  it.each<[string, () => Model, unknown, string, string]>([
    ["LinearRegression", () => new LinearRegression({ runtime: rt }), y,
      "LinearRegression(? → 1, solver auto, not trained)", "LinearRegression(2 → 1, solver normal, trained)"],
    ["LogisticRegression", () => new LogisticRegression({ runtime: rt }), labels,
      "LogisticRegression(solver lbfgs, not trained)", "LogisticRegression(2 → 3, multinomial, 3 classes, solver lbfgs, trained)"],
    ["Sequential", () => new Sequential([dense({ units: 4, activation: "relu" }), dense({ units: 3, activation: "softmax" })], { runtime: rt, epochs: 2 }), labels,
      "Sequential(? → 4 → 3, loss categoricalCrossentropy, not trained)", "Sequential(2 → 4 → 3, loss categoricalCrossentropy, trained)"],
  ])("%s", async (_, make, target, before, after) => {
    const model = make();
    expect(String(model)).toBe(before);
    expect(inspect(model)).toBe(before);
    await model.fit(X, target as never);
    expect(String(model)).toBe(after);
    expect(`${model}`).toBe(after);
    expect(inspect([model], { breakLength: Infinity })).toBe(`[ ${after} ]`);
    model.dispose();
    expect(String(model)).toMatch(/^\w+\(disposed\)$/);
  });
});

describe("model.summary()", () => {
  it("a table of layers with output shapes and parameters, and the total", async () => {
    const net = new Sequential([
      dense({ units: 4, activation: ["prelu", "relu", "prelu", { name: "elu", alpha: 0.5 }], slopes: "neuron" }),
      dense({ units: 2, activation: "prelu" }),
      dense({ units: 1, activation: "sigmoid" }),
    ], { runtime: rt, epochs: 1 });
    const before = net.summary().split("\n");
    expect(before[0]).toBe("Sequential(? → 4 → 2 → 1, loss binaryCrossentropy, not trained)");
    expect(before[4].split(/\s{2,}/).at(-1)).toBe("?");
    await net.fit(X, [0, 0, 1, 0, 1, 1]);
    const lines = net.summary().split("\n");
    expect(lines[0]).toBe("Sequential(2 → 4 → 2 → 1, loss binaryCrossentropy, trained)");
    expect(lines[2].split(/\s{2,}/)).toEqual(["#", "layer", "units", "activation", "output shape", "parameters"]);
    const rows = lines.slice(4, 7).map((l) => l.split(/\s{2,}/));
    expect(rows).toEqual([
      ["1", "dense", "4", "prelu ×2, relu, elu(alpha=0.5) (a slope per neuron)", "[rows, 4]", "16"], // 2·4 + 4 + 4 slopes
      ["2", "dense", "2", "prelu", "[rows, 2]", "11"], // 4·2 + 2 + 1 slope
      ["3", "dense", "1", "sigmoid", "[rows, 1]", "3"],
    ]);
    expect(lines[8]).toBe("Inputs: 2   Total parameters: 30");
    expect(heldParameters(net)).toBe(30);
    // The columns line up: every row as long as the header.
    expect(new Set(lines.slice(2, 7).filter((l) => !l.startsWith("─")).map((l) => l.length)).size).toBe(1);
    net.dispose();
  });

  it("before the first fit, the counts X decides are ?", () => {
    const net = new Sequential([dense({ units: 8, activation: "tanh" }), dense({ units: 1 })], { runtime: rt });
    const lines = net.summary().split("\n");
    expect(lines[4].split(/\s{2,}/)).toEqual(["1", "dense", "8", "tanh", "[rows, 8]", "?"]);
    expect(lines[5].split(/\s{2,}/)).toEqual(["2", "dense", "1", "linear", "[rows, 1]", "9"]);
    expect(lines[7]).toBe("Inputs: ?   Total parameters: ? (the first layer's inputs are X's columns, known at fit)");
    net.dispose();
  });

  it.each<[string, () => Model, unknown, number]>([
    ["LinearRegression", () => new LinearRegression({ runtime: rt }), y, 3],
    ["LogisticRegression (binary)", () => new LogisticRegression({ runtime: rt }), ["a", "b", "b", "a", "b", "b"], 3],
    ["LogisticRegression (multinomial)", () => new LogisticRegression({ runtime: rt }), labels, 9],
  ])("%s, whose one layer is what its solvers train", async (_, make, target, parameters) => {
    const model = make();
    await model.fit(X, target as never);
    const summary = model.summary();
    expect(summary.split("\n").at(-1)).toBe(`Inputs: 2   Total parameters: ${parameters}`);
    expect(heldParameters(model)).toBe(parameters);
    model.dispose();
    expect(() => model.summary()).toThrow(/disposed/);
  });
});
