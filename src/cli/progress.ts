// The training progress display: on a terminal one line redrawn in place (bar, epoch, loss, speed),
// elsewhere (CI logs, pipes) a plain line about every 10% of the epochs, so logs stay short and readable.

/** What the display needs of a stream: process.stderr, or a test's capture. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** One epoch's report, as a model's onEpoch callback gives it. */
export interface EpochReport {
  epoch: number;
  epochs: number;
  loss: number;
  valLoss?: number;
  /** Seconds since training started. */
  seconds: number;
  samplesPerSecond?: number;
}

/** A loss for display: 4 significant digits, exponent notation when tiny or huge. */
export function formatLoss(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "-∞";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2);
  return v.toPrecision(4);
}

/** A count per second with a k/M suffix: "850", "12.3k", "1.05M". */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond < 0) return "?";
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toPrecision(3)}M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toPrecision(3)}k`;
  if (perSecond >= 100) return perSecond.toFixed(0);
  return perSecond.toPrecision(3);
}

/** A duration: "850 ms", "3.42 s", "2 min 05 s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - m * 60);
  return `${m} min ${String(s).padStart(2, "0")} s`;
}

/** A bar of `width` cells, filled in eighths so that slow progress still visibly moves. */
export function formatBar(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const eighths = Math.round(f * width * 8);
  const full = Math.floor(eighths / 8);
  const partial = eighths % 8;
  const parts = " ▏▎▍▌▋▊▉";
  const body = "█".repeat(full) + (partial > 0 ? parts[partial] : "");
  return body + " ".repeat(width - full - (partial > 0 ? 1 : 0));
}

/**
 * The speed shown: samples per second when the model reports it (comparable across data sizes),
 * else epochs per second from the elapsed time.
 */
export function formatSpeed(e: EpochReport): string {
  if (e.samplesPerSecond !== undefined && Number.isFinite(e.samplesPerSecond) && e.samplesPerSecond > 0) {
    return `${formatRate(e.samplesPerSecond)} samples/s`;
  }
  return e.seconds > 0 ? `${formatRate(e.epoch / e.seconds)} epochs/s` : "";
}

/**
 * The text after the bar: "epoch 12/100  loss 0.4312  val 0.4420  9.1k samples/s"; `unit` names
 * the step ("iter" for a solver that counts iterations rather than epochs).
 */
export function formatStatus(e: EpochReport, unit = "epoch", valLabel = "val"): string {
  const width = String(e.epochs).length;
  const parts = [`${unit} ${String(e.epoch).padStart(width)}/${e.epochs}`, `loss ${formatLoss(e.loss)}`];
  if (e.valLoss !== undefined) parts.push(`${valLabel} ${formatLoss(e.valLoss)}`);
  const speed = formatSpeed(e);
  if (speed !== "") parts.push(speed);
  return parts.join("  ");
}

/** The terminal line: "[bar] status", the bar sized to what the terminal leaves (10 to 30 cells). */
export function formatProgressLine(e: EpochReport, columns = 80, unit = "epoch", valLabel = "val"): string {
  const status = formatStatus(e, unit, valLabel);
  const barWidth = Math.max(10, Math.min(30, columns - status.length - 4));
  return `[${formatBar(e.epochs > 0 ? e.epoch / e.epochs : 1, barWidth)}] ${status}`;
}

export interface ProgressOptions {
  /** Force the terminal or the plain mode (default: the stream's isTTY). */
  tty?: boolean;
  /** Minimum milliseconds between terminal redraws (default 100: about 10 per second). */
  intervalMs?: number;
  /** What a step is called (default "epoch"). */
  unit?: string;
  /** What the validation loss is called (default "val"). */
  valLabel?: string;
  /** The clock, in milliseconds (tests inject one). */
  now?: () => number;
}

export interface Progress {
  update(e: EpochReport): void;
  /** Ends the display: draws the last state and, on a terminal, moves to a new line. */
  done(): void;
}

/**
 * A progress display for `stream`. On a terminal each update is drawn over the previous one with
 * \r (skipping redraws that come sooner than intervalMs after the last, so a fast model is not
 * slowed by the terminal), and done() leaves the final state on its own line. Elsewhere a line is
 * written for the first epoch, each time another tenth of the epochs is complete, and the last.
 */
export function createProgress(stream: ProgressStream, options?: ProgressOptions): Progress {
  const tty = options?.tty ?? stream.isTTY === true;
  const interval = options?.intervalMs ?? 100;
  const now = options?.now ?? (() => performance.now());
  const unit = options?.unit ?? "epoch";
  const valLabel = options?.valLabel ?? "val";
  let last: EpochReport | undefined;
  let drawn: EpochReport | undefined;
  let lastDraw = -Infinity;
  let lastDecile = -1;
  let drawnWidth = 0;
  let finished = false;

  const draw = (e: EpochReport): void => {
    const line = formatProgressLine(e, stream.columns || 80, unit, valLabel); // 0 from a pty with no size set
    // A shorter line than the previous one would leave its tail on screen: blank it out.
    const width = [...line].length;
    stream.write(`\r${line}${" ".repeat(Math.max(0, drawnWidth - width))}`);
    drawnWidth = width;
    drawn = e;
    lastDraw = now();
  };

  return {
    update(e) {
      if (finished) return;
      last = e;
      if (tty) {
        if (now() - lastDraw >= interval || e.epoch >= e.epochs) draw(e);
        return;
      }
      const decile = e.epochs > 0 ? Math.floor((10 * e.epoch) / e.epochs) : 10;
      if (e.epoch === 1 || decile > lastDecile) {
        lastDecile = decile;
        drawn = e;
        stream.write(`${formatStatus(e, unit, valLabel)}\n`);
      }
    },
    done() {
      if (finished) return;
      finished = true;
      if (last === undefined) return;
      if (tty) {
        if (drawn !== last) draw(last);
        stream.write("\n");
      } else if (drawn !== last) {
        // Training stopped early (or the last epoch fell inside a decile already printed).
        stream.write(`${formatStatus(last, unit, valLabel)}\n`);
      }
    },
  };
}
