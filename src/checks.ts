// Argument checks the typed level shares: how a received value is described in an error (never
// throwing itself, whatever the value).
import { isTensor } from "./tensor.ts";

/**
 * What a value is, for "received …" in an error message. Never throws, and runs none of the
 * value's own code that it can avoid (getters, toString, a Proxy's traps), since it runs while
 * another error is being reported.
 */
export function describe(v: unknown): string {
  switch (typeof v) {
    case "undefined": return "undefined";
    case "number": case "boolean": return String(v);
    case "bigint": return `the BigInt ${v}n`;
    case "symbol": return v.toString();
    case "string": return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
    case "function": return "a function";
  }
  if (v === null) return "null";
  if (isTensor(v)) return v.toString();
  try {
    // Typed arrays and DataViews, named from their internal slots (a constructor can lie).
    if (ArrayBuffer.isView(v)) {
      const tag = Object.prototype.toString.call(v).slice(8, -1);
      return tag === "DataView" ? `DataView(${(v as DataView).byteLength} bytes)` : `${tag}(${(v as Float32Array).length})`;
    }
    if (Array.isArray(v)) return `Array(${(v as unknown[]).length})`;
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto === null) return "an object without a prototype";
    const name = (Object.getOwnPropertyDescriptor(proto, "constructor")?.value as { name?: unknown } | undefined)?.name;
    if (typeof name !== "string" || name === "") return "an object";
    // A typed array's prototype without a typed array's data: a Proxy of one, most likely.
    if (Object.getPrototypeOf(proto) === TYPED_ARRAY_PROTOTYPE) return `an object posing as a ${name} (a Proxy?)`;
    return name;
  } catch {
    return "an object that cannot be inspected (a Proxy?)";
  }
}

const TYPED_ARRAY_PROTOTYPE: unknown = Object.getPrototypeOf(Float32Array.prototype);

/** An error's text for a message, whatever was thrown. */
export function errorText(err: unknown): string {
  try {
    if (err instanceof Error) return `${err.name}: ${err.message}`;
  } catch {
    // fall through: an error object that cannot be read
  }
  return describe(err);
}
