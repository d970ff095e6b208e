// Interleaved timing of several implementations of the same work, and the statistics reported
// for them (median, interquartile range). Used by the benchmark driver (bench/run.ts) and the
// demo (scripts/demo.ts); it knows nothing about kernels, only about functions to call.
//
// Why interleaved: CPU frequency, other processes and the garbage collector drift over seconds.
// Timing A for a while and then B for a while lets that drift land on one of them; rotating
// through all of them in every repetition spreads it evenly, so their ratio stays meaningful.

/** One implementation under test. */
export interface Contender {
  readonly name: string;
  /** One call of the work. Returns a scalar result (or 0) that is folded into the sink. */
  run(): number;
  /**
   * Reads a little of the output after each sample (a few elements, not the whole array), so the
   * work has an observable effect without adding O(n) reading to the timed part.
   */
  peek?(): number;
}

export interface TimingOptions {
  /** Number of timed samples per contender (the median is taken over these). */
  readonly samples: number;
  /** Each sample is a batch of calls lasting at least this long, so timer resolution is negligible. */
  readonly minSampleMs: number;
  /** Untimed calls first, round-robin, for at least this long per contender (JIT tiering, caches). */
  readonly warmupMs: number;
  /** ... and at least this many calls each, however long a call is. */
  readonly warmupCalls?: number;
}

export interface Stats {
  /** Seconds per call. */
  readonly median: number;
  readonly q1: number;
  readonly q3: number;
  /** (q3 − q1)/median, in percent. */
  readonly iqrPct: number;
  /** Calls timed together in one sample. */
  readonly batch: number;
  /** Seconds per call, one per sample, in the order taken. */
  readonly samples: readonly number[];
}

export interface Measurement {
  /** Same order as the contenders passed in. */
  readonly stats: readonly Stats[];
  /** The folded results; print or return it so the work cannot be optimised away. */
  readonly sink: number;
}

/** The q-quantile (0..1) of sorted values, linearly interpolated. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function summarise(samples: readonly number[], batch: number): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = quantile(sorted, 0.5);
  const q1 = quantile(sorted, 0.25);
  const q3 = quantile(sorted, 0.75);
  return { median, q1, q3, iqrPct: median > 0 ? ((q3 - q1) / median) * 100 : NaN, batch, samples };
}

/** Runs `calls` calls and returns the elapsed milliseconds and the folded results. */
function timeBatch(c: Contender, calls: number): { ms: number; sink: number } {
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) sink += c.run();
  const ms = performance.now() - t0;
  return { ms, sink };
}

/**
 * Warms every contender up, sizes a batch for each so that one sample lasts ≥ minSampleMs, then
 * takes `samples` samples; in repetition s the contenders run in the order s, s+1, … (mod count).
 */
export function measure(contenders: readonly Contender[], options: TimingOptions): Measurement {
  const count = contenders.length;
  let sink = 0;
  const fold = (v: number): void => {
    // A NaN or infinite result would make the sink useless as a checksum but is still "used".
    sink += Number.isFinite(v) ? v : 1;
  };

  // Warm-up, round-robin so that all contenders reach their optimised tier under the same conditions.
  const warmupCalls = options.warmupCalls ?? 3;
  const spent = new Array<number>(count).fill(0);
  const done = new Array<number>(count).fill(0);
  for (let busy = true; busy; ) {
    busy = false;
    for (let k = 0; k < count; k++) {
      if (spent[k] >= options.warmupMs && done[k] >= warmupCalls) continue;
      busy = true;
      const r = timeBatch(contenders[k], 1);
      spent[k] += r.ms;
      done[k]++;
      fold(r.sink);
    }
  }

  // Batch sizing: grow until a batch lasts the minimum, extrapolating from the last try.
  const batch = contenders.map((c) => {
    let calls = 1;
    for (;;) {
      const r = timeBatch(c, calls);
      fold(r.sink);
      if (r.ms >= options.minSampleMs) return calls;
      const factor = r.ms > 0 ? (options.minSampleMs * 1.25) / r.ms : 16;
      calls = Math.max(calls + 1, Math.ceil(calls * Math.min(factor, 16)));
    }
  });

  const samples: number[][] = contenders.map(() => []);
  for (let s = 0; s < options.samples; s++) {
    for (let j = 0; j < count; j++) {
      const k = (s + j) % count;
      const c = contenders[k];
      const r = timeBatch(c, batch[k]);
      samples[k].push(r.ms / 1000 / batch[k]);
      fold(r.sink);
      if (c.peek !== undefined) fold(c.peek());
    }
  }
  return { stats: samples.map((x, k) => summarise(x, batch[k])), sink };
}
