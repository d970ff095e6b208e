// The built package (dist/, what `npm run build` makes and package.json exports) loads in plain
// Node ESM with no loader, path or option, and computes on its best backend. The README's snippets
// run in test/readme.test.ts.
import { execFileSync } from "node:child_process";
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
