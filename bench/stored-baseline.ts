// A stored record of an earlier run on one runtime (bench/baseline-node<N>.json), for the target
// "nothing slower than before": each kernel at 65,536 elements, descent's speed then and now.
//
// Absolute times from another day (or another machine) are not comparable: the machine's clock,
// load and the VM's neighbours move them by 10 % and more. What is compared is descent's speed
// relative to a fixed yardstick measured beside it in the same run, interleaved: TensorFlow.js
// 4.22's wasm backend (whose code does not change between the two runs), or the plain JS loop
// where tfjs has no such op. now/before = (descent / yardstick now) / (descent / yardstick then).
//
//   npx tsx bench/run.ts --save-baseline      writes bench/baseline-node<major>.json from this run
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { CaseResult, Machine } from "./results.ts";

/** One case at one size: Melem/s of descent and of the yardsticks. */
export interface BaselineCase {
  readonly elements: number;
  readonly descent: number;
  readonly "tfjs-wasm"?: number;
  readonly plain?: number;
}

export interface Baseline {
  /** Where the numbers come from (a run's date and commit, or the file they were read from). */
  readonly source: string;
  readonly date: string;
  readonly machine: Machine;
  /** The backend that was "descent" then (the default runtime's). */
  readonly descent: string;
  readonly size: number;
  readonly cases: Readonly<Record<string, BaselineCase>>;
}

/** The size the baseline holds (the targets' n). */
export const BASELINE_SIZE = 65_536;

/** Where a Node line's baseline lives, from the repository's root (as the output names it). */
export const baselinePath = (major: string): string => `bench/baseline-node${major}.json`;
/** The same, as a file path whatever the working directory. */
export const baselineFile = (major: string): string => fileURLToPath(new URL(`../${baselinePath(major)}`, import.meta.url));

/** The stored baseline for a Node major line, or undefined when there is none. */
export function loadBaseline(major: string, file = baselineFile(major)): Baseline | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, "utf8")) as Baseline;
}

/** A baseline from a run's case results (those at BASELINE_SIZE). */
export function baselineOf(cases: readonly CaseResult[], info: { machine: Machine; date: string; source: string }): Baseline {
  const out: Record<string, BaselineCase> = {};
  for (const c of cases) {
    if (c.size !== BASELINE_SIZE) continue;
    const rate = (name: keyof CaseResult["impls"]): number | undefined => c.impls[name]?.melemPerS;
    const d = rate(c.descent);
    if (d === undefined) continue;
    out[c.case] = { elements: c.elements, descent: d, "tfjs-wasm": rate("tfjs-wasm"), plain: rate("plain") };
  }
  const descent = cases.find((c) => c.size === BASELINE_SIZE)?.descent ?? "unknown";
  return { source: info.source, date: info.date, machine: info.machine, descent, size: BASELINE_SIZE, cases: out };
}

export function saveBaseline(b: Baseline, file: string): void {
  writeFileSync(file, `${JSON.stringify(b, null, 1)}\n`);
}

export interface BaselineComparison {
  /** now/before, normalised by the yardstick. */
  readonly ratio: number;
  /** What normalised it. */
  readonly yardstick: "tfjs-wasm" | "plain" | "none";
  /** descent's Melem/s now and then (raw, for the reader). */
  readonly now: number;
  readonly before: number;
}

/** How descent on one case compares with the baseline's record of it; undefined when either side lacks it. */
export function compareWithBaseline(c: CaseResult, b: Baseline): BaselineComparison | undefined {
  const then = b.cases[c.case];
  const now = c.impls[c.descent]?.melemPerS;
  if (then === undefined || now === undefined || then.elements !== c.elements) return undefined;
  for (const y of ["tfjs-wasm", "plain"] as const) {
    const yNow = c.impls[y]?.melemPerS;
    const yThen = then[y];
    if (yNow !== undefined && yThen !== undefined && yNow > 0 && yThen > 0) {
      return { ratio: (now / yNow) / (then.descent / yThen), yardstick: y, now, before: then.descent };
    }
  }
  return { ratio: now / then.descent, yardstick: "none", now, before: then.descent };
}
