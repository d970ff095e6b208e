// The engine every model trains with: a stack of dense layers, a loss fused with the output
// activation where that is the stable thing to do (sigmoid + binary cross-entropy and softmax +
// categorical cross-entropy work from the logits), backpropagation through the fused backward
// kernels, the optimizers with their state in WASM memory, and the epoch loop (mini-batches,
// validation, early stopping, divergence, cancellation).
import { mulberry32 } from "../random.ts";
import type { Runtime } from "../runtime.ts";
import type { Tensor } from "../tensor.ts";
import {
  createYielder, type EpochInfo, type History, type OptimizerConfig, type ResolvedEarlyStopping,
} from "./common.ts";
import type { Kernel } from "../runtime.ts";
import type { Call, ThreadPool } from "../threads.ts";
import { DenseLayer, type DenseConfig, type Gradients, type LayerBuffers, type Sink } from "./layers.ts";


export type LossName = "mse" | "binaryCrossentropy" | "categoricalCrossentropy";
export const LOSSES: readonly LossName[] = ["mse", "binaryCrossentropy", "categoricalCrossentropy"];

/** Training data in WASM memory: X rows × cols, targets (float32 values or int32 class indices). */
export interface Batchable {
  readonly x: Tensor;
  /** float32 targets (rows × outputs) or int32 class indices (rows), as raw memory. */
  readonly y: Tensor;
  readonly rows: number;
}

interface Workspace {
  readonly rows: number;
  readonly layers: LayerBuffers[];
  readonly ones: Tensor;
  /** The fused one-unit kernels' two float64 sums, then their chunk of z/d (64 floats); or each thread's loss (f64). */
  readonly sums: Tensor;
  /** Per thread of a split pass: its share's gradients, per layer (made on first use). */
  gradients: { dw: Tensor; db: Tensor; dslope: Tensor | undefined }[][];
  /** Per thread: scratch for matmul's packed panels (made on first use). */
  panels: Tensor[];
  /** Per extra thread: its partial gradient (inputs floats) and its sums block, made on first use. */
  threadBuffers: { gw: Tensor; sums: Tensor }[];
  /** dA of each layer's input for layers after the first (rows × inputs). */
  readonly dInputs: Tensor[];
}

export class Network {
  readonly rt: Runtime;
  readonly layers: DenseLayer[];
  readonly loss: LossName;
  l2: number;
  /** Threads for the fused gradient pass (at most the runtime's). */
  threads = 1;
  #workspaces = new Map<number, Workspace>();
  #state: Tensor[][] = [];
  #step = 0;

  constructor(rt: Runtime, configs: readonly DenseConfig[], inputs: number, loss: LossName, l2: number, seed: number) {
    this.rt = rt;
    this.loss = loss;
    this.l2 = l2;
    const random = mulberry32(seed);
    this.layers = [];
    try {
      let width = inputs;
      for (const c of configs) {
        this.layers.push(new DenseLayer(rt, c, width, random));
        width = c.units;
      }
    } catch (err) {
      this.dispose();
      throw err;
    }
  }

  /** A network with the same layers and a copy of every parameter (fresh optimizer state). */
  clone(): Network {
    const copy = new Network(this.rt, this.layers.map((l) => l.config), this.layers[0].inputs, this.loss, this.l2, 0);
    copy.threads = this.threads;
    const from = this.params();
    const u8 = this.rt.heap.u8;
    copy.params().forEach((p, i) => {
      const src = from[i].value.ptr;
      u8.copyWithin(p.value.ptr, src, src + p.value.length * 4);
    });
    return copy;
  }

  /** True when every parameter is a finite number (what a model may hold). */
  finite(): boolean {
    for (const p of this.params()) {
      const v = p.value.data;
      for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return false;
    }
    return true;
  }

  get outputs(): number {
    return this.layers[this.layers.length - 1].units;
  }

  get output(): DenseLayer {
    return this.layers[this.layers.length - 1];
  }

  params(): { value: Tensor; grad: Tensor; decay: boolean }[] {
    return this.layers.flatMap((l) => l.params());
  }

  /** Copies of every parameter (for restoring the best epoch). */
  snapshot(): Float32Array[] {
    return this.params().map((p) => p.value.toArray());
  }

  restore(saved: readonly Float32Array[]): void {
    this.params().forEach((p, i) => p.value.data.set(saved[i]));
  }

  workspace(rows: number): Workspace {
    let ws = this.#workspaces.get(rows);
    if (ws === undefined) {
      // At most the full batch and the last partial batch are kept; prediction sizes come and go.
      if (this.#workspaces.size >= 3) this.dropWorkspaces();
      // Filled in as it is made, so that a full memory half-way frees what was made before.
      const parts: { -readonly [K in keyof Workspace]?: Workspace[K] } = { rows, layers: [], dInputs: [], threadBuffers: [], gradients: [], panels: [] };
      try {
        parts.ones = this.rt.tensor(new Float32Array(rows).fill(1));
        parts.sums = this.rt.zeros([4 + 64]);
        for (const l of this.layers) parts.layers?.push(l.buffers(rows));
        for (const l of this.layers.slice(1)) parts.dInputs?.push(this.rt.zeros([rows, l.inputs]));
      } catch (err) {
        freeWorkspace(parts);
        throw err;
      }
      ws = parts as Workspace;
      this.#workspaces.set(rows, ws);
    }
    return ws;
  }

  dropWorkspaces(): void {
    for (const ws of this.#workspaces.values()) freeWorkspace(ws);
    this.#workspaces.clear();
  }

  /** Runs the layers over `rows` rows at byte offset x; returns the output layer's buffers. */
  forward(x: number, rows: number, ws = this.workspace(rows)): LayerBuffers {
    this.split(rows, ws, (k, r0, n) => this.forwardRows(k, x + r0 * this.layers[0].inputs * 4, r0, n, ws));
    return ws.layers[ws.layers.length - 1];
  }

  /** The forward pass over rows [r0, r0 + n) of the batch, into the workspace's rows. */
  private forwardRows(k: Sink, x: number, r0: number, n: number, ws: Workspace): void {
    let input = x;
    const last = this.layers.length - 1;
    this.layers.forEach((layer, i) => {
      const buf = layer.rows(ws.layers[i], r0);
      // The cross-entropies work from the output layer's logits: its activation is never needed.
      layer.forward(k, input, n, buf, i < last || this.loss === "mse");
      input = buf.a;
    });
  }

  /**
   * The mean loss of the output for targets at byte offset y (without the l2 term), and, when
   * `backward`, every parameter's gradient of the objective (loss + l2 term). On a runtime with
   * threads a large batch is split into contiguous shares of rows, each thread running the whole
   * pass over its share (one recorded program, one wake-up); the shares' losses and gradients are
   * then weighted by their share of the rows and added in thread order, so a given thread count
   * always gives the same bits.
   */
  lossAndGradients(x: number, y: number, rows: number, backward: boolean): number {
    if (backward && this.fused !== undefined) return this.fusedLossAndGradients(x, y, rows);
    const ws = this.workspace(rows);
    const cols = this.layers[0].inputs;
    const shares = this.shares(rows);
    const slots = ws.sums.ptr; // one f64 per thread for its loss
    if (shares.length === 1) {
      this.lossRows(this.direct(this.panel(ws, 0)), x, y, 0, rows, ws, backward, this.layers.map((l) => l.gradients), this.l2, slots);
      return this.rt.heap.f64[slots >> 3];
    }
    const grads = backward ? this.threadGradients(ws, shares.length) : [];
    this.runShares("fit", shares, ws, (k, t, r0, n) =>
      this.lossRows(k, x + r0 * cols * 4, y + r0 * this.targetRowBytes, r0, n, ws, backward, grads[t] ?? [], 0, slots + 8 * t));
    const f64 = this.rt.heap.f64;
    let loss = 0;
    shares.forEach(([, n], t) => { loss += (n / rows) * f64[(slots >> 3) + t]; });
    if (backward) {
      // Each share's gradient is of its own mean: weighted by its rows and added in thread order,
      // elementwise, so the threads can share this too: each takes a slice of every parameter.
      // (`decay`: the weights whose l2 term joins the sum; biases and slopes have none.)
      const sums: { to: number; len: number; from: number[]; decay: number }[] = [];
      this.layers.forEach((layer, i) => {
        const own = layer.gradients;
        sums.push({ to: own.dw, len: layer.dw.length, from: grads.map((g) => g[i].dw), decay: layer.w.ptr });
        sums.push({ to: own.db, len: layer.db.length, from: grads.map((g) => g[i].db), decay: 0 });
        if (layer.dslope !== undefined) sums.push({ to: own.dslope, len: layer.dslope.length, from: grads.map((g) => g[i].dslope), decay: 0 });
      });
      const weights = shares.map(([, n]) => Math.fround(n / rows));
      const l2 = Math.fround(this.l2);
      this.runShares("fit", shares, ws, (k, t) => {
        for (const s of sums) {
          const e0 = Math.floor((s.len * t) / shares.length);
          const e1 = Math.floor((s.len * (t + 1)) / shares.length);
          if (e1 === e0) continue;
          const at = (ptr: number): number => ptr + e0 * 4;
          k.call("fill_f32", at(s.to), 0, e1 - e0);
          s.from.forEach((g, u) => k.call("axpy_f32", e1 - e0, weights[u], at(g), at(s.to)));
          if (l2 !== 0 && s.decay !== 0) k.call("axpy_f32", e1 - e0, l2, at(s.decay), at(s.to));
        }
      });
    }
    return Math.fround(loss);
  }

  /** Bytes per target row: float32 values for mse (one per output), one float32 or int32 for the cross-entropies. */
  get targetRowBytes(): number {
    return this.loss === "mse" ? this.outputs * 4 : 4;
  }

  /** The loss pass (and backward) over rows [r0, r0 + n), targets at y, loss stored at `slot`. */
  private lossRows(
    k: Sink, x: number, y: number, r0: number, n: number, ws: Workspace, backward: boolean, grads: readonly Gradients[], l2: number, slot: number,
  ): void {
    this.forwardRows(k, x, r0, n, ws);
    const out = this.output.rows(ws.layers[ws.layers.length - 1], r0);
    const count = n * this.outputs;
    const last = this.layers.length - 1;
    if (this.loss === "mse") {
      if (!backward) k.store(slot, "f64", "mse_f32", out.a, y, count);
      else if (this.output.linear) k.store(slot, "f64", "mseWithGrad_f32", out.a, y, out.dz, count);
      else {
        // A is not needed once its gradient is known: dA overwrites it (an elementwise map).
        k.store(slot, "f64", "mseWithGrad_f32", out.a, y, out.a, count);
        this.output.backwardActivation(k, out.a, n, out, grads[last].dslope);
      }
    } else if (this.loss === "binaryCrossentropy") {
      k.store(slot, "f64", "bceWithLogits_f32", out.z, y, count);
      if (backward) k.call("bceWithLogits_grad_f32", out.z, y, out.dz, count);
    } else {
      k.store(slot, "f64", "softmaxCrossEntropy_f32", out.z, y, n, this.outputs);
      if (backward) k.call("softmaxCrossEntropy_grad_f32", out.z, y, out.dz, n, this.outputs);
    }
    if (!backward) return;
    for (let i = last; i >= 0; i--) {
      const layer = this.layers[i];
      const buf = layer.rows(ws.layers[i], r0);
      const input = i === 0 ? x : this.layers[i - 1].rows(ws.layers[i - 1], r0).a;
      layer.backwardParams(k, input, n, buf, ws.ones.ptr, l2, grads[i]);
      if (i > 0) {
        const dA = ws.dInputs[i - 1].ptr + r0 * layer.inputs * 4;
        layer.backwardInput(k, n, buf, dA);
        this.layers[i - 1].backwardActivation(k, dA, n, this.layers[i - 1].rows(ws.layers[i - 1], r0), grads[i - 1].dslope);
      }
    }
  }

  /** Runs kernels at once on this thread, with `panel` as its matmul scratch. */
  private direct(panel: number): Sink {
    const kernels = this.rt.kernels;
    return {
      panel,
      call: (kernel, ...args) => void (kernels[kernel] as Kernel)(...args),
      store: (ptr, type, kernel, ...args) => {
        const value = (kernels[kernel] as Kernel)(...args) as number;
        if (type === "f32") this.rt.heap.f32[ptr >> 2] = value;
        else this.rt.heap.f64[ptr >> 3] = value;
      },
    };
  }

  /** Thread t's scratch for matmul's packed panels: 8 floats per row of the longest dimension. */
  private panel(ws: Workspace, t: number): number {
    let longest = ws.rows;
    for (const l of this.layers) longest = Math.max(longest, l.inputs, l.units);
    while (ws.panels.length <= t) ws.panels.push(this.rt.zeros([8 * longest]));
    return ws.panels[t].ptr;
  }

  /** Contiguous shares [first row, rows] of a batch, one per thread (one share: no split). */
  private shares(rows: number): [number, number][] {
    const pool = this.rt.pool;
    let work = 0;
    for (const l of this.layers) work += l.inputs * l.units;
    // Below about a million multiply-adds (rows × weights) waking the workers costs more than they save.
    const threads = pool === undefined || rows * work < 16 * this.rt.splitMinWork ? 1 : Math.min(this.threads, pool.size + 1, rows);
    if (threads <= 1) return [[0, rows]];
    const share = Math.ceil(rows / threads);
    const out: [number, number][] = [];
    for (let r0 = 0; r0 < rows; r0 += share) out.push([r0, Math.min(share, rows - r0)]);
    return out;
  }

  /** A pass over the batch's rows: on this thread, or its shares on the pool's threads. */
  private split(rows: number, ws: Workspace, pass: (k: Sink, r0: number, n: number) => void): void {
    const shares = this.shares(rows);
    if (shares.length === 1) pass(this.direct(this.panel(ws, 0)), 0, rows);
    else this.runShares("predict", shares, ws, (k, _t, r0, n) => pass(k, r0, n));
  }

  /** Records each share's pass as a program and runs them, the first on this thread. */
  private runShares(what: string, shares: readonly [number, number][], ws: Workspace, pass: (k: Sink, t: number, r0: number, n: number) => void): void {
    const programs = shares.map(([r0, n], t) => {
      const calls: Call[] = [];
      pass({
        panel: this.panel(ws, t),
        call: (kernel, ...args) => void calls.push({ kernel, args }),
        store: (ptr, type, kernel, ...args) => void calls.push({ kernel, args, result: { ptr, type } }),
      }, t, r0, n);
      return calls;
    });
    const local = this.direct(0);
    (this.rt.pool as ThreadPool).runPrograms(what, programs, (calls) => {
      for (const c of calls) {
        if (c.result === undefined) local.call(c.kernel, ...c.args);
        else local.store(c.result.ptr, c.result.type, c.kernel, ...c.args);
      }
    });
  }

  /** Per thread, per layer: where that thread's share writes its gradients (made on first use). */
  private threadGradients(ws: Workspace, threads: number): Gradients[][] {
    while (ws.gradients.length < threads) {
      const made: Tensor[] = [];
      try {
        ws.gradients.push(this.layers.map((l) => {
          const dw = this.rt.zeros([l.dw.length]);
          made.push(dw);
          const db = this.rt.zeros([l.db.length]);
          made.push(db);
          const ds = l.dslope === undefined ? undefined : this.rt.zeros([l.dslope.length]);
          if (ds !== undefined) made.push(ds);
          return { dw, db, dslope: ds };
        }));
      } catch (err) {
        for (const t of made) t.dispose();
        throw err;
      }
    }
    return ws.gradients.slice(0, threads).map((g) => g.map((l) => ({ dw: l.dw.ptr, db: l.db.ptr, dslope: l.dslope?.ptr ?? 0 })));
  }

  /**
   * A single one-unit layer whose loss reads z directly (linear regression; binary logistic
   * regression from its logits) trains with one fused pass over X (assembly/fused.ts).
   */
  get fused(): "denseMse1_f32" | "denseBce1_f32" | undefined {
    if (this.layers.length !== 1 || this.output.units !== 1) return undefined;
    if (this.loss === "mse") return this.output.linear ? "denseMse1_f32" : undefined;
    return this.loss === "binaryCrossentropy" ? "denseBce1_f32" : undefined;
  }

  private fusedLossAndGradients(x: number, y: number, rows: number): number {
    const layer = this.output;
    const ws = this.workspace(rows);
    const heap = this.rt.heap;
    const kernel = this.fused as string;
    const cols = layer.inputs;
    const bias = heap.f32[layer.b.ptr >> 2];
    const pool = this.rt.pool;
    const threads = pool === undefined ? 1 : Math.min(this.threads, pool.size + 1, Math.ceil(rows / 4));
    let loss: number;
    let dsum: number;
    if (threads <= 1 || rows * cols < this.rt.splitMinWork) {
      this.rt.kernels[kernel](x, y, layer.w.ptr, bias, rows, cols, rows, layer.dw.ptr, ws.sums.ptr, ws.sums.ptr + 16);
      loss = heap.f64[ws.sums.ptr >> 3];
      dsum = heap.f64[(ws.sums.ptr >> 3) + 1];
    } else {
      // Contiguous shares of whole blocks of four rows, fixed by the thread count; thread 0 (this
      // one) writes into dw, the others into their own buffers, summed below in thread order.
      while (ws.threadBuffers.length < threads - 1) {
        const gw = this.rt.zeros([cols]);
        try {
          ws.threadBuffers.push({ gw, sums: this.rt.zeros([4 + 64]) });
        } catch (err) {
          gw.dispose();
          throw err;
        }
      }
      const share = Math.ceil(rows / threads / 4) * 4;
      const tasks: number[][] = [];
      for (let t = 0; t < threads; t++) {
        const r0 = Math.min(t * share, rows);
        const r1 = Math.min(r0 + share, rows);
        const gw = t === 0 ? layer.dw.ptr : ws.threadBuffers[t - 1].gw.ptr;
        const sums = t === 0 ? ws.sums.ptr : ws.threadBuffers[t - 1].sums.ptr;
        tasks.push([x + r0 * cols * 4, y + r0 * 4, layer.w.ptr, bias, r1 - r0, cols, rows, gw, sums, sums + 16]);
      }
      const k = this.rt.kernels;
      (pool as NonNullable<typeof pool>).run(kernel, tasks, (args) => k[kernel](...args));
      loss = heap.f64[ws.sums.ptr >> 3];
      dsum = heap.f64[(ws.sums.ptr >> 3) + 1];
      for (const b of ws.threadBuffers.slice(0, threads - 1)) {
        k.axpy_f32(cols, 1, b.gw.ptr, layer.dw.ptr);
        loss += heap.f64[b.sums.ptr >> 3];
        dsum += heap.f64[(b.sums.ptr >> 3) + 1];
      }
    }
    heap.f32[layer.db.ptr >> 2] = dsum;
    if (this.l2 !== 0) this.rt.kernels.axpy_f32(layer.w.length, Math.fround(this.l2), layer.w.ptr, layer.dw.ptr);
    return Math.fround(loss / rows);
  }

  /** (l2/2)·Σ‖W‖² over every weight matrix (biases and slopes are not penalised). */
  penalty(): number {
    if (this.l2 === 0) return 0;
    let s = 0;
    for (const l of this.layers) s += this.rt.kernels.dot_f32(l.w.ptr, l.w.ptr, l.w.length) as number;
    return (this.l2 / 2) * s;
  }

  /** One optimizer step over every parameter, from the gradients in place. */
  step(opt: OptimizerConfig): void {
    // Split over the runtime's threads for large parameters (bit-identical to one thread).
    const k = this.rt.updates;
    const params = this.params();
    if (this.#state.length === 0) {
      const per = opt.name === "adam" ? 2 : opt.name === "momentum" ? 1 : 0;
      // Kept as it is made, so that dispose() frees a part-made state too.
      for (const p of params) {
        const s: Tensor[] = [];
        this.#state.push(s);
        for (let j = 0; j < per; j++) s.push(this.rt.zeros([p.value.length]));
      }
    }
    this.#step++;
    params.forEach((p, i) => {
      const n = p.value.length;
      const s = this.#state[i];
      if (opt.name === "sgd") k.sgd_f32(p.value.ptr, p.grad.ptr, n, opt.lr);
      else if (opt.name === "momentum") k.momentum_f32(p.value.ptr, p.grad.ptr, s[0].ptr, n, opt.lr, opt.momentum, opt.nesterov ? 1 : 0);
      else k.adam_f32(p.value.ptr, p.grad.ptr, s[0].ptr, s[1].ptr, n, opt.lr, opt.beta1, opt.beta2, opt.eps, this.#step);
    });
  }

  resetOptimizer(): void {
    for (const s of this.#state) for (const t of s) t.dispose();
    this.#state = [];
    this.#step = 0;
  }

  dispose(): void {
    this.dropWorkspaces();
    this.resetOptimizer();
    for (const l of this.layers) l.dispose();
  }
}

function freeWorkspace(ws: Partial<Workspace>): void {
  ws.ones?.dispose();
  ws.sums?.dispose();
  for (const b of ws.threadBuffers ?? []) { b.gw.dispose(); b.sums.dispose(); }
  for (const g of ws.gradients ?? []) for (const l of g) { l.dw.dispose(); l.db.dispose(); l.dslope?.dispose(); }
  for (const t of ws.panels ?? []) t.dispose();
  for (const b of ws.layers ?? []) for (const t of [b.z, b.a, b.dz, b.tmp, b.tmp2]) t?.dispose();
  for (const t of ws.dInputs ?? []) t.dispose();
}

export interface TrainOptions {
  epochs: number;
  /** Rows per step; the whole set (full-batch gradient descent) when undefined or ≥ rows. */
  batchSize: number | undefined;
  optimizer: OptimizerConfig;
  seed: number;
  earlyStopping: ResolvedEarlyStopping | undefined;
  onEpoch: ((info: EpochInfo) => void | boolean) | undefined;
  signal: AbortSignal | undefined;
  /** Bytes per target row (outputs·4, or 4 for class indices). */
  targetRowBytes: number;
}

/**
 * The epoch loop. Mini-batches are drawn from a seeded shuffle each epoch and gathered into
 * contiguous buffers; the epoch's loss is the mean of the batch objectives weighted by size.
 * Diverging training throws, naming the epoch and loss (the model's fit transaction undoes it).
 */
export async function train(
  net: Network, data: Batchable, validation: Batchable | undefined, o: TrainOptions, history: History,
): Promise<void> {
  const rt = net.rt;
  const rows = data.rows;
  const cols = data.x.length / rows;
  const batch = o.batchSize === undefined || o.batchSize >= rows ? rows : o.batchSize;
  const random = mulberry32(o.seed ^ 0x5eed);
  const order = new Int32Array(rows).map((_, i) => i);
  let bx: Tensor | undefined;
  let by: Tensor | undefined;
  const yieldNow = createYielder();
  const tracker = new EpochTracker(net, o.optimizer.lr, o.epochs, o.earlyStopping, o.onEpoch, history);
  try {
    if (batch < rows) {
      bx = rt.zeros([batch, cols]);
      by = rt.zeros([Math.max(1, (batch * o.targetRowBytes) / 4)]);
    }
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      if (o.signal?.aborted) throw o.signal.reason;
      // A fit on one thread never reaches the pool that would notice: close() is checked here.
      if (rt.closed) throw rt.closedError("fit");
      let total = 0;
      if (batch === rows) {
        total = net.lossAndGradients(data.x.ptr, data.y.ptr, rows, true) + net.penalty();
        net.step(o.optimizer);
      } else {
        shuffle(order, random);
        for (let start = 0; start < rows; start += batch) {
          const size = Math.min(batch, rows - start);
          gather(rt, data, order, start, size, cols, o.targetRowBytes, bx as Tensor, by as Tensor);
          total += (net.lossAndGradients((bx as Tensor).ptr, (by as Tensor).ptr, size, true) + net.penalty()) * size;
          net.step(o.optimizer);
        }
        total /= rows;
      }
      const valLoss = validation === undefined ? undefined : net.lossAndGradients(validation.x.ptr, validation.y.ptr, validation.rows, false);
      if (tracker.end(epoch, total, valLoss, rows)) break;
      await yieldNow();
    }
  } finally {
    bx?.dispose();
    by?.dispose();
  }
}

/**
 * The end of an epoch, for train() and fitBatches: divergence (a loss that is not finite, also at
 * the first epoch, far above where it started, or a step that left a weight infinite or NaN: the
 * caller's transaction puts the model back), history, early stopping and onEpoch.
 */
export class EpochTracker {
  #first: number | undefined;
  #best = Infinity;
  #bestLoss = Infinity;
  #wait = 0;
  #bestWeights: Float32Array[] | undefined;
  readonly #started = performance.now();

  constructor(
    readonly net: Network, readonly lr: number, readonly epochs: number,
    readonly earlyStopping: ResolvedEarlyStopping | undefined, readonly onEpoch: ((info: EpochInfo) => void | boolean) | undefined,
    readonly history: History,
  ) {}

  /** True when training stops here. */
  end(epoch: number, total: number, valLoss: number | undefined, rows: number): boolean {
    const net = this.net;
    this.#first ??= total;
    const first = this.#first;
    const why = !Number.isFinite(total) ? `the loss is ${total}`
      : !(total <= 1e4 * Math.max(first, 1)) ? `the loss is ${total.toPrecision(4)} (it started at ${first.toPrecision(4)})`
      : valLoss !== undefined && !Number.isFinite(valLoss) ? `the validation loss is ${valLoss}`
      : !net.finite() ? `its step made a weight infinite or NaN (the loss was ${total.toPrecision(4)})`
      : undefined;
    if (why !== undefined) {
      throw new Error(
        `descent: training diverged at epoch ${epoch}: ${why}; try a smaller learning rate ` +
          `(lr is ${this.lr}). The model is left as it was before this fit.`,
      );
    }
    this.history.loss.push(total);
    if (valLoss !== undefined) this.history.valLoss.push(valLoss);
    const monitored = valLoss ?? total;
    const es = this.earlyStopping;
    if (monitored < this.#bestLoss) {
      this.#bestLoss = monitored;
      if (es?.restoreBest) this.#bestWeights = net.snapshot();
    }
    let stop = false;
    if (es !== undefined) {
      if (monitored < this.#best - es.tol) {
        this.#best = monitored;
        this.#wait = 0;
      } else if (++this.#wait >= es.patience) stop = true;
    }
    const seconds = (performance.now() - this.#started) / 1000;
    const info: EpochInfo = {
      epoch, epochs: this.epochs, loss: total, ...(valLoss !== undefined ? { valLoss } : {}), seconds,
      samplesPerSecond: seconds > 0 ? (rows * epoch) / seconds : 0,
    };
    if (this.onEpoch?.(info) === false) stop = true;
    if (stop && es?.restoreBest && this.#bestWeights !== undefined) net.restore(this.#bestWeights);
    return stop;
  }
}

function shuffle(order: Int32Array, random: () => number): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
}

function gather(
  rt: Runtime, data: Batchable, order: Int32Array, start: number, size: number, cols: number, yBytes: number,
  bx: Tensor, by: Tensor,
): void {
  const u8 = rt.heap.u8;
  const xBytes = cols * 4;
  const x0 = data.x.ptr;
  const y0 = data.y.ptr;
  const bxp = bx.ptr;
  const byp = by.ptr;
  for (let i = 0; i < size; i++) {
    const r = order[start + i];
    u8.copyWithin(bxp + i * xBytes, x0 + r * xBytes, x0 + (r + 1) * xBytes);
    u8.copyWithin(byp + i * yBytes, y0 + r * yBytes, y0 + (r + 1) * yBytes);
  }
}
