// trainInWorker in Node (a worker thread running the bundled library): the same weights as
// training here, progress per epoch, the caller's thread stays free, stop and cancel work.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LinearRegression, LogisticRegression, Sequential, dense, parseCsv, trainInWorker } from "../src/index.ts";

const csv = readFileSync(new URL("../data/penguins.csv", import.meta.url), "utf8");
const species = parseCsv(csv, { target: "species" });
const mass = parseCsv(csv, { target: "body_mass_g" });
const massY = mass.y as Float32Array; // a number column
const net = (): Sequential => new Sequential(
  [dense({ units: 8, activation: "prelu", slopes: "neuron" }), dense({ units: 3, activation: "softmax" })],
  { loss: "categoricalCrossentropy", lr: 0.01, seed: 5, batchSize: 16 },
);

describe("trainInWorker", () => {
  it("gives the weights training here gives, with one progress call per epoch", async () => {
    const here = await net().fit(species.X, species.y, { epochs: 20 });
    const seen: number[] = [];
    const there = await trainInWorker(net(), species.X, species.y, { epochs: 20, onEpoch: (e) => { seen.push(e.epoch); } });
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(there.history.loss).toEqual(here.history.loss);
    expect(there.layers[0].w.toArray()).toEqual(here.layers[0].w.toArray());
    expect(there.layers[0].slope?.toArray()).toEqual(here.layers[0].slope?.toArray());
    expect(there.predict(species.X)).toEqual(here.predict(species.X));
  });

  it("updateEvery brings the current weights into the model during training", async () => {
    const model = net();
    const accuracies: number[] = [];
    await trainInWorker(model, species.X, species.y, {
      epochs: 60, updateEvery: 0, onEpoch: (e) => { if (e.epoch % 20 === 0) accuracies.push(model.score(species.X, species.y)); },
    });
    expect(accuracies.length).toBe(3);
    expect(accuracies[2]).toBeGreaterThan(0.9);
  });

  it("brings back what fit reports besides weights", async () => {
    const lr = await trainInWorker(new LinearRegression(), mass.X, massY);
    expect(lr.solverUsed).toBe("normal");
    expect(lr.score(mass.X, massY)).toBeGreaterThan(0.7);
    const lg = await trainInWorker(new LogisticRegression(), species.X, species.y);
    expect(lg.convergence?.iterations).toBeGreaterThan(0);
    expect(lg.mode).toBe("multinomial");
  });

  it("keeps this thread free while a large model trains: a timer keeps firing on time", async () => {
    const big = new Sequential([dense({ units: 256, activation: "tanh" }), dense({ units: 256, activation: "relu" }), dense({ units: 3, activation: "softmax" })], {
      loss: "categoricalCrossentropy", batchSize: 8,
    });
    const gaps: number[] = [];
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      gaps.push(now - last);
      last = now;
    }, 10);
    await trainInWorker(big, species.X, species.y, { epochs: 15 });
    clearInterval(timer);
    expect(gaps.length).toBeGreaterThan(10);
    // Every tick came within a few timer periods: nothing blocked this thread for long.
    expect(Math.max(...gaps.slice(1))).toBeLessThan(100);
  });

  it("onEpoch returning false stops soon after; an aborted signal rejects and leaves the model untouched", async () => {
    const stopped = await trainInWorker(net(), species.X, species.y, { epochs: 100_000, onEpoch: (e) => e.epoch < 4 });
    // The worker learns of the stop at its next yield (about every 15 ms), a few epochs later.
    expect(stopped.history.loss.length).toBeGreaterThanOrEqual(4);
    expect(stopped.history.loss.length).toBeLessThan(5000);
    expect(stopped.score(species.X, species.y)).toBeGreaterThan(0.5);
    const controller = new AbortController();
    const model = net();
    const run = trainInWorker(model, species.X, species.y, {
      epochs: 1_000_000, signal: controller.signal, onEpoch: (e) => { if (e.epoch === 3) controller.abort(new Error("cancelled")); },
    });
    await expect(run).rejects.toThrow("cancelled");
    expect(() => model.predict(species.X)).toThrow(/not trained yet/);
  });

  it("bad input is refused before a worker starts", async () => {
    await expect(trainInWorker(net(), [[1, NaN]], ["a"])).rejects.toThrow(/X\[0\]\[1\] is NaN/);
    await expect(trainInWorker(net(), species.X, species.y, { onEpoch: 3 as never })).rejects.toThrow(/onEpoch must be a function/);
  });
});
