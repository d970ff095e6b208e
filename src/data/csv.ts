// CSV text to a feature matrix and a target column, and results back to CSV. Parsing is
// csv-parse's (quoting and line endings are easy to get subtly wrong); this file decides which
// columns are numbers and reports bad cells by line and column name.
import { parse } from "csv-parse/sync";
import { describe, list, quote } from "./describe.ts";
import { matrix, type Matrix } from "./matrix.ts";
import { readNumber } from "./number.ts";

export interface CsvOptions {
  /** The target column (y); without it there is no y. */
  target?: string;
  /** The feature columns, in this order (each must exist and be numeric); default: every numeric column but the target, in file order. */
  features?: readonly string[];
  /** A name for the text in messages, such as its file name (default "CSV"). */
  source?: string;
  /** The field delimiter (default ","). */
  delimiter?: string;
}

export interface CsvData {
  /** The feature columns, in the order of options.features (else file order). */
  X: Matrix;
  /** Their names, in the same order. */
  features: string[];
  /** Categorical (non-numeric) columns left out of X, other than the target. */
  skipped: string[];
  target?: string;
  /** The target column: numbers when numeric, else the cells as they are (class labels). */
  y?: Float32Array | string[];
}

const FN = "parseCsv";

interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

/** A column after the first pass: its cells as numbers where they are numbers, and counts. */
interface Column {
  values: Float64Array;
  numeric: number;
  /** Cells neither numbers nor blank. */
  text: number;
  /** The first cell that is not a number (blank or text), and the first that is, as row indices (or -1). */
  firstNotNumber: number;
  firstNumber: number;
}

/** Cells counted by kind while reading, with the first row of each kind (-1: none). */
interface Tally {
  values: Float64Array;
  finite: number;
  /** Infinity spelt out ("inf", "-Infinity"). */
  infinite: number;
  blank: number;
  text: number;
  first: { finite: number; infinite: number; blank: number; text: number };
}

/**
 * A tally as a column of numbers or of text. Infinity spelt out is a number (that descent then
 * refuses as not finite) in a column of numbers, but a label among text, as pandas keeps "inf"
 * a string in a column of names.
 */
function classify(t: Tally): Column {
  const at = (...rows: number[]): number => {
    const found = rows.filter((r) => r >= 0);
    return found.length === 0 ? -1 : Math.min(...found);
  };
  if (t.text > 0) {
    return {
      values: t.values, numeric: t.finite, text: t.text + t.infinite,
      firstNotNumber: at(t.first.blank, t.first.text, t.first.infinite), firstNumber: t.first.finite,
    };
  }
  return {
    values: t.values, numeric: t.finite + t.infinite, text: 0,
    firstNotNumber: t.first.blank, firstNumber: at(t.first.finite, t.first.infinite),
  };
}

/**
 * Parses CSV text with a header row. A column is numeric when every cell is a finite number,
 * categorical when no cell is; a column mixing the two, or a numeric column with an empty cell,
 * is an error naming the line and column. With a target, the result has y.
 */
export function parseCsv(text: string, options: CsvOptions & { target: string }): CsvData & { y: Float32Array | string[]; target: string };
export function parseCsv(text: string, options?: CsvOptions): CsvData;
export function parseCsv(text: string, options: CsvOptions = {}): CsvData {
  if (typeof text !== "string") throw new TypeError(`descent: ${FN}: text must be a string, received ${describe(text)}`);
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`descent: ${FN}: options must be an object, received ${describe(options)}`);
  }
  const { target, features, source = "CSV", delimiter = "," } = options;
  for (const [name, v] of [["source", source], ["delimiter", delimiter], ["target", target ?? ""]] as const) {
    if (typeof v !== "string") throw new TypeError(`descent: ${FN}: ${name} must be a string, received ${describe(v)}`);
  }
  if (delimiter === "") throw new RangeError(`descent: ${FN}: delimiter must not be empty`);
  if (features !== undefined && (!Array.isArray(features) || !features.every((f) => typeof f === "string"))) {
    throw new TypeError(`descent: ${FN}: features must be an array of column names, received ${describe(features)}`);
  }
  const where = `${source}:`;

  const records = parseRecords(text, delimiter, where);
  if (records.length === 0) throw new RangeError(`descent: ${FN}: ${where} no header row (the text is empty)`);
  const lines = lineNumbers(() => parseRecords(text, delimiter, where, true));

  const header = records[0].map((h) => h.trim());
  const at = new Map<string, number>();
  header.forEach((h, j) => {
    if (h === "") throw new RangeError(`descent: ${FN}: ${where} line ${lines(0)}: the header's column ${j + 1} has no name`);
    const first = at.get(h);
    if (first !== undefined) {
      throw new RangeError(`descent: ${FN}: ${where} line ${lines(0)}: the header names column ${quote(h)} twice (columns ${first + 1} and ${j + 1})`);
    }
    at.set(h, j);
  });
  const rows = records.length - 1;
  if (rows === 0) throw new RangeError(`descent: ${FN}: ${where} no data rows after the header`);

  const cols = header.length;
  const tallies: Tally[] = header.map(() => ({
    values: new Float64Array(rows), finite: 0, infinite: 0, blank: 0, text: 0, first: { finite: -1, infinite: -1, blank: -1, text: -1 },
  }));
  for (let r = 0; r < rows; r++) {
    const cells = records[r + 1];
    if (cells.length !== cols) {
      throw new RangeError(`descent: ${FN}: ${where} line ${lines(r + 1)} has ${cells.length} field${cells.length === 1 ? "" : "s"} but the header has ${cols}`);
    }
    for (let j = 0; j < cols; j++) {
      const cell = cells[j];
      const v = readNumber(cell);
      const c = tallies[j];
      const kind = v === undefined ? (cell.trim() === "" ? "blank" : "text") : Number.isFinite(v) ? "finite" : "infinite";
      if (v !== undefined) c.values[r] = v;
      if (c[kind]++ === 0) c.first[kind] = r;
    }
  }
  const columns = tallies.map(classify);

  // A column mixing numbers with blanks or text: the odd one out is the minority kind (a stray
  // "n/a" among numbers, or a stray number among names); report the earliest in the file.
  let bad: [number, number] | undefined;
  columns.forEach((c, j) => {
    if (c.numeric === 0 || c.numeric === rows) return;
    const r = c.numeric >= c.text ? c.firstNotNumber : c.firstNumber;
    if (bad === undefined || r < bad[0]) bad = [r, j];
  });
  if (bad !== undefined) {
    const [r, j] = bad;
    const c = columns[j], cell = records[r + 1][j], place = cellAt(lines(r + 1), header[j]);
    throw new RangeError(r === c.firstNotNumber
      ? `descent: ${FN}: ${where} ${place}: ${notNumber(cell)}, though the column holds numbers (${c.numeric} of its ${rows} cells)`
      : `descent: ${FN}: ${where} ${place}: ${quote(cell)} is a number, though the column holds text (${c.text} of its ${rows} cells)`);
  }
  const isNumeric = (j: number): boolean => columns[j].numeric === rows;

  const columnList = `columns: ${list(header, 20)}`;
  let t = -1;
  if (target !== undefined) {
    t = at.get(target.trim()) ?? -1;
    if (t < 0) throw new RangeError(`descent: ${FN}: ${where} no target column ${quote(target)} (${columnList})`);
  }

  let chosen: number[];
  if (features !== undefined) {
    const seen = new Set<string>();
    for (const f of features) {
      const j = at.get(f.trim());
      if (j === undefined) throw new RangeError(`descent: ${FN}: ${where} no feature column ${quote(f)} (${columnList})`);
      if (seen.has(header[j])) throw new RangeError(`descent: ${FN}: features lists ${quote(f)} twice`);
      seen.add(header[j]);
      if (j === t) throw new RangeError(`descent: ${FN}: ${quote(f)} is the target and cannot also be a feature`);
      if (!isNumeric(j)) {
        const r = columns[j].firstNotNumber;
        throw new RangeError(`descent: ${FN}: ${where} feature column ${quote(f)} is not numeric ` +
          `(${cellAt(lines(r + 1), header[j])}: ${notNumber(records[r + 1][j])})`);
      }
    }
    // In the order asked for (as pandas' df[features]): a model saved with its feature names then
    // reads a file whose columns come in another order correctly.
    chosen = features.map((f) => at.get(f.trim()) as number);
  } else {
    chosen = header.map((_, j) => j).filter((j) => j !== t && isNumeric(j));
  }
  if (chosen.length === 0) {
    throw new RangeError(`descent: ${FN}: ${where} no numeric feature columns (${columnList}${t >= 0 ? `; target ${quote(header[t])}` : ""})`);
  }

  const k = chosen.length;
  const data = new Float32Array(rows * k);
  /** A cell of a numeric column that is used, as float32: refused when it is not finite there. */
  const float32 = (r: number, j: number): number => {
    const v = columns[j].values[r];
    const f = Math.fround(v);
    if (!Number.isFinite(f)) {
      const cell = quote(records[r + 1][j]);
      throw new RangeError(`descent: ${FN}: ${where} ${cellAt(lines(r + 1), header[j])}: ` +
        (Number.isFinite(v) ? `${cell} overflows float32` : `${cell} is not a finite number (descent needs finite values)`));
    }
    return f;
  };
  chosen.forEach((j, c) => {
    for (let r = 0; r < rows; r++) data[r * k + c] = float32(r, j);
  });
  const result: CsvData = {
    X: matrix(data, rows, k),
    features: chosen.map((j) => header[j]),
    skipped: header.filter((_, j) => j !== t && !isNumeric(j)),
  };
  if (t >= 0) {
    result.target = header[t];
    if (isNumeric(t)) {
      result.y = Float32Array.from({ length: rows }, (_, r) => float32(r, t));
    } else {
      const y = new Array<string>(rows);
      for (let r = 0; r < rows; r++) {
        // Trimmed as a number is (" 12 " is 12), so " cat" and "cat" are one class, not two.
        const label = records[r + 1][t].trim();
        // A blank class label is almost always missing data, not a class of its own.
        if (label === "") throw new RangeError(`descent: ${FN}: ${where} ${cellAt(lines(r + 1), header[t])}: the target is empty`);
        y[r] = label;
      }
      result.y = y;
    }
  }
  return result;
}

export interface ToCsvOptions {
  /**
   * Prefix text that a spreadsheet would run as a formula (a cell or name starting with =, +, -,
   * @, tab or carriage return that is not a number) with "'", as OWASP recommends for CSV files
   * that may be opened in Excel or LibreOffice. Off by default: parseCsv reads such a file back
   * with the quote, so the text no longer round-trips exactly. Numbers are never changed.
   */
  escapeFormulas?: boolean;
}

/** Writes a header and columns of equal length as CSV text, one line per row. */
export function toCsv(
  header: readonly string[], columns: readonly (ArrayLike<number> | readonly (string | number)[])[], options?: ToCsvOptions,
): string {
  const fn = "toCsv";
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw new TypeError(`descent: ${fn}: options must be an object, received ${describe(options)}`);
  }
  const escape = options?.escapeFormulas ?? false;
  if (typeof escape !== "boolean") throw new TypeError(`descent: ${fn}: options.escapeFormulas must be a boolean, received ${describe(escape)}`);
  const text = escape ? (s: string): string => field(defuse(s)) : field;
  if (!Array.isArray(header) || !header.every((h) => typeof h === "string")) {
    throw new TypeError(`descent: ${fn}: header must be an array of strings, received ${describe(header)}`);
  }
  if (!Array.isArray(columns)) throw new TypeError(`descent: ${fn}: columns must be an array of columns, received ${describe(columns)}`);
  if (columns.length !== header.length) {
    throw new RangeError(`descent: ${fn}: header has ${header.length} names but there are ${columns.length} columns`);
  }
  columns.forEach((c: unknown, j) => {
    if (!Array.isArray(c) && !(ArrayBuffer.isView(c) && !(c instanceof DataView))) {
      throw new TypeError(`descent: ${fn}: columns[${j}] must be an array or a typed array, received ${describe(c)}`);
    }
  });
  const rows = columns.length > 0 ? columns[0].length : 0;
  columns.forEach((c, j) => {
    if (c.length !== rows) throw new RangeError(`descent: ${fn}: columns[${j}] has ${c.length} values but columns[0] has ${rows}`);
  });
  const out = [header.map(text).join(",")];
  const cells = new Array<string>(columns.length);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < columns.length; j++) {
      const v: unknown = columns[j][r];
      if (typeof v === "number") cells[j] = String(v);
      else if (typeof v === "string") cells[j] = text(v);
      else throw new TypeError(`descent: ${fn}: columns[${j}][${r}] must be a number or a string, received ${describe(v)}`);
    }
    out.push(cells.join(","));
  }
  return out.join("\n") + "\n";
}

/** Text a spreadsheet would take for a formula ("=HYPERLINK(…)", "@SUM(…)", "-cmd"), quoted with "'"; numbers ("-1.5") as they are. */
function defuse(s: string): string {
  return /^[=+\-@\t\r]/.test(s) && readNumber(s) === undefined ? `'${s}` : s;
}

function field(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function cellAt(line: number, column: string): string {
  return `line ${line}, column ${quote(column)}`;
}

function notNumber(cell: string): string {
  if (cell.trim() === "") return "the cell is empty";
  return readNumber(cell) === undefined ? `${quote(cell)} is not a number` : `${quote(cell)} is not a finite number`;
}

function parseRecords(text: string, delimiter: string, where: string): string[][];
function parseRecords(text: string, delimiter: string, where: string, info: true): ParsedRecord[];
function parseRecords(text: string, delimiter: string, where: string, info = false): string[][] | ParsedRecord[] {
  try {
    return parse(text, { bom: true, delimiter, info, relax_column_count: true, skip_empty_lines: true }) as string[][] | ParsedRecord[];
  } catch (e) {
    throw new RangeError(`descent: ${FN}: ${where} ${(e as Error).message}`, { cause: e });
  }
}

/**
 * The line on which each record starts, for error messages only: csv-parse's line numbers cost
 * half again the parse time, so the text is parsed a second time, with them, when one is needed.
 * csv-parse reports the line a record ends on, and inside quoted fields it counts "\r\n" as two
 * line breaks, which shifts every later record; both are corrected here.
 */
function lineNumbers(parseWithInfo: () => ParsedRecord[]): (i: number) => number {
  let records: ParsedRecord[] | undefined;
  let done = 0, extra = 0;
  const start: number[] = [];
  return (i) => {
    records ??= parseWithInfo();
    for (; done <= i; done++) {
      let breaks = 0;
      for (const f of records[done].record) {
        if (f.includes("\n") || f.includes("\r")) {
          breaks += f.match(/\r\n|\r|\n/g)?.length ?? 0;
          extra += f.match(/\r\n/g)?.length ?? 0;
        }
      }
      start[done] = records[done].info.lines - extra - breaks;
    }
    return start[i];
  };
}
