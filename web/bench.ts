// The benchmark view: runs the kernel cases in a worker (bench-worker.ts) and draws descent's
// backends and TensorFlow.js's wasm backend side by side, as a bar chart (log scale) and a table.
// When a run ends, its numbers are also left in `globalThis.descentBench` (BenchResult), which
// `npm run bench:browser` (bench/browser.ts) reads.
import type { BenchRow } from "./bench-core.ts";
import { svgCanvas } from "./plot.ts";
import type { BenchMessage, TfjsInfo } from "./bench-worker.ts";

const COLOURS: Record<string, string> = {
  "wasm-relaxed": "#0b2e4f", "wasm-simd": "#1f4e79", wasm: "#5b9bd5", js: "#c55a11", "tfjs-wasm": "#2e7d32",
};
const COLUMNS = ["wasm-relaxed", "wasm-simd", "wasm", "js", "tfjs-wasm"];
const SVG = "http://www.w3.org/2000/svg";

/** A finished run, as the page leaves it in globalThis.descentBench. */
export interface BenchResult {
  rows: BenchRow[];
  /** descent's backends in this browser, best (the default) first. */
  backends: string[];
  /** Every column measured: the backends, then tfjs-wasm when it loaded. */
  contenders: string[];
  tfjs: TfjsInfo;
  seconds: number;
  userAgent: string;
}

export function setupBench(): void {
  const button = document.getElementById("bench-run") as HTMLButtonElement;
  const progress = document.getElementById("bench-progress") as HTMLProgressElement;
  const status = document.getElementById("bench-status") as HTMLElement;
  const chart = document.getElementById("bench-chart") as unknown as SVGSVGElement;
  const tbody = document.querySelector("#bench-table tbody") as HTMLTableSectionElement;
  let rows: BenchRow[] = [];
  let backends: string[] = [];
  let contenders: string[] = [];
  let tfjs: TfjsInfo = { error: "not loaded" };
  let worker: Worker | undefined;

  drawChart(chart, [], []);
  button.addEventListener("click", () => {
    if (worker !== undefined) return;
    rows = [];
    tbody.replaceChildren();
    drawChart(chart, [], []);
    button.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    status.textContent = "Starting the benchmark worker …";
    const w = new Worker(new URL("./bench-worker.ts", import.meta.url), { type: "module", name: "descent-bench" });
    worker = w;
    const finish = (text: string): void => {
      w.terminate();
      worker = undefined;
      button.disabled = false;
      progress.hidden = true;
      status.textContent = text;
    };
    w.addEventListener("message", (e: MessageEvent<BenchMessage>) => {
      const m = e.data;
      if (m.type === "start") {
        backends = m.backends;
        contenders = m.contenders;
        tfjs = m.tfjs;
        progress.max = m.total;
        const tf = "error" in m.tfjs ? ` (TensorFlow.js did not load: ${m.tfjs.error})` : "";
        status.textContent = `Measuring ${m.total} kernels on ${contenders.join(", ")}${tf} …`;
      } else if (m.type === "row") {
        rows.push(m.row);
        progress.value = rows.length;
        addTableRow(tbody, m.row, backends, contenders);
        drawChart(chart, rows, contenders);
        status.textContent = `Measured ${m.row.kernel} (${rows.length} of ${progress.max}) …`;
      } else if (m.type === "done") {
        const browser = /(Firefox|Edg|HeadlessChrome|Chrome|Version)\/[\d.]+/.exec(navigator.userAgent)?.[0] ?? "this browser";
        const off = rows.flatMap((r) => Object.entries(r.disagreements).map(([name, d]) => `${r.kernel} on ${name} (${d?.toExponential(1)})`));
        const tf = "error" in tfjs ? `; TensorFlow.js did not load: ${tfjs.error}` : "";
        finish(`Done in ${m.seconds.toFixed(1)} s: ${rows.length} kernels on ${contenders.join(", ")}, in ${browser.replace("Version", "Safari")}${tf}.` +
          (off.length > 0 ? ` Results that differ from the js backend's: ${off.join(", ")}.` : ""));
        const result: BenchResult = { rows, backends, contenders, tfjs, seconds: m.seconds, userAgent: navigator.userAgent };
        (globalThis as unknown as { descentBench?: BenchResult }).descentBench = result;
        document.getElementById("bench")?.setAttribute("data-done", "true");
      } else {
        finish(`The benchmark failed: ${m.message}`);
      }
    });
    w.addEventListener("error", (e) => finish(`The benchmark worker failed: ${e.message}`));
    w.postMessage("run");
  });
}

const fmt = (v: number | undefined): string => {
  if (v === undefined || !Number.isFinite(v)) return "–";
  return v >= 100 ? Math.round(v).toLocaleString("en-US") : v.toPrecision(3);
};

function addTableRow(tbody: HTMLTableSectionElement, row: BenchRow, backends: readonly string[], contenders: readonly string[]): void {
  const tr = document.createElement("tr");
  const th = document.createElement("th");
  th.scope = "row";
  th.textContent = row.kernel;
  th.title = row.shape;
  tr.appendChild(th);
  const cell = (text: string, data?: Record<string, string>): void => {
    const td = document.createElement("td");
    td.textContent = text;
    for (const [k, v] of Object.entries(data ?? {})) td.dataset[k] = v;
    tr.appendChild(td);
  };
  cell(row.elements.toLocaleString("en-US"));
  for (const b of COLUMNS) {
    const v = row.melems[b];
    cell(contenders.includes(b) ? fmt(v) : "n/a", { backend: b, value: v === undefined ? "" : String(v) });
  }
  // The best backend this browser runs (the default runtime's), against the js backend and against TensorFlow.js.
  const best = row.melems[backends[0] ?? "wasm-simd"];
  const ratio = (other: number | undefined): string =>
    best !== undefined && other !== undefined ? `${(best / other).toFixed(best / other >= 10 ? 0 : 2)}×` : "–";
  cell(ratio(row.melems.js));
  cell(ratio(row.melems["tfjs-wasm"]), { ratio: "tfjs-wasm" });
  tbody.appendChild(tr);
}

/** Horizontal bars, one group per kernel, log-scaled Melem/s with the value at each bar's end. */
function drawChart(svg: SVGSVGElement, rows: readonly BenchRow[], backends: readonly string[]): void {
  const W = 640;
  const left = 86;
  const right = 64;
  const top = 34;
  const bar = 13;
  const gap = 12;
  const shown = backends.length > 0 ? backends : COLUMNS;
  const groupH = shown.length * bar + gap;
  const count = Math.max(rows.length, 8);
  const H = top + count * groupH + 40;
  const el = svgCanvas(svg, W, H);
  // Legend.
  shown.forEach((b, i) => {
    const x = left + i * 108;
    el("rect", { x, y: 8, width: 14, height: 14, fill: COLOURS[b] ?? "#888" });
    el("text", { x: x + 20, y: 20 }, b);
  });
  const values = rows.flatMap((r) => Object.values(r.melems)).filter((v): v is number => v !== undefined && v > 0);
  const lo = 0;
  const hi = Math.max(3, Math.ceil(Math.log10(Math.max(10, ...values))));
  const x = (v: number): number => left + ((W - left - right) * (Math.log10(Math.max(v, 1)) - lo)) / (hi - lo);
  const bottom = top + count * groupH;
  for (let p = lo; p <= hi; p++) {
    const gx = x(10 ** p);
    el("line", { x1: gx, x2: gx, y1: top - 4, y2: bottom, stroke: "#ddd" });
    el("text", { x: gx, y: bottom + 16, "text-anchor": "middle", class: "muted" }, (10 ** p).toLocaleString("en-US"));
  }
  if (rows.length === 0) {
    el("text", { x: (W + left) / 2, y: top + 3 * groupH, "text-anchor": "middle", class: "muted" }, "Run the benchmark to see the bars");
  }
  rows.forEach((r, i) => {
    const y0 = top + i * groupH;
    el("text", { x: left - 8, y: y0 + (shown.length * bar) / 2 + 5, "text-anchor": "end", "font-weight": "bold" }, r.kernel);
    shown.forEach((b, j) => {
      const v = r.melems[b];
      if (v === undefined) return;
      const y = y0 + j * bar;
      const rect = el("rect", { x: left, y, width: Math.max(1, x(v) - left), height: bar - 2, fill: COLOURS[b] ?? "#888" });
      const title = document.createElementNS(SVG, "title");
      title.textContent = `${r.kernel} on ${b}: ${fmt(v)} Melem/s`;
      rect.appendChild(title);
      el("text", { x: x(v) + 4, y: y + bar - 3, class: "value" }, fmt(v));
    });
  });
  el("text", { x: (W + left - right) / 2, y: H - 2, "text-anchor": "middle", class: "muted" }, "Melem/s (log scale)");
}
