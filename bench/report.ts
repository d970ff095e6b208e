// The benchmark suite's outputs, from one run's results (bench/results.ts): the terminal table and
// a self-contained HTML report (inline SVG charts and CSS, nothing fetched): the targets with their
// measured ratios, the machine's limits, throughput against size for every kernel with the
// crossover where descent's WebAssembly starts to beat plain JavaScript, where two threads start
// to pay, and the model cases. The Markdown of bench/RESULTS.md is bench/markdown.ts's.
import { BACKENDS, IMPLS, type Backend, type ImplName } from "./cases.ts";
import { MODEL_IMPLS, type ModelImpl } from "./models.ts";
import {
  agreementTolerance, crossover, type BaselineResult, type CaseResult, type CopyBaseline, type ModelResult, type PeakBaseline, type RunInfo,
  type TargetCheck, type TargetResult, type ThreadsResult,
} from "./results.ts";
import { crossoverWords } from "./split.ts";

export { markdownReport } from "./markdown.ts";

export interface AllResults {
  readonly info: RunInfo;
  readonly cases: readonly CaseResult[];
  readonly baselines: readonly BaselineResult[];
  readonly models: readonly ModelResult[];
  /** Where two threads start to pay (absent in runs made before it was measured). */
  readonly threads?: readonly ThreadsResult[];
  readonly targets: readonly TargetResult[];
}

// ---------------------------------------------------------------------------- numbers

export function fmtRate(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return "–";
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

export const fmtRatio = (v: number | undefined): string =>
  v !== undefined && Number.isFinite(v) ? `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)}×` : "–";

export const fmtPct = (v: number | undefined): string => (v !== undefined && Number.isFinite(v) ? `${(v * 100).toFixed(v >= 0.1 ? 0 : 1)}%` : "");
export const fmtInt = (n: number): string => n.toLocaleString("en-US");
export const fmtMs = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3));

export function fmtMeasured(t: { unit: "×" | "ns" }, v: number | undefined): string {
  if (v === undefined) return "–";
  return t.unit === "ns" ? `${v >= 0 ? "+" : ""}${v.toFixed(0)} ns` : fmtRatio(v);
}

export const verdict = (met: boolean | undefined): string => (met === true ? "met" : met === false ? "NOT MET" : "not measured");

// ---------------------------------------------------------------------------- terminal

/** The kernel table's speed columns: descent's backends of the run, then the others. */
function caseColumns(backends: readonly Backend[]): { readonly impl: ImplName; readonly title: string }[] {
  return [
    ...BACKENDS.filter((b) => backends.includes(b)).map((b) => ({ impl: b, title: b })),
    { impl: "2 threads", title: "2 threads" },
    { impl: "plain", title: "plain" },
    { impl: "api", title: "api" },
    { impl: "tfjs-wasm", title: "tfjs-wasm" },
    { impl: "tfjs-cpu", title: "tfjs-cpu" },
  ];
}
/** Ratios of the kernel table: d is descent (the run's default backend), 2t its 2-thread runtime. */
const RATIOS: readonly { readonly key: keyof CaseResult["ratios"]; readonly title: string }[] = [
  { key: "descentOverJs", title: "d/js" },
  { key: "descentOverPlain", title: "d/plain" },
  { key: "descentOverTfjsWasm", title: "d/tfw" },
  { key: "descentOverTfjsCpu", title: "d/tfc" },
  { key: "threadsOverTfjsWasm", title: "2t/tfw" },
];
const W = { id: 30, n: 10, cell: 12, ratio: 9, pct: 7, api: 8 };

/** The kernel table's header for a run measuring `backends`. */
export function caseHeader(backends: readonly Backend[]): string {
  return `${"kernel".padEnd(W.id)}${"elements".padStart(W.n)}${caseColumns(backends).map((c) => c.title.padStart(W.cell)).join("")}` +
    `${RATIOS.map((r) => r.title.padStart(W.ratio)).join("")}${"%copy".padStart(W.pct)}${"%peak".padStart(W.pct)}${"api ns".padStart(W.api)}`;
}

/** At large n the overhead drowns in the kernel's own variation: say so rather than print noise. */
function fmtOverhead(ns: number | undefined, noise: number | undefined): string {
  if (ns === undefined) return "";
  if (noise !== undefined && Math.abs(ns) < noise) return "≈0";
  return `${ns >= 0 ? "+" : ""}${ns.toFixed(0)}`;
}

/** Rows of the kernel table; `first` labels the first row with the case's name. */
export function caseTable(results: readonly CaseResult[], first: boolean, backends: readonly Backend[]): string {
  const columns = caseColumns(backends);
  return results.map((r, i) => {
    const cells = columns.map((c) => {
      const s = r.impls[c.impl];
      if (s === undefined) return "".padStart(W.cell);
      const mark = c.impl === "plain" && r.plain === "reference" ? "*" : " ";
      const spread = Number.isFinite(s.iqrPct) ? Math.min(99, Math.round(s.iqrPct)) : 0;
      return `${fmtRate(s.melemPerS)}${mark}±${String(spread).padEnd(2)}`.padStart(W.cell);
    }).join("");
    const ratios = RATIOS.map((k) => (Number.isFinite(r.ratios[k.key]) ? fmtRatio(r.ratios[k.key]) : "").padStart(W.ratio)).join("");
    const off = Object.entries(r.impls)
      .filter(([name, s]) => s !== undefined && !(s.relDiffVsJs <= agreementTolerance(name)))
      .map(([name, s]) => `${name} differs from js by ${s?.relDiffVsJs.toExponential(1)}`);
    const label = first && i === 0 ? r.case : "";
    return `${label.padEnd(W.id)}${fmtInt(r.elements).padStart(W.n)}${cells}${ratios}` +
      `${fmtPct(r.copyFraction).padStart(W.pct)}${fmtPct(r.peakFraction).padStart(W.pct)}${fmtOverhead(r.apiOverheadNs, r.apiNoiseNs).padStart(W.api)}` +
      (off.length > 0 ? `   ! ${off.join("; ")}` : "");
  }).join("\n");
}

/** One model case: a line per implementation, time per unit and how many times slower than descent. */
export function modelTable(m: ModelResult): string {
  const lines = [`${m.case}: ${m.shape}; ms per ${m.unit} (median ± interquartile %), and descent's (${m.descent}) speed-up over it`];
  for (const impl of MODEL_IMPLS) {
    const s = m.impls[impl];
    if (s === undefined) continue;
    const r = impl === m.descent ? "" : fmtRatio(m.ratios[impl]);
    const agree = s.relDiff === undefined ? "" : `weights vs reference ${s.relDiff.toExponential(1)}`;
    lines.push(`  ${impl.padEnd(27)}${fmtMs(s.medianMs).padStart(10)} ms ±${String(Math.min(99, Math.round(s.iqrPct))).padEnd(3)}${r.padStart(9)}   ${agree}`);
  }
  lines.push(`  (${m.note})`);
  return lines.join("\n");
}

function checkText(t: TargetResult, c: TargetCheck): string {
  const mark = c.met === true ? "✓" : c.met === false ? "✗" : "?";
  return `${c.subject} ${fmtMeasured(t, c.measured)} ${mark}`;
}

/** The targets section: one line per target, then its measured checks (all of them, or only the missed ones), and what each miss would take. */
export function targetsText(targets: readonly TargetResult[], all: boolean, descent?: string): string {
  const met = targets.filter((t) => t.met === true).length;
  const lines = [`── targets: ${met} of ${targets.length} met${descent !== undefined ? ` (descent = ${descent})` : ""} ${"─".repeat(40)}`];
  let issue = 0;
  for (const t of targets) {
    if (t.issue !== issue) {
      issue = t.issue;
      lines.push(`issue #${issue}:`);
    }
    const worst = t.worst === undefined ? "" : ` (worst: ${t.worst.subject} ${fmtMeasured(t, t.worst.measured)})`;
    const missing = t.checks.filter((c) => c.met === undefined).length;
    lines.push(`${verdict(t.met).padEnd(13)} ${t.text}${worst}${missing > 0 ? ` [${missing} of ${t.checks.length} checks not measured in this run]` : ""}`);
    const shown = t.checks.filter((c) => c.met === false || (all && c.met === true));
    let line = "";
    for (const c of shown) {
      const piece = checkText(t, c) + (c.detail !== undefined && c.met !== true ? ` [${c.detail}]` : "");
      if (line.length + piece.length > 150) {
        lines.push(`              ${line}`);
        line = "";
      }
      line += (line === "" ? "" : "; ") + piece;
    }
    if (line !== "") lines.push(`              ${line}`);
    for (const c of t.checks) if (c.met === false && c.needs !== undefined) lines.push(`              ${c.subject}: ${c.needs}`);
  }
  return lines.join("\n");
}

// ---------------------------------------------------------------------------- HTML

/** Escapes text for HTML element content and attribute values. */
export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const COLORS: Readonly<Record<string, string>> = {
  "wasm-relaxed": "#0a3069", "wasm-simd": "#1f6feb", wasm: "#8250df", js: "#bf8700", plain: "#cf222e", api: "#54aeff",
  "2 threads": "#bc4c00", threads: "#bc4c00", "1 thread": "#1f6feb",
  "tfjs-wasm": "#1a7f37", "tfjs-cpu": "#6e7781", "memory.copy": "#222222",
  "ml.js": "#fb8500", "ml.js (statistics: false)": "#ffb703",
};

interface Series {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
  readonly dashed?: boolean;
}

const niceLog = (v: number, up: boolean): number => 10 ** (up ? Math.ceil(Math.log10(v)) : Math.floor(Math.log10(v)));

function fmtAxis(v: number): string {
  if (v >= 1e6) return `${v / 1e6}M`;
  if (v >= 1e3) return `${v / 1e3}k`;
  return String(v);
}

/** A log-log line chart as inline SVG. */
export function lineChart(
  title: string, series: readonly Series[], markers: readonly { readonly x: number; readonly label: string }[], yLabel: string,
): string {
  const w = 360;
  const h = 230;
  const m = { l: 48, r: 10, t: 22, b: 34 };
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1])).filter((v) => v > 0 && Number.isFinite(v));
  if (xs.length === 0 || ys.length === 0) return "";
  const x0 = niceLog(Math.min(...xs), false);
  const x1 = niceLog(Math.max(...xs) * 1.0001, true);
  const y0 = niceLog(Math.min(...ys), false);
  const y1 = niceLog(Math.max(...ys) * 1.0001, true);
  const px = (x: number): number => m.l + ((Math.log10(x) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0) || 1)) * (w - m.l - m.r);
  const py = (y: number): number => h - m.b - ((Math.log10(y) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0) || 1)) * (h - m.t - m.b);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(title)}">`);
  parts.push(`<text x="${m.l}" y="14" class="ct">${esc(title)}</text>`);
  for (let e = Math.log10(x0); e <= Math.log10(x1) + 1e-9; e++) {
    const x = px(10 ** e).toFixed(1);
    parts.push(`<line x1="${x}" y1="${m.t}" x2="${x}" y2="${h - m.b}" class="grid"/>`);
    parts.push(`<text x="${x}" y="${h - m.b + 13}" class="tick" text-anchor="middle">${fmtAxis(10 ** e)}</text>`);
  }
  for (let e = Math.log10(y0); e <= Math.log10(y1) + 1e-9; e++) {
    const y = py(10 ** e).toFixed(1);
    parts.push(`<line x1="${m.l}" y1="${y}" x2="${w - m.r}" y2="${y}" class="grid"/>`);
    parts.push(`<text x="${m.l - 4}" y="${y}" class="tick" text-anchor="end" dominant-baseline="middle">${fmtAxis(10 ** e)}</text>`);
  }
  parts.push(`<text x="${(m.l + w - m.r) / 2}" y="${h - 4}" class="tick" text-anchor="middle">elements</text>`);
  parts.push(`<text x="10" y="${(m.t + h - m.b) / 2}" class="tick" text-anchor="middle" transform="rotate(-90 10 ${(m.t + h - m.b) / 2})">${esc(yLabel)}</text>`);
  for (const mk of markers) {
    if (!(mk.x >= x0 && mk.x <= x1)) continue;
    const x = px(mk.x).toFixed(1);
    parts.push(`<line x1="${x}" y1="${m.t}" x2="${x}" y2="${h - m.b}" class="cross"/>`);
    parts.push(`<text x="${x}" y="${m.t + 9}" class="tick cross-label" text-anchor="start">&#160;${esc(mk.label)}</text>`);
  }
  for (const s of series) {
    const pts = s.points.filter((p) => p[1] > 0 && Number.isFinite(p[1]));
    if (pts.length === 0) continue;
    const color = COLORS[s.name] ?? "#000000";
    const d = pts.map((p, i) => `${i === 0 ? "M" : "L"}${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join(" ");
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="4 3"' : ""}><title>${esc(s.name)}</title></path>`);
    for (const p of pts) {
      parts.push(`<circle cx="${px(p[0]).toFixed(1)}" cy="${py(p[1]).toFixed(1)}" r="2.2" fill="${color}"><title>${esc(`${s.name}: ${fmtRate(p[1])} at ${fmtInt(p[0])}`)}</title></circle>`);
    }
  }
  parts.push("</svg>");
  return parts.join("");
}

/** Horizontal bars (log scale) of time per unit, one per implementation. */
export function barChart(m: ModelResult): string {
  const entries: [ModelImpl, { medianMs: number }][] = [];
  for (const i of MODEL_IMPLS) {
    const s = m.impls[i];
    if (s !== undefined) entries.push([i, s]);
  }
  if (entries.length === 0) return "";
  const w = 520;
  const row = 20;
  const left = 170;
  const h = entries.length * row + 26;
  const max = Math.max(...entries.map((e) => e[1].medianMs));
  const min = Math.min(...entries.map((e) => e[1].medianMs));
  const lo = niceLog(min, false) / 2;
  const hi = niceLog(max * 1.0001, true);
  const px = (v: number): number => left + ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (w - left - 80);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(m.case)}">`];
  parts.push(`<text x="4" y="14" class="ct">${esc(`ms per ${m.unit} (log scale)`)}</text>`);
  entries.forEach(([name, s], i) => {
    const y = 22 + i * row;
    const ratio = name === m.descent ? "" : ` (${fmtRatio(m.ratios[name])})`;
    parts.push(`<text x="${left - 6}" y="${y + 11}" class="tick" text-anchor="end">${esc(name)}</text>`);
    parts.push(`<rect x="${left}" y="${y}" width="${Math.max(1, px(s.medianMs) - left).toFixed(1)}" height="${row - 6}" fill="${COLORS[name] ?? "#000"}"/>`);
    parts.push(`<text x="${(px(s.medianMs) + 4).toFixed(1)}" y="${y + 11}" class="tick">${esc(`${fmtMs(s.medianMs)} ms${ratio}`)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("");
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1f2328;max-width:1500px}
h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #d0d7de}h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #d0d7de;padding:3px 7px;text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.l,th.l{white-space:normal;max-width:520px}
th{background:#f6f8fa}td.l,th.l{text-align:left}.met{background:#dafbe1}.miss{background:#ffebe9}.na{background:#f6f8fa}
.grid{stroke:#eaeef2;stroke-width:1}.tick{font-size:10px;fill:#57606a}.ct{font-size:12px;font-weight:600;fill:#1f2328}
.cross{stroke:#cf222e;stroke-dasharray:3 3}.cross-label{fill:#cf222e}
.charts{display:flex;flex-wrap:wrap;gap:10px}.chart{border:1px solid #d0d7de;padding:4px}
.legend span{display:inline-block;margin-right:14px}.legend i{display:inline-block;width:18px;height:3px;vertical-align:middle;margin-right:4px}
details{margin:6px 0}code{background:#f6f8fa;padding:1px 4px}
`;

function table(head: readonly string[], rows: readonly (readonly string[])[], leftCols = 1, rowClass?: (i: number) => string): string {
  const th = head.map((h, i) => `<th${i < leftCols ? ' class="l"' : ""}>${esc(h)}</th>`).join("");
  const body = rows.map((r, i) => {
    const cls = rowClass?.(i);
    return `<tr${cls ? ` class="${cls}"` : ""}>${r.map((c, j) => `<td${j < leftCols ? ' class="l"' : ""}>${esc(c)}</td>`).join("")}</tr>`;
  }).join("");
  return `<table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

function legend(names: readonly string[]): string {
  return `<p class="legend">${names.map((n) => `<span><i style="background:${COLORS[n] ?? "#000"}"></i>${esc(n)}</span>`).join("")}</p>`;
}

/** Crossovers of a case: where descent's backend, and the typed API, start to beat the plain JS loop for good. */
export function caseCrossovers(rows: readonly CaseResult[]): { readonly label: string; readonly at: number | undefined; readonly always: boolean }[] {
  const descent: ImplName = rows[0]?.descent ?? "wasm-simd";
  const pairs: [ImplName, ImplName, string][] = [[descent, "plain", `${descent} > JS`], ["api", "plain", "API > JS"]];
  return pairs.map(([a, b, label]) => {
    const c = crossover(rows.map((r) => ({ elements: r.elements, a: r.impls[a]?.melemPerS, b: r.impls[b]?.melemPerS })));
    return { label, impl: a, ...c };
  }).filter((c) => rows.some((r) => r.impls[c.impl] !== undefined)).map(({ label, at, always }) => ({ label, at, always }));
}

function fmtCrossover(c: { at: number | undefined; always: boolean }): string {
  if (c.at === undefined) return "never (in the sizes measured)";
  return c.always ? `already at ${fmtInt(c.at)}` : `from ≈${fmtInt(Math.round(c.at))}`;
}

export function htmlReport(r: AllResults): string {
  const { info } = r;
  const body: string[] = [];
  body.push(`<h1>descent benchmarks${info.quick ? " (--quick)" : ""}</h1>`);
  body.push(
    `<p>${esc(info.date)} · ${esc(info.machine.cpu)} · ${esc(info.machine.os)} · Node ${esc(info.machine.node)} (V8 ${esc(info.machine.v8)}) · ` +
      `descent = <b>${esc(info.descent)}</b>, the default runtime's backend here (measured: ${esc(info.backends.join(", "))}) · ` +
      `${info.seconds.toFixed(0)} s · sizes ${esc(info.sizes.map(fmtInt).join(", "))} · ${info.samples} interleaved samples per contender` +
      (info.tfjs !== undefined
        ? ` · TensorFlow.js ${esc(info.tfjs.version)}, wasm backend on <code>${esc(info.tfjs.wasmBinary)}</code> (SIMD ${info.tfjs.simd ? "on" : "off"}, threads ${info.tfjs.threads ? "on" : "off"})`
        : " · TensorFlow.js not measured") +
      "</p>",
  );
  if (info.disagreements.length > 0) body.push(`<p class="miss">Results that differ from the js backend: ${esc(info.disagreements.join("; "))}</p>`);

  // Targets.
  const met = r.targets.filter((t) => t.met === true).length;
  body.push(`<h2>Speed targets: ${met} of ${r.targets.length} met</h2>`);
  body.push(table(["target", "", "checks met", "worst check", "measured", "needed", "what it would take"], r.targets.map((t) => [
    `#${t.issue}: ${t.text}`, verdict(t.met), `${t.checks.filter((c) => c.met === true).length} of ${t.checks.length}`, t.worst?.subject ?? "–",
    fmtMeasured(t, t.worst?.measured), `${t.comparison === ">=" ? "≥" : "≤"} ${t.threshold}${t.unit === "ns" ? " ns" : "×"}`,
    t.worst?.met === false ? t.worst.needs ?? "" : "",
  ]), 2, (i) => (r.targets[i].met === true ? "met" : r.targets[i].met === false ? "miss" : "na")));
  body.push("<details><summary>Every check</summary>");
  const trows: string[][] = [];
  const tclass: string[] = [];
  for (const t of r.targets) {
    t.checks.forEach((c, i) => {
      trows.push([
        i === 0 ? `${t.text} — ${verdict(t.met)}` : "", c.subject, fmtMeasured(t, c.measured), `${t.comparison === ">=" ? "≥" : "≤"} ${t.threshold}${t.unit === "ns" ? " ns" : "×"}`,
        c.met === true ? "met" : c.met === false ? "not met" : "–", [c.detail, c.needs].filter((x) => x !== undefined).join("; "),
      ]);
      tclass.push(c.met === true ? "met" : c.met === false ? "miss" : "na");
    });
  }
  body.push(table(["target", "checked on", "measured", "needed", "", "note"], trows, 2, (i) => tclass[i]));
  body.push("</details>");

  // The machine's limits.
  const copies = r.baselines.filter((b): b is CopyBaseline => b.name === "memory.copy");
  const peak = r.baselines.find((b): b is PeakBaseline => b.name === "peak f32x4");
  body.push("<h2>The machine's limits</h2>");
  if (peak !== undefined) {
    body.push(`<p>Peak f32x4 arithmetic: <b>${(peak.flopsPerS / 1e9).toFixed(1)} Gflop/s</b> (hand-assembled WebAssembly, ${peak.chains} independent chains of <code>f32x4.mul</code> + <code>f32x4.add</code>; ` +
      `${esc(Object.entries(peak.byChains).map(([c, f]) => `${c} chains: ${(f / 1e9).toFixed(1)}`).join(", "))}).</p>`);
  }
  if (copies.length > 0) {
    body.push(`<div class="charts"><div class="chart">${lineChart("memory.copy bandwidth", [{ name: "memory.copy", points: copies.map((c) => [c.size, c.bytesPerS / 1e9] as const) }], [], "GB/s")}</div>` +
      `<div>${table(["bytes", "GB/s", "µs"], copies.map((c) => [fmtInt(c.bytes), (c.bytesPerS / 1e9).toFixed(1), c.medianUs.toFixed(2)]), 0)}</div></div>`);
    body.push("<p>In every kernel chart the dashed black line is <code>memory.copy</code> over the kernel's own traffic (half read, half written), timed interleaved with it: the speed a kernel that only streams its data could reach.</p>");
  }

  // Kernels.
  const byCase = new Map<string, CaseResult[]>();
  for (const c of r.cases) byCase.set(c.case, [...(byCase.get(c.case) ?? []), c]);
  const sections = [...new Set(r.cases.map((c) => c.section))];
  if (r.cases.length > 0) body.push("<h2>Kernels: throughput against size</h2>");
  if (r.cases.length > 0) {
    body.push(legend([...IMPLS, "memory.copy"]));
    body.push(`<p>Melem/s (log-log). Red dashed lines: where ${esc(info.descent)} (and the typed API) start to beat the plain JS loop for good.</p>`);
  }
  for (const section of sections) {
    body.push(`<h3>${esc(section)}</h3><div class="charts">`);
    for (const [id, rows] of byCase) {
      if (rows[0].section !== section) continue;
      const series: Series[] = IMPLS.map((impl) => ({
        name: impl,
        points: rows.filter((x) => x.impls[impl] !== undefined).map((x) => [x.elements, x.impls[impl]?.melemPerS ?? NaN] as const),
      }));
      series.push({
        name: "memory.copy", dashed: true,
        points: rows.filter((x) => x.copyUs !== undefined).map((x) => [x.elements, x.elements / (x.copyUs as number)] as const),
      });
      const cross = caseCrossovers(rows);
      const markers = cross.filter((c) => c.at !== undefined && !c.always).map((c) => ({ x: c.at as number, label: c.label }));
      const caption = cross.map((c) => `${c.label}: ${fmtCrossover(c)}`).join("; ");
      body.push(`<div class="chart">${lineChart(id, series, markers, "Melem/s")}<div class="tick">${esc(caption)}</div></div>`);
    }
    body.push("</div>");
  }
  if (r.cases.length > 0) {
    body.push("<details><summary>All kernel numbers</summary>");
    const head = ["case", "elements", ...IMPLS.map((i) => `${i} Melem/s`), "d/js", "d/plain", "d/tfjs-wasm", "d/tfjs-cpu", "relaxed/simd", "2 threads/1", "2 threads/tfjs-wasm", "%copy", "%peak", "api ns"];
    body.push(table(head, r.cases.map((c) => [
      c.case, fmtInt(c.elements), ...IMPLS.map((i) => (c.impls[i] !== undefined ? `${fmtRate(c.impls[i]?.melemPerS)} ±${Math.round(c.impls[i]?.iqrPct ?? 0)}%` : "")),
      fmtRatio(c.ratios.descentOverJs), fmtRatio(c.ratios.descentOverPlain), fmtRatio(c.ratios.descentOverTfjsWasm), fmtRatio(c.ratios.descentOverTfjsCpu),
      fmtRatio(c.ratios.relaxedOverSimd), fmtRatio(c.ratios.threadsOverDescent), fmtRatio(c.ratios.threadsOverTfjsWasm),
      fmtPct(c.copyFraction), fmtPct(c.peakFraction), c.apiOverheadNs === undefined ? "" : c.apiOverheadNs.toFixed(0),
    ]), 1));
    body.push("</details>");
  }

  // Threads.
  const threads = r.threads ?? [];
  if (threads.length > 0) {
    body.push("<h2>Threads: where splitting pays</h2>");
    body.push(`<p>Each size split over two threads (the runtime's threshold lowered to 0) against the same ${esc(info.descent)} kernel on one thread, interleaved. ` +
      `The runtime splits from ${fmtInt(info.splitMinElements)} floats.</p><div class="charts">`);
    for (const t of threads) {
      const series: Series[] = [
        { name: "1 thread", points: t.points.map((p) => [p.elements, p.oneMelemPerS] as const) },
        { name: "2 threads", points: t.points.map((p) => [p.elements, p.twoMelemPerS] as const) },
      ];
      const markers = t.crossover !== undefined && !t.always ? [{ x: t.crossover, label: "2 > 1" }] : [];
      markers.push({ x: t.splitMinElements, label: "threshold" });
      body.push(`<div class="chart">${lineChart(t.kernel, series, markers, "Melem/s")}<div class="tick">${esc(crossoverWords(t))}</div></div>`);
    }
    body.push("</div>");
  }

  // Models.
  if (r.models.length > 0) {
    body.push("<h2>Models</h2>");
    for (const m of r.models) {
      body.push(`<h3>${esc(m.case)}</h3><p>${esc(m.shape)}; ms per ${m.unit}, median (${esc(m.descent)}'s speed-up in brackets). ${esc(m.note)}.</p>`);
      body.push(`<div class="charts"><div class="chart">${barChart(m)}</div><div>`);
      body.push(table(["implementation", `ms per ${m.unit}`, "± %", "units", `${m.descent} ×`, "weights vs reference"],
        MODEL_IMPLS.filter((i) => m.impls[i] !== undefined).map((i) => {
          const s = m.impls[i] as NonNullable<ModelResult["impls"][ModelImpl]>;
          return [i, fmtMs(s.medianMs), String(Math.round(s.iqrPct)), String(s.units), i === m.descent ? "" : fmtRatio(m.ratios[i]), s.relDiff === undefined ? "–" : s.relDiff.toExponential(1)];
        }), 1));
      body.push("</div></div>");
    }
  }
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"/><title>descent benchmarks</title><style>${CSS}</style></head><body>${body.join("\n")}</body></html>\n`;
}
