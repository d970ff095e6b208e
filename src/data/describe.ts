// How a bad argument is shown in an error message: short, and enough to see what went wrong
// (the same conventions as src/runtime.ts, which keeps its own copy private).

export function describe(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (Array.isArray(v)) return `Array(${v.length})`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as Float32Array).length})`;
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return `the string ${quote(v)}`;
  if (typeof v === "object") return (v as object).constructor?.name ?? "object";
  return typeof v;
}

/** A string as it would be written in source, cut short so one bad cell cannot flood a message. */
export function quote(s: string, max = 40): string {
  return JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);
}

/** A list of names for a message, truncated when long ("a, b, c and 12 more"). */
export function list(items: readonly (string | number)[], max = 10): string {
  const shown = items.slice(0, max).map((v) => (typeof v === "string" ? quote(v) : String(v)));
  return items.length > max ? `${shown.join(", ")} and ${items.length - max} more` : shown.join(", ");
}
