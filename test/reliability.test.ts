// A refused call changes nothing: every model's fit is a transaction (a fit that throws or rejects
// leaves the model predicting bit for bit as before and frees what it allocated), one fit at a
// time, dispose during a fit, divergence, a full memory, and trainInWorker's cancellation. The
// README's "Reliability" section names these tests.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  LinearRegression, LogisticRegression, Model, Sequential, createRuntime, dense, loadModel, trainInWorker, type Matrix, type Runtime,
  type Targets,
} from "../src/index.ts";
import { checksum } from "../src/models/model.ts";
import { mulberry32 } from "../src/random.ts";

/** Rows of uniform features in [-1, 1) and a linear target with a little noise. */
function data(rows: number, cols: number, seed: number): { X: Matrix; y: Float32Array; labels: string[]; three: string[] } {
  const random = mulberry32(seed);
  const X = new Float32Array(rows * cols);
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 1;
    for (let c = 0; c < cols; c++) {
      const v = 2 * random() - 1;
      X[r * cols + c] = v;
      s += (c % 2 === 0 ? 2 : -2) * v;
    }
    y[r] = s + 0.01 * (random() - 0.5);
  }
  const labels = Array.from(y, (v) => (v > 1 ? "up" : "down"));
  const three = Array.from(y, (v) => (v > 1.5 ? "high" : v > 0.5 ? "mid" : "low"));
  return { X: { data: X, rows, cols }, y, labels, three };
}

const train = data(60, 3, 1);
const other = data(40, 3, 2);
const probe: Matrix = { data: new Float32Array([1, 1, 1, -0.5, 0.25, 0.75]), rows: 2, cols: 3 };

interface Kind {
  name: string;
  make(rt?: Runtime): Model;
  /** Targets for `train`, for `other`. */
  y(d: ReturnType<typeof data>): Targets;
  classifier: boolean;
  gd: boolean;
}

const KINDS: Kind[] = [
  { name: "LinearRegression (closed form)", make: (runtime) => new LinearRegression({ runtime }), y: (d) => d.y, classifier: false, gd: false },
  { name: "LinearRegression (gd)", make: (runtime) => new LinearRegression({ solver: "gd", epochs: 40, runtime }), y: (d) => d.y, classifier: false, gd: true },
  { name: "LogisticRegression binary (lbfgs)", make: (runtime) => new LogisticRegression({ runtime }), y: (d) => d.labels, classifier: true, gd: false },
  { name: "LogisticRegression multinomial (lbfgs)", make: (runtime) => new LogisticRegression({ runtime, l2: 0.01 }), y: (d) => d.three, classifier: true, gd: false },
  { name: "LogisticRegression (gd)", make: (runtime) => new LogisticRegression({ solver: "gd", epochs: 30, runtime }), y: (d) => d.three, classifier: true, gd: true },
  {
    name: "Sequential regression", classifier: false, gd: true, y: (d) => d.y,
    make: (runtime) => new Sequential([dense({ units: 4, activation: "tanh" }), dense({ units: 1 })], { epochs: 5, seed: 3, runtime }),
  },
  {
    name: "Sequential classifier (per-neuron PReLU)", classifier: true, gd: true, y: (d) => d.three,
    make: (runtime) => new Sequential(
      [dense({ units: 4, activation: ["prelu", "relu", "elu", "prelu"], slopes: "neuron" }), dense({ units: 3, activation: "softmax" })],
      { loss: "categoricalCrossentropy", epochs: 5, seed: 3, runtime },
    ),
  },
];

/** What memory() reports that must come back after a failure (the memory itself never shrinks). */
function usage(rt: Runtime): { liveTensors: number; liveBytes: number; reservedBytes: number } {
  const { liveTensors, liveBytes, reservedBytes } = rt.memory();
  return { liveTensors, liveBytes, reservedBytes };
}

/** What a model predicts, as exact bits (labels and probabilities for classifiers). */
function predictions(m: Model): unknown {
  if (m.task === "classification") return { labels: m.predict(probe), proba: [...m.predictProba(probe)] };
  return [...(m.predict(probe) as Float32Array)];
}

function aborted(): AbortSignal {
  const c = new AbortController();
  c.abort(new Error("cancelled before it started"));
  return c.signal;
}

/** Ways to make a fit fail: each gives the fit's arguments and the error it must reject with. */
function refusals(k: Kind): [string, () => [unknown, unknown, unknown], RegExp][] {
  const y = k.y(other) as ArrayLike<unknown>;
  const withNaN = other.X.data.slice();
  withNaN[5] = NaN;
  const list: [string, () => [unknown, unknown, unknown], RegExp][] = [
    ["an already aborted signal", () => [other.X, y, { signal: aborted() }], /cancelled before it started/],
    ["y one value short", () => [other.X, Array.from(y).slice(0, -1), undefined], /y has 39 .*X has 40 rows/],
    ["a NaN in X", () => [{ ...other.X, data: withNaN }, y, undefined], /X\[1\]\[2\] is NaN/],
    ["an unknown fit option", () => [other.X, y, { epoch: 3 }], /unknown option "epoch"/],
    ["a signal that is not an AbortSignal", () => [other.X, y, { signal: "stop" }], /signal must be an AbortSignal/],
  ];
  // (A Sequential that continues training knows its classes already: a new label is refused as such.)
  if (k.classifier) list.push(["a single class", () => [other.X, Array.from(y, () => "one"), undefined], /single class|"one", which is not one of the 3 classes/]);
  if (!k.gd) list.push(["an option the solver refuses", () => [other.X, y, k.classifier ? { epochs: 3 } : { batchSize: 4 }], /needs solver "gd"/]);
  if (k.gd) list.push(["bad validation data", () => [other.X, y, { validationData: { X: [[1, 2]], y: [1] } }], /validationData.X has 2 columns/]);
  return list;
}

describe("a refused or cancelled fit leaves the model exactly as it was", () => {
  describe.each(KINDS)("$name", (k) => {
    it.each(refusals(k))("%s", async (_, args, message) => {
      const model = await k.make().fit(train.X, k.y(train));
      const before = predictions(model);
      const history = model.history;
      const memory = usage(model.runtime);
      const [X, y, options] = args();
      await expect(model.fit(X as never, y as never, options as never)).rejects.toThrow(message);
      expect(predictions(model)).toEqual(before);
      expect(model.history).toBe(history);
      expect(usage(model.runtime)).toEqual(memory);
      model.dispose();
    });

    it("a refused first fit leaves it untrained, and frees what it allocated", async () => {
      const model = k.make();
      const memory = usage(model.runtime);
      await expect(model.fit(other.X, Array.from(k.y(other) as ArrayLike<unknown>).slice(0, 7) as Targets)).rejects.toThrow(/but X has 40 rows/);
      expect(() => model.predict(probe)).toThrow(/not trained yet/);
      expect(model.runtime.memory().liveBytes).toBe(memory.liveBytes);
      model.dispose();
    });

    it("an already aborted signal does no work: the data is never read", async () => {
      const model = k.make();
      let reads = 0;
      const X = new Proxy(train.X, { get: (t, p) => (reads++, Reflect.get(t, p)) });
      const y = new Proxy(k.y(train) as object, { get: (t, p) => (reads++, Reflect.get(t, p)) }) as Targets;
      let epochs = 0;
      await expect(model.fit(X, y, { signal: aborted(), onEpoch: () => { epochs++; } })).rejects.toThrow(/cancelled before it started/);
      expect(reads).toBe(0);
      expect(epochs).toBe(0);
      model.dispose();
    });
  });

  it("LinearRegression gd on y = 2a − 2b + 1 still predicts 1 at [1, 1] after a cancelled and a refused refit", async () => {
    const random = mulberry32(7);
    const X = Array.from({ length: 200 }, () => [4 * random() - 2, 4 * random() - 2]);
    const y = X.map(([a, b]) => 2 * a - 2 * b + 1);
    const model = await new LinearRegression({ solver: "gd", epochs: 2000 }).fit(X, y);
    const at = (): number => (model.predict([[1, 1]]) as Float32Array)[0];
    const before = at();
    expect(before).toBeCloseTo(1, 3);
    const Z = X.map(([a, b]) => [a * 10, b - 5]);
    await expect(model.fit(Z, y, { signal: aborted() })).rejects.toThrow(/cancelled/);
    expect(at()).toBe(before);
    await expect(model.fit(Z, y.slice(1))).rejects.toThrow(/y has 199/);
    expect(at()).toBe(before);
    model.dispose();
  });

  it("a signal aborted during training rejects, and the model is as it was before the fit (Sequential and lbfgs)", async () => {
    for (const k of [KINDS[4], KINDS[6], KINDS[3]]) {
      const model = await k.make().fit(train.X, k.y(train));
      const before = predictions(model);
      const controller = new AbortController();
      const run = model.fit(other.X, k.y(other), { onEpoch: (e) => { if (e.epoch === 2) controller.abort(new Error("stop now")); }, signal: controller.signal });
      await expect(run).rejects.toThrow("stop now");
      expect(predictions(model)).toEqual(before);
      model.dispose();
    }
  });
});

describe("one fit at a time", () => {
  it.each(KINDS.filter((k) => k.gd || k.classifier))("$name: a second fit while one runs is refused at once; nothing mixes", async (k) => {
    const alone = await k.make().fit(other.X, k.y(other));
    const model = k.make();
    const [first, second] = await Promise.allSettled([model.fit(other.X, k.y(other)), model.fit(train.X, k.y(train))]);
    expect(first.status).toBe("fulfilled");
    expect(second.status).toBe("rejected");
    expect(String((second as PromiseRejectedResult).reason)).toMatch(/fit is already running on this model/);
    expect(predictions(model)).toEqual(predictions(alone));
    alone.dispose();
    model.dispose();
  });

  it.each(KINDS)("$name: dispose() during fit rejects that fit and frees everything", async (k) => {
    const rt = await createRuntime();
    const base = usage(rt);
    const model = k.make(rt);
    await model.fit(train.X, k.y(train));
    const run = model.fit(other.X, k.y(other));
    model.dispose();
    await expect(run).rejects.toThrow(/disposed/);
    expect(usage(rt)).toEqual(base);
    expect(() => model.predict(probe)).toThrow(/disposed/);
  });

  it("dispose() from onEpoch stops the fit at once", async () => {
    const rt = await createRuntime();
    const base = usage(rt);
    const model = new Sequential([dense({ units: 3, activation: "relu" }), dense({ units: 1 })], { runtime: rt });
    let epochs = 0;
    await expect(model.fit(train.X, train.y, { epochs: 100, onEpoch: () => { epochs++; model.dispose(); } })).rejects.toThrow(/disposed during fit/);
    expect(epochs).toBe(1);
    expect(usage(rt)).toEqual(base);
  });
});

describe("divergence never leaves NaN weights", () => {
  const diverging = (): Sequential => new Sequential([dense({ units: 4, activation: "tanh" }), dense({ units: 1 })], { lr: 1e30, optimizer: "sgd", epochs: 5 });

  it("an epoch-1 loss of Infinity or a step to non-finite weights is divergence; an untrained model stays untrained", async () => {
    const model = diverging();
    await expect(model.fit(train.X, train.y)).rejects.toThrow(/training diverged at epoch 1: .*lr is 1e\+30\)\. The model is left as it was before this fit/);
    expect(() => model.predict(probe)).toThrow(/not trained yet/);
    model.dispose();
  });

  it.each([
    ["Sequential", () => new Sequential([dense({ units: 4, activation: "relu" }), dense({ units: 1 })], { optimizer: "sgd", lr: 0.01, standardize: false, epochs: 5 })],
    ["LinearRegression gd", () => new LinearRegression({ solver: "gd", optimizer: "sgd", lr: 0.1, standardize: false, epochs: 50 })],
    ["LogisticRegression gd", () => new LogisticRegression({ solver: "gd", optimizer: "sgd", lr: 0.1, standardize: false, epochs: 50 })],
  ] as [string, () => Model][])("%s: a refit that diverges keeps the previous weights bit for bit, and they are finite", async (_, make) => {
    const model = make();
    const classifier = model instanceof LogisticRegression;
    await model.fit(train.X, classifier ? train.labels : train.y);
    const before = predictions(model);
    // Unstandardised features a million times larger make the same learning rate explode.
    const wild = { ...train.X, data: train.X.data.map((v) => v * 1e6) };
    await expect(model.fit(wild, classifier ? train.labels : train.y.map((v) => v * 1e6))).rejects.toThrow(/diverged/);
    expect(predictions(model)).toEqual(before);
    const values = classifier ? (before as { proba: number[] }).proba : (before as number[]);
    expect(values.every(Number.isFinite)).toBe(true);
    model.dispose();
  });
});

describe("a fit that fails on the memory cap frees everything", () => {
  it("maxMemory 1 MiB: a 5,000 × 40 fit fails, memory returns to its baseline, and a 2,500 × 40 fit that works on a fresh runtime works on it too", async () => {
    const big = data(5000, 40, 3);
    const fits = data(2500, 40, 4);
    const fresh = await createRuntime({ maxMemory: 1 << 20 });
    // Full batch: the workspace for 5,000 rows does not fit beside the data.
    const options = { epochs: 1, batchSize: 10_000 };
    const works = await new Sequential([dense({ units: 8, activation: "relu" }), dense({ units: 1 })], { runtime: fresh, ...options })
      .fit(fits.X, fits.y).then(() => true, () => false);
    const rt = await createRuntime({ maxMemory: 1 << 20 });
    const base = usage(rt);
    const model = new Sequential([dense({ units: 8, activation: "relu" }), dense({ units: 1 })], { runtime: rt, ...options });
    await expect(model.fit(big.X, big.y)).rejects.toThrow(/cannot allocate/);
    model.dispose();
    expect(usage(rt)).toEqual(base);
    const again = new Sequential([dense({ units: 8, activation: "relu" }), dense({ units: 1 })], { runtime: rt, ...options });
    expect(works).toBe(true);
    expect(await again.fit(fits.X, fits.y).then(() => true, () => false)).toBe(true);
    again.dispose();
    expect(rt.memory().liveTensors).toBe(base.liveTensors);
  });

  it("at every cap from too small to enough, every model either fits or fails, and memory returns to its baseline", async () => {
    const d = data(300, 12, 5);
    for (const k of KINDS) {
      for (let kib = 64; kib <= 256; kib += 16) {
        const rt = await createRuntime({ maxMemory: kib << 10 });
        const base = usage(rt);
        const model = k.make(rt);
        await model.fit(d.X, k.y(d), k.gd ? { batchSize: 50 } as never : undefined).catch((err: Error) => {
          expect(err.message).toMatch(/^descent: cannot allocate/);
        });
        model.dispose();
        expect(usage(rt), `${k.name} at ${kib} KiB`).toEqual(base);
      }
    }
  });
});

describe("a model file is untrusted: every field is checked before anything is allocated", () => {
  type Json = Record<string, unknown> & { layers: Record<string, unknown>[]; options: Record<string, unknown> };
  async function saved(k: Kind): Promise<Json> {
    const m = await k.make().fit(train.X, k.y(train));
    const json = JSON.parse(JSON.stringify(m.toJSON())) as Json;
    m.dispose();
    return json;
  }
  /** The file after `edit`, with its checksum recomputed (what a deliberate attacker sends). */
  function resigned(json: Json, edit: (j: Json) => void): Json {
    const copy = structuredClone(json);
    edit(copy);
    const { checksum: _, ...body } = copy;
    return { ...body, checksum: checksum(body) } as Json;
  }
  const deep = (levels: number): unknown => {
    let v: unknown = [];
    for (let i = 0; i < levels; i++) v = [v];
    return v;
  };

  it("a classifier's target field of length 1e8 or 1e10 is refused, not allocated", async () => {
    const json = await saved(KINDS[2]);
    const rt = await createRuntime();
    const base = usage(rt);
    for (const length of [1e8, 1e10]) {
      const bad = resigned(json, (j) => { j.target = { mean: { length }, scale: 0 }; });
      expect(() => loadModel(bad, { runtime: rt })).toThrow(/^descent: loadModel: a classifier has no target standardisation/);
      expect(() => loadModel(JSON.stringify(bad), { runtime: rt })).toThrow(/^descent: loadModel: a classifier has no target/);
    }
    const regression = await saved(KINDS[1]);
    expect(() => loadModel(resigned(regression, (j) => { j.target = { mean: { length: 1e8 }, scale: [1] }; })))
      .toThrow(/^descent: loadModel: target.mean must be an array of 1 numbers, received Object/);
    expect(usage(rt)).toEqual(base);
  });

  it.each([
    ["a weight of 1e39 (Infinity in float32)", (j: Json) => { (j.layers[0].w as number[])[1] = 1e39; }, /layers\[0\]\.w\[1\] must be a number that float32 holds as finite .*received 1e\+39/],
    ["a bias that is a string", (j: Json) => { (j.layers[0].b as unknown[])[0] = "0"; }, /layers\[0\]\.b\[0\] must be a number .*received "0"/],
    ["a feature scale of 1e-50 (0 in float32)", (j: Json) => { ((j.features as { scale: number[] }).scale)[0] = 1e-50; }, /features\.scale\[0\] must be > 0, received 1e-50/],
    ["features: null", (j: Json) => { j.features = null; }, /features must be an object, received null/],
    ["features with a third field", (j: Json) => { (j.features as Record<string, unknown>).extra = 1; }, /features has an unknown field "extra"/],
    ["a loss that disagrees with options.loss", (j: Json) => { j.loss = "mse"; }, /the loss is "mse" but a Sequential with these options trains with "categoricalCrossentropy"/],
    ["classes that repeat", (j: Json) => { (j.classes as unknown[])[1] = (j.classes as unknown[])[0]; }, /classes\[1\] repeats classes\[0\]/],
    ["an unknown top-level field", (j: Json) => { j.script = "alert(1)"; }, /the file has an unknown field "script"/],
    ["an unknown layer field", (j: Json) => { j.layers[0].bias = [1]; }, /layers\[0\] has an unknown field "bias"/],
    ["units that disagree with the next layer", (j: Json) => { j.layers[1].inputs = 3; }, /layers\[1\]\.inputs is 3 but the layer before it has 4 units/],
    ["a PReLU layer without slopes", (j: Json) => { delete j.layers[0].slope; }, /layers\[0\]\.slope must be an array of 4 numbers, received undefined/],
    ["options that are an array", (j: Json) => { j.options = [] as never; }, /options must be an object, received Array\(0\)/],
    ["a 10,000-deep array in the options", (j: Json) => { j.options.x = deep(10_000); }, /options\.x\[0\]\[0\]\[0\]\[0\] nests arrays or objects deeper than a model file does/],
    ["a 10,000-deep array as an activation", (j: Json) => { j.layers[0].activation = deep(10_000); }, /layers\[0\]\.activation\[0\]\[0\]\[0\] nests/],
    ["a 10,000-deep array as a weight", (j: Json) => { (j.layers[1].w as unknown[])[0] = deep(10_000); }, /layers\[1\]\.w\[0\]\[0\]\[0\] nests/],
    ["a 10,000-deep array in the classes", (j: Json) => { (j.classes as unknown[])[0] = deep(10_000); }, /classes\[0\]\[0\]\[0\]\[0\]\[0\] nests/],
  ] as [string, (j: Json) => void, RegExp][])("%s is a descent: loadModel error", async (_, edit, message) => {
    const json = await saved(KINDS[6]);
    // Deep arrays cannot be given a checksum (JSON.stringify overflows): they are refused before it.
    const bad = String(message).includes("nests") ? edit(json) ?? json : resigned(json, edit);
    const rt = await createRuntime();
    const base = usage(rt);
    let error: unknown;
    try {
      loadModel(bad, { runtime: rt });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^descent: loadModel: /);
    expect((error as Error).message).toMatch(message);
    expect(usage(rt)).toEqual(base);
  });

  it("every kind of model file still loads and predicts bit for bit", async () => {
    for (const k of KINDS) {
      const m = await k.make().fit(train.X, k.y(train));
      const back = loadModel(JSON.stringify(m.toJSON()));
      expect(predictions(back)).toEqual(predictions(m));
      m.dispose();
      back.dispose();
    }
  });
});

describe("properties: random sequences of calls on every model", () => {
  type Op = { op: "fit"; data: 0 | 1 } | { op: "refuse"; how: number } | { op: "predict" } | { op: "save-load" } | { op: "dispose" };
  const ops = fc.oneof(
    fc.record({ op: fc.constant("fit" as const), data: fc.constantFrom(0 as const, 1 as const) }),
    fc.record({ op: fc.constant("refuse" as const), how: fc.nat(20) }),
    fc.record({ op: fc.constant("predict" as const) }),
    fc.record({ op: fc.constant("save-load" as const) }),
    fc.record({ op: fc.constant("dispose" as const) }),
  );

  it("a refused call leaves predictions bit-identical, and memory() returns to its baseline at the end", async () => {
    const rt = await createRuntime({ maxMemory: 4 << 20 });
    const huge = data(3000, 400, 9); // 4.8 MB of features: more than this runtime may hold
    await fc.assert(fc.asyncProperty(fc.nat(KINDS.length - 1), fc.array(ops, { minLength: 1, maxLength: 8 }), async (which, sequence) => {
      const k = KINDS[which];
      const base = usage(rt);
      let model = k.make(rt);
      let trained = false;
      const sets = [train, other];
      for (const step of sequence as Op[]) {
        const before = trained ? predictions(model) : undefined;
        if (step.op === "fit") {
          await model.fit(sets[step.data].X, k.y(sets[step.data]));
          trained = true;
        } else if (step.op === "refuse") {
          const cases = [...refusals(k), ["too much data for the memory", () => [huge.X, k.y(huge), undefined], /cannot allocate/] as const];
          const [, args, message] = cases[step.how % cases.length];
          const [X, y, options] = args();
          await expect(model.fit(X as never, y as never, options as never)).rejects.toThrow(message);
          if (trained) expect(predictions(model)).toEqual(before);
          else expect(() => model.predict(probe)).toThrow(/not trained yet/);
        } else if (step.op === "predict") {
          if (trained) expect(predictions(model)).toEqual(predictions(model));
        } else if (step.op === "save-load") {
          if (!trained) continue;
          const loaded = loadModel(JSON.stringify(model.toJSON()), { runtime: rt });
          expect(predictions(loaded)).toEqual(before);
          model.dispose();
          model = loaded;
        } else {
          model.dispose();
          model = k.make(rt);
          trained = false;
        }
      }
      model.dispose();
      expect(usage(rt)).toEqual(base);
    }), { numRuns: 40, seed: 20261130 });
  });
});

describe("trainInWorker", () => {
  const net = (): Sequential => new Sequential([dense({ units: 6, activation: "tanh" }), dense({ units: 3, activation: "softmax" })], {
    loss: "categoricalCrossentropy", lr: 0.01, seed: 5, batchSize: 8,
  });

  it("y that cannot be sent to a worker is refused before a worker starts, with a descent error; the process exits by itself", () => {
    const dir = mkdtempSync(join(tmpdir(), "descent-worker-"));
    const script = join(dir, "unsendable.mts");
    const index = new URL("../src/index.ts", import.meta.url).href;
    writeFileSync(script, `
import { Sequential, dense, trainInWorker } from ${JSON.stringify(index)};
const m = new Sequential([dense({ units: 1 })]);
try {
  await trainInWorker(m, [[1], [2]], [() => 1, () => 2]);
  console.log("resolved");
} catch (err) {
  console.log(err instanceof TypeError, err.message);
}
`);
    const run = spawnSync(process.execPath, ["--import", "tsx", script], { encoding: "utf8", timeout: 60_000 });
    expect(run.signal).toBe(null); // it was not killed by the timeout: nothing kept it alive
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^true descent: trainInWorker: y cannot be sent to a worker/);
  });

  it("an abort with updateEvery: 0 leaves the model bit for bit as it was, and no onEpoch runs after the rejection", async () => {
    const model = await net().fit(train.X, train.three, { epochs: 3 });
    const before = predictions(model);
    const controller = new AbortController();
    let rejected = false;
    let lateCalls = 0;
    const run = trainInWorker(model, other.X, other.three, {
      epochs: 100_000, updateEvery: 0, signal: controller.signal,
      onEpoch: (e) => {
        if (rejected) lateCalls++;
        if (e.epoch === 20) controller.abort(new Error("cancelled"));
      },
    });
    await expect(run).rejects.toThrow("cancelled");
    rejected = true;
    await new Promise((r) => setTimeout(r, 300));
    expect(lateCalls).toBe(0);
    expect(predictions(model)).toEqual(before);
    model.dispose();
  });

  it("dispose() right after trainInWorker makes it reject, and frees everything", async () => {
    const rt = await createRuntime();
    const base = usage(rt);
    const model = new Sequential([dense({ units: 3, activation: "relu" }), dense({ units: 1 })], { runtime: rt });
    const run = trainInWorker(model, train.X, train.y, { epochs: 50 });
    model.dispose();
    await expect(run).rejects.toThrow(/disposed/);
    expect(usage(rt)).toEqual(base);
  });

  it("a fit while trainInWorker runs on the same model is refused", async () => {
    const model = net();
    const run = trainInWorker(model, train.X, train.three, { epochs: 5 });
    await expect(model.fit(train.X, train.three)).rejects.toThrow(/already running/);
    await run;
    model.dispose();
  });
});

describe("closing the runtime", () => {
  it("close() during a single-threaded fit rejects it at the next epoch (or iteration), the model is put back, and it then refuses work", async () => {
    for (const k of [KINDS[1], KINDS[3], KINDS[6]]) {
      const rt = await createRuntime();
      const model = await k.make(rt).fit(train.X, k.y(train));
      const history = model.history;
      const run = model.fit(other.X, k.y(other), { onEpoch: (e) => { if (e.epoch === 2) void rt.close(); } });
      await expect(run).rejects.toThrow(/the runtime was closed/);
      await expect(model.fit(other.X, k.y(other))).rejects.toThrow(/the runtime was closed/);
      expect(() => model.predict(probe)).toThrow(/the runtime was closed/);
      expect(model.history).toBe(history);
      model.dispose();
    }
  });
});
