// The inference case: predict of a 784→256→128→10 network (MNIST-sized, random weights after one
// short fit) on 8,192 rows (1,024 with --quick), descent's predictProba next to the same network
// exported with model.toONNX() and run by ONNX Runtime: onnxruntime-node (native CPU provider) and
// onnxruntime-web's wasm build in Node. Every side runs on one thread (descent's default runtime is
// single-threaded; ORT's intra-op threads set to 1, its wasm numThreads to 1), so the ratios
// compare kernels, not core counts. Before timing, each side's probabilities are checked against
// descent's (1e-4), so the case fails rather than time a wrong answer.
import { Sequential, dense } from "../src/index.ts";
import { mulberry32 } from "../src/random.ts";
import type { ModelCase, ModelContender } from "./models.ts";

const LAYERS = [784, 256, 128, 10] as const;

export function onnxPredictCase(quick: boolean): ModelCase {
  const rows = quick ? 1024 : 8192;
  const cols = LAYERS[0];
  return {
    id: `predict ${LAYERS.join("→")}`,
    section: "inference",
    unit: "predict",
    shape: `${rows.toLocaleString("en-US")} × ${cols}, dense 256 relu → 128 relu → 10 softmax, class probabilities`,
    rows,
    cols,
    bind: async (ctx) => {
      const rt = ctx.runtimes[ctx.descent];
      if (rt === undefined) throw new Error(`bench: no ${ctx.descent} runtime in this run`);
      const r = mulberry32(784);
      const data = Float32Array.from({ length: rows * cols }, () => r());
      const X = { data, rows, cols };
      const net = new Sequential([
        dense({ units: LAYERS[1], activation: "relu" }), dense({ units: LAYERS[2], activation: "relu" }), dense({ units: LAYERS[3], activation: "softmax" }),
      ], { runtime: rt, seed: 1, standardize: false });
      // One epoch on a few rows: a trained model with ordinary, non-zero weights.
      const few = { data: data.subarray(0, 256 * cols), rows: 256, cols };
      await net.fit(few, Array.from({ length: 256 }, (_, i) => i % 10), { epochs: 1 });
      const bytes = net.toONNX();
      // Loaded here, not at the top: bench/report.ts and markdown.ts import this module's list of contenders only.
      const ortNode = await import("onnxruntime-node");
      const ortWeb = await import("onnxruntime-web");
      const node = await ortNode.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: "sequential" });
      ortWeb.env.wasm.numThreads = 1;
      ortWeb.env.wasm.wasmPaths = new URL("../node_modules/onnxruntime-web/dist/", import.meta.url).href;
      const web = await ortWeb.InferenceSession.create(bytes, { executionProviders: ["wasm"] });
      const expected = net.predictProba(X);
      const timed = (f: () => Promise<Float32Array>): ModelContender["sample"] => async () => {
        const t0 = performance.now();
        await f();
        return [(performance.now() - t0) / 1000];
      };
      const runNode = async (): Promise<Float32Array> =>
        (await node.run({ X: new ortNode.Tensor("float32", data, [rows, cols]) }, ["probabilities"])).probabilities.data as Float32Array;
      const runWeb = async (): Promise<Float32Array> =>
        (await web.run({ X: new ortWeb.Tensor("float32", data, [rows, cols]) }, ["probabilities"])).probabilities.data as Float32Array;
      for (const [name, run] of [["onnxruntime-node", runNode], ["onnxruntime-web", runWeb]] as const) {
        const got = await run();
        let worst = 0;
        for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]));
        if (!(worst <= 1e-4)) throw new Error(`bench: ${name}'s probabilities differ from descent's by ${worst}`);
      }
      const contenders: ModelContender[] = [
        { name: ctx.descent, sample: timed(async () => net.predictProba(X)) },
        { name: "onnxruntime-node", sample: timed(runNode), dispose: () => void node.release() },
        { name: "onnxruntime-web", sample: timed(runWeb), dispose: () => { void web.release(); net.dispose(); } },
      ];
      return {
        contenders,
        note: "one thread each; descent: predictProba (upload, forward, softmax); ONNX Runtime: session.run of the exported model, probabilities fetched (onnxruntime-web: its wasm build in Node)",
        rounds: quick ? 2 : 7,
        warmupRounds: 1,
      };
    },
  };
}
