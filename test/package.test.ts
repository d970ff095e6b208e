// The built package (dist/, what `npm run build` makes and package.json exports) loads in plain
// Node ESM with no loader, path or option, and computes on its best backend.
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
