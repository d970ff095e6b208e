// A runtime's worker threads end: close() during a threaded fit stops it within a second without
// ever blocking the event loop, a closed runtime refuses work at once, and a worker thread that
// dies (between calls, or in the middle of one) makes the pool fail at once instead of after its
// 60 s timeout; a kernel that throws in a worker fails its call with the worker's error. The
// browser's Web Worker pool is tested the same way in test/browser.test.ts.
import { afterEach, describe, expect, it, vi } from "vitest";
import { LinearRegression, createRuntime, type Runtime } from "../src/index.ts";
import { mulberry32 } from "../src/random.ts";

// The pool's workers, as the pool starts them, so that a test can end one; and code to run in
// front of a worker's own program (set just before a runtime is created, cleared after).
const spy = vi.hoisted(() => ({ workers: [] as { terminate(): Promise<number> }[], prelude: "" }));
vi.mock("node:worker_threads", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:worker_threads")>();
  class Worker extends real.Worker {
    constructor(source: string, options: { eval?: boolean }) {
      super(options.eval === true ? spy.prelude + source : source, options);
      spy.workers.push(this);
    }
  }
  return { ...real, Worker, default: { ...real, Worker } };
});

const open: Runtime[] = [];
afterEach(async () => {
  spy.prelude = "";
  spy.workers.length = 0;
  for (const rt of open.splice(0)) await rt.close();
});

async function threaded(): Promise<Runtime> {
  const rt = await createRuntime({ backend: "wasm-simd", threads: 2 });
  open.push(rt);
  expect(rt.threads).toBe(2);
  return rt;
}

/** A 2-thread runtime whose worker threads' dot_f32 is `dot` (JavaScript source), the rest as built. */
async function threadedWithWorkerDot(dot: string): Promise<Runtime> {
  spy.prelude = `{
      const Instance = WebAssembly.Instance;
      WebAssembly.Instance = function (module, imports) {
        const exports = { ...new Instance(module, imports).exports, dot_f32: ${dot} };
        return { exports };
      };
    }\n`;
  const rt = await threaded();
  spy.prelude = "";
  return rt;
}

function regression(rows: number, cols: number): { X: { data: Float32Array; rows: number; cols: number }; y: Float32Array } {
  const r = mulberry32(11);
  return {
    X: { data: Float32Array.from({ length: rows * cols }, () => r() * 2 - 1), rows, cols },
    y: Float32Array.from({ length: rows }, () => r()),
  };
}

/** Runs `body` while a 20 ms interval measures the longest the event loop went without running it. */
async function longestGap<T>(body: () => Promise<T>): Promise<{ result: PromiseSettledResult<T>; gapMs: number }> {
  let last = performance.now();
  let gapMs = 0;
  const tick = (): void => {
    const now = performance.now();
    gapMs = Math.max(gapMs, now - last);
    last = now;
  };
  const timer = setInterval(tick, 20);
  const [result] = await Promise.allSettled([body()]);
  // One more turn of the loop, so that a block at the very end is measured too.
  await new Promise((resolve) => setTimeout(resolve, 40));
  tick();
  clearInterval(timer);
  return { result, gapMs };
}

describe("closing a runtime", () => {
  it("close() during a threaded fit stops it with a clear error, never blocking the event loop; the closed runtime refuses work at once", async () => {
    const rt = await threaded();
    // 20,000 × 8 is above the size at which the gradient pass is split over the threads.
    const { X, y } = regression(20_000, 8);
    let epochs = 0;
    let closing: Promise<void> | undefined;
    const started = performance.now();
    const { result, gapMs } = await longestGap(async () => {
      setTimeout(() => (closing = rt.close()), 300);
      // Far more epochs than 300 ms allow, so the fit is certainly running when close() comes.
      return new LinearRegression({ solver: "gd", epochs: 1_000_000, runtime: rt }).fit(X, y, { onEpoch: () => void epochs++ });
    });
    const seconds = (performance.now() - started) / 1000;
    expect(result.status).toBe("rejected");
    const reason = (result as PromiseRejectedResult).reason as Error;
    expect(reason.message).toMatch(/^descent: .*the runtime was closed/);
    expect(epochs).toBeGreaterThan(0);
    // Bounds that only catch a hang (the 60 s wait this replaced), not a timing.
    expect(seconds).toBeLessThan(10);
    expect(gapMs).toBeLessThan(1000);
    await closing;
    expect(rt.closed).toBe(true);

    // Every later use refuses at once, naming the runtime.
    const t0 = performance.now();
    await expect(new LinearRegression({ solver: "gd", epochs: 5, runtime: rt }).fit(X, y)).rejects.toThrow(/the runtime was closed/);
    expect(performance.now() - t0).toBeLessThan(5000);
    const refusals: [string, () => unknown][] = [
      ["tensor", () => rt.tensor([1, 2])],
      ["zeros", () => rt.zeros([2])],
      ["relu.forward", () => rt.activations.relu.forward(new Float32Array(4))],
      ["mse", () => rt.mse(new Float32Array(2), new Float32Array(2))],
      ["sgd", () => rt.sgd(new Float32Array(2), new Float32Array(2))],
      ["matmul", () => rt.matmul(new Float32Array(4), new Float32Array(4), { m: 2, k: 2, n: 2 })],
    ];
    for (const [fn, call] of refusals) {
      expect(call, fn).toThrow(TypeError);
      expect(call, fn).toThrow(new RegExp(`^descent: ${fn.replace(".", "\\.")}: the runtime was closed \\(the wasm-simd runtime with 2 threads\\)`));
    }
    expect(() => rt.pool?.run("dot_f32", [[0, 0, 0], [0, 0, 0]], () => {})).toThrow(/^descent: dot_f32: the runtime was closed/);
    // Closing twice is fine; what the runtime holds can still be read and freed.
    await rt.close();
    expect(rt.memory().liveTensors).toBe(0);
  });

  it("a runtime without threads closes too, and tensors made before can still be read and disposed", async () => {
    const rt = await createRuntime({ backend: "js" });
    const t = rt.tensor([1, -2, 3]);
    await rt.close();
    await rt.close();
    expect(() => rt.activations.relu.forward(t, { out: t })).toThrow(/^descent: relu\.forward: the runtime was closed \(the js runtime\)/);
    expect(Array.from(t.data)).toEqual([1, -2, 3]);
    t.dispose();
    expect(rt.memory()).toMatchObject({ liveTensors: 0, liveBytes: 0 });
  });
});

describe("a kernel that throws in a worker thread", () => {
  it("fails its call at once with the worker's error (the caller is blocked while it happens, so the text is in shared memory), and the pool goes on", async () => {
    const rt = await threadedWithWorkerDot(`() => { throw new RangeError("dot_f32 broke in a worker"); }`);
    const pool = rt.pool as NonNullable<Runtime["pool"]>;
    const a = rt.tensor(new Float32Array(64).fill(1));
    const tasks = [[a.ptr, a.ptr, 32], [a.ptr + 128, a.ptr + 128, 32]];
    expect(() => pool.run("dot_f32", tasks, () => {})).toThrow(/^descent: dot_f32 failed in worker thread 1: RangeError: dot_f32 broke in a worker\n/);
    expect(() => pool.run("axpy_f32", [[32, 0, a.ptr, a.ptr], [32, 0, a.ptr + 128, a.ptr + 128]], () => {})).not.toThrow();
    a.dispose();
  });
});

describe("a worker thread that dies", () => {
  it("between calls: the next call fails at once, naming the worker", async () => {
    const rt = await threaded();
    const pool = rt.pool as NonNullable<Runtime["pool"]>;
    const a = rt.tensor(new Float32Array(64).fill(1));
    const tasks = [[a.ptr, a.ptr, 32], [a.ptr + 128, a.ptr + 128, 32]];
    let local = 0;
    pool.run("dot_f32", tasks, () => void local++);
    expect(local).toBe(1);
    await spy.workers[0].terminate();
    // The exit event is delivered on this thread's event loop.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const t0 = performance.now();
    expect(() => pool.run("dot_f32", tasks, () => void local++)).toThrow(/^descent: dot_f32: worker thread 1 exited \(code 1\)/);
    expect(performance.now() - t0).toBeLessThan(5000);
    // Refused before anything ran: the calling thread's share did not run either.
    expect(local).toBe(1);
    a.dispose();
  });

  it("in the middle of a call: the call fails as soon as it goes, and so does every later one", async () => {
    // The worker's dot_f32 ends its thread, as an uncaught error or process.exit() in it would.
    const rt = await threadedWithWorkerDot("() => process.exit(7)");
    const pool = rt.pool as NonNullable<Runtime["pool"]>;
    const a = rt.tensor(new Float32Array(64).fill(1));
    const tasks = [[a.ptr, a.ptr, 32], [a.ptr + 128, a.ptr + 128, 32]];
    const t0 = performance.now();
    expect(() => pool.run("dot_f32", tasks, () => {})).toThrow(/^descent: dot_f32: worker thread 1 exited while running it/);
    expect(() => pool.run("dot_f32", tasks, () => {})).toThrow(/^descent: dot_f32: worker thread 1 exited/);
    expect(performance.now() - t0).toBeLessThan(10_000);
    // The pool still runs the other kernels' refusals the same way, and closing works.
    expect(() => pool.run("axpy_f32", [[0, 0, 0, 0], [0, 0, 0, 0]], () => {})).toThrow(/worker thread 1 exited/);
    a.dispose();
    await rt.close();
  });
});
