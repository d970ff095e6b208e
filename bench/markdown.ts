// bench/RESULTS.md from runs of the suite: one per runtime (bench/run.ts --save, collected by
// bench/runtimes.ts as bench/out/node<N>.json) and the browser benchmark's (bench/browser.ts,
// bench/out/chromium.json). First what ran where (machine, versions, which backend is "descent"),
// the targets of every runtime side by side, the hand-written notes (kept when the file is
// written again), the target kernels across runtimes, then a section per runtime: selected
// kernels, two threads, every target with what a miss would take, the models, and every number in
// a collapsed block.
import { existsSync, readFileSync } from "node:fs";
import { BACKENDS, type Backend } from "./cases.ts";
import { MODEL_IMPLS } from "./models.ts";
import {
  caseHeader, caseTable, fmtInt, fmtMeasured, fmtMs, fmtRate, fmtRatio, verdict, type AllResults,
} from "./report.ts";
import type { BrowserRun, CaseResult, CopyBaseline, PeakBaseline, TargetCheck, TargetResult } from "./results.ts";
import { crossoverWords } from "./split.ts";

/** The kernels of the per-runtime tables (the README's rows, with the backward of the target kernels). */
export const SELECTED: readonly string[] = [
  "sigmoid_f32", "sigmoid_grad_f32", "tanh_f32", "tanh_grad_f32", "relu_f32", "leakyRelu_f32", "prelu_f32", "elu_f32", "elu_grad_f32",
  "softplus_f32", "softplus_grad_f32", "softmax_f32", "softmax_grad_f32", "logSoftmax_f32", "mseWithGrad_f32", "bceWithLogits_f32",
  "softmaxCrossEntropy_grad_f32", "adam_f32", "dot_f32", "gemv_f32 cols=256", "gemvT_f32 cols=256", "matmul_f32", "matmul_f32 Aᵀ·B",
  "matmul_f32 A·Bᵀ",
];
/** The kernels issue #10's targets name, for the table across runtimes. */
export const TARGET_KERNELS: readonly string[] = [
  "sigmoid_f32", "sigmoid_grad_f32", "elu_f32", "elu_grad_f32", "softmax_f32", "softmax_grad_f32", "tanh_f32", "tanh_grad_f32",
  "softplus_f32", "softplus_grad_f32",
];
const SIZE = 65_536;
const THREADS_SIZES = [1_048_576, 4_000_000];

const NOTES_START = "<!-- notes: written by hand, kept when the file is written again -->";
const NOTES_END = "<!-- /notes -->";

/** The hand-written notes of an existing RESULTS.md, if it has them. */
export function notesOf(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, "utf8");
  const a = text.indexOf(NOTES_START);
  const b = text.indexOf(NOTES_END);
  return a >= 0 && b > a ? text.slice(a + NOTES_START.length, b).trim() : undefined;
}

export interface RuntimesInput {
  /** One run of the suite per runtime, oldest Node first. */
  readonly runs: readonly AllResults[];
  readonly browser?: BrowserRun;
  /** The hand-written notes to keep. */
  readonly notes?: string;
}

const major = (r: AllResults): string => r.info.machine.node.replace(/^v/, "").split(".")[0];
const runtimeName = (r: AllResults): string => `Node ${major(r)}`;
const kernelName = (id: string): string => `\`${id.replace(/_f32/, "")}\``;
const mark = (met: boolean | undefined): string => (met === true ? "✓" : met === false ? "✗" : "");

function findCase(r: AllResults, id: string, size: number): CaseResult | undefined {
  return r.cases.find((c) => c.case === id && c.size === size);
}

/** A target's cell: the worst check's measured value and a mark, the subject when several were checked. */
function targetCell(t: TargetResult | undefined): string {
  if (t === undefined) return "";
  if (t.worst === undefined) return "not measured";
  const who = t.checks.length > 1 ? ` (${t.worst.subject.replace(/_f32| @ .*/g, "")})` : "";
  return `${fmtMeasured(t, t.worst.measured)} ${mark(t.met)}${who}`;
}

function checkLine(t: TargetResult, c: TargetCheck, first: boolean): string {
  const head = first ? `#${t.issue}: ${t.text} (**${verdict(t.met)}**)` : "";
  const detail = c.detail !== undefined ? ` (${c.detail})` : "";
  return `| ${head} | ${c.subject}${detail} | ${fmtMeasured(t, c.measured)} | ${c.met === true ? "met" : c.met === false ? "**not met**" : "–"} | ${c.met === false ? c.needs ?? "" : ""} |`;
}

function runLine(r: AllResults): string {
  const i = r.info;
  return `| ${runtimeName(r)} (${i.machine.node}) | ${i.machine.v8} | **${i.descent}** | ${i.backends.join(", ")} | ` +
    `${i.threads !== undefined ? `${i.threads} (split from ${fmtInt(i.splitMinElements)})` : "–"} | ${i.date.slice(0, 16).replace("T", " ")} | ${i.quick ? "quick" : "full"}, ${i.seconds.toFixed(0)} s |`;
}

export function runtimesMarkdown(input: RuntimesInput): string {
  const { runs, browser } = input;
  const out: string[] = [];
  const first = runs[0];
  out.push("# Benchmark results", "");
  out.push(
    "Made by `npm run bench:runtimes` (bench/runtimes.ts: `bench/run.ts` under each Node line, one after the other, each run " +
      "saved as bench/out/node<N>.json) and `npm run bench:browser` (bench/browser.ts: the playground's benchmark view in " +
      "headless Chromium, bench/out/chromium.json); `npm run bench:markdown` writes this file again from those files.",
    "",
  );
  const machine = first?.info.machine ?? browser?.machine;
  if (machine !== undefined) out.push(`Machine: ${machine.cpu}, ${machine.os}.${first?.info.tfjs !== undefined ? ` TensorFlow.js ${first.info.tfjs.version} (wasm backend on ${first.info.tfjs.wasmBinary}, SIMD ${first.info.tfjs.simd ? "on" : "off"}, threads ${first.info.tfjs.threads ? "on" : "off"}).` : ""}`, "");
  if (runs.some((r) => r.info.quick) || browser === undefined) {
    out.push(`**${runs.some((r) => r.info.quick) ? "Quick runs (`--quick`): a smoke test of the machinery, not a measurement." : ""}${browser === undefined ? " No browser run." : ""}**`, "");
  }
  out.push(
    "Ratios are measured side by side in one process (one page), interleaved, medians of many samples; absolute numbers move by " +
      "5–10 % between runs on a shared VM, and more across runtimes (separate processes, one after the other). \"descent\" is the " +
      "default runtime's backend on each engine: `wasm-relaxed` where relaxed SIMD validates (Node ≥ 22, Chromium), else `wasm-simd`.",
    "",
  );
  out.push("| runtime | V8 | descent | backends measured | 2 threads | date (UTC) | run |", "|---|---|---|---|---|---|---|");
  for (const r of runs) out.push(runLine(r));
  if (browser !== undefined) {
    out.push(`| ${browser.browser} (one page, in a worker) | – | **${browser.descent}** | ${browser.contenders.filter((c) => c !== "tfjs-wasm").join(", ")} | – | ${browser.date.slice(0, 16).replace("T", " ")} | ${browser.runs} run${browser.runs === 1 ? "" : "s"}, ${browser.seconds.toFixed(0)} s |`);
  }
  out.push("");

  // Targets across runtimes.
  out.push("## Targets", "");
  const ids: { id: string; issue: number; text: string }[] = [];
  for (const r of runs) for (const t of r.targets) if (!ids.some((x) => x.id === t.id)) ids.push({ id: t.id, issue: t.issue, text: t.text });
  for (const t of browser?.targets ?? []) if (!ids.some((x) => x.id === t.id)) ids.push({ id: t.id, issue: t.issue, text: t.text });
  ids.sort((a, b) => b.issue - a.issue);
  const cols = [...runs.map(runtimeName), ...(browser !== undefined ? ["Chromium"] : [])];
  out.push(
    "The worst check of each target on each runtime (✓ met, ✗ missed); each runtime's section below has every check and, for a miss, " +
      "the speed descent would need.", "",
  );
  out.push(`| target | ${cols.join(" | ")} |`, `|---|${cols.map(() => "---").join("|")}|`);
  for (const { id, issue, text } of ids) {
    const cells = runs.map((r) => targetCell(r.targets.find((t) => t.id === id)));
    if (browser !== undefined) cells.push(targetCell(browser.targets.find((t) => t.id === id)));
    out.push(`| #${issue}: ${text} | ${cells.join(" | ")} |`);
  }
  out.push("");

  // Hand-written notes.
  out.push("## Reading these runs", "");
  out.push(NOTES_START);
  out.push(input.notes ?? "(Nothing written yet: what each miss would take, and what explains it, goes here.)");
  out.push(NOTES_END, "");

  // The target kernels across runtimes.
  if (runs.length > 0 || browser !== undefined) {
    out.push("## The target kernels on every runtime", "");
    out.push(
      `descent's speed at ${fmtInt(SIZE)} elements (rows of 1,000 for softmax: 66,000) in Melem/s, and in brackets its ratio over ` +
        "TensorFlow.js's wasm backend in the same process (page).", "",
    );
    out.push(...acrossRuntimes(runs, browser, TARGET_KERNELS));
    out.push("");
    const base = runs.find((r) => major(r) === "20");
    const later = runs.filter((r) => r !== base);
    if (base !== undefined && later.length > 0) {
      out.push(
        `Each later Node against Node 20 (descent's Melem/s on it over Node 20's, each on its default backend; separate processes, ` +
          "one after the other, so within ~10 % this is noise):", "",
      );
      out.push(`| kernel | ${later.map((r) => `${runtimeName(r)} / 20`).join(" | ")} |`, `|---|${later.map(() => "---:").join("|")}|`);
      for (const id of TARGET_KERNELS) {
        const b = findCase(base, id, SIZE);
        const bRate = b?.impls[b.descent]?.melemPerS;
        const cells = later.map((r) => {
          const c = findCase(r, id, SIZE);
          const v = c?.impls[c.descent]?.melemPerS;
          return v === undefined || bRate === undefined ? "" : fmtRatio(v / bRate);
        });
        out.push(`| ${kernelName(id)} | ${cells.join(" | ")} |`);
      }
      out.push("");
    }
  }

  for (const r of runs) out.push(...runtimeSection(r));
  if (browser !== undefined) out.push(...browserSection(browser));
  return out.join("\n");
}

function runtimeSection(r: AllResults): string[] {
  const { info } = r;
  const out: string[] = [];
  const backends: readonly Backend[] = info.backends;
  out.push(`## ${runtimeName(r)}: ${info.machine.node}, V8 ${info.machine.v8}; descent = ${info.descent}`, "");
  out.push(
    `${info.quick ? "Quick run" : "Full run"} of ${info.date.slice(0, 10)}, ${info.seconds.toFixed(0)} s. Backends: ${backends.join(", ")}` +
      `${info.backends.includes("wasm-relaxed") ? "" : " (no relaxed SIMD on this engine)"}.` +
      (info.baseline !== undefined ? ` "Nothing slower than before" compares with ${info.baseline}.` : ""),
    "",
  );

  // Selected kernels.
  const rows = SELECTED.map((id) => findCase(r, id, SIZE)).filter((c): c is CaseResult => c !== undefined);
  if (rows.length > 0) {
    const shown = BACKENDS.filter((b) => backends.includes(b));
    const relaxed = shown.includes("wasm-relaxed") && shown.includes("wasm-simd");
    out.push(`### Kernels at ${fmtInt(SIZE)} elements`, "");
    out.push(`Melem/s (median); ratios are descent's (\`${info.descent}\`) speed over the other's.`, "");
    const head = ["kernel", "elements", ...shown, "plain JS loop", "tfjs-wasm", "tfjs-cpu", "d/plain", "d/tfjs-wasm", ...(relaxed ? ["relaxed/simd"] : [])];
    out.push(`| ${head.join(" | ")} |`, `|---|${head.slice(1).map(() => "---:").join("|")}|`);
    for (const c of rows) {
      const rate = (k: keyof CaseResult["impls"]): string => fmtRate(c.impls[k]?.melemPerS);
      const cells = [
        kernelName(c.case), fmtInt(c.elements), ...shown.map((b) => (b === c.descent ? `**${rate(b)}**` : rate(b))),
        `${rate("plain")}${c.plain === "reference" ? "*" : ""}`, rate("tfjs-wasm"), rate("tfjs-cpu"),
        fmtRatio(c.ratios.descentOverPlain), fmtRatio(c.ratios.descentOverTfjsWasm), ...(relaxed ? [fmtRatio(c.ratios.relaxedOverSimd)] : []),
      ];
      out.push(`| ${cells.join(" | ")} |`);
    }
    if (rows.some((c) => c.plain === "reference")) out.push("", "\\* no plain loop: the registry's float64 reference, per element.");
    out.push("");
  }

  // Two threads.
  const threaded = r.cases.filter((c) => THREADS_SIZES.includes(c.size) && c.impls["2 threads"] !== undefined);
  if (threaded.length > 0 || (r.threads ?? []).length > 0) {
    out.push("### Two threads", "");
  }
  if (threaded.length > 0) {
    out.push(
      `The \`${info.descent}\` kernel split as a runtime with \`threads: 2\` splits it (from ${fmtInt(info.splitMinElements)} floats), ` +
        "against the same kernel on one thread and TensorFlow.js's wasm backend (no threads in Node); Melem/s.", "",
    );
    out.push("| kernel | elements | 1 thread | 2 threads | tfjs-wasm | 2 threads / 1 | 2 threads / tfjs-wasm |", "|---|---:|---:|---:|---:|---:|---:|");
    for (const c of threaded) {
      out.push(`| ${kernelName(c.case)} | ${fmtInt(c.elements)} | ${fmtRate(c.impls[c.descent]?.melemPerS)} | ${fmtRate(c.impls["2 threads"]?.melemPerS)} | ` +
        `${fmtRate(c.impls["tfjs-wasm"]?.melemPerS)} | ${fmtRatio(c.ratios.threadsOverDescent)} | ${fmtRatio(c.ratios.threadsOverTfjsWasm)} |`);
    }
    out.push("");
  }
  for (const t of r.threads ?? []) {
    const points = t.points.map((p) => `${fmtInt(p.elements)}: ×${p.speedup.toFixed(2)}`).join(", ");
    out.push(`- ${kernelName(t.kernel)}: ${crossoverWords(t)}. Split at every size (2 threads / 1): ${points}.`);
  }
  if ((r.threads ?? []).length > 0) out.push("");

  // Targets.
  out.push("### Targets", "");
  out.push("| target | checked on | measured | | what it would take |", "|---|---|---:|---|---|");
  for (const t of r.targets) t.checks.forEach((c, i) => out.push(checkLine(t, c, i === 0)));
  out.push("");

  // Models.
  if (r.models.length > 0) {
    out.push("### Models", "");
    out.push(`Milliseconds per epoch or per fit (median), and how many times faster descent (\`${info.descent}\`, one thread) is.`, "");
    const modelCols = MODEL_IMPLS.filter((i) => r.models.some((m) => m.impls[i] !== undefined));
    out.push(`| case | ${modelCols.join(" | ")} |`, `|---|${modelCols.map(() => "---:").join("|")}|`);
    for (const m of r.models) {
      const cells = modelCols.map((i) => {
        const s = m.impls[i];
        if (s === undefined) return "";
        return i === m.descent ? `**${fmtMs(s.medianMs)}**` : `${fmtMs(s.medianMs)} (${fmtRatio(m.ratios[i])})`;
      });
      out.push(`| ${m.case} (${m.unit}; ${m.shape}) | ${cells.join(" | ")} |`);
    }
    out.push("");
  }

  // The machine's limits, and every number.
  const copies = r.baselines.filter((b): b is CopyBaseline => b.name === "memory.copy");
  const peak = r.baselines.find((b): b is PeakBaseline => b.name === "peak f32x4");
  if (peak !== undefined || copies.length > 0) {
    out.push(
      `The machine's limits in this run: peak f32x4 ${peak !== undefined ? `${(peak.flopsPerS / 1e9).toFixed(1)} Gflop/s (${peak.chains} chains)` : "–"}; ` +
        `memory.copy ${copies.map((c) => `${(c.bytesPerS / 1e9).toFixed(1)} GB/s at ${fmtInt(c.bytes)} B`).join(", ")}.`, "",
    );
  }
  if (r.cases.length > 0) {
    out.push("<details><summary>Every kernel at every size</summary>", "");
    out.push("Median throughput in Melem/s (± interquartile range in % of the median).", "");
    const header = caseHeader(backends);
    out.push("```", header);
    let section = "";
    let name = "";
    for (const c of r.cases) {
      if (c.section !== section) {
        section = c.section;
        out.push(`── ${section} ${"─".repeat(Math.max(0, header.length - section.length - 4))}`);
      }
      out.push(caseTable([c], c.case !== name, backends));
      name = c.case;
    }
    out.push("```", "", "</details>", "");
  }
  if (info.disagreements.length > 0) out.push(`Disagreements: ${info.disagreements.join("; ")}.`, "");
  return out;
}

function browserSection(b: BrowserRun): string[] {
  const out: string[] = [];
  out.push(`## ${b.browser}: descent = ${b.descent}`, "");
  out.push(
    `The playground's benchmark view (web/bench-core.ts, the same timing harness) in headless ${b.browser}, one page, in its worker, ` +
      `${b.runs} run${b.runs === 1 ? "" : "s"} (the median of each number over them), ${b.date.slice(0, 10)}. ` +
      (b.tfjs !== undefined ? `TensorFlow.js ${b.tfjs.version} wasm backend on ${b.tfjs.wasmBinary} (SIMD ${b.tfjs.simd ? "on" : "off"}, threads ${b.tfjs.threads ? "on" : "off"}). ` : "") +
      "Melem/s.", "",
  );
  const head = ["kernel", "elements", ...b.contenders, "descent/tfjs-wasm"];
  out.push(`| ${head.join(" | ")} |`, `|---|${head.slice(1).map(() => "---:").join("|")}|`);
  for (const row of b.rows) {
    const d = row.melems[b.descent];
    const tf = row.melems["tfjs-wasm"];
    const cells = [row.kernel, fmtInt(row.elements), ...b.contenders.map((c) => (c === b.descent ? `**${fmtRate(row.melems[c])}**` : fmtRate(row.melems[c]))),
      d !== undefined && tf !== undefined ? fmtRatio(d / tf) : "–"];
    out.push(`| ${cells.join(" | ")} |`);
  }
  out.push("");
  out.push("| target | checked on | measured | | what it would take |", "|---|---|---:|---|---|");
  for (const t of b.targets) t.checks.forEach((c, i) => out.push(checkLine(t, c, i === 0)));
  out.push("");
  return out;
}

/**
 * A table of kernels × runtimes: descent's Melem/s at 65,536 and, in brackets, its ratio over
 * tfjs-wasm in the same process (the README's per-runtime table is one).
 */
export function acrossRuntimes(runs: readonly AllResults[], browser: BrowserRun | undefined, kernels: readonly string[]): string[] {
  const cols = [...runs.map((r) => `${runtimeName(r)} (${r.info.descent})`), ...(browser !== undefined ? [`${browser.browser.replace(/\.\d+\.\d+$/, "")} (${browser.descent})`] : [])];
  const out = [`| kernel | ${cols.join(" | ")} |`, `|---|${cols.map(() => "---:").join("|")}|`];
  for (const id of kernels) {
    const cells = runs.map((r) => {
      const c = findCase(r, id, SIZE);
      const d = c?.impls[c.descent]?.melemPerS;
      return d === undefined ? "" : `${fmtRate(d)} (${fmtRatio(c?.ratios.descentOverTfjsWasm)})`;
    });
    if (browser !== undefined) {
      const row = browser.rows.find((x) => `${x.kernel}_f32` === id);
      const d = row?.melems[browser.descent];
      const tf = row?.melems["tfjs-wasm"];
      cells.push(d === undefined ? "" : `${fmtRate(d)}${tf !== undefined ? ` (${fmtRatio(d / tf)})` : ""}`);
    }
    out.push(`| ${kernelName(id)} | ${cells.join(" | ")} |`);
  }
  return out;
}

/** bench/RESULTS.md's format for a single run (bench/run.ts --markdown). */
export function markdownReport(r: AllResults, notes?: string): string {
  return runtimesMarkdown({ runs: [r], notes });
}
