// A runtime's worker threads end: a worker thread that dies (between calls, or in the middle of
// one) makes the pool fail at once instead of after its 60 s timeout.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createRuntime, type Runtime } from "../src/index.ts";

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
    spy.prelude = `{
      const Instance = WebAssembly.Instance;
      WebAssembly.Instance = function (module, imports) {
        const exports = { ...new Instance(module, imports).exports, dot_f32: () => process.exit(7) };
        return { exports };
      };
    }\n`;
    const rt = await threaded();
    spy.prelude = "";
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
