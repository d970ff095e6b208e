// Tasks for the threads tests, each in a fresh module worker (threads-page.js's inWorker): a
// runtime with threads, a network trained on it, and the pool's failure handling. A worker is
// where a browser lets a runtime wait for its threads (Atomics.wait).
import * as descent from "/dist/browser/descent.js";

/** The network of a task's spec ({ layers, options }) on `runtime`. */
export function network(spec, runtime) {
  return new descent.Sequential(spec.layers.map((l) => descent.dense(l)), { ...spec.options, runtime });
}

/** Every layer's weights, biases (and slopes), as plain arrays of the float32 values. */
export function weightsOf(model) {
  return model.layers.flatMap((l) => [Array.from(l.w.data), Array.from(l.b.data), ...(l.slope ? [Array.from(l.slope.data)] : [])]);
}

const tasks = {
  /** Trains the spec's network on each runtime asked for: its threads, and the weights. */
  async train({ spec, X, y, runtimes }) {
    const matrix = { data: Float32Array.from(X.data), rows: X.rows, cols: X.cols };
    const out = [];
    for (const options of runtimes) {
      const rt = await descent.createRuntime(options);
      const model = await network(spec, rt).fit(matrix, y);
      out.push({ threads: rt.threads, modelThreads: model.threads, label: rt.label, weights: weightsOf(model) });
      model.dispose();
      await rt.close();
    }
    return { crossOriginIsolated: globalThis.crossOriginIsolated, runtimes: out };
  },

  /**
   * Times epochs of the spec's network on each thread count: random rows (a fixed seed) of `cols`
   * features and `classes` labels, on `backend` (undefined: the best). Each round fits a new model
   * for `epochs` epochs on each thread count in turn, after a warm-up round; an epoch's time is the interval between onEpoch calls
   * (so the first epoch, which includes the data's upload, is not timed). For
   * bench/browser-threads.ts.
   */
  async epochs({ spec, rows, cols, classes, threads, backend, rounds, epochs }) {
    let s = 12345;
    const random = () => {
      s = (s + 0x6d2b79f5) | 0;
      let t = Math.imul(s ^ (s >>> 15), 1 | s);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const X = { data: Float32Array.from({ length: rows * cols }, random), rows, cols };
    const y = Array.from({ length: rows }, () => Math.floor(random() * classes));
    const runtimes = [];
    for (const t of threads) runtimes.push(await descent.createRuntime({ threads: t, backend }));
    const ms = threads.map(() => []);
    for (let round = -1; round < rounds; round++) {
      for (let i = 0; i < runtimes.length; i++) {
        const model = network(spec, runtimes[i]);
        let last;
        await model.fit(X, y, {
          epochs,
          onEpoch: () => {
            const now = performance.now();
            if (round >= 0 && last !== undefined) ms[i].push(now - last);
            last = now;
          },
        });
        model.dispose();
      }
    }
    const out = runtimes.map((rt, i) => ({ threads: rt.threads, backend: rt.backend, ms: ms[i] }));
    await Promise.all(runtimes.map((rt) => rt.close()));
    return { crossOriginIsolated: globalThis.crossOriginIsolated, hardwareConcurrency: globalThis.navigator.hardwareConcurrency, runtimes: out };
  },

  /** createRuntime({ threads }) twice: what it gets (the reason, if any, is on the console). */
  async runtime({ options }) {
    const a = await descent.createRuntime(options);
    const b = await descent.createRuntime(options);
    const out = { crossOriginIsolated: globalThis.crossOriginIsolated, threads: [a.threads, b.threads], backend: a.backend };
    await Promise.all([a.close(), b.close()]);
    return out;
  },

  /**
   * The pool's failures, as Node's tests provoke them (test/close.test.ts): code run in front of
   * each thread's own program (Blob wraps descent's thread source) makes a kernel throw, or the
   * thread's loop fail after its first call; Worker is wrapped to see what the pool stops.
   */
  async failures() {
    const RealBlob = globalThis.Blob;
    let prelude = "";
    globalThis.Blob = class extends RealBlob {
      constructor(parts, options) {
        const ours = typeof parts?.[0] === "string" && parts[0].startsWith("// descent: a thread");
        super(ours ? [prelude, ...parts] : parts, options);
      }
    };
    const RealWorker = Worker;
    const started = [];
    globalThis.Worker = class extends RealWorker {
      constructor(...args) {
        super(...args);
        this.terminated = false;
        started.push(this);
      }
      terminate() {
        this.terminated = true;
        super.terminate();
      }
    };
    const outcome = (f) => {
      const t0 = performance.now();
      try {
        f();
        return { ok: true, ms: performance.now() - t0 };
      } catch (err) {
        return { ok: false, message: String(err?.message ?? err), ms: performance.now() - t0 };
      }
    };
    const report = {};

    // A kernel that throws in a thread: that call fails at once with the thread's error, and the
    // pool goes on running calls.
    prelude = `{
      const Instance = WebAssembly.Instance;
      WebAssembly.Instance = function (module, imports) {
        const exports = { ...new Instance(module, imports).exports, dot_f32: () => { throw new Error("dot_f32 broke in a thread"); } };
        return { exports };
      };
    }\n`;
    {
      const rt = await descent.createRuntime({ backend: "wasm-simd", threads: 2 });
      prelude = "";
      const a = rt.tensor(new Float32Array(64).fill(1));
      const tasks = [[a.ptr, a.ptr, 32], [a.ptr + 128, a.ptr + 128, 32]];
      report.kernelThrows = outcome(() => rt.pool.run("dot_f32", tasks, () => {}));
      report.afterKernelThrows = outcome(() => rt.pool.run("axpy_f32", [[32, 0, a.ptr, a.ptr], [32, 0, a.ptr + 128, a.ptr + 128]], () => {}));
      a.dispose();
      // close(): the threads are stopped, and the pool refuses at once.
      const ours = started.slice();
      await rt.close();
      report.terminated = ours.map((w) => w.terminated);
      report.afterClose = outcome(() => rt.pool.run("dot_f32", tasks, () => {}));
    }

    // A thread whose loop fails after its first call (an error that escapes it): the next call
    // refuses at once, naming the thread, instead of waiting for it.
    prelude = `{
      const wait = Atomics.wait;
      let waits = 0;
      Atomics.wait = (...args) => {
        if (++waits === 2) throw new Error("the thread's loop broke");
        return wait(...args);
      };
    }\n`;
    {
      const rt = await descent.createRuntime({ backend: "wasm-simd", threads: 2 });
      prelude = "";
      const a = rt.tensor(new Float32Array(64).fill(1));
      const tasks = [[a.ptr, a.ptr, 32], [a.ptr + 128, a.ptr + 128, 32]];
      report.firstCall = outcome(() => rt.pool.run("dot_f32", tasks, () => {}));
      // The thread fails after its spin (20,000 polls). Waited for here without turning the event
      // loop, as a training loop would: its control words say so, not an error event.
      const until = performance.now() + 200;
      while (performance.now() < until);
      report.loopBroke = outcome(() => rt.pool.run("dot_f32", tasks, () => {}));
      report.stillRefuses = outcome(() => rt.pool.run("dot_f32", tasks, () => {}));
      a.dispose();
      await rt.close();
    }
    globalThis.Blob = RealBlob;
    globalThis.Worker = RealWorker;
    return report;
  },
};

globalThis.onmessage = async (event) => {
  const { type, ...task } = event.data;
  try {
    postMessage({ ok: true, result: await tasks[type](task) });
  } catch (error) {
    postMessage({ ok: false, error: String(error && error.stack || error) });
  }
};
