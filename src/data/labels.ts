// Class labels to integer codes and back, so that classifiers can work on 0..k-1 whatever the
// labels were in the data (strings from a CSV, arbitrary numbers); like scikit-learn's LabelEncoder.
import { describe, list, quote } from "./describe.ts";

/** Class labels: strings or numbers (not both), or a typed array of numbers. */
export type Labels = readonly (string | number)[] | Float32Array | Int32Array;

type Label = string | number;

export class LabelEncoder {
  #classes: readonly Label[] = Object.freeze([]);
  #codes = new Map<Label, number>();

  /** The distinct labels seen by fit, sorted; a label's code is its index here. Empty before fit. */
  get classes(): readonly Label[] {
    return this.#classes;
  }

  /** Learns the classes: sorted numerically for numbers, by UTF-16 code units for strings. */
  fit(labels: Labels): this {
    const { values, kind } = readLabels(labels, "LabelEncoder.fit", "labels");
    const distinct = [...new Set(values)];
    distinct.sort(kind === "number" ? (a, b) => (a as number) - (b as number) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
    this.#set(distinct);
    return this;
  }

  /** Each label's code; a label fit did not see is an error, not a new code. */
  transform(labels: Labels): Int32Array {
    const fn = "LabelEncoder.transform";
    this.#fitted(fn);
    const { values } = readLabels(labels, fn, "labels");
    const out = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const code = this.#codes.get(values[i]);
      if (code === undefined) {
        throw new RangeError(
          `descent: ${fn}: labels[${i}] is ${show(values[i])}, which is not one of the ${this.#classes.length} classes ` +
          `seen by fit (${list(this.#classes)})`,
        );
      }
      out[i] = code;
    }
    return out;
  }

  fitTransform(labels: Labels): Int32Array {
    return this.fit(labels).transform(labels);
  }

  /** The labels of integer codes in [0, classes.length). */
  inverseTransform(codes: ArrayLike<number>): Label[] {
    const fn = "LabelEncoder.inverseTransform";
    this.#fitted(fn);
    if (!Array.isArray(codes) && !(ArrayBuffer.isView(codes) && !(codes instanceof DataView))) {
      throw new TypeError(`descent: ${fn}: codes must be an array or a typed array of integers, received ${describe(codes)}`);
    }
    const k = this.#classes.length;
    const out = new Array<Label>(codes.length);
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i];
      if (typeof c !== "number") throw new TypeError(`descent: ${fn}: codes[${i}] must be a number, received ${describe(c)}`);
      if (!Number.isInteger(c) || c < 0 || c >= k) {
        throw new RangeError(`descent: ${fn}: codes[${i}] must be an integer in [0, ${k}), received ${c}`);
      }
      out[i] = this.#classes[c];
    }
    return out;
  }

  /** The classes, in code order. */
  toJSON(): Label[] {
    this.#fitted("LabelEncoder.toJSON");
    return this.#classes.slice();
  }

  /** An encoder from toJSON()'s output; the order given is kept, as it defines the codes. */
  static fromJSON(json: unknown): LabelEncoder {
    const fn = "LabelEncoder.fromJSON";
    if (!Array.isArray(json)) throw new TypeError(`descent: ${fn}: expected an array of classes, received ${describe(json)}`);
    const { values } = readLabels(json, fn, "classes");
    const seen = new Map<Label, number>();
    values.forEach((v, i) => {
      const first = seen.get(v);
      if (first !== undefined) throw new RangeError(`descent: ${fn}: classes[${i}] repeats classes[${first}] (${show(v)})`);
      seen.set(v, i);
    });
    const enc = new LabelEncoder();
    enc.#set(values);
    return enc;
  }

  #set(classes: Label[]): void {
    this.#classes = Object.freeze(classes);
    this.#codes = new Map(classes.map((c, i) => [c, i]));
  }

  #fitted(fn: string): void {
    if (this.#classes.length === 0) throw new Error(`descent: ${fn}: the encoder is not fitted (call fit first)`);
  }
}

function kindOf(v: Label): string {
  return typeof v === "string" ? `the string ${quote(v)}` : `the number ${v}`;
}

function show(v: Label): string {
  return typeof v === "string" ? quote(v) : String(v);
}

/**
 * Checks labels and returns them as a plain array: all strings or all finite numbers, at least
 * one. @internal (also used by trainTestSplit's stratify)
 */
export function readLabels(labels: unknown, fn: string, arg: string): { values: Label[]; kind: "string" | "number" } {
  let values: Label[];
  if (Array.isArray(labels)) values = labels as Label[];
  else if (ArrayBuffer.isView(labels) && !(labels instanceof DataView) && !(labels instanceof BigInt64Array) &&
    !(labels instanceof BigUint64Array)) {
    values = Array.from(labels as unknown as ArrayLike<number>);
  } else {
    throw new TypeError(`descent: ${fn}: ${arg} must be an array of strings or numbers, or a typed array, received ${describe(labels)}`);
  }
  if (values.length === 0) throw new RangeError(`descent: ${fn}: ${arg} is empty`);
  const kind = typeof values[0];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "string" && typeof v !== "number") {
      throw new TypeError(`descent: ${fn}: ${arg}[${i}] must be a string or a number, received ${describe(v)}`);
    }
    if (typeof v !== kind) {
      throw new TypeError(
        `descent: ${fn}: ${arg} mixes strings and numbers: ${arg}[0] is ${kindOf(values[0])} but ${arg}[${i}] is ${kindOf(v)}`,
      );
    }
    if (typeof v === "number" && !Number.isFinite(v)) {
      throw new RangeError(`descent: ${fn}: ${arg}[${i}] is ${v} (labels must be finite)`);
    }
  }
  return { values, kind: kind as "string" | "number" };
}
