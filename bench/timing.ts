// Interleaved timing of several implementations of the same work, and the statistics reported
// for them (median, interquartile range). Used by the benchmark driver (bench/run.ts), the model
// cases (bench/models.ts, through measureAsync) and the demo (scripts/demo.ts); it knows nothing
// about kernels, only about functions to call.
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
  /**
   * Called before every batch of calls, outside the timed region: puts shared state the way this
   * contender needs it (TensorFlow.js's global backend, for one).
   */
  enter?(): void;
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
  /**
   * Time budget per contender for the timed samples, ms: a contender whose single call is so slow
   * that `samples` of them would exceed it takes fewer samples, but never fewer than minSamples.
   */
  readonly budgetMs?: number;
  readonly minSamples?: number;
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
  c.enter?.();
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
  const batchMs = new Array<number>(count).fill(0);
  const batch = contenders.map((c, k) => {
    let calls = 1;
    for (;;) {
      const r = timeBatch(c, calls);
      fold(r.sink);
      batchMs[k] = r.ms;
      if (r.ms >= options.minSampleMs) return calls;
      const factor = r.ms > 0 ? (options.minSampleMs * 1.25) / r.ms : 16;
      calls = Math.max(calls + 1, Math.ceil(calls * Math.min(factor, 16)));
    }
  });

  // A contender whose batch is a single slow call gets fewer samples (within the budget).
  const wanted = contenders.map((_, k) => {
    if (options.budgetMs === undefined || batchMs[k] * options.samples <= options.budgetMs) return options.samples;
    return Math.max(options.minSamples ?? 5, Math.floor(options.budgetMs / batchMs[k]));
  });
  const rounds = Math.max(...wanted);
  const samples: number[][] = contenders.map(() => []);
  for (let s = 0; s < rounds; s++) {
    for (let j = 0; j < count; j++) {
      const k = (s + j) % count;
      const c = contenders[k];
      // Spread a reduced contender's samples evenly over the rounds, so it stays interleaved.
      if (Math.floor(((s + 1) * wanted[k]) / rounds) === Math.floor((s * wanted[k]) / rounds)) continue;
      const r = timeBatch(c, batch[k]);
      samples[k].push(r.ms / 1000 / batch[k]);
      fold(r.sink);
      if (c.peek !== undefined) fold(c.peek());
    }
  }
  return { stats: samples.map((x, k) => summarise(x, batch[k])), sink };
}

/** One implementation of a long unit of work (a training epoch, a whole fit), timed by itself. */
export interface AsyncContender {
  readonly name: string;
  /** Outside the timed region, before every sample. */
  enter?(): void;
  /**
   * Runs the work once or several times and returns the seconds each unit took (one duration for a
   * whole fit; the interval between consecutive epochs for an epoch). Timing is the contender's
   * own, since only it knows where a unit starts and ends.
   */
  sample(): Promise<number[]>;
}

export interface AsyncTimingOptions {
  /** Rounds in which every contender takes one sample, in rotated order. */
  readonly rounds: number;
  /** Untimed rounds first. */
  readonly warmupRounds: number;
  /** Stop taking samples from a contender once it has used this much time (it keeps ≥ 1). */
  readonly budgetMs?: number;
}

/**
 * measure() for work that is async or too long to batch: rounds of one sample per contender, the
 * order rotated each round, the units of all rounds pooled into one median.
 */
export async function measureAsync(contenders: readonly AsyncContender[], options: AsyncTimingOptions): Promise<Stats[]> {
  const count = contenders.length;
  const units: number[][] = contenders.map(() => []);
  const spent = new Array<number>(count).fill(0);
  for (let round = 0; round < options.warmupRounds + options.rounds; round++) {
    const timed = round >= options.warmupRounds;
    for (let j = 0; j < count; j++) {
      const k = (round + j) % count;
      if (timed && options.budgetMs !== undefined && units[k].length > 0 && spent[k] >= options.budgetMs) continue;
      const c = contenders[k];
      c.enter?.();
      const t0 = performance.now();
      const got = await c.sample();
      if (timed) {
        spent[k] += performance.now() - t0;
        units[k].push(...got);
      }
    }
  }
  return units.map((u) => summarise(u, 1));
}
