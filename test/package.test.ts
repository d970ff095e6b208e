// The built package (dist/, what `npm run build` makes and package.json exports) loads in plain
// Node ESM with no loader, path or option, and computes on its best backend.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));

describe("dist in plain Node", () => {
  it("imports, picks wasm-simd, and computes with no configuration", () => {
    const script = `
      import { init, sigmoid, softmax, createRuntime } from ${JSON.stringify(dist)};
      const rt = await init();
      const js = await createRuntime({ backend: "js" });
      const x = new Float32Array([-2, 0, 3]);
      console.log(JSON.stringify({
        backend: rt.backend,
        sigmoid: Array.from(sigmoid(x)),
        js: Array.from(js.activations.sigmoid.forward(x)),
        softmax: Array.from(softmax(x)),
      }));`;
    const out = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" }));
    expect(out.backend).toBe("wasm-simd");
    expect(out.sigmoid[1]).toBe(0.5);
    out.sigmoid.forEach((v: number, i: number) => expect(Math.abs(v - out.js[i])).toBeLessThan(1e-7));
    expect(out.softmax.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 6);
  });
});

describe("the FinalizationRegistry safety net", () => {
  it("frees a tensor that was dropped without dispose() once it is collected", () => {
    const script = `
      import { createRuntime } from ${JSON.stringify(dist)};
      const rt = await createRuntime({ backend: "wasm-simd" });
      const kept = rt.tensor(new Float32Array(100));
      (() => { for (let i = 0; i < 50; i++) rt.tensor(new Float32Array(1000)); })();
      const before = rt.memory();
      for (let i = 0; i < 20 && rt.memory().liveTensors > 1; i++) {
        globalThis.gc();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      console.log(JSON.stringify({ before, after: rt.memory(), kept: kept.length }));`;
    const out = JSON.parse(
      execFileSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], { encoding: "utf8" }),
    );
    expect(out.before.liveTensors).toBe(51);
    expect(out.after.liveTensors).toBe(1);
    expect(out.after.liveBytes).toBe(400);
  });
});

describe("the README", () => {
  it("its usage example runs as written (importing the package by name) and frees what it made", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const start = readme.indexOf("```ts\nimport { init");
    expect(start).toBeGreaterThanOrEqual(0);
    const code = readme.slice(start + 6, readme.indexOf("```", start + 6));
    const root = fileURLToPath(new URL("..", import.meta.url));
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8", cwd: root });
    expect(out).toContain("liveTensors: 0, liveBytes: 0");
  });

  it("its printing example prints what its comments say", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const start = readme.indexOf("```ts\nimport { Sequential, dense, init }");
    expect(start).toBeGreaterThanOrEqual(0);
    const code = readme.slice(start + 6, readme.indexOf("```", start + 6));
    const promised = [...code.matchAll(/console\.log\([^;]*\);\s*\/\/ (.+)$/gm)].map((m) => m[1]);
    expect(promised.length).toBe(4);
    const root = fileURLToPath(new URL("..", import.meta.url));
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8", cwd: root }).trimEnd().split("\n");
    expect(out.slice(0, 4)).toEqual(promised);
    // Then the summary: its title, the table and the total.
    expect(out[4]).toBe(promised[3]);
    expect(out.at(-1)).toBe("Inputs: ?   Total parameters: ? (the first layer's inputs are X's columns, known at fit)");
  });

  it("its models example runs as written", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const start = readme.indexOf("```ts\nimport { readFileSync }");
    expect(start).toBeGreaterThanOrEqual(0);
    const code = readme.slice(start + 6, readme.indexOf("```", start + 6));
    const root = fileURLToPath(new URL("..", import.meta.url));
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8", cwd: root });
    // The summary the README shows under Printing is this network's.
    const table = readme.slice(readme.indexOf("```\nSequential(4 → 16") + 4, readme.indexOf("Total parameters: 167") + "Total parameters: 167".length);
    expect(table.split("\n").length).toBe(9);
    expect(out).toContain(table);
    // The last line is the closed form's reason, coefficients and intercept.
    expect(out).toMatch(/auto: 3 features ≤ 2000[\s\S]*Float64Array\(3\)/);
    expect(out.trim().split("\n").length).toBeGreaterThan(10); // one line per epoch at least
  });
});
