// model.summary(): a table of a model's layers, as Keras prints one (type, units, activation,
// output shape, parameters, with the total), in plain text that reads the same in a terminal, a
// log or a test.
import { ACTIVATIONS, type Activation } from "../registry.ts";
import type { ActivationSpec, LayerActivation } from "./layers.ts";

/** One layer as the summary shows it; undefined where the data decides (before the first fit). */
export interface SummaryLayer {
  readonly inputs: number | undefined;
  readonly units: number | undefined;
  readonly activation: LayerActivation | string;
  readonly slopes: "layer" | "neuron";
}

const BY_NAME = new Map<string, Activation>((ACTIVATIONS as readonly Activation[]).map((a) => [a.name, a]));

/** "relu", "linear", or "elu(alpha=0.5)": parameters only where they differ from the defaults. */
export function activationText(spec: ActivationSpec | undefined): string {
  if (spec === undefined) return "linear";
  const params = (BY_NAME.get(spec.name)?.params ?? [])
    .map((p, i) => ({ name: p.name, value: spec.params[i], given: spec.params[i] !== Math.fround(p.default) }))
    .filter((p) => p.given);
  return params.length === 0 ? spec.name : `${spec.name}(${params.map((p) => `${p.name}=${p.value}`).join(", ")})`;
}

/** A layer's activation: one, or per neuron as "tanh, elu, prelu ×2" (in order of first use). */
export function layerActivationText(activation: LayerActivation | string): string {
  if (typeof activation === "string") return activation;
  if (!Array.isArray(activation)) return activationText(activation as ActivationSpec | undefined);
  const counts = new Map<string, number>();
  for (const a of activation as readonly (ActivationSpec | undefined)[]) {
    const text = activationText(a);
    counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  return [...counts].map(([text, n]) => (n === 1 ? text : `${text} ×${n}`)).join(", ");
}

/** PReLU's learnable slopes in a layer: none, one for the layer, or one per neuron. */
export function slopeCount(layer: SummaryLayer): number | undefined {
  const a = layer.activation;
  const specs = typeof a === "string" ? [] : Array.isArray(a) ? a as readonly (ActivationSpec | undefined)[] : [a as ActivationSpec | undefined];
  if (!specs.some((s) => s?.name === "prelu")) return 0;
  return layer.slopes === "neuron" ? layer.units : 1;
}

/** Weights, biases and PReLU slopes: inputs·units + units + slopes. */
export function parameterCount(layer: SummaryLayer): number | undefined {
  const { inputs, units } = layer;
  const slopes = slopeCount(layer);
  if (inputs === undefined || units === undefined || slopes === undefined) return undefined;
  return inputs * units + units + slopes;
}

/**
 * The summary: `title` on the first line, then a row per layer and the total. Counts the data
 * decides before the first fit show as "?".
 */
export function summaryText(title: string, layers: readonly SummaryLayer[]): string {
  const show = (n: number | undefined): string => (n === undefined ? "?" : n.toLocaleString("en-US"));
  const rows: string[][] = [["#", "layer", "units", "activation", "output shape", "parameters"]];
  let total: number | undefined = 0;
  layers.forEach((l, i) => {
    const params = parameterCount(l);
    total = total === undefined || params === undefined ? undefined : total + params;
    const slopes = slopeCount(l);
    const activation = layerActivationText(l.activation) + (slopes !== 0 && l.slopes === "neuron" ? " (a slope per neuron)" : "");
    rows.push([String(i + 1), "dense", show(l.units), activation, `[rows, ${show(l.units)}]`, show(params)]);
  });
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => [...r[c]].length)));
  const right = new Set([0, 2, 5]);
  const line = (r: readonly string[]): string =>
    r.map((cell, c) => {
      const fill = " ".repeat(widths[c] - [...cell].length);
      return right.has(c) ? fill + cell : cell + fill;
    }).join("  ").trimEnd();
  const rule = "─".repeat(line(rows[0]).length);
  const inputs = layers[0]?.inputs;
  const note = total === undefined ? ` (the first layer's inputs are X's columns, known at fit)` : "";
  return [
    title,
    rule,
    line(rows[0]),
    rule,
    ...rows.slice(1).map(line),
    rule,
    `Inputs: ${show(inputs)}   Total parameters: ${show(total)}${note}`,
  ].join("\n");
}
