// Plain-text tables for the command line (the metrics after training): columns padded to their
// widest cell, numbers right-aligned so their digits line up, no box-drawing so a log stays greppable.

export type Align = "left" | "right";

export interface TableOptions {
  /** Alignment per column; default: the first column left, the others right. */
  align?: readonly Align[];
  /** Spaces between columns (default 3). */
  gap?: number;
  /** Characters before every line (default none). */
  indent?: string;
}

/**
 * Display width of a string: code points, not UTF-16 units, so that "R²" or "→" count as one.
 * (No wide CJK characters appear in descent's output, so East Asian width is not modelled.)
 */
export function displayWidth(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function pad(s: string, width: number, align: Align): string {
  const fill = " ".repeat(Math.max(0, width - displayWidth(s)));
  return align === "right" ? fill + s : s + fill;
}

/**
 * Lays out `rows` (the first one being the header when `header` is true) as aligned text lines,
 * with a rule of dashes under the header. Rows may be ragged; missing cells are blank.
 */
export function formatTable(rows: readonly (readonly string[])[], options?: TableOptions & { header?: boolean }): string {
  if (rows.length === 0) return "";
  const gap = " ".repeat(options?.gap ?? 3);
  const indent = options?.indent ?? "";
  const cols = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: cols }, (_, c) => Math.max(...rows.map((r) => displayWidth(r[c] ?? ""))));
  const alignOf = (c: number): Align => options?.align?.[c] ?? (c === 0 ? "left" : "right");
  // Trailing blanks would make the output differ from what a reader copies out of a terminal.
  const line = (r: readonly string[]): string =>
    indent + widths.map((w, c) => pad(r[c] ?? "", w, alignOf(c))).join(gap).trimEnd();
  const lines = rows.map(line);
  if (options?.header === true) {
    const rule = indent + widths.map((w) => "-".repeat(w)).join(gap);
    lines.splice(1, 0, rule);
  }
  return lines.join("\n") + "\n";
}

/** Two aligned columns, "name  value", for a short list of facts (backend, solver, time). */
export function formatPairs(pairs: readonly (readonly [string, string])[], options?: { indent?: string }): string {
  return formatTable(pairs.map(([k, v]) => [k, v]), { align: ["left", "left"], gap: 2, indent: options?.indent });
}

/**
 * Numbers that share a table row or column, in one notation with 4 significant digits for the
 * smallest: fixed decimals, the same number of them for all so the points line up, or exponent
 * notation for all ("1.430e+9" next to "1.801e+9", never "1.43e+9") when a value is 1e6 or more,
 * below 1e-3, or the largest is 1e4 times the smallest. "—" for a metric that does not apply
 * (undefined), and NaN/∞ spelt out rather than hidden.
 */
export function formatColumn(values: readonly (number | undefined)[]): string[] {
  const digits = 4;
  const sizes = values.filter((v): v is number => v !== undefined && Number.isFinite(v) && v !== 0).map(Math.abs);
  let exponent = false, decimals = 0;
  if (sizes.length > 0) {
    const max = Math.max(...sizes), min = Math.min(...sizes);
    exponent = max >= 1e6 || min < 1e-3 || max / min >= 1e4;
    decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(min)));
  }
  return values.map((v) => {
    if (v === undefined) return "—";
    if (Number.isNaN(v)) return "NaN";
    if (!Number.isFinite(v)) return v > 0 ? "∞" : "-∞";
    if (exponent) return v === 0 ? "0" : v.toExponential(digits - 1);
    return v.toFixed(decimals);
  });
}

/** One metric value as formatColumn writes a column of one. */
export function formatMetric(v: number | undefined): string {
  return formatColumn([v])[0];
}

/**
 * Text from the user's data or command line (column names, class labels, file names) made safe
 * to print: C0 and C1 control characters and DEL, which a terminal acts on (ESC starts sequences
 * that move the cursor, clear the screen or set the window title; U+009B is a one-character CSI),
 * are written as \xHH escapes. Line breaks are escaped too, so a message stays on one line.
 */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this finds
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
