// Course question: "How should we define activation functions, for a layer or for a neuron?"
//
// Either works mathematically: an activation is applied elementwise, so every neuron could have
// its own. In practice one activation per layer is the norm, because a whole layer is then a
// single fused kernel over the rows × units block (here one WASM-SIMD pass), forward and
// backward. A per-neuron choice costs one kernel per distinct activation over the block plus a
// blend that keeps each neuron's columns, so it is slower, and it rarely fits better. The one
// place where "per neuron" is common is a learned parameter: PReLU's negative slope a in
// PR(x) = max(0, x) + a·min(0, x) can be one number for the layer (PyTorch's default) or one
// per neuron.
//
// descent supports both: dense({ units, activation: "tanh" }) per layer, and
// dense({ units, activation: ["relu", "tanh", "sigmoid", "prelu"], slopes: "neuron" }) per neuron.
// This example trains them on the same data (a disc inside a ring) with the same seed, prints
// the loss, the accuracy and the learned PReLU slopes, then times the two kinds of layer on a
// wider network.
//
// Run: npx tsx examples/02-per-layer-or-per-neuron.ts
import { pathToFileURL } from "node:url";
import { Sequential, dense, type DenseConfig, type LayerActivationInput, type Matrix } from "../src/index.ts";
import { circles, fmt, printTable, timed } from "./shared.ts";

export interface Row {
  name: string;
  loss: number;
  accuracy: number;
  /** The learned PReLU slopes of the hidden layer, if it has PReLU. */
  slopes: number[] | undefined;
}

export interface Result {
  rows: Row[];
  /** Milliseconds per epoch of the wide network, with one activation per layer and a mix per neuron. */
  msPerEpoch: { perLayer: number; perNeuron: number };
}

/** PReLU's default initial slope (dense's slopeInit). */
const SLOPE_INIT = 0.25;
const WIDE = 256;

async function train(X: Matrix, y: number[], hidden: DenseConfig): Promise<Sequential> {
  const model = new Sequential([hidden, dense({ units: 1, activation: "sigmoid" })], {
    loss: "binaryCrossentropy", optimizer: "adam", lr: 0.05, epochs: 150, batchSize: 32, seed: 7,
  });
  return model.fit(X, y);
}

/** Median milliseconds per epoch of a 2→256→1 network whose hidden layer uses `activation` (its cost dominates). */
async function msPerEpoch(X: Matrix, y: number[], activation: LayerActivationInput): Promise<number> {
  const epochs = 10;
  const { ms } = await timed(3, async () => {
    const model = new Sequential(
      [dense({ units: WIDE, activation }), dense({ units: 1, activation: "sigmoid" })],
      { loss: "binaryCrossentropy", epochs, batchSize: 256, seed: 7 },
    );
    await model.fit(X, y);
    model.dispose();
  });
  return ms / epochs;
}

export async function main(): Promise<Result> {
  const { X, y } = circles(600, 2);
  const MIX = ["relu", "tanh", "sigmoid", "prelu"] as const;
  const candidates: [string, DenseConfig][] = [
    ["per layer: tanh", dense({ units: 4, activation: "tanh" })],
    ["per layer: prelu, one slope for the layer", dense({ units: 4, activation: "prelu" })],
    ["per neuron: prelu, a slope per neuron", dense({ units: 4, activation: "prelu", slopes: "neuron" })],
    [`per neuron: ${MIX.join(", ")}`, dense({ units: 4, activation: [...MIX], slopes: "neuron" })],
  ];

  const rows: Row[] = [];
  for (const [name, hidden] of candidates) {
    const model = await train(X, y, hidden);
    const slope = model.layers[0].slope;
    rows.push({
      name,
      loss: model.history.loss[model.history.loss.length - 1],
      accuracy: model.score(X, y),
      slopes: slope === undefined ? undefined : Array.from(slope.data),
    });
    model.dispose();
  }

  console.log("An activation per layer or per neuron? Same data (a disc inside a ring, 600 points),");
  console.log("same seed, a hidden layer of 4 units, then a sigmoid output; 150 epochs of Adam:\n");
  printTable(["hidden layer", "loss (last epoch)", "accuracy", `PReLU slopes (start ${SLOPE_INIT})`], rows.map((r) => [
    r.name, r.loss, r.accuracy, r.slopes === undefined ? "—" : r.slopes.map((s) => fmt(s)).join(", "),
  ]));
  console.log("\nMost slopes went negative: with a < 0, PReLU is a V like |x|, the shape a disc calls for;");
  console.log("one slope for the layer found that as well as four did. In the mixed layer only the PReLU");
  console.log("neuron's slope (the last) is used and learned; the others keep their initial value.");

  // The cost: a per-layer activation is one fused pass; a mix runs every distinct activation over
  // the whole block and blends the columns each neuron keeps.
  const wide = circles(2048, 3);
  const perLayer = await msPerEpoch(wide.X, wide.y, "tanh");
  const perNeuron = await msPerEpoch(wide.X, wide.y, Array.from({ length: WIDE }, (_, j) => MIX[j % MIX.length]));
  console.log(`\nCost, 2→${WIDE}→1 on 2048 rows: one activation per layer ${perLayer.toFixed(2)} ms/epoch, a mix of four`);
  console.log(`per neuron ${perNeuron.toFixed(2)} ms/epoch (${(perNeuron / perLayer).toFixed(1)}×): one kernel per distinct activation plus a blend.`);
  console.log("\nSo: define the activation per layer (the norm: one fused kernel, the same fit here); per");
  console.log("neuron is possible but costs more, and where it pays is a learned parameter such as");
  console.log("PReLU's slope, which can be one per layer or one per neuron.");

  return { rows, msPerEpoch: { perLayer, perNeuron } };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
