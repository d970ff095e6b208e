// Bad input gets a TypeError or RangeError that names the argument, what was expected and what
// came, never a trap, a NaN or a corrupted buffer; and the runtime works normally afterwards.
import { describe, expect, it } from "vitest";
import {
  ACTIVATIONS, LinearRegression, LogisticRegression, Runtime, Sequential, Tensor, createRuntime, dense, type Backend,
} from "../src/index.ts";

const f = (...v: number[]): Float32Array => Float32Array.from(v);

/** Each case: what to call, the error class, and a pattern the message must match. */
const CASES: [string, (rt: Runtime) => unknown, ErrorConstructor, RegExp][] = [
  ["a plain array as x", (rt) => rt.activations.sigmoid.forward([1, 2] as unknown as Float32Array), TypeError,
    /sigmoid\.forward: x must be a Float32Array or a Tensor, received Array\(2\)/],
  ["a Float64Array as x", (rt) => rt.activations.tanh.forward(new Float64Array(3) as unknown as Float32Array), TypeError,
    /tanh\.forward: x must be a Float32Array or a Tensor, received Float64Array\(3\)/],
  ["null as dy", (rt) => rt.activations.relu.backward(f(1), null as unknown as Float32Array), TypeError,
    /relu\.backward: dy must be a Float32Array or a Tensor, received null/],
  ["dy of another length", (rt) => rt.activations.elu.backward(f(1, 2, 3), f(1, 2)), RangeError,
    /elu\.backward: dy must have the same length as x \(3\), received 2/],
  ["out of another length", (rt) => rt.activations.sigmoid.forward(f(1, 2, 3), { out: f(0) }), RangeError,
    /sigmoid\.forward: out must have 3 elements, received 1/],
  ["a tensor out of another length", (rt) => rt.activations.tanh.forward(rt.tensor(3), { out: rt.tensor(2) }), RangeError,
    /tanh\.forward: out must have 3 elements, received 2/],
  ["a NaN slope on tensors", (rt) => rt.activations.leakyRelu.backward(rt.tensor(2), rt.tensor(2), { slope: NaN }), RangeError,
    /leakyRelu: slope must be a finite number, received NaN/],
  ["a dy tensor of another length", (rt) => rt.activations.sigmoid.backward(rt.tensor(4), rt.tensor(3)), RangeError,
    /sigmoid\.backward: dy must have the same length as x \(4\), received 3/],
  ["cols that do not divide x", (rt) => rt.activations.softmax.forward(f(1, 2, 3, 4, 5), { cols: 2 }), RangeError,
    /softmax\.forward: cols = 2 does not divide x's length 5/],
  ["cols that do not divide a tensor", (rt) => rt.activations.softmax.backward(rt.tensor(6), rt.tensor(6), { cols: 4 }), RangeError,
    /softmax\.backward: cols = 4 does not divide x's length 6/],
  ["cols = 0", (rt) => rt.activations.logSoftmax.backward(f(1, 2), f(1, 2), { cols: 0 }), RangeError,
    /logSoftmax\.backward: cols must be a positive integer, received 0/],
  ["a PReLU slope of the wrong length (tensor shape)", (rt) => rt.activations.prelu.forward(rt.tensor(new Float32Array(12), [3, 4]), { slope: f(1, 2, 3) }),
    RangeError, /prelu\.forward: slope must have 1 or x's last dimension \(4\) values, received 3/],
  ["a PReLU slope that does not divide x", (rt) => rt.activations.prelu.backward(f(1, 2, 3, 4, 5), f(1, 1, 1, 1, 1), { slope: f(1, 2) }),
    RangeError, /prelu\.backward: slope must have 1 or a divisor of x's length \(5\) values, received 2/],
  ["a NaN leaky slope", (rt) => rt.activations.leakyRelu.forward(f(1), { slope: NaN }), RangeError,
    /leakyRelu: slope must be a finite number, received NaN/],
  ["softplus beta <= 0", (rt) => rt.activations.softplus.forward(f(1), { beta: 0 }), RangeError,
    /softplus: beta must be a finite number > 0, received 0/],
  ["a string alpha", (rt) => rt.activations.elu.forward(f(1), { alpha: "1" as unknown as number }), TypeError,
    /elu: alpha must be a number, received the string "1"/],
  ["an unknown option", (rt) => rt.activations.relu.forward(f(1), { slope: 2 } as never), TypeError,
    /relu: unknown option "slope" \(known: out\)/],
  ["mse of mismatched lengths", (rt) => rt.mse(f(1, 2), f(1)), RangeError,
    /mse: targets must have the same length as predictions \(2\), received 1/],
  ["mse of empty inputs", (rt) => rt.mse(f(), f()), RangeError, /mse: the mean of 0 elements is undefined/],
  ["softmaxCrossEntropy of no rows", (rt) => rt.softmaxCrossEntropy(f(), [], { cols: 3 }), RangeError,
    /softmaxCrossEntropy: the mean over 0 rows is undefined/],
  ["a label out of range", (rt) => rt.softmaxCrossEntropy(f(1, 2, 3, 4, 5, 6), [0, 3], { cols: 3 }), RangeError,
    /softmaxCrossEntropy: labels\[1\] must be an integer in \[0, 3\), received 3/],
  ["a fractional label", (rt) => rt.softmaxCrossEntropyGrad(f(1, 2), [0.5], { cols: 2 }), RangeError,
    /labels\[0\] must be an integer in \[0, 2\), received 0\.5/],
  ["too few labels", (rt) => rt.softmaxCrossEntropy(f(1, 2, 3, 4), [1], { cols: 2 }), RangeError,
    /labels must have one entry per row \(2\), received 1/],
  ["adam without a step", (rt) => rt.adam(f(1), f(1), f(0), f(0), {} as never), RangeError,
    /adam: step must be an integer >= 1/],
  ["sgd with a negative lr", (rt) => rt.sgd(f(1), f(1), { lr: -1 }), RangeError,
    /sgd: lr must be > 0, received -1/],
  ["momentum's velocity of another length", (rt) => rt.momentum(f(1, 2), f(1, 2), f(0)), RangeError,
    /momentum: velocity must have the same length as gradient \(2\), received 1/],
  ["matmul of mismatched inner sizes", (rt) => rt.matmul(rt.tensor(new Float32Array(6), [2, 3]), rt.tensor(new Float32Array(8), [4, 2])),
    RangeError, /matmul: B must have 3 rows to match op\(A\)'s columns, received 4/],
  ["matmul with both operands transposed", (rt) => rt.matmul(f(1, 2), f(1, 2), { transposeA: true, transposeB: true }),
    RangeError, /matmul: transposeA and transposeB together are not supported/],
  ["matmul with a transposed B of the wrong width", (rt) => rt.matmul(rt.tensor(new Float32Array(6), [2, 3]), rt.tensor(new Float32Array(8), [4, 2]), { transposeB: true }),
    RangeError, /matmul: B must have 3 columns to match op\(A\)'s columns, received 2/],
  ["gemv with an unknown shape", (rt) => rt.gemv(f(1, 2, 3, 4), f(1, 2)), TypeError,
    /gemv: the shape of A is unknown: pass a 2-D tensor or the rows\/cols options/],
  ["gemv with x of the wrong length", (rt) => rt.gemv(f(1, 2, 3, 4, 5, 6), f(1, 2), { rows: 2 }), RangeError,
    /gemv: x must have 3 elements for A of shape \[2, 3\], received 2/],
  ["matmul writing over its input", (rt) => {
    const a = rt.tensor(new Float32Array(4), [2, 2]);
    return rt.matmul(a, a, { out: a });
  }, RangeError, /matmul: out may not overlap an input/],
  ["a tensor of a shape that does not fit its data", (rt) => rt.tensor([1, 2, 3], [2, 2]), RangeError,
    /tensor: shape \[2, 2\] holds 4 elements but data has 3/],
  ["a tensor from an array holding a string", (rt) => rt.tensor([1, "2" as unknown as number]), TypeError,
    /tensor: data\[1\] must be a number, received the string "2"/],
  ["a tensor from a string", (rt) => rt.tensor("abc" as unknown as number[]), TypeError,
    /tensor: data must be a Float32Array, an array of numbers or a length, received the string "abc"/],
];

describe.each(["wasm-simd", "wasm", "js"] as Backend[])("on %s", (backend) => {
  it.each(CASES)("%s", async (_label, call, kind, message) => {
    const rt = await createRuntime({ backend });
    const before = rt.memory();
    // Count the tensors the case makes itself, so that anything else still live is a leak.
    const made: Tensor[] = [];
    const tensor = rt.tensor.bind(rt);
    rt.tensor = (...args) => {
      const t = tensor(...args);
      made.push(t);
      return t;
    };
    expect(() => call(rt)).toThrow(kind);
    expect(() => call(rt)).toThrow(message);
    made.forEach((t) => t.dispose());
    expect(rt.memory().liveBytes).toBe(before.liveBytes);
    expect(rt.memory().liveTensors).toBe(before.liveTensors);
    expect(Array.from(rt.activations.relu.forward(f(-1, 2)))).toEqual([0, 2]);
  });

  it("a request larger than the memory can hold is a RangeError naming the bytes, and the runtime goes on", async () => {
    const rt = await createRuntime({ backend, maxMemory: 4 * 1024 * 1024 });
    const small = rt.tensor([1, 2, 3]);
    expect(() => rt.tensor(2 * 1024 * 1024)).toThrow(RangeError);
    expect(() => rt.tensor(2 * 1024 * 1024)).toThrow(/cannot allocate 8388608 bytes for a tensor of shape \[2097152\]: WASM memory can hold at most 4194304 bytes/);
    expect(() => rt.activations.sigmoid.forward(new Float32Array(1_500_000))).toThrow(/cannot allocate 6000000 bytes for sigmoid\.forward's x/);
    expect(Array.from(small.data)).toEqual([1, 2, 3]);
    expect(rt.memory().liveTensors).toBe(1);
    expect(Array.from(rt.activations.relu.forward(small).data)).toEqual([1, 2, 3]);
  });
});

describe("backend selection", () => {
  it("rejects an unknown backend by name", async () => {
    await expect(createRuntime({ backend: "webgpu" as never })).rejects.toThrow(
      /backend must be one of "auto", "wasm-relaxed", "wasm-simd", "wasm", "js"; received the string "webgpu"/,
    );
  });
  it("rejects a maxMemory below one page", async () => {
    await expect(createRuntime({ maxMemory: 10 })).rejects.toThrow(/maxMemory must be a number of bytes >= 65536, received 10/);
  });
});

describe("activations by name", () => {
  it("an unknown name is a TypeError listing the known ones", async () => {
    const rt = await createRuntime({ backend: "js" });
    expect(() => rt.activation("gelu")).toThrow(/unknown activation the string "gelu" \(known: sigmoid, tanh, relu, leakyRelu, prelu, elu, softplus, softmax, logSoftmax\)/);
    expect(rt.activation("elu")).toBe(rt.activations.elu);
  });
});

// ---------------------------------------------------------------- wrong types, everywhere

/** A Proxy on which every operation (get, has, ownKeys, getPrototypeOf, …) throws. */
const hostile = new Proxy({}, new Proxy({}, { get: () => { throw new Error("trap"); } }));
const revoked = ((): object => {
  const r = Proxy.revocable({}, {});
  r.revoke();
  return r.proxy;
})();

/** Values of the wrong type (or no usable value at all) for any argument. */
const WRONG: [string, () => unknown][] = [
  ["a Symbol", () => Symbol("s")],
  ["a BigInt", () => 10n],
  ["a BigInt64Array", () => new BigInt64Array(4)],
  ["a BigUint64Array", () => new BigUint64Array(4)],
  ["an object without a prototype", () => Object.create(null)],
  ["an object whose toString and valueOf throw", () => ({ toString: () => { throw new Error("toString"); }, valueOf: () => { throw new Error("valueOf"); } })],
  ["a Proxy of a Float32Array", () => new Proxy(new Float32Array(4), {})],
  ["a Proxy whose every trap throws", () => hostile],
  ["a revoked Proxy", () => revoked],
  ["an object whose getters throw", () => ({ get length(): number { throw new Error("getter"); }, get buffer(): never { throw new Error("getter"); } })],
  ["null", () => null],
  ["NaN", () => NaN],
  ["a boolean", () => true],
  ["a string", () => "1"],
  ["a function", () => () => 1],
  ["an array of strings", () => ["a", "b", "c", "d"]],
  ["an empty object", () => ({})],
];

/** An option whose read throws: an own getter, and a getter on the prototype (which for-in does not see). */
const throwingOption = (base: Record<string, unknown>, key: string): object[] => {
  const rest = Object.fromEntries(Object.entries(base).filter(([k]) => k !== key));
  return [
    Object.defineProperty({ ...rest }, key, { get: () => { throw new Error("getter"); }, enumerable: true }),
    Object.assign(Object.create(Object.defineProperty({}, key, { get: () => { throw new Error("getter"); } })) as object, rest),
  ];
};

/**
 * Every function of the typed level: its positional arguments with valid values (named as its
 * messages name them), and its options with the valid values the others need.
 */
interface Api {
  fn: string;
  args: [string, () => unknown][];
  call: (rt: Runtime, args: unknown[]) => unknown;
  options?: { keys: readonly string[]; base: Record<string, unknown>; booleans?: readonly string[] };
}
const v = (n: number) => (): Float32Array => Float32Array.from({ length: n }, (_, i) => i + 1);
const APIS: Api[] = [
  ...ACTIVATIONS.flatMap((a): Api[] => {
    const keys = ["out", ...(a.kind === "rowwise" ? ["cols"] : []), ...(a.kind === "slope" ? ["slope"] : []), ...a.params.map((p) => p.name)];
    return [
      { fn: `${a.name}.forward`, args: [["x", v(4)]], options: { keys, base: {} },
        call: (rt, [x, o]) => rt.activation(a.name).forward(x as Float32Array, o as never) },
      { fn: `${a.name}.backward`, args: [["x", v(4)], ["dy", v(4)]], options: { keys: [...keys, ...(a.kind === "slope" ? ["dslope"] : [])], base: {} },
        call: (rt, [x, dy, o]) => rt.activation(a.name).backward(x as Float32Array, dy as Float32Array, o as never) },
    ];
  }),
  { fn: "mse", args: [["predictions", v(4)], ["targets", v(4)]], call: (rt, [p, t]) => rt.mse(p as never, t as never) },
  { fn: "mseGrad", args: [["predictions", v(4)], ["targets", v(4)]], options: { keys: ["out"], base: {} },
    call: (rt, [p, t, o]) => rt.mseGrad(p as never, t as never, o as never) },
  { fn: "mseWithGrad", args: [["predictions", v(4)], ["targets", v(4)]], options: { keys: ["out"], base: {} },
    call: (rt, [p, t, o]) => rt.mseWithGrad(p as never, t as never, o as never) },
  { fn: "bceWithLogits", args: [["predictions", v(4)], ["targets", v(4)]], call: (rt, [p, t]) => rt.bceWithLogits(p as never, t as never) },
  { fn: "bceWithLogitsGrad", args: [["predictions", v(4)], ["targets", v(4)]], options: { keys: ["out"], base: {} },
    call: (rt, [p, t, o]) => rt.bceWithLogitsGrad(p as never, t as never, o as never) },
  { fn: "softmaxCrossEntropy", args: [["logits", v(4)], ["labels", () => [0, 1]]], options: { keys: ["cols"], base: { cols: 2 } },
    call: (rt, [z, l, o]) => rt.softmaxCrossEntropy(z as never, l as never, o as never) },
  { fn: "softmaxCrossEntropyGrad", args: [["logits", v(4)], ["labels", () => [0, 1]]], options: { keys: ["cols", "out"], base: { cols: 2 } },
    call: (rt, [z, l, o]) => rt.softmaxCrossEntropyGrad(z as never, l as never, o as never) },
  { fn: "sgd", args: [["weights", v(4)], ["gradient", v(4)]], options: { keys: ["lr"], base: {} },
    call: (rt, [w, g, o]) => rt.sgd(w as never, g as never, o as never) },
  { fn: "momentum", args: [["weights", v(4)], ["gradient", v(4)], ["velocity", v(4)]],
    options: { keys: ["lr", "momentum", "nesterov"], base: {}, booleans: ["nesterov"] },
    call: (rt, [w, g, u, o]) => rt.momentum(w as never, g as never, u as never, o as never) },
  { fn: "adam", args: [["weights", v(4)], ["gradient", v(4)], ["m", v(4)], ["v", v(4)]],
    options: { keys: ["step", "lr", "beta1", "beta2", "eps"], base: { step: 1 } },
    call: (rt, [w, g, m, u, o]) => rt.adam(w as never, g as never, m as never, u as never, o as never) },
  { fn: "dot", args: [["a", v(4)], ["b", v(4)]], call: (rt, [a, b]) => rt.dot(a as never, b as never) },
  { fn: "axpy", args: [["alpha", () => 2], ["x", v(4)], ["y", v(4)]], call: (rt, [a, x, y]) => rt.axpy(a as never, x as never, y as never) },
  { fn: "gemv", args: [["A", v(4)], ["x", v(2)]], options: { keys: ["rows", "cols", "out"], base: { rows: 2 } },
    call: (rt, [A, x, o]) => rt.gemv(A as never, x as never, o as never) },
  { fn: "gemvT", args: [["A", v(4)], ["x", v(2)]], options: { keys: ["rows", "cols", "out"], base: { rows: 2 } },
    call: (rt, [A, x, o]) => rt.gemvT(A as never, x as never, o as never) },
  { fn: "matmul", args: [["A", v(4)], ["B", v(4)]],
    options: { keys: ["m", "k", "n", "transposeA", "transposeB", "out"], base: { m: 2, k: 2, n: 2 }, booleans: ["transposeA", "transposeB"] },
    call: (rt, [A, B, o]) => rt.matmul(A as never, B as never, o as never) },
  { fn: "tensor", args: [["data", () => [1, 2, 3, 4]], ["shape", () => [2, 2]]], call: (rt, [d, s]) => rt.tensor(d as never, s as never) },
  { fn: "zeros", args: [["shape", () => [2, 2]]], call: (rt, [s]) => rt.zeros(s as never) },
  { fn: "activation", args: [["name", () => "relu"]], call: (rt, [n]) => rt.activation(n as never) },
];

/** Each call of the table: a function with one argument replaced by a wrong value. */
function wrongCalls(api: Api): { label: string; arg: RegExp; args: () => unknown[] }[] {
  const valid = (): unknown[] => api.args.map(([, make]) => make());
  const word = (name: string): RegExp => new RegExp(`\\b${name}\\b`);
  const out: { label: string; arg: RegExp; args: () => unknown[] }[] = [];
  api.args.forEach(([name], i) => {
    for (const [what, make] of WRONG) {
      out.push({ label: `${name} = ${what}`, arg: name === "name" ? /\bname\b|unknown activation/ : word(name), args: () => {
        const args = valid();
        args[i] = make();
        return [...args, ...(api.options ? [{ ...api.options.base }] : [])];
      } });
    }
  });
  const o = api.options;
  if (o === undefined) return out;
  for (const [what, make] of WRONG) {
    // Objects without keys are options of the right type (what a call then misses is another matter).
    if (what === "an empty object" || what === "an object without a prototype") continue;
    out.push({ label: `options = ${what}`, arg: /\boptions?\b/, args: () => [...valid(), make()] });
  }
  for (const key of o.keys) {
    for (const [what, make] of WRONG) {
      if (what === "a boolean" && o.booleans?.includes(key)) continue;
      out.push({ label: `options.${key} = ${what}`, arg: word(key), args: () => [...valid(), { ...o.base, [key]: make() }] });
    }
    throwingOption(o.base, key).forEach((options, i) => {
      out.push({ label: `options.${key} read through a throwing ${i === 0 ? "getter" : "prototype getter"}`, arg: word(key), args: () => [...valid(), options] });
    });
  }
  return out;
}

describe("wrong types, everywhere", () => {
  it("the table covers every function of the typed level", () => {
    const methods = Object.getOwnPropertyNames(Runtime.prototype).filter((m) => {
      const d = Object.getOwnPropertyDescriptor(Runtime.prototype, m);
      return m !== "constructor" && typeof d?.value === "function";
    });
    const internal = [
      "close", "closedError", "memory", "forget", "newTensor", "operand", "held", "stage", "call", "output", "finish",
      "lossValue", "lossGrad", "labels", "update", "matvec", "splitKernel",
      // How it prints (src/print-runtime.ts): no arguments to refuse.
      "toString",
    ];
    const covered = new Set(APIS.map((a) => a.fn.split(".")[0]));
    expect(methods.filter((m) => !internal.includes(m) && !covered.has(m))).toEqual([]);
  });

  describe.each(["wasm-simd", "wasm", "js"] as Backend[])("on %s", (backend) => {
    it.each(APIS.map((a) => [a.fn, a] as const))("%s: every wrong argument is a descent TypeError or RangeError naming it, and changes nothing", async (_fn, api) => {
      const rt = await createRuntime({ backend });
      // The valid call works, so each refusal below is about the one argument replaced.
      const ok = api.call(rt, [...api.args.map(([, make]) => make()), ...(api.options ? [{ ...api.options.base }] : [])]);
      if (ok instanceof Tensor) ok.dispose();
      const before = rt.memory();
      const failures: string[] = [];
      for (const c of wrongCalls(api)) {
        let error: unknown;
        try {
          const r = api.call(rt, c.args());
          if (r instanceof Tensor) r.dispose();
        } catch (err) {
          error = err;
        }
        const message = error instanceof Error ? error.message : undefined;
        if (error === undefined) failures.push(`${c.label}: accepted`);
        else if (!(error instanceof TypeError || error instanceof RangeError) || !message?.startsWith("descent: ")) {
          failures.push(`${c.label}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
        } else if (!c.arg.test(message)) failures.push(`${c.label}: the message does not name the argument: ${message}`);
        const after = rt.memory();
        if (after.liveBytes !== before.liveBytes || after.liveTensors !== before.liveTensors) {
          failures.push(`${c.label}: left ${after.liveBytes - before.liveBytes} bytes and ${after.liveTensors - before.liveTensors} tensors`);
          break;
        }
      }
      expect(failures).toEqual([]);
      expect(Array.from(rt.activations.relu.forward(f(-1, 2)))).toEqual([0, 2]);
    });
  });
});

describe("optimizer settings: one rule for the kernels and the models", () => {
  // 0.99999999 is 1 in float32, which is what the kernels compute with.
  const values = [0, 0.5, 0.9999999, 0.99999999, 1, 1.5, -0.1, NaN, Infinity];
  const kernelAccepts = (rt: Runtime, name: string, value: number): boolean => {
    const w = f(1, 2), g = f(0.5, 0.5), m = f(0, 0), s = f(0, 0);
    try {
      if (name === "momentum") rt.momentum(w, g, m, { momentum: value });
      else if (name === "lr") rt.sgd(w, g, { lr: value });
      else rt.adam(w, g, m, s, { step: 1, [name]: value });
      return true;
    } catch (err) {
      expect((err as Error).message).toMatch(new RegExp(`^descent: (adam|momentum|sgd): ${name} must be `));
      return false;
    }
  };
  const modelAccepts = (name: string, value: number): boolean => {
    try {
      new Sequential([dense({ units: 1 })], { optimizer: name === "momentum" ? "momentum" : "adam", [name]: value });
      return true;
    } catch (err) {
      expect((err as Error).message).toMatch(new RegExp(`^descent: Sequential: ${name} must be `));
      return false;
    }
  };

  it.each(["beta1", "beta2", "momentum", "lr", "eps"])("%s: the same values are accepted and refused by both", async (name) => {
    const rt = await createRuntime({ backend: "js" });
    const kernel = values.map((x) => kernelAccepts(rt, name, x));
    const model = values.map((x) => modelAccepts(name, x));
    expect(model).toEqual(kernel);
    expect(kernel.some((x) => x)).toBe(true);
    expect(kernel.some((x) => !x)).toBe(true);
  });

  it("a decay rate of exactly 1 is refused up front, naming the option and the model", async () => {
    const rt = await createRuntime({ backend: "js" });
    expect(() => new Sequential([dense({ units: 1 })], { beta1: 1 })).toThrow(/^descent: Sequential: beta1 must be >= 0 and < 1, received 1$/);
    expect(() => new LinearRegression({ solver: "gd", optimizer: "momentum", momentum: 1 })).toThrow(
      /^descent: LinearRegression: momentum must be >= 0 and < 1, received 1$/,
    );
    expect(() => new LogisticRegression({ solver: "gd", beta2: 0.99999999 })).toThrow(
      /^descent: LogisticRegression: beta2 must be >= 0 and < 1, received 0\.99999999 \(1 in float32\)$/,
    );
    expect(() => rt.adam(f(1), f(1), f(0), f(0), { step: 1, beta2: 1 })).toThrow(/^descent: adam: beta2 must be >= 0 and < 1, received 1$/);
    expect(() => rt.momentum(f(1), f(1), f(0), { momentum: 1 })).toThrow(/^descent: momentum: momentum must be >= 0 and < 1, received 1$/);
    expect(() => rt.sgd(f(1), f(1), { lr: "0.1" as never })).toThrow(/^descent: sgd: lr must be a number, received the string "0\.1"$/);
  });
});
