// Drawing: the decision regions (a model's class probabilities on a grid, computed a few rows at a
// time so that a large model never holds the page up), the points, the keyboard cursor, and the
// loss curve (an inline SVG).
import { matrix, type Model } from "../src/index.ts";
import type { Point } from "./data.ts";

/** Class colours (Tableau's blue, orange, green: distinguishable with the common colour-vision deficiencies) and marker shapes. */
export const CLASS_COLOURS: readonly (readonly [number, number, number])[] = [[31, 119, 180], [255, 127, 14], [44, 160, 44]];
export const CLASS_NAMES = ["blue circles", "orange squares", "green triangles"];
const css = (c: readonly number[], alpha = 1): string => `rgba(${c[0]}, ${c[1]}, ${c[2]}, ${alpha})`;

/** The model's class probabilities on a size × size grid over [-1, 1]², as an RGBA image. */
export class RegionPainter {
  readonly size: number;
  /** The last complete image, size × size (undefined before the first). */
  image: HTMLCanvasElement | undefined;
  #pending: Uint8ClampedArray<ArrayBuffer> | undefined;
  #row = 0;
  #model: Model | undefined;
  /** The model of the last image, whose cost per row #msPerRow is. */
  #last: Model | undefined;
  /** Milliseconds per grid row, measured on the last slice (undefined: unknown, so one row first). */
  #msPerRow: number | undefined;

  constructor(size = 60) {
    this.size = size;
  }

  get busy(): boolean {
    return this.#model !== undefined;
  }

  /** Starts computing a new image from the model's current weights. */
  start(model: Model): void {
    if (model !== this.#last) this.#msPerRow = undefined;
    this.#last = model;
    this.#model = model;
    this.#row = 0;
    this.#pending ??= new Uint8ClampedArray(this.size * this.size * 4);
  }

  cancel(): void {
    this.#model = undefined;
  }

  clear(): void {
    this.cancel();
    this.image = undefined;
  }

  /** Computes rows for about budgetMs; true when the image completed in this call. */
  step(budgetMs: number): boolean {
    const model = this.#model;
    const pending = this.#pending;
    if (model === undefined || pending === undefined) return false;
    const n = this.size;
    const perRow = this.#msPerRow;
    const rows = perRow === undefined ? 1 : Math.max(1, Math.min(n - this.#row, Math.floor(budgetMs / Math.max(perRow, 1e-3))));
    const t0 = performance.now();
    const data = new Float32Array(rows * n * 2);
    for (let j = 0; j < rows; j++) {
      const y = 1 - ((this.#row + j + 0.5) * 2) / n;
      for (let i = 0; i < n; i++) {
        data[(j * n + i) * 2] = -1 + ((i + 0.5) * 2) / n;
        data[(j * n + i) * 2 + 1] = y;
      }
    }
    let proba: Float32Array;
    try {
      proba = model.predictProba(matrix(data, rows * n, 2));
    } catch {
      // Not fitted yet, or disposed by a newer training run: nothing to draw.
      this.#model = undefined;
      return false;
    }
    const classes = (model.classes ?? []).map(Number);
    const k = classes.length;
    for (let c = 0; c < rows * n; c++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let j = 0; j < k; j++) {
        const p = proba[c * k + j];
        const colour = CLASS_COLOURS[classes[j]] ?? [128, 128, 128];
        r += p * colour[0];
        g += p * colour[1];
        b += p * colour[2];
      }
      // Pastel: 45 % white, so that the points stand out on their region.
      const o = ((this.#row * n) + c) * 4;
      pending[o] = 140 + 0.45 * r;
      pending[o + 1] = 140 + 0.45 * g;
      pending[o + 2] = 140 + 0.45 * b;
      pending[o + 3] = 255;
    }
    this.#msPerRow = (performance.now() - t0) / rows;
    this.#row += rows;
    if (this.#row < n) return false;
    if (this.image === undefined) {
      this.image = document.createElement("canvas");
      this.image.width = n;
      this.image.height = n;
    }
    this.image.getContext("2d")?.putImageData(new ImageData(pending, n, n), 0, 0);
    this.#model = undefined;
    return true;
  }
}

/** Draws regions (scaled up, smoothed), points and the cursor onto the canvas. */
export function drawScene(
  canvas: HTMLCanvasElement, regions: HTMLCanvasElement | undefined, points: readonly Point[],
  cursor: { x: number; y: number } | undefined,
): void {
  const ctx = canvas.getContext("2d");
  if (ctx === null) return;
  const w = canvas.width;
  const h = canvas.height;
  ctx.fillStyle = "#fafafa";
  ctx.fillRect(0, 0, w, h);
  if (regions !== undefined) {
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(regions, 0, 0, w, h);
  }
  // Axes through the origin, faint.
  ctx.strokeStyle = "rgba(0, 0, 0, 0.15)";
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(w / 2, 0);
  ctx.lineTo(w / 2, h);
  ctx.moveTo(0, h / 2);
  ctx.lineTo(w, h / 2);
  ctx.stroke();
  const scale = w / 480;
  const radius = Math.max(3, 4.5 * scale);
  for (const p of points) {
    const px = ((p.x + 1) / 2) * w;
    const py = ((1 - p.y) / 2) * h;
    ctx.fillStyle = css(CLASS_COLOURS[p.label]);
    ctx.strokeStyle = "rgba(0, 0, 0, 0.75)";
    ctx.lineWidth = Math.max(1, scale);
    ctx.beginPath();
    if (p.label === 0) ctx.arc(px, py, radius, 0, 2 * Math.PI);
    else if (p.label === 1) ctx.rect(px - radius * 0.9, py - radius * 0.9, radius * 1.8, radius * 1.8);
    else {
      ctx.moveTo(px, py - radius * 1.15);
      ctx.lineTo(px + radius * 1.05, py + radius * 0.75);
      ctx.lineTo(px - radius * 1.05, py + radius * 0.75);
      ctx.closePath();
    }
    ctx.fill();
    ctx.stroke();
  }
  if (cursor !== undefined) {
    const cx = ((cursor.x + 1) / 2) * w;
    const cy = ((1 - cursor.y) / 2) * h;
    const r = 12 * scale;
    ctx.lineWidth = 2 * scale;
    ctx.strokeStyle = "#000";
    ctx.beginPath();
    ctx.arc(cx, cy, r, 0, 2 * Math.PI);
    ctx.moveTo(cx - 1.6 * r, cy);
    ctx.lineTo(cx - 0.5 * r, cy);
    ctx.moveTo(cx + 0.5 * r, cy);
    ctx.lineTo(cx + 1.6 * r, cy);
    ctx.moveTo(cx, cy - 1.6 * r);
    ctx.lineTo(cx, cy - 0.5 * r);
    ctx.moveTo(cx, cy + 0.5 * r);
    ctx.lineTo(cx, cy + 1.6 * r);
    ctx.stroke();
  }
}

const SVG = "http://www.w3.org/2000/svg";

/** Clears `svg`, sizes its viewBox, and returns a function that appends an element with attributes (and text). */
export function svgCanvas(svg: SVGSVGElement, width: number, height: number) {
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.replaceChildren();
  return (name: string, attrs: Record<string, string | number>, text?: string): SVGElement => {
    const e = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    svg.appendChild(e);
    return e;
  };
}

/** The loss per epoch on a log scale, with its range and the epoch count as labels. */
export function drawLoss(svg: SVGSVGElement, losses: readonly number[], epochs: number): void {
  const W = 320;
  const H = 180;
  const left = 44;
  const bottom = 22;
  const top = 8;
  const right = 8;
  const el = svgCanvas(svg, W, H);
  el("rect", { x: left, y: top, width: W - left - right, height: H - top - bottom, fill: "#fff", stroke: "#ccc" });
  const finite = losses.filter((v) => Number.isFinite(v) && v > 0);
  if (finite.length === 0) {
    el("text", { x: (W + left) / 2, y: H / 2, "text-anchor": "middle", class: "muted" }, "the loss appears here as it trains");
    return;
  }
  let lo = Math.log10(Math.min(...finite));
  let hi = Math.log10(Math.max(...finite));
  if (hi - lo < 0.3) {
    const mid = (hi + lo) / 2;
    lo = mid - 0.15;
    hi = mid + 0.15;
  }
  const span = Math.max(epochs, losses.length, 2);
  const x = (i: number): number => left + ((W - left - right) * i) / (span - 1);
  const y = (v: number): number => top + ((H - top - bottom) * (hi - Math.log10(v))) / (hi - lo);
  // At most ~400 vertices: every k-th epoch, and always the last.
  const step = Math.max(1, Math.ceil(losses.length / 400));
  const coords: string[] = [];
  for (let i = 0; i < losses.length; i += step) if (losses[i] > 0 && Number.isFinite(losses[i])) coords.push(`${x(i).toFixed(1)},${y(losses[i]).toFixed(1)}`);
  const last = losses.length - 1;
  if (last % step !== 0 && losses[last] > 0) coords.push(`${x(last).toFixed(1)},${y(losses[last]).toFixed(1)}`);
  el("polyline", { points: coords.join(" "), fill: "none", stroke: "#c0392b", "stroke-width": 1.8 });
  const fmt = (v: number): string => (v >= 0.01 ? v.toPrecision(2) : v.toExponential(1));
  el("text", { x: left - 4, y: top + 9, "text-anchor": "end" }, fmt(10 ** hi));
  el("text", { x: left - 4, y: H - bottom, "text-anchor": "end" }, fmt(10 ** lo));
  el("text", { x: left, y: H - 6 }, "epoch 1");
  el("text", { x: W - right, y: H - 6, "text-anchor": "end" }, `${span}`);
  el("text", { x: 12, y: (H - bottom + top) / 2, transform: `rotate(-90 12 ${(H - bottom + top) / 2})`, "text-anchor": "middle" }, "loss (log)");
}
