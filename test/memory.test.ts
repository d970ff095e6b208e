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

  it("a .data view kept after dispose() is refused everywhere, so the tensor now in its memory is never touched", async () => {
    const rt = await createRuntime({ backend });
    const f = (...v: number[]): Float32Array => Float32Array.from(v);
    const a = rt.tensor([1, 2, 3, 4]);
    const view = a.data;
    a.dispose();
    const b = rt.tensor([10, 20, 30, 40]);
    // The freed block went to the next tensor: the view now shows b's values.
    expect(view.byteOffset).toBe(b.ptr);
    const before = rt.memory();
    const stale = /is a view of runtime memory that no live tensor holds \(was its tensor disposed\?\)/;
    const calls: [string, () => unknown][] = [
      ["relu.forward: out", () => rt.activations.relu.forward(f(-1, -1, -1, -1), { out: view })],
      ["relu.forward: x", () => rt.activations.relu.forward(view)],
      ["tanh.backward: dy", () => rt.activations.tanh.backward(f(1, 2, 3, 4), view)],
      ["prelu.forward: slope", () => rt.activations.prelu.forward(f(-1, -1, -1, -1), { slope: view })],
      ["prelu.backward \\(dslope\\): out", () => rt.activations.prelu.backward(f(-1, -1, -1, -1), f(1, 1, 1, 1), { slope: f(1, 2, 3, 4), dslope: view })],
      ["sgd: weights", () => rt.sgd(view, f(1, 1, 1, 1))],
      ["sgd: gradient", () => rt.sgd(f(1, 1, 1, 1), view)],
      ["momentum: velocity", () => rt.momentum(f(1, 1, 1, 1), f(1, 1, 1, 1), view)],
      ["adam: v", () => rt.adam(f(1, 1, 1, 1), f(1, 1, 1, 1), f(0, 0, 0, 0), view, { step: 1 })],
      ["axpy: y", () => rt.axpy(1, f(1, 1, 1, 1), view)],
      ["mse: predictions", () => rt.mse(view, f(1, 2, 3, 4))],
      ["mseGrad: out", () => rt.mseGrad(f(1, 2, 3, 4), f(1, 2, 3, 4), { out: view })],
      ["softmaxCrossEntropy: labels", () => rt.softmaxCrossEntropy(f(1, 2, 3, 4), view, { cols: 4 })],
      ["dot: b", () => rt.dot(f(1, 2, 3, 4), view)],
      ["gemv: out", () => rt.gemv(f(1, 2, 3, 4, 5, 6, 7, 8), f(1, 2), { rows: 4, out: view })],
      ["matmul: A", () => rt.matmul(view, f(1, 2, 3, 4), { m: 2, k: 2, n: 2 })],
      ["tensor: data", () => rt.tensor(view)],
    ];
    for (const [where, call] of calls) {
      expect(call, where).toThrow(TypeError);
      expect(call, where).toThrow(new RegExp(`^descent: ${where} ${stale.source}`));
    }
    expect(Array.from(b.data)).toEqual([10, 20, 30, 40]);
    expect(rt.memory()).toEqual(before);

    // Views inside one live tensor are used in place, without a copy: .data, and part of it.
    rt.activations.relu.forward(f(-1, 5, -1, 7), { out: b.data });
    expect(Array.from(b.data)).toEqual([0, 5, 0, 7]);
    rt.sgd(b.data.subarray(1, 3), f(1, 1), { lr: 1 });
    expect(Array.from(b.data)).toEqual([0, 4, -1, 7]);
    expect(rt.dot(b.data.subarray(2), f(2, 1))).toBe(5);
    // A view that reaches past its tensor, or spans two, is not inside one live tensor.
    const c = rt.tensor([1, 2, 3]);
    const d = rt.tensor([4, 5, 6, 7]);
    const buffer = rt.heap.memory.buffer;
    expect(() => rt.activations.relu.forward(new Float32Array(buffer, c.ptr, 4))).toThrow(stale);
    expect(() => rt.activations.relu.forward(new Float32Array(buffer, b.ptr + 8, 4))).toThrow(stale);
    expect(() => rt.activations.relu.forward(f(1, 2, 3, 4), { out: new Float32Array(buffer, d.ptr - 4, 4) })).toThrow(stale);
    expect(Array.from(c.data)).toEqual([1, 2, 3]);
    expect(Array.from(d.data)).toEqual([4, 5, 6, 7]);
    [b, c, d].forEach((t) => t.dispose());
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

describe("views of a shared memory (the threads build)", () => {
  it("a view taken before the memory grew still reaches it: used in place while its tensor lives, refused after", async () => {
    const rt = await createRuntime({ backend: "wasm-simd", threads: 2 });
    try {
      expect(rt.heap.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
      const a = rt.tensor([1, 2, 3, 4]);
      const early = a.data;
      const big = rt.zeros([4 * 1024 * 1024]);
      // A SharedArrayBuffer is not detached by growth: the old view still shows the memory.
      expect(early.buffer).not.toBe(rt.heap.memory.buffer);
      expect(early.length).toBe(4);
      rt.activations.relu.forward(Float32Array.from([-1, 5, -1, 7]), { out: early });
      expect(Array.from(a.data)).toEqual([0, 5, 0, 7]);
      a.dispose();
      const b = rt.tensor([10, 20, 30, 40]);
      expect(b.ptr).toBe(early.byteOffset);
      expect(() => rt.activations.relu.forward(Float32Array.from([-1, -1, -1, -1]), { out: early })).toThrow(
        /^descent: relu\.forward: out is a view of runtime memory that no live tensor holds/,
      );
      expect(() => rt.sgd(early, new Float32Array(4))).toThrow(/^descent: sgd: weights is a view of runtime memory/);
      expect(Array.from(b.data)).toEqual([10, 20, 30, 40]);
      b.dispose();
      big.dispose();
    } finally {
      await rt.close();
    }
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
