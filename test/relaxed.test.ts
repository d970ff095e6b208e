// The relaxed-SIMD build ("wasm-relaxed"): the default wherever the engine validates relaxed SIMD
// (Node ≥ 22, current browsers), a fallback to wasm-simd elsewhere (Node 20 without its flag);
// its results identical run to run and per thread count; the shared-memory variants for threads
// derived from the builds themselves. Its accuracy is held to the registry's bounds by the kernel
// tests, which run on every backend of test/helpers.ts (wasm-relaxed included where it runs).
import { describe, expect, it } from "vitest";
import { LinearRegression, Sequential, createRuntime, dense, type Matrix } from "../src/index.ts";
import { bestBackend } from "../src/runtime.ts";
import { mulberry32 } from "../src/random.ts";
import { hasRelaxedSimd, hasSimd, withSharedMemory } from "../src/wasm.ts";
import { relaxedWasm, scalarWasm, simdWasm } from "../src/generated/wasm.ts";
import { sameBits } from "./helpers.ts";

const bytes = (b64: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const relaxed = hasRelaxedSimd();

describe("choosing the relaxed-SIMD build", () => {
  it(`the best backend here is ${relaxed ? "wasm-relaxed" : "wasm-simd"} (relaxed SIMD ${relaxed ? "validates" : "does not validate"} on Node ${process.versions.node})`, async () => {
    expect(hasSimd()).toBe(true);
    // The probe agrees with the build itself: the relaxed build validates exactly where the probe does.
    expect(WebAssembly.validate(bytes(relaxedWasm))).toBe(relaxed);
    expect(WebAssembly.validate(bytes(simdWasm))).toBe(true);
    expect(bestBackend()).toBe(relaxed ? "wasm-relaxed" : "wasm-simd");
    expect((await createRuntime()).backend).toBe(bestBackend());
  });

  it.runIf(!relaxed)("asking for wasm-relaxed where the engine lacks it is a clear error", async () => {
    await expect(createRuntime({ backend: "wasm-relaxed" })).rejects.toThrow(
      /backend "wasm-relaxed" needs WebAssembly relaxed SIMD, which this platform lacks \(Node 20 has it behind --experimental-wasm-relaxed-simd\); use "wasm-simd"/,
    );
  });

  it("the relaxed build uses fused multiply-adds; the others use none", () => {
    // f32x4.relaxed_madd is 0xfd 0x85 0x02; no other instruction of these builds has that byte sequence.
    const count = (b: Uint8Array): number => {
      let n = 0;
      for (let i = 0; i + 2 < b.length; i++) if (b[i] === 0xfd && b[i + 1] === 0x85 && b[i + 2] === 0x02) n++;
      return n;
    };
    expect(count(bytes(relaxedWasm))).toBeGreaterThan(20);
    expect(count(bytes(simdWasm))).toBe(0);
    expect(count(bytes(scalarWasm))).toBe(0);
  });
});

describe("the shared-memory variants for threads", () => {
  it.each([["simd", simdWasm], ["scalar", scalarWasm], ...(relaxed ? [["relaxed", relaxedWasm]] : [])] as [string, string][])(
    "%s: the same module importing a shared memory, which a plain memory no longer satisfies",
    (_, b64) => {
      const plain = bytes(b64);
      const shared = withSharedMemory(plain);
      expect(shared.length).toBe(plain.length + 3); // limits "0x00 min" → "0x03 min max", max 65536 in 3 bytes
      const sharedMemory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
      const abort = (): never => { throw new Error("abort"); };
      expect(() => new WebAssembly.Instance(new WebAssembly.Module(shared), { env: { memory: sharedMemory, abort } })).not.toThrow();
      expect(() => new WebAssembly.Instance(new WebAssembly.Module(shared), { env: { memory: new WebAssembly.Memory({ initial: 1 }), abort } })).toThrow();
      // Everything but the import section is byte for byte the same.
      const tail = (b: Uint8Array): Uint8Array => b.subarray(b.length - 2000);
      expect(Buffer.compare(Buffer.from(tail(shared)), Buffer.from(tail(plain)))).toBe(0);
    },
  );
});

describe.runIf(relaxed)("wasm-relaxed results are identical run to run and per thread count", () => {
  const r = mulberry32(5);
  const X: Matrix = { data: Float32Array.from({ length: 3000 * 16 }, () => r() * 2 - 1), rows: 3000, cols: 16 };
  const y = Float32Array.from({ length: 3000 }, (_, i) => X.data[i * 16] - X.data[i * 16 + 3] + 0.1 * r());

  it("two runtimes, the same kernels: the same bits", async () => {
    const a = await createRuntime({ backend: "wasm-relaxed" });
    const b = await createRuntime({ backend: "wasm-relaxed" });
    const x = Float32Array.from({ length: 100_003 }, () => r() * 40 - 20);
    for (const name of ["sigmoid", "tanh", "elu", "softplus"] as const) {
      expect(sameBits(a.activations[name].forward(x), b.activations[name].forward(x)), name).toEqual({ equal: true, at: -1 });
    }
    expect(sameBits(a.activations.softmax.forward(x.subarray(0, 100_000), { cols: 100 }), b.activations.softmax.forward(x.subarray(0, 100_000), { cols: 100 })))
      .toEqual({ equal: true, at: -1 });
  });

  it.each([1, 2])("training on %i thread(s), twice: the same weights", async (threads) => {
    const rt = await createRuntime({ backend: "wasm-relaxed", threads });
    const fit = async (): Promise<Float32Array[]> => {
      const lin = await new LinearRegression({ solver: "gd", epochs: 20, runtime: rt }).fit(X, y);
      const net = await new Sequential([dense({ units: 8, activation: "tanh" }), dense({ units: 1 })], { epochs: 2, seed: 1, runtime: rt }).fit(X, y);
      const out = [lin.layers[0].w.toArray(), net.layers[0].w.toArray(), net.layers[1].w.toArray()];
      lin.dispose();
      net.dispose();
      return out;
    };
    const first = await fit();
    const second = await fit();
    first.forEach((w, i) => expect(sameBits(w, second[i])).toEqual({ equal: true, at: -1 }));
    await rt.close();
  });
});
