// Memory: tensor views stay right after the memory grows, nothing leaks across a million calls
// and ten thousand tensors, disposed tensors refuse to be used, and staged copies are released
// even when a call fails.
import { describe, expect, it } from "vitest";
import { createRuntime, type Backend } from "../src/index.ts";
import { uniform } from "./helpers.ts";

const ALL: Backend[] = ["wasm-simd", "wasm", "js"];

describe.each(ALL)("%s runtime memory", (backend) => {
  it("keeps tensors' .data right (read and write) while the memory grows", async () => {
    const rt = await createRuntime({ backend });
    const a = rt.tensor(uniform(1000, -1, 1, 1), [10, 100]);
    const b = rt.tensor(uniform(37, -1, 1, 2));
    const expectA = a.toArray();
    const expectB = b.toArray();
    const before = rt.memory().memoryBytes;
    const viewBefore = a.data;

    const big = rt.tensor(64 * 1024 * 1024 / 4); // 64 MiB: forces several pages of growth
    expect(rt.memory().memoryBytes).toBeGreaterThan(before);
    // The old buffer detaches on growth (WASM memory, and the js backend's look-alike): a view
    // taken before is empty, never stale, and .data is rebuilt over the new buffer.
    expect(viewBefore.length).toBe(0);
    expect(a.data.length).toBe(1000);
    expect(Array.from(a.data)).toEqual(Array.from(expectA));
    expect(Array.from(b.data)).toEqual(Array.from(expectB));

    // Writes through the new view reach the kernels, and kernel results reach the view.
    a.data[5] = 3;
    const y = rt.activations.relu.forward(a);
    expect(y.data[5]).toBe(3);
    rt.activations.relu.forward(b, { out: b });
    expect(Array.from(b.data)).toEqual(Array.from(expectB, (v) => Math.max(v, 0)));
    big.dispose();
    [a, b, y].forEach((t) => t.dispose());
    expect(rt.memory().liveBytes).toBe(0);
  });

  it("a million forward calls and ten thousand tensors leave live bytes at the baseline", async () => {
    const rt = await createRuntime({ backend });
    const x = rt.tensor(uniform(16, -3, 3, 3));
    const out = rt.tensor(16);
    const arr = uniform(16, -3, 3, 4);
    const baseline = rt.memory();
    const sig = rt.activations.sigmoid;
    for (let i = 0; i < 500_000; i++) sig.forward(x, { out }); // tensors: no staging
    for (let i = 0; i < 500_000; i++) sig.forward(arr); // arrays: staged in and out each call
    for (let i = 0; i < 10_000; i++) {
      const t = rt.tensor(arr, [4, 4]);
      const s = rt.activations.softmax.forward(t);
      t.dispose();
      s.dispose();
    }
    const after = rt.memory();
    expect(after.liveBytes).toBe(baseline.liveBytes);
    expect(after.liveTensors).toBe(baseline.liveTensors);
    // Freed blocks are reused: the heap did not creep upwards.
    expect(after.reservedBytes).toBeLessThanOrEqual(baseline.reservedBytes + 4096);
    expect(after.memoryBytes).toBe(baseline.memoryBytes);
  });

  it("a disposed tensor throws when used, and disposing twice is harmless", async () => {
    const rt = await createRuntime({ backend });
    const t = rt.tensor([1, 2, 3]);
    t.dispose();
    t.dispose();
    expect(t.disposed).toBe(true);
    expect(() => t.data).toThrow(/disposed/);
    expect(() => rt.activations.tanh.forward(t)).toThrow(TypeError);
    expect(() => rt.activations.tanh.forward(t)).toThrow(/tensor of shape \[3\] was disposed/);
    expect(() => rt.mse(t, new Float32Array(3))).toThrow(/disposed/);
    expect(rt.memory()).toMatchObject({ liveTensors: 0, liveBytes: 0 });
  });

  it("reports live tensors and bytes", async () => {
    const rt = await createRuntime({ backend });
    const t = rt.zeros([3, 5]);
    expect(Array.from(t.data)).toEqual(new Array(15).fill(0));
    expect(t.shape).toEqual([3, 5]);
    expect(rt.memory()).toMatchObject({ liveTensors: 1, liveBytes: 64 });
    t.dispose();
    expect(rt.memory()).toMatchObject({ liveTensors: 0, liveBytes: 0 });
  });
});

describe("runtimes are independent", () => {
  it("each has its own memory; a tensor of one is refused by another", async () => {
    const a = await createRuntime({ backend: "wasm-simd" });
    const b = await createRuntime({ backend: "wasm-simd" });
    const t = a.tensor([1, 2]);
    expect(a.heap.memory).not.toBe(b.heap.memory);
    expect(() => b.activations.relu.forward(t)).toThrow(/belongs to another runtime/);
  });
});
