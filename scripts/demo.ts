// The demonstration behind `npm start`: a few activations, forward and backward, on a seeded
// million-element input, run through the typed API on all three backends; it shows that the
// backends agree with each other and how fast each one is. A tour in a few seconds, not a
// measurement: the benchmarks (bench/, `npm run bench`) are the measurement.
import os from "node:os";
import { createRuntime, type ActivationOptions, type Backend, type Runtime, type Tensor } from "../src/index.ts";
import { rng, uniform } from "../bench/cases.ts";
import { measure } from "../bench/timing.ts";

const N = 1_000_000;
const SEED = 42;
/** softmax runs over rows of this length ([1000, 1000]); prelu has one slope per feature ([15625, 64]). */
const ROW = 1000;
const FEATURES = 64;
const BACKENDS: readonly Backend[] = ["wasm-simd", "wasm", "js"];

type Layout = "flat" | "rows" | "features";
const SHAPES: Record<Layout, readonly number[]> = { flat: [N], rows: [N / ROW, ROW], features: [N / FEATURES, FEATURES] };

/** The tensors one backend works on for one layout (same values everywhere, only the shape differs). */
interface Io {
  readonly x: Tensor;
  readonly dy: Tensor;
  readonly out: Tensor;
  readonly slope: Tensor;
  readonly dslope: Tensor;
}

interface Step {
  readonly label: string;
  readonly layout: Layout;
  run(rt: Runtime, io: Io): void;
}

/** One forward and one backward step per activation, through runtime.activations (the typed API). */
function steps(): Step[] {
  const list: Step[] = [];
  const add = (name: "sigmoid" | "tanh" | "relu" | "softmax" | "prelu", layout: Layout, extra: (io: Io, dir?: "backward") => ActivationOptions) => {
    list.push({
      label: `${name}`, layout,
      run: (rt, io) => void rt.activations[name].forward(io.x, { out: io.out, ...extra(io) }),
    });
    list.push({
      label: `${name} backward`, layout,
      run: (rt, io) => void rt.activations[name].backward(io.x, io.dy, { out: io.out, ...extra(io, "backward") }),
    });
  };
  add("sigmoid", "flat", () => ({}));
  add("tanh", "flat", () => ({}));
  add("relu", "flat", () => ({}));
  add("softmax", "rows", () => ({}));
  // Passing dslope explicitly keeps the slope gradient (otherwise staged and dropped) for the comparison.
  add("prelu", "features", (io, dir) => (dir === "backward" ? { slope: io.slope, dslope: io.dslope } : { slope: io.slope }));
  return list;
}

const pad = (s: string, n: number): string => s.padEnd(n);
const lpad = (s: string, n: number): string => s.padStart(n);

async function main(): Promise<void> {
  const started = performance.now();
  console.log(`descent demo: ${N.toLocaleString("en-US")} float32 elements (seed ${SEED}), typed API on every backend`);
  console.log(`${os.cpus()[0]?.model ?? "unknown CPU"} × ${os.cpus().length}, node ${process.version}\n`);

  const r = rng(SEED);
  const x = uniform(r, N, -6, 6);
  const dy = uniform(r, N, -1, 1);
  const slope = uniform(r, FEATURES, 0.05, 0.45);

  const runtimes = new Map<Backend, Runtime>();
  const owned: Tensor[] = [];
  const io = new Map<Backend, Record<Layout, Io>>();
  for (const b of BACKENDS) {
    const rt = await createRuntime({ backend: b });
    runtimes.set(b, rt);
    const keep = (t: Tensor): Tensor => (owned.push(t), t);
    const s = keep(rt.tensor(slope));
    const ds = keep(rt.tensor(FEATURES));
    const per = (layout: Layout): Io => ({
      x: keep(rt.tensor(x, SHAPES[layout])),
      dy: keep(rt.tensor(dy, SHAPES[layout])),
      out: keep(rt.zeros(SHAPES[layout])),
      slope: s,
      dslope: ds,
    });
    io.set(b, { flat: per("flat"), rows: per("rows"), features: per("features") });
  }
  const rtOf = (b: Backend): Runtime => runtimes.get(b) as Runtime;
  const ioOf = (b: Backend, layout: Layout): Io => (io.get(b) as Record<Layout, Io>)[layout];

  // Agreement: one call per backend, compared with js (float64 inside, rounded once: the yardstick).
  const all = steps();
  console.log("agreement with the js backend: largest |difference| over all outputs");
  console.log(`${pad("kernel", 20)}${lpad("wasm-simd", 12)}${lpad("wasm", 12)}`);
  for (const step of all) {
    const results = new Map<Backend, { out: Float32Array; dslope: Float32Array }>();
    for (const b of BACKENDS) {
      const t = ioOf(b, step.layout);
      step.run(rtOf(b), t);
      results.set(b, { out: t.out.toArray(), dslope: t.dslope.toArray() });
    }
    const ref = results.get("js") as { out: Float32Array; dslope: Float32Array };
    // The slope gradient is a sum of ~15,600 products per feature, so its difference is shown
    // relative to its size; the activations' outputs are O(1) and shown as they are.
    const diff = (b: Backend, key: "out" | "dslope", relative = false): string => {
      const got = (results.get(b) as { out: Float32Array; dslope: Float32Array })[key];
      let m = 0;
      let scale = 0;
      for (let i = 0; i < got.length; i++) {
        m = Math.max(m, Math.abs(got[i] - ref[key][i]));
        scale = Math.max(scale, Math.abs(ref[key][i]));
      }
      const v = relative && scale > 0 ? m / scale : m;
      return v === 0 ? "0" : v.toExponential(1);
    };
    console.log(`${pad(step.label, 20)}${lpad(diff("wasm-simd", "out"), 12)}${lpad(diff("wasm", "out"), 12)}`);
    if (step.label === "prelu backward") {
      const label = "  slope gradient";
      console.log(`${pad(label, 20)}${lpad(diff("wasm-simd", "dslope", true), 12)}${lpad(diff("wasm", "dslope", true), 12)}  (relative to its largest value)`);
    }
  }

  // Speed: the three backends interleaved, call after call, median of the samples.
  const SAMPLES = 9;
  console.log(`\nspeed: median time per call and Melem/s (${SAMPLES} interleaved samples)`);
  console.log(`${pad("kernel", 20)}${BACKENDS.map((b) => lpad(b, 20)).join("")}${lpad("simd/js", 10)}`);
  const speedups: { label: string; ratio: number }[] = [];
  for (const step of all) {
    const m = measure(
      BACKENDS.map((b) => {
        const t = ioOf(b, step.layout);
        const rt = rtOf(b);
        return {
          name: b,
          run: () => {
            step.run(rt, t);
            return 0;
          },
          peek: () => t.out.data[0],
        };
      }),
      { samples: SAMPLES, minSampleMs: 1, warmupMs: 15, warmupCalls: 2 },
    );
    const cells = m.stats.map((s) => `${(s.median * 1e3).toFixed(2)} ms ${lpad((N / s.median / 1e6).toFixed(0), 6)}`);
    const ratio = m.stats[2].median / m.stats[0].median;
    speedups.push({ label: step.label, ratio });
    console.log(`${pad(step.label, 20)}${cells.map((c) => lpad(c, 20)).join("")}${lpad(`${ratio.toFixed(1)}×`, 10)}`);
  }

  for (const t of owned) t.dispose();

  const geo = Math.exp(speedups.reduce((a, s) => a + Math.log(s.ratio), 0) / speedups.length);
  const sorted = [...speedups].sort((a, b) => a.ratio - b.ratio);
  const lo = sorted[0];
  const hi = sorted[sorted.length - 1];
  console.log(
    `\nwasm-simd is ${geo.toFixed(1)}× as fast as js on these ${speedups.length} kernels (geometric mean; ` +
      `${lo.ratio.toFixed(1)}× on ${lo.label} to ${hi.ratio.toFixed(1)}× on ${hi.label}), ` +
      `demo done in ${((performance.now() - started) / 1000).toFixed(1)} s.`,
  );
}

await main();
