// The build: the WASM exports are exactly what the registry and the js backend imply, the
// release SIMD build really uses SIMD in every kernel, the scalar build uses none, and the
// package's plain functions cover the registry.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as descent from "../src/index.ts";
import { ACTIVATIONS, kernelNames, type Activation } from "../src/registry.ts";
import { OP_NAMES } from "../src/ops-js.ts";

const wat = (flavor: string): string => readFileSync(new URL(`../build/descent-${flavor}.wat`, import.meta.url), "utf8");
const wasm = (flavor: string): WebAssembly.Module =>
  new WebAssembly.Module(readFileSync(new URL(`../build/descent-${flavor}.wasm`, import.meta.url)));

const implied = [
  ...(ACTIVATIONS as readonly Activation[]).flatMap((a) => Object.values(kernelNames(a))),
  ...OP_NAMES,
].sort();

/** Function bodies of a .wat by internal name, and the export → internal name map. */
function parse(text: string): { bodies: Map<string, string>; exports: Map<string, string> } {
  const bodies = new Map<string, string>();
  const parts = text.split(/\n \(func /);
  for (const part of parts.slice(1)) bodies.set(part.slice(0, part.indexOf(" ")), part);
  const exports = new Map<string, string>();
  for (const m of text.matchAll(/\(export "([^"]+)" \(func (\S+)\)\)/g)) exports.set(m[1], m[2]);
  return { bodies, exports };
}

/** The body of a function and of everything it calls, transitively. */
function reachable(bodies: Map<string, string>, name: string, seen = new Set<string>()): string {
  if (seen.has(name)) return "";
  seen.add(name);
  const body = bodies.get(name) ?? "";
  let text = body;
  for (const m of body.matchAll(/call (\$\S+)/g)) text += reachable(bodies, m[1], seen);
  return text;
}

describe("WASM builds", () => {
  it.each(["simd", "scalar"])("the %s build exports exactly the registry's kernels and the other ops", (flavor) => {
    const exported = WebAssembly.Module.exports(wasm(flavor))
      .filter((e) => e.kind === "function" && e.name !== "heapBase")
      .map((e) => e.name)
      .sort();
    expect(exported).toEqual(implied);
  });

  it("the js backend has a kernel for every WASM export", async () => {
    const rt = await descent.createRuntime({ backend: "js" });
    expect(Object.keys(rt.kernels).sort()).toEqual(implied);
  });

  it("the release SIMD build runs vector arithmetic on v128 loads in every kernel", () => {
    const { bodies, exports } = parse(wat("simd"));
    for (const name of implied) {
      const code = reachable(bodies, exports.get(name) as string);
      expect(code.length, `${name} is not in the .wat`).toBeGreaterThan(0);
      // A copy is one memory.copy, which the engine runs as a vectorised memmove.
      if (name === "copy_f32") {
        expect(/memory\.copy/.test(code), `${name} has no memory.copy`).toBe(true);
        continue;
      }
      // f32x4 for the float32 kernels; f64x2 (gram64) and v128.bitselect (blendCols) for the others.
      expect(/f32x4\.\w+|f64x2\.\w+|v128\.bitselect/.test(code), `${name} has no vector arithmetic`).toBe(true);
      // (fill_f32 only stores.)
      if (name !== "fill_f32") expect(/v128\.load/.test(code), `${name} has no vector load`).toBe(true);
    }
  });

  it("the scalar build has no SIMD instruction at all", () => {
    expect(/v128|f32x4|i32x4|f64x2/.test(wat("scalar"))).toBe(false);
  });

  it("both builds import their memory (owned by the TypeScript side) and nothing but abort", () => {
    for (const flavor of ["simd", "scalar"]) {
      const imports = WebAssembly.Module.imports(wasm(flavor));
      expect(imports.find((i) => i.kind === "memory")).toEqual({ module: "env", name: "memory", kind: "memory" });
      expect(imports.filter((i) => i.kind !== "memory").every((i) => i.name === "abort")).toBe(true);
    }
  });
});

describe("package exports", () => {
  it("a plain function and its Backward twin for every activation of the registry", () => {
    for (const a of ACTIVATIONS) {
      expect(typeof (descent as Record<string, unknown>)[a.name], a.name).toBe("function");
      expect(typeof (descent as Record<string, unknown>)[`${a.name}Backward`], `${a.name}Backward`).toBe("function");
    }
  });

  it("plain functions run on the default runtime, which init() returns", async () => {
    const rt = await descent.init();
    expect(descent.runtime()).toBe(rt);
    expect(rt.backend).toBe(descent.bestBackend());
    expect(["wasm-relaxed", "wasm-simd"]).toContain(rt.backend);
    expect(Array.from(descent.relu(new Float32Array([-1, 2])))).toEqual([0, 2]);
    expect(descent.mse(new Float32Array([1, 2]), new Float32Array([1, 4]))).toBe(2);
  });
});

describe("registry limits the runtime relies on", () => {
  it("elementwise activations have at most two scalar parameters (the fast call path passes two)", () => {
    for (const a of ACTIVATIONS as readonly Activation[]) {
      if (a.kind === "elementwise") expect(a.params.length, `${a.name}: extend the fast path in src/runtime.ts`).toBeLessThanOrEqual(2);
    }
  });
});
