// CSV text to a feature matrix and a target column, and results back to CSV. Parsing is
// csv-parse's (quoting and line endings are easy to get subtly wrong); this file decides which
// columns are numbers, one-hot encodes text columns, handles missing cells, and reports bad cells
// by line and column name.
import { parse } from "csv-parse/sync";
import { describe, list, quote } from "./describe.ts";
import { matrix, type Matrix } from "./matrix.ts";
import { readNumber } from "./number.ts";

/** Which text columns become one-hot features (CsvOptions.categorical). */
export type CsvCategorical = "auto" | "none" | readonly string[];
/** What a missing cell does (CsvOptions.missing). */
export type CsvMissing = "error" | "drop" | "mean";

/**
 * The cells that mean "no value", once trimmed: pandas' default na_values, so that a file reads
 * the same here as in read_csv. Case matters, as in pandas: "NA" is missing, "na" is text. Such a
 * cell is missing in every column, text columns too ("None" is not a category here, as in pandas).
 */
export const CSV_MISSING_VALUES: readonly string[] = Object.freeze([
  "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN",
  "None", "n/a", "nan", "null",
]);
const MISSING = new Set(CSV_MISSING_VALUES);
const MISSING_MODES: readonly CsvMissing[] = ["error", "drop", "mean"];

/**
 * categorical "auto" encodes a text column of at most this many categories, and of at most half
 * as many as rows: beyond either it is free text or a name, and would add a column per row.
 */
export const AUTO_MAX_CATEGORIES = 50;
/** The most categories of any one-hot encoded column, so that an untrusted file cannot ask for millions of columns. */
export const MAX_CATEGORIES = 1000;
/** The most values X may hold once encoded: 2^28 float32 values, 1 GiB. */
export const MAX_CELLS = 2 ** 28;

export interface CsvOptions {
  /** The target column (y); without it there is no y. */
  target?: string;
  /**
   * The feature columns, in this order (each must exist; a text column must be one that
   * `categorical` encodes); default: every column but the target that is numeric or encoded, in
   * file order.
   */
  features?: readonly string[];
  /**
   * Text columns to one-hot encode into one 0/1 feature per category, named "column=category",
   * categories sorted (as pandas' get_dummies and scikit-learn's OneHotEncoder do; numerically
   * when all are numbers): "auto",
   * every text column but the target and id-like ones (each up to AUTO_MAX_CATEGORIES categories,
   * and up to half as many as rows); a list of columns, text or numbers, up to MAX_CATEGORIES
   * categories each; or "none" (the default), leaving text columns out (listed in skipped).
   */
  categorical?: CsvCategorical;
  /**
   * Leave id-like numeric columns, unique integers in every row under a name like an id ("id",
   * "ID", "house_id", "houseId", "index"), out of the default features (listed in ids). Default
   * false. Text columns unique in every row are id-like whatever their name, and "auto" never
   * encodes them.
   */
  dropIds?: boolean;
  /**
   * A missing cell (CSV_MISSING_VALUES) in a feature or the target: "error" (the default) refuses
   * it, naming its line and column; "drop" leaves its row out; "mean" fills a number with the
   * column's mean over the rows read and a text cell with no category (an all-zero one-hot row, as
   * get_dummies gives NaN), and leaves out a row whose target is missing (listed in dropped).
   */
  missing?: CsvMissing;
  /** Columns to return as they are (kept), row for row with X: an id to write next to predictions. */
  keep?: readonly string[];
  /**
   * An earlier result's `encoding`, to read this text into the same features, as a fitted
   * transformer's transform() does: the same columns in the same order, the same categories (one it
   * does not know gets an all-zero row, and is listed in unseen, as OneHotEncoder's
   * handle_unknown="ignore") and the same means. Not with features, categorical or dropIds;
   * missing defaults to the encoding's.
   */
  encoding?: CsvEncoding;
  /** A name for the text in messages, such as its file name (default "CSV"). */
  source?: string;
  /** The field delimiter (default ","). */
  delimiter?: string;
}

/** How one column of the text becomes features. */
export type CsvColumn =
  | {
    readonly name: string;
    readonly type: "number";
    /** With missing "mean": the mean of the column, which a missing cell gets. */
    readonly mean?: number;
  }
  | { readonly name: string; readonly type: "category"; readonly categories: readonly string[] };

/** How parseCsv made its features, to read other text alike (options.encoding); plain JSON. */
export interface CsvEncoding {
  readonly missing: CsvMissing;
  readonly columns: readonly CsvColumn[];
}

export interface CsvData {
  /** The features: one column per number column, one per category of an encoded column. */
  X: Matrix;
  /** Their names, in X's column order: a number column's name, or "column=category". */
  features: string[];
  /** Text (and empty) columns left out of X, other than the target and the id-like ones. */
  skipped: string[];
  /** Id-like columns left out of X (see dropIds). */
  ids: string[];
  target?: string;
  /** The target column: numbers when numeric, else the cells as they are (class labels). */
  y?: Float32Array | string[];
  /** How the columns became X, for options.encoding. */
  encoding: CsvEncoding;
  /** The file lines of the rows left out for a missing cell, in file order. */
  dropped: number[];
  /** Per column with missing cells that were filled (missing "mean"), the rows of X that hold them. */
  filled: { column: string; rows: number[] }[];
  /** Categories that options.encoding does not know, with how many rows hold each: their one-hot columns are all 0. */
  unseen: { column: string; category: string; rows: number }[];
  /** The cells of options.keep's columns, one array per column, row for row with X, untrimmed. */
  kept: string[][];
}

/**
 * A column that an option names and the text lacks (or that it names twice, or that is the
 * target), with the option: the command line reports it as a mistake in its flag rather than in
 * the data. @internal
 */
export class CsvColumnError extends RangeError {
  readonly option: "target" | "features" | "categorical" | "keep";
  readonly columns: readonly string[];
  constructor(message: string, option: CsvColumnError["option"], columns: readonly string[]) {
    super(message);
    this.name = "RangeError";
    this.option = option;
    this.columns = columns;
  }
}

/** How messages name options and suggest fixes: in parseCsv's option names, or in the command line's flags. @internal */
export interface CsvHints {
  /** An option as messages name it: "categorical", or "--categorical". */
  option(name: CsvColumnError["option"]): string;
  /** After a missing cell that missing "error" refuses. */
  missing: string;
  /** After a text column that features names but categorical does not encode. */
  encode: string;
  /** After a column with too many categories to encode. */
  tooMany: string;
}

const HINTS: CsvHints = {
  option: (name) => name,
  missing: `missing: "drop" or "mean" handles missing cells`,
  encode: `categorical: "auto", or a list naming it, one-hot encodes it`,
  tooMany: `list the columns to encode in categorical, leave it out of features, or use categorical: "none"`,
};

const FN = "parseCsv";

interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

/** A cell's kind, one byte per cell of a column. */
const FINITE = 0, INFINITE = 1, MISSED = 2, TEXT = 3;

/** Cells counted by kind while reading, with the first row of each kind (-1: none). */
interface Tally {
  values: Float64Array;
  kinds: Uint8Array;
  counts: [number, number, number, number];
  first: [number, number, number, number];
}

/** A column after the first pass, missing cells aside: numbers, text, both, or nothing. */
interface Column {
  kind: "number" | "text" | "mixed" | "empty";
  values: Float64Array;
  kinds: Uint8Array;
  numbers: number;
  text: number;
  missing: number;
  /** The first number, text and missing cells, as row indices (-1: none). */
  firstNumber: number;
  firstText: number;
  firstMissing: number;
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
  const [finite, infinite, missing, text] = t.counts;
  const base = { values: t.values, kinds: t.kinds, missing, firstMissing: t.first[MISSED] };
  const c: Omit<Column, "kind"> = text > 0
    ? { ...base, numbers: finite, text: text + infinite, firstNumber: t.first[FINITE], firstText: at(t.first[TEXT], t.first[INFINITE]) }
    : { ...base, numbers: finite + infinite, text: 0, firstNumber: at(t.first[FINITE], t.first[INFINITE]), firstText: -1 };
  const kind = c.text === 0 ? (c.numbers === 0 ? "empty" : "number") : c.numbers === 0 ? "text" : "mixed";
  return { kind, ...c };
}

/** Names that say a column identifies rows: id, ID, house_id, house-id, "house id", index, uuid. */
const ID_NAME = /^(?:id|index|uuid|guid|rowid|unnamed: \d+)$|[_\s.-]id$/i;
/** houseId, houseID (not "paid" or "valid"). */
const CAMEL_ID = /[a-z0-9](?:Id|ID)$/;

/** A column the features take, and how. */
interface Input {
  j: number;
  type: "number" | "category";
  /** Named in a categorical list (or an encoding): MAX_CATEGORIES applies rather than auto's caps. */
  listed: boolean;
}

/**
 * Parses CSV text with a header row into features and, with a target, a target column. A column
 * is numeric when every cell is a finite number or missing, text when no cell is a number; text
 * columns are one-hot encoded or left out as options.categorical says, missing cells handled as
 * options.missing says, and a column mixing numbers and text is an error naming the line and
 * column. With a target, the result has y.
 */
export function parseCsv(text: string, options: CsvOptions & { target: string }): CsvData & { y: Float32Array | string[]; target: string };
export function parseCsv(text: string, options?: CsvOptions): CsvData;
export function parseCsv(text: string, options: CsvOptions = {}): CsvData {
  return parseTable(text, options, HINTS);
}

/** parseCsv, with messages that suggest fixes in the caller's terms. @internal (the command line's flags) */
export function parseTable(text: string, options: CsvOptions, hints: CsvHints): CsvData {
  if (typeof text !== "string") throw new TypeError(`descent: ${FN}: text must be a string, received ${describe(text)}`);
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`descent: ${FN}: options must be an object, received ${describe(options)}`);
  }
  const { target, features, keep, source = "CSV", delimiter = "," } = options;
  for (const [name, v] of [["source", source], ["delimiter", delimiter], ["target", target ?? ""]] as const) {
    if (typeof v !== "string") throw new TypeError(`descent: ${FN}: ${name} must be a string, received ${describe(v)}`);
  }
  if (delimiter === "") throw new RangeError(`descent: ${FN}: delimiter must not be empty`);
  for (const [name, v] of [["features", features], ["keep", keep]] as const) {
    if (v !== undefined && (!Array.isArray(v) || !v.every((f) => typeof f === "string"))) {
      throw new TypeError(`descent: ${FN}: ${name} must be an array of column names, received ${describe(v)}`);
    }
  }
  const categorical = options.categorical ?? "none";
  if (categorical !== "auto" && categorical !== "none" &&
    (!Array.isArray(categorical) || !categorical.every((f) => typeof f === "string"))) {
    throw new TypeError(`descent: ${FN}: categorical must be "auto", "none" or an array of column names, received ${describe(categorical)}`);
  }
  const dropIds = options.dropIds ?? false;
  if (typeof dropIds !== "boolean") throw new TypeError(`descent: ${FN}: dropIds must be a boolean, received ${describe(dropIds)}`);
  const encoding = options.encoding === undefined ? undefined : checkEncoding(options.encoding, `${FN}: encoding`);
  if (encoding !== undefined) {
    const clash = (["features", "categorical", "dropIds"] as const).filter((k) => options[k] !== undefined);
    if (clash.length > 0) {
      throw new TypeError(`descent: ${FN}: encoding fixes the features; do not also give ${clash.join(" or ")}`);
    }
  }
  const missing = options.missing ?? encoding?.missing ?? "error";
  if (!MISSING_MODES.includes(missing)) {
    throw new TypeError(`descent: ${FN}: missing must be "error", "drop" or "mean", received ${describe(missing)}`);
  }
  if (encoding !== undefined && missing === "mean") {
    const none = encoding.columns.find((c) => c.type === "number" && c.mean === undefined);
    if (none !== undefined) {
      throw new RangeError(`descent: ${FN}: missing is "mean" but the encoding has no mean for column ${quote(none.name)} ` +
        `(it was made with missing: ${JSON.stringify(encoding.missing)})`);
    }
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
    values: new Float64Array(rows), kinds: new Uint8Array(rows), counts: [0, 0, 0, 0], first: [-1, -1, -1, -1],
  }));
  for (let r = 0; r < rows; r++) {
    const cells = records[r + 1];
    if (cells.length !== cols) {
      throw new RangeError(`descent: ${FN}: ${where} line ${lines(r + 1)} has ${cells.length} field${cells.length === 1 ? "" : "s"} but the header has ${cols}`);
    }
    for (let j = 0; j < cols; j++) {
      const cell = cells[j];
      const c = tallies[j];
      let kind: number;
      if (MISSING.has(cell.trim())) kind = MISSED;
      else {
        const v = readNumber(cell);
        if (v === undefined) kind = TEXT;
        else {
          c.values[r] = v;
          kind = Number.isFinite(v) ? FINITE : INFINITE;
        }
      }
      c.kinds[r] = kind;
      if (c.counts[kind]++ === 0) c.first[kind] = r;
    }
  }
  const columns = tallies.map(classify);
  const columnList = `columns: ${list(header, 20)}`;
  const fail = (message: string): never => {
    throw new RangeError(`descent: ${FN}: ${message}`);
  };
  /** A mistake in an option's list of columns rather than in the data. */
  const misnamed = (option: CsvColumnError["option"], message: string): never => {
    throw new CsvColumnError(`descent: ${FN}: ${message}`, option, []);
  };

  // ---- the columns the options name
  let t = -1;
  if (target !== undefined) {
    t = at.get(target.trim()) ?? -1;
    if (t < 0) throw new CsvColumnError(`descent: ${FN}: ${where} no target column ${quote(target)} (${columnList})`, "target", [target]);
  }
  const listed = new Set<number>();
  if (Array.isArray(categorical)) {
    for (const name of categorical as readonly string[]) {
      const j = at.get(name.trim());
      if (j === undefined) {
        throw new CsvColumnError(`descent: ${FN}: ${where} no column ${quote(name)} to encode (${columnList})`, "categorical", [name]);
      }
      if (listed.has(j)) misnamed("categorical", `${hints.option("categorical")} lists ${quote(name)} twice`);
      if (j === t) {
        misnamed("categorical", `${hints.option("categorical")} lists ${quote(name)}, the target (a text target holds class labels, never one-hot encoded)`);
      }
      listed.add(j);
    }
  }
  let named: number[] | undefined;
  if (features !== undefined) {
    const seen = new Set<number>();
    for (const f of features) {
      const j = at.get(f.trim());
      if (j === undefined) throw new CsvColumnError(`descent: ${FN}: ${where} no feature column ${quote(f)} (${columnList})`, "features", [f]);
      if (seen.has(j)) misnamed("features", `${hints.option("features")} lists ${quote(f)} twice`);
      if (j === t) misnamed("features", `${quote(f)} is the target and cannot also be a feature`);
      seen.add(j);
    }
    for (const j of listed) {
      if (!seen.has(j)) {
        misnamed("categorical", `${hints.option("categorical")} lists ${quote(header[j])}, which ${hints.option("features")} leaves out`);
      }
    }
    // In the order asked for (as pandas' df[features]): a model saved with its feature names then
    // reads a file whose columns come in another order correctly.
    named = features.map((f) => at.get(f.trim()) as number);
  } else if (encoding !== undefined) {
    const absent = encoding.columns.map((c) => c.name).filter((name) => !at.has(name));
    if (absent.length > 0) {
      throw new CsvColumnError(`descent: ${FN}: ${where} no feature column${absent.length === 1 ? "" : "s"} ${list(absent, 20)} (${columnList})`,
        "features", absent);
    }
    named = encoding.columns.map((c) => at.get(c.name) as number);
    const j = named.indexOf(t);
    if (j >= 0) fail(`${quote(header[t])} is the target and cannot also be a feature`);
  }
  const keptColumns: number[] = [];
  for (const name of keep ?? []) {
    const j = at.get(name.trim());
    if (j === undefined) throw new CsvColumnError(`descent: ${FN}: ${where} no column ${quote(name)} to keep (${columnList})`, "keep", [name]);
    if (keptColumns.includes(j)) misnamed("keep", `${hints.option("keep")} lists ${quote(name)} twice`);
    keptColumns.push(j);
  }

  // ---- a column mixing numbers with text: the odd one out is the minority kind (a stray "n/a"
  // among numbers, or a stray number among names); report the earliest in the file. Columns that
  // are read as categories (listed, or by the encoding) take numbers as categories.
  // An encoding's columns are read as it says, below.
  const checked = encoding !== undefined ? [] : (named ?? header.map((_, j) => j)).filter((j) => !listed.has(j));
  if (t >= 0 && !checked.includes(t)) checked.push(t);
  let bad: [number, number] | undefined;
  for (const j of checked) {
    const c = columns[j];
    if (c.kind !== "mixed") continue;
    const r = c.numbers >= c.text ? c.firstText : c.firstNumber;
    if (bad === undefined || r < bad[0]) bad = [r, j];
  }
  if (bad !== undefined) {
    const [r, j] = bad;
    const c = columns[j], cell = records[r + 1][j], place = cellAt(lines(r + 1), header[j]);
    fail(r === c.firstText
      ? `${where} ${place}: ${notNumber(cell)}, though the column holds numbers (${c.numbers} of its ${rows} cells)`
      : `${where} ${place}: ${quote(cell)} is a number, though the column holds text (${c.text} of its ${rows} cells)`);
  }
  if (t >= 0 && columns[t].kind === "empty") fail(`${where} the target column ${quote(header[t])} has no values (all ${rows} cells are missing)`);

  // ---- which columns become features, and how
  /** Unique in every row: integers named like an id, or any text. */
  const idLike = (j: number): boolean => {
    const c = columns[j];
    if (c.missing > 0) return false;
    if (c.kind === "number") {
      if (!ID_NAME.test(header[j]) && !CAMEL_ID.test(header[j])) return false;
      if (!c.values.every(Number.isInteger)) return false;
      return new Set(c.values).size === rows;
    }
    return c.kind === "text" && new Set(records.slice(1).map((cells) => cells[j].trim())).size === rows;
  };
  const inputs: Input[] = [];
  const ids: string[] = [];
  const skipped: string[] = [];
  if (encoding !== undefined) {
    (named as number[]).forEach((j, i) => {
      const type = encoding.columns[i].type;
      const c = columns[j];
      if (type === "number" && c.text > 0) {
        const r = c.firstText;
        fail(`${where} ${cellAt(lines(r + 1), header[j])}: ${notNumber(records[r + 1][j])}, though the encoding reads the column as numbers`);
      }
      inputs.push({ j, type, listed: true });
    });
  } else if (named !== undefined) {
    for (const j of named) {
      const c = columns[j];
      if (listed.has(j) || (c.kind === "text" && categorical === "auto")) inputs.push({ j, type: "category", listed: listed.has(j) });
      else if (c.kind === "number") inputs.push({ j, type: "number", listed: false });
      else if (c.kind === "empty") fail(`${where} feature column ${quote(header[j])} has no values (all ${rows} cells are missing)`);
      else {
        const r = c.firstText;
        fail(`${where} feature column ${quote(header[j])} is not numeric ` +
          `(${cellAt(lines(r + 1), header[j])}: ${notNumber(records[r + 1][j])}); ${hints.encode}`);
      }
    }
  } else {
    header.forEach((h, j) => {
      if (j === t) return;
      const c = columns[j];
      if (listed.has(j)) inputs.push({ j, type: "category", listed: true });
      else if (c.kind === "number") {
        if (dropIds && idLike(j)) ids.push(h);
        else inputs.push({ j, type: "number", listed: false });
      } else if (c.kind === "text" && categorical === "auto") {
        if (idLike(j)) ids.push(h);
        else inputs.push({ j, type: "category", listed: false });
      } else skipped.push(h);
    });
  }
  if (named !== undefined) {
    header.forEach((h, j) => {
      if (j !== t && !named.includes(j) && columns[j].kind !== "number") skipped.push(h);
    });
  }
  if (inputs.length === 0) {
    fail(`${where} no numeric feature columns (${columnList}${t >= 0 ? `; target ${quote(header[t])}` : ""})`);
  }

  // ---- missing cells: refused, or their rows left out
  const used = t >= 0 ? [...inputs.map((i) => i.j), t] : inputs.map((i) => i.j);
  const typeOf = (j: number): "numbers" | "text" => {
    const input = inputs.find((i) => i.j === j);
    return input === undefined ? (columns[j].kind === "text" ? "text" : "numbers") : input.type === "category" ? "text" : "numbers";
  };
  if (missing === "error") {
    let first: number | undefined;
    for (const j of used) {
      const r = columns[j].firstMissing;
      if (r >= 0 && (first === undefined || r < columns[first].firstMissing)) first = j;
    }
    if (first !== undefined) {
      const j = first, c = columns[j], r = c.firstMissing, cell = records[r + 1][j];
      const what = cell.trim() === "" ? "the cell is empty" : `${quote(cell)} marks a missing value`;
      const place = `${where} ${cellAt(lines(r + 1), header[j])}`;
      fail(j === t && typeOf(t) === "text"
        ? `${place}: ${cell.trim() === "" ? "the target is empty" : `the target ${quote(cell)} marks a missing value`}; ${hints.missing}`
        : `${place}: ${what}, though the column holds ${typeOf(j)} (${rows - c.missing} of its ${rows} cells); ${hints.missing}`);
    }
  }
  const dropping = missing === "drop" ? used : t >= 0 ? [t] : [];
  const out: number[] = [];
  const dropped: number[] = [];
  for (let r = 0; r < rows; r++) {
    if (dropping.some((j) => columns[j].kinds[r] === MISSED)) dropped.push(lines(r + 1));
    else out.push(r);
  }
  const n = out.length;
  if (n === 0) {
    fail(`${where} every row has a missing cell in ${list(dropping.map((j) => header[j]))}: no rows are left`);
  }

  // ---- categories, learnt from the rows kept unless the encoding gives them
  const key = (r: number, j: number): string => records[r + 1][j].trim();
  const columnsOut: CsvColumn[] = [];
  for (const [i, input] of inputs.entries()) {
    const j = input.j, name = header[j];
    if (encoding !== undefined) {
      columnsOut.push(encoding.columns[i]);
      continue;
    }
    if (input.type === "number") {
      columnsOut.push({ name, type: "number" });
      continue;
    }
    const cap = input.listed ? MAX_CATEGORIES : AUTO_MAX_CATEGORIES;
    const seen = new Set<string>();
    for (const r of out) {
      if (columns[j].kinds[r] === MISSED) continue;
      seen.add(key(r, j));
      // Counted a little past the cap, enough to say "more than", and never further.
      if (seen.size > MAX_CATEGORIES) break;
    }
    const distinct = seen.size;
    if (distinct > cap || (!input.listed && distinct > n / 2)) {
      const count = distinct > MAX_CATEGORIES ? `more than ${MAX_CATEGORIES}` : String(distinct);
      const limit = input.listed ? `at most ${MAX_CATEGORIES}` : `auto takes at most ${AUTO_MAX_CATEGORIES}, and at most half as many as rows`;
      fail(`${where} column ${quote(name)} has ${count} distinct values in ${n} rows, too many to one-hot encode (${limit}); ${hints.tooMany}`);
    }
    columnsOut.push({ name, type: "category", categories: sortCategories([...seen]) });
  }

  const names = featureNames(columnsOut);
  const duplicate = names.find((f, i) => names.indexOf(f) !== i);
  if (duplicate !== undefined) fail(`${where} the one-hot column ${quote(duplicate)} has the name of another feature; rename one of the columns`);
  const k = names.length;
  if (n * k > MAX_CELLS) {
    fail(`${where} the features would hold ${n} rows × ${k} columns = ${n * k} values, more than the ${MAX_CELLS} descent reads at once`);
  }

  // ---- X
  const data = new Float32Array(n * k);
  /** A cell of a numeric column that is used, as float32: refused when it is not finite there. */
  const float32 = (r: number, j: number): number => {
    const v = columns[j].values[r];
    const f = Math.fround(v);
    if (!Number.isFinite(f)) {
      const cell = quote(records[r + 1][j]);
      fail(`${where} ${cellAt(lines(r + 1), header[j])}: ` +
        (Number.isFinite(v) ? `${cell} overflows float32` : `${cell} is not a finite number (descent needs finite values)`));
    }
    return f;
  };
  const filled: CsvData["filled"] = [];
  const unseen = new Map<string, CsvData["unseen"][number]>();
  let offset = 0;
  columnsOut.forEach((col, i) => {
    const j = inputs[i].j;
    const kinds = columns[j].kinds;
    const holes: number[] = [];
    if (col.type === "number") {
      let sum = 0;
      out.forEach((r, row) => {
        if (kinds[r] === MISSED) holes.push(row);
        else {
          const v = float32(r, j);
          data[row * k + offset] = v;
          sum += v;
        }
      });
      if (missing === "mean" && encoding === undefined) {
        // Every numeric column keeps its mean, for a later file with a hole where this one had none.
        if (holes.length === n) fail(`${where} column ${quote(col.name)} has no value to take the mean of in the ${n} rows read`);
        columnsOut[i] = { ...col, mean: Math.fround(sum / (n - holes.length)) };
      }
      const mean = (columnsOut[i] as { mean?: number }).mean as number;
      for (const row of holes) data[row * k + offset] = mean;
      offset++;
    } else {
      const index = new Map(col.categories.map((c, m) => [c, m]));
      out.forEach((r, row) => {
        if (kinds[r] === MISSED) {
          holes.push(row);
          return;
        }
        const category = key(r, j);
        const m = index.get(category);
        if (m !== undefined) data[row * k + offset + m] = 1;
        else {
          const u = unseen.get(`${i}\u0000${category}`);
          if (u === undefined) unseen.set(`${i}\u0000${category}`, { column: col.name, category, rows: 1 });
          else u.rows++;
        }
      });
      offset += col.categories.length;
    }
    if (holes.length > 0) filled.push({ column: col.name, rows: holes });
  });

  const result: CsvData = {
    X: matrix(data, n, k),
    features: names,
    skipped,
    ids,
    encoding: encoding ?? Object.freeze({ missing, columns: Object.freeze(columnsOut.map((c) => Object.freeze(c))) }),
    dropped,
    filled,
    unseen: [...unseen.values()],
    kept: keptColumns.map((j) => out.map((r) => records[r + 1][j])),
  };
  if (t >= 0) {
    result.target = header[t];
    if (columns[t].kind === "number") {
      result.y = Float32Array.from(out, (r) => float32(r, t));
    } else {
      // Trimmed as a number is (" 12 " is 12), so " cat" and "cat" are one class, not two.
      result.y = out.map((r) => key(r, t));
    }
  }
  return result;
}

/** The feature names of an encoding's columns: a number column's name, "column=category" for each category. */
export function featureNames(columns: readonly CsvColumn[]): string[] {
  return columns.flatMap((c) => (c.type === "number" ? [c.name] : c.categories.map((v) => `${c.name}=${v}`)));
}

/**
 * Categories in a stable order: by value when every one is a number (floors 1, 2, 10, as pandas
 * sorts a numeric column's dummies), else by UTF-16 code units, as LabelEncoder sorts labels.
 */
function sortCategories(values: string[]): string[] {
  const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const numbers = values.map((v) => readNumber(v));
  if (numbers.every((v) => v !== undefined)) {
    const value = new Map(values.map((v, i) => [v, numbers[i] as number]));
    return values.sort((a, b) => (value.get(a) as number) - (value.get(b) as number) || byCodeUnit(a, b));
  }
  return values.sort(byCodeUnit);
}

/**
 * An encoding read from JSON (a saved model file), checked before anything is built from it:
 * known fields only, names and categories unique, means finite, categories at most
 * MAX_CATEGORIES per column. Returns a frozen copy. @internal (parseCsv's encoding option, and
 * the command line's model files)
 */
export function checkEncoding(json: unknown, what: string): CsvEncoding {
  const type = (message: string): never => {
    throw new TypeError(`descent: ${what}: ${message}`);
  };
  const range = (message: string): never => {
    throw new RangeError(`descent: ${what}: ${message}`);
  };
  const fields = (v: unknown, name: string, allowed: readonly string[]): Record<string, unknown> => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) type(`${name} must be an object, received ${describe(v)}`);
    const o = v as Record<string, unknown>;
    const unknown = Object.keys(o).filter((f) => !allowed.includes(f));
    if (unknown.length > 0) range(`${name} has an unknown field ${quote(unknown[0])} (known: ${allowed.join(", ")})`);
    return o;
  };
  const o = fields(json, "the encoding", ["missing", "columns"]);
  const missing = o.missing as CsvMissing;
  if (!MISSING_MODES.includes(missing)) type(`missing must be "error", "drop" or "mean", received ${describe(o.missing)}`);
  if (!Array.isArray(o.columns)) type(`columns must be an array, received ${describe(o.columns)}`);
  const list = o.columns as unknown[];
  if (list.length === 0) range("columns is empty");
  const names = new Set<string>();
  const columns = list.map((v, i): CsvColumn => {
    const at = `columns[${i}]`;
    const c = fields(v, at, ["name", "type", "mean", "categories"]);
    if (typeof c.name !== "string" || c.name.trim() === "" || c.name !== c.name.trim()) {
      type(`${at}.name must be a column name (a non-empty string without surrounding spaces), received ${describe(c.name)}`);
    }
    const name = c.name as string;
    if (names.has(name)) range(`${at}.name repeats the column ${quote(name)}`);
    names.add(name);
    if (c.type === "number") {
      if (c.categories !== undefined) range(`${at} is a number column and cannot have categories`);
      if (c.mean === undefined) {
        if (missing === "mean") range(`${at}.mean is missing (missing is "mean", so every number column has one)`);
        return Object.freeze({ name, type: "number" });
      }
      if (typeof c.mean !== "number" || !Number.isFinite(Math.fround(c.mean))) {
        type(`${at}.mean must be a finite float32 number, received ${describe(c.mean)}`);
      }
      return Object.freeze({ name, type: "number", mean: Math.fround(c.mean as number) });
    }
    if (c.type !== "category") type(`${at}.type must be "number" or "category", received ${describe(c.type)}`);
    if (c.mean !== undefined) range(`${at} is a category column and cannot have a mean`);
    const cats = c.categories;
    if (!Array.isArray(cats)) type(`${at}.categories must be an array of strings, received ${describe(cats)}`);
    const values = cats as unknown[];
    if (values.length === 0 || values.length > MAX_CATEGORIES) {
      range(`${at}.categories must hold 1 to ${MAX_CATEGORIES} categories, received ${values.length}`);
    }
    const seen = new Set<string>();
    values.forEach((s, m) => {
      if (typeof s !== "string" || s !== s.trim() || MISSING.has(s)) {
        type(`${at}.categories[${m}] must be a category (a string, trimmed, not a missing value), received ${describe(s)}`);
      }
      if (seen.has(s as string)) range(`${at}.categories[${m}] repeats ${quote(s as string)}`);
      seen.add(s as string);
    });
    return Object.freeze({ name, type: "category", categories: Object.freeze(values.slice() as string[]) });
  });
  const features = featureNames(columns);
  const duplicate = features.find((f, i) => features.indexOf(f) !== i);
  if (duplicate !== undefined) range(`two columns make the feature ${quote(duplicate)}`);
  return Object.freeze({ missing, columns: Object.freeze(columns) });
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
