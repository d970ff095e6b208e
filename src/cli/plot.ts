// The loss curve of a training run as a self-contained SVG file (`descent train --plot`): no
// script, stylesheet or font to fetch, so it opens the same in a browser, an editor or a CI artifact.

export interface LossHistory {
  loss: readonly number[];
  valLoss?: readonly number[];
}

export interface PlotOptions {
  title?: string;
  /** A second, smaller line under the title (e.g. the model and data set). */
  subtitle?: string;
  width?: number;
  height?: number;
  /** "auto" (default): logarithmic when the finite losses span more than two decades. */
  yScale?: "auto" | "linear" | "log";
  /** The x axis's name (default "epoch"). */
  xLabel?: string;
  /** Legend names of the two series (default "train" and "validation"). */
  labels?: { train?: string; validation?: string };
}

const COLORS = { train: "#1f77b4", validation: "#d62728" };

/** Text for XML content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c] as string);
}

/** Heckbert's "nice number": 1, 2 or 5 (or 10) times a power of ten, near `x`. */
function niceNumber(x: number, round: boolean): number {
  const exp = Math.floor(Math.log10(x));
  const f = x / 10 ** exp;
  const nice = round ? (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) : f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nice * 10 ** exp;
}

export interface Ticks {
  /** The axis range: the data range widened to whole steps. */
  min: number;
  max: number;
  step: number;
  values: number[];
}

/**
 * About `count` evenly spaced ticks at nice values (multiples of 1, 2 or 5 × 10ⁿ) covering
 * [min, max]; `integer` keeps the step a whole number (epochs).
 */
export function niceTicks(min: number, max: number, count = 5, integer = false): Ticks {
  if (!(max > min)) {
    // A flat series still needs an axis: centre it in a small range around the value.
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    return niceTicks(min - pad, max + pad, count, integer);
  }
  let step = niceNumber(niceNumber(max - min, false) / Math.max(1, count - 1), true);
  if (integer) step = Math.max(1, Math.round(step));
  const lo = Math.floor(min / step + 1e-9) * step;
  const hi = Math.ceil(max / step - 1e-9) * step;
  const values: number[] = [];
  const n = Math.round((hi - lo) / step);
  // Computed from the index, not accumulated, so 0.1 + 0.2 noise does not creep into the labels.
  for (let i = 0; i <= n; i++) values.push(cleanFloat(lo + i * step, step));
  return { min: values[0], max: values[values.length - 1], step, values };
}

/** Rounds `v` to the decimals a multiple of `step` needs (removes 0.30000000000000004 noise). */
function cleanFloat(v: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(v.toFixed(Math.min(20, decimals)));
}

/** Powers of ten covering [min, max] (both > 0), every `k`-th decade when there are many. */
export function logTicks(min: number, max: number, maxCount = 8): Ticks {
  const lo = Math.floor(Math.log10(min));
  let hi = Math.ceil(Math.log10(max));
  if (hi === lo) hi = lo + 1;
  const k = Math.max(1, Math.ceil((hi - lo) / (maxCount - 1)));
  const values: number[] = [];
  for (let e = lo; e <= hi; e += k) values.push(Number(`1e${e}`));
  const last = Math.log10(values[values.length - 1]);
  if (last < hi) values.push(Number(`1e${last + k}`));
  return { min: values[0], max: values[values.length - 1], step: k, values };
}

/** A tick label: plain decimals for everyday magnitudes, exponent notation for others. */
export function formatTick(v: number, step: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential().replace(/e\+?/, "e");
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return v.toFixed(Math.min(20, decimals));
}

const SUPERSCRIPT = "⁰¹²³⁴⁵⁶⁷⁸⁹";

/** "10⁻³" for -3. */
export function powerOfTen(e: number): string {
  const digits = [...String(Math.abs(e))].map((d) => SUPERSCRIPT[Number(d)]).join("");
  return `10${e < 0 ? "⁻" : ""}${digits}`;
}

function fmt(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/**
 * The loss curve of a training history as an SVG document: the training loss and, when present,
 * the validation loss against the epoch, with axes, gridlines at nice values, a legend and a title.
 * Non-finite losses (a diverged run) are left out of the lines rather than drawn off the chart.
 */
export function lossCurveSvg(history: LossHistory, options?: PlotOptions): string {
  const width = options?.width ?? 720;
  const height = options?.height ?? 420;
  const title = options?.title ?? "Loss";
  const series = [{ name: options?.labels?.train ?? "train", values: history.loss, color: COLORS.train, dash: "" }];
  if (history.valLoss !== undefined && history.valLoss.length > 0) {
    series.push({ name: options?.labels?.validation ?? "validation", values: history.valLoss, color: COLORS.validation, dash: "6 4" });
  }
  const epochs = Math.max(...series.map((s) => s.values.length), 1);
  const finite = series.flatMap((s) => s.values.filter((v) => Number.isFinite(v)));
  const lo = finite.length > 0 ? Math.min(...finite) : 0;
  const hi = finite.length > 0 ? Math.max(...finite) : 1;
  const scale = options?.yScale ?? "auto";
  const log = lo > 0 && (scale === "log" || (scale === "auto" && hi / lo > 100));

  const top = options?.subtitle !== undefined ? 62 : 46;
  const margin = { left: 72, right: 24, top, bottom: 52 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;

  const xt = niceTicks(1, Math.max(epochs, 2), 8, true);
  const yt = log ? logTicks(lo, hi) : niceTicks(lo, hi, 6);
  const x = (epoch: number): number => margin.left + ((epoch - xt.min) / (xt.max - xt.min)) * plotW;
  const yUnit = log
    ? (v: number) => (Math.log10(v) - Math.log10(yt.min)) / (Math.log10(yt.max) - Math.log10(yt.min))
    : (v: number) => (v - yt.min) / (yt.max - yt.min);
  const y = (v: number): number => margin.top + (1 - yUnit(v)) * plotH;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" font-size="12" fill="#222">`,
  );
  out.push(`<title>${escapeXml(title)}</title>`);
  out.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  out.push(`<text x="${fmt(width / 2)}" y="24" text-anchor="middle" font-size="16" font-weight="600">${escapeXml(title)}</text>`);
  if (options?.subtitle !== undefined) {
    out.push(`<text x="${fmt(width / 2)}" y="43" text-anchor="middle" font-size="12" fill="#555">${escapeXml(options.subtitle)}</text>`);
  }

  // Gridlines and tick labels.
  out.push(`<g stroke="#e5e5e5" stroke-width="1">`);
  for (const v of yt.values) out.push(`<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${fmt(y(v))}" y2="${fmt(y(v))}"/>`);
  for (const v of xt.values) out.push(`<line x1="${fmt(x(v))}" x2="${fmt(x(v))}" y1="${margin.top}" y2="${margin.top + plotH}"/>`);
  out.push(`</g>`);
  out.push(`<g font-size="11" fill="#444">`);
  // On a log axis the labels share one style: plain while every one is short, else all 10ⁿ.
  const powers = log && yt.values.some((v) => v >= 1e5 || v < 1e-3);
  for (const v of yt.values) {
    const label = powers ? powerOfTen(Math.round(Math.log10(v))) : log ? formatTick(v, v) : formatTick(v, yt.step);
    out.push(`<text x="${margin.left - 8}" y="${fmt(y(v) + 4)}" text-anchor="end">${escapeXml(label)}</text>`);
  }
  for (const v of xt.values) {
    out.push(`<text x="${fmt(x(v))}" y="${margin.top + plotH + 18}" text-anchor="middle">${escapeXml(formatTick(v, xt.step))}</text>`);
  }
  out.push(`</g>`);
  out.push(
    `<path d="M${margin.left},${margin.top}V${margin.top + plotH}H${margin.left + plotW}" fill="none" stroke="#444" stroke-width="1"/>`,
  );
  out.push(`<text x="${fmt(margin.left + plotW / 2)}" y="${height - 12}" text-anchor="middle">${escapeXml(options?.xLabel ?? "epoch")}</text>`);
  const yLabel = log ? "loss (log scale)" : "loss";
  const yMid = fmt(margin.top + plotH / 2);
  out.push(`<text x="16" y="${yMid}" text-anchor="middle" transform="rotate(-90 16 ${yMid})">${yLabel}</text>`);

  // The curves: one polyline per series, epochs counted from 1.
  for (const s of series) {
    const pts: string[] = [];
    s.values.forEach((v, i) => {
      if (Number.isFinite(v) && (!log || v > 0)) pts.push(`${fmt(x(i + 1))},${fmt(y(v))}`);
    });
    const dash = s.dash === "" ? "" : ` stroke-dasharray="${s.dash}"`;
    out.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="2" stroke-linejoin="round"${dash} points="${pts.join(" ")}">` +
        `<title>${escapeXml(s.name)}</title></polyline>`,
    );
    // A line through one point draws nothing: mark it.
    if (pts.length === 1) {
      const [cx, cy] = pts[0].split(",");
      out.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${s.color}"/>`);
    }
  }

  // The legend, in the top right corner of the plot area where a falling loss leaves room.
  const legendW = series.length > 1 ? 118 : 72;
  const lx = margin.left + plotW - legendW - 8;
  const ly = margin.top + 8;
  out.push(`<g font-size="12">`);
  out.push(
    `<rect x="${lx}" y="${ly}" width="${legendW}" height="${8 + 18 * series.length}" fill="#fff" fill-opacity="0.85" stroke="#ccc"/>`,
  );
  series.forEach((s, i) => {
    const yy = ly + 16 + 18 * i;
    const dash = s.dash === "" ? "" : ` stroke-dasharray="${s.dash}"`;
    out.push(`<line x1="${lx + 8}" x2="${lx + 32}" y1="${yy - 4}" y2="${yy - 4}" stroke="${s.color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${lx + 38}" y="${yy}">${escapeXml(s.name)}</text>`);
  });
  out.push(`</g>`);
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}
