// The data layer: matrices and their validation, CSV parsing (on the real penguins data set, on
// crafted bad files, and on tables with text, id and missing columns), label encoding,
// standardization against a float64 reference, and seeded, stratified train/test splits.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { housingCsv } from "../data/housing.ts";
import {
  CSV_MISSING_VALUES, LabelEncoder, StandardScaler, isMatrix, matrix, parseCsv, toCsv, toMatrix, toVector, trainTestSplit,
  type CsvEncoding, type Matrix,
} from "../src/data/index.ts";
import { CsvColumnError } from "../src/data/csv.ts";
import { readNumber } from "../src/data/number.ts";
import { splitIndices } from "../src/data/split.ts";
import { mulberry32 } from "../src/random.ts";

const PENGUINS = readFileSync(new URL("../data/penguins.csv", import.meta.url), "utf8");
const penguins = () => parseCsv(PENGUINS, { target: "species", source: "penguins.csv" });

/** Runs f and returns what it threw (failing the test when it does not throw). */
function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error, none was thrown");
}

/** Row i of a Matrix as a plain array. */
const row = (m: Matrix, i: number): number[] => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols));

/** The penguins text with one cell replaced: data row r (0-based; file line r + 2), column c. */
function withCell(r: number, c: number, value: string): string {
  const lines = PENGUINS.split("\n");
  const cells = lines[r + 1].split(",");
  cells[c] = value;
  lines[r + 1] = cells.join(",");
  return lines.join("\n");
}

function counts(labels: ArrayLike<string | number>): Map<string | number, number> {
  const m = new Map<string | number, number>();
  for (let i = 0; i < labels.length; i++) m.set(labels[i], (m.get(labels[i]) ?? 0) + 1);
  return m;
}

// ---------------------------------------------------------------------------------------- matrices

describe("matrix, isMatrix, toMatrix, toVector", () => {
  it("builds a row-major matrix from rows or from flat data", () => {
    const a = matrix([[1, 2, 3], [4, 5, 6]]);
    expect([a.rows, a.cols]).toEqual([2, 3]);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6]);
    const flat = new Float32Array([1, 2, 3, 4, 5, 6]);
    const b = matrix(flat, 3, 2);
    expect(b.data).toBe(flat); // not copied
    expect(row(b, 1)).toEqual([3, 4]);
    expect(Array.from(matrix([7, 8], 1, 2).data)).toEqual([7, 8]);
    expect(() => matrix(flat, 4, 2)).toThrow(/^descent: matrix: data has 6 values but 4 rows × 2 cols need 8$/);
  });

  it("names the ragged row and both lengths", () => {
    const e = thrown(() => matrix([[1, 2], [3, 4], [5]]));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toBe("descent: matrix: rows[2] has 1 values but rows[0] has 2 (every row must have the same length)");
    const e2 = thrown(() => toMatrix([[1, 2, 3], [4, 5, 6, 7]], "fit", "X"));
    expect(e2).toBeInstanceOf(RangeError);
    expect(e2.message).toMatch(/^descent: fit: X\[1\] has 4 values but X\[0\] has 3/);
  });

  it("names a NaN or infinite cell by 0-based row and column, in rows and in a Matrix", () => {
    const rows = [[1, 2], [3, 4], [5, 6], [7, NaN]];
    const e = thrown(() => toMatrix(rows, "fit", "X"));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toBe("descent: fit: X[3][1] is NaN (row 3, column 1, counting from 0)");
    const m = matrix(new Float32Array([0, 0, 0, 0, 0, -Infinity]), 2, 3);
    expect(thrown(() => toMatrix(m, "predict", "X")).message).toBe(
      "descent: predict: X[1][2] is -Infinity (row 1, column 2, counting from 0)");
    expect(thrown(() => toMatrix([[1e39]], "fit", "X")).message).toMatch(/X\[0\]\[0\] = 1e\+39 overflows float32/);
  });

  it("passes a valid Matrix through uncopied and copies rows", () => {
    const m = matrix([[1, 2], [3, 4]]);
    expect(toMatrix(m, "fit", "X")).toBe(m);
    const rows = [[1.5, 2], [3, 4]];
    const c = toMatrix(rows, "fit", "X");
    expect(Array.from(c.data)).toEqual([1.5, 2, 3, 4]);
    rows[0][0] = 9;
    expect(c.data[0]).toBe(1.5);
    expect(toMatrix([new Float32Array([1, 2])] as unknown as number[][], "fit", "X").cols).toBe(2);
  });

  it("recognizes matrices", () => {
    expect(isMatrix(matrix([[1]]))).toBe(true);
    expect(isMatrix({ data: new Float32Array(6), rows: 2, cols: 3 })).toBe(true);
    expect(isMatrix({ data: new Float32Array(5), rows: 2, cols: 3 })).toBe(false);
    expect(isMatrix({ data: new Float64Array(6), rows: 2, cols: 3 })).toBe(false);
    expect(isMatrix({ data: new Float32Array(6), rows: 2.5, cols: 3 })).toBe(false);
    expect(isMatrix([[1, 2]])).toBe(false);
    expect(isMatrix(null)).toBe(false);
  });

  it("checks target vectors", () => {
    const y = toVector([1, 2.5, -3], "fit", "y", 3);
    expect(y).toBeInstanceOf(Float32Array);
    expect(Array.from(y)).toEqual([1, 2.5, -3]);
    const f = new Float32Array([1, 2]);
    expect(toVector(f, "fit", "y")).toBe(f);
    expect(Array.from(toVector(new Int32Array([4, 5]), "fit", "y"))).toEqual([4, 5]);
    const e = thrown(() => toVector(new Float32Array(9), "fit", "y", 10));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toBe("descent: fit: y has 9 values but X has 10 rows");
    expect(thrown(() => toVector([0, 1, Infinity], "fit", "y")).message).toBe(
      "descent: fit: y[2] is Infinity (index 2, counting from 0)");
  });
});

// ---------------------------------------------------------------------------------------- errors

/** Each case: what to call, the error class, and a pattern the whole message must match. */
const CASES: [string, () => unknown, ErrorConstructor, RegExp][] = [
  ["toMatrix of a string", () => toMatrix("1,2", "fit", "X"), TypeError,
    /^descent: fit: X must be a Matrix or an array of rows \(number\[\]\[\]\), received the string "1,2"$/],
  ["toMatrix of a flat array", () => toMatrix([1, 2, 3], "fit", "X"), TypeError,
    /^descent: fit: X must be an array of rows .*received an array of numbers; for one feature per row write \[\[1\], \.\.\.\]$/],
  ["toMatrix with a string cell", () => toMatrix([[1, 2], [3, "4"]], "fit", "X"), TypeError,
    /^descent: fit: X\[1\]\[1\] must be a number, received the string "4"$/],
  ["toMatrix with a row that is not an array", () => toMatrix([[1], 2], "fit", "X"), TypeError,
    /^descent: fit: X\[1\] must be an array of numbers, received 2$/],
  ["toMatrix of no rows", () => toMatrix([], "fit", "X"), RangeError, /^descent: fit: X has no rows$/],
  ["toMatrix of empty rows", () => toMatrix([[], []], "fit", "X"), RangeError, /^descent: fit: X has no columns/],
  ["toMatrix of a broken Matrix", () => toMatrix({ data: new Float32Array(5), rows: 2, cols: 3 }, "fit", "X"), RangeError,
    /^descent: fit: X is not a valid Matrix: data has 5 values, rows = 2, cols = 3$/],
  ["matrix with fractional rows", () => matrix([1, 2], 1.5, 2), RangeError,
    /^descent: matrix: rows must be a non-negative integer, received 1\.5$/],
  ["toVector of a string array", () => toVector(["a"], "fit", "y"), TypeError, /^descent: fit: y\[0\] must be a number, received the string "a"$/],
  ["toVector of null", () => toVector(null, "fit", "y"), TypeError, /^descent: fit: y must be a Float32Array or an array of numbers, received null$/],
  ["toVector of nothing", () => toVector([], "fit", "y"), RangeError, /^descent: fit: y is empty$/],
  ["parseCsv of a Buffer", () => parseCsv(Buffer.from("a\n1\n") as unknown as string), TypeError,
    /^descent: parseCsv: text must be a string, received Buffer\(4\)$/],
  ["parseCsv of an empty text", () => parseCsv("", { source: "e.csv" }), RangeError, /^descent: parseCsv: e\.csv: no header row/],
  ["parseCsv of a header alone", () => parseCsv("a,b\n"), RangeError, /^descent: parseCsv: CSV: no data rows after the header$/],
  ["parseCsv with an unclosed quote", () => parseCsv('a,b\n1,"2\n'), RangeError, /^descent: parseCsv: CSV: Quote Not Closed.*line 2/],
  ["parseCsv with a duplicate header", () => parseCsv("a,b,a\n1,2,3\n"), RangeError,
    /^descent: parseCsv: CSV: line 1: the header names column "a" twice \(columns 1 and 3\)$/],
  ["parseCsv with an empty header name", () => parseCsv("a,,c\n1,2,3\n"), RangeError,
    /^descent: parseCsv: CSV: line 1: the header's column 2 has no name$/],
  ["parseCsv without numeric columns", () => parseCsv("a,b\nx,y\n", { target: "a" }), RangeError,
    /^descent: parseCsv: CSV: no numeric feature columns \(columns: "a", "b"; target "a"\)$/],
  ["parseCsv with a number-typed target", () => parseCsv("a\n1\n", { target: 1 as unknown as string }), TypeError,
    /^descent: parseCsv: target must be a string, received 1$/],
  ["parseCsv with features as a string", () => parseCsv("a\n1\n", { features: "a" as unknown as string[] }), TypeError,
    /^descent: parseCsv: features must be an array of column names/],
  ["toCsv with too few names", () => toCsv(["a"], [[1], [2]]), RangeError, /^descent: toCsv: header has 1 names but there are 2 columns$/],
  ["toCsv with uneven columns", () => toCsv(["a", "b"], [[1, 2], [3]]), RangeError,
    /^descent: toCsv: columns\[1\] has 1 values but columns\[0\] has 2$/],
  ["toCsv with an object cell", () => toCsv(["a"], [[{}] as unknown as number[]]), TypeError,
    /^descent: toCsv: columns\[0\]\[0\] must be a number or a string, received Object$/],
  ["LabelEncoder of mixed labels", () => new LabelEncoder().fit(["a", 1, "b"]), TypeError,
    /^descent: LabelEncoder\.fit: labels mixes strings and numbers: labels\[0\] is the string "a" but labels\[1\] is the number 1$/],
  ["LabelEncoder of a NaN label", () => new LabelEncoder().fit([1, NaN]), RangeError,
    /^descent: LabelEncoder\.fit: labels\[1\] is NaN \(labels must be finite\)$/],
  ["LabelEncoder of no labels", () => new LabelEncoder().fit([]), RangeError, /^descent: LabelEncoder\.fit: labels is empty$/],
  ["LabelEncoder of an object label", () => new LabelEncoder().fit([{}] as unknown as string[]), TypeError,
    /^descent: LabelEncoder\.fit: labels\[0\] must be a string or a number, received Object$/],
  ["LabelEncoder.transform before fit", () => new LabelEncoder().transform(["a"]), Error,
    /^descent: LabelEncoder\.transform: the encoder is not fitted \(call fit first\)$/],
  ["LabelEncoder.inverseTransform out of range", () => new LabelEncoder().fit(["a", "b"]).inverseTransform([0, 2]), RangeError,
    /^descent: LabelEncoder\.inverseTransform: codes\[1\] must be an integer in \[0, 2\), received 2$/],
  ["LabelEncoder.fromJSON of an object", () => LabelEncoder.fromJSON({ classes: [] }), TypeError,
    /^descent: LabelEncoder\.fromJSON: expected an array of classes, received Object$/],
  ["LabelEncoder.fromJSON with a repeat", () => LabelEncoder.fromJSON(["a", "b", "a"]), RangeError,
    /^descent: LabelEncoder\.fromJSON: classes\[2\] repeats classes\[0\] \("a"\)$/],
  ["LabelEncoder.fromJSON of nothing", () => LabelEncoder.fromJSON([]), RangeError, /^descent: LabelEncoder\.fromJSON: classes is empty$/],
  ["StandardScaler.transform before fit", () => new StandardScaler().transform([[1]]), Error,
    /^descent: StandardScaler\.transform: the scaler is not fitted \(call fit first\)$/],
  ["StandardScaler.transform of other columns", () => new StandardScaler().fit([[1, 2], [3, 4]]).transform([[1, 2, 3]]), RangeError,
    /^descent: StandardScaler\.transform: X has 3 columns but the scaler was fitted on 2$/],
  ["StandardScaler.fit with NaN", () => new StandardScaler().fit([[1, 2], [NaN, 4]]), RangeError,
    /^descent: StandardScaler\.fit: X\[1\]\[0\] is NaN \(row 1, column 0, counting from 0\)$/],
  ["StandardScaler.fromJSON of null", () => StandardScaler.fromJSON(null), TypeError,
    /^descent: StandardScaler\.fromJSON: expected an object \{ mean, scale \}, received null$/],
  ["StandardScaler.fromJSON without scale", () => StandardScaler.fromJSON({ mean: [1] }), TypeError,
    /^descent: StandardScaler\.fromJSON: scale must be an array of numbers, received undefined$/],
  ["StandardScaler.fromJSON with a string", () => StandardScaler.fromJSON({ mean: [1, "2"], scale: [1, 1] }), TypeError,
    /^descent: StandardScaler\.fromJSON: mean\[1\] must be a number, received the string "2"$/],
  ["StandardScaler.fromJSON with null (JSON's NaN)", () => StandardScaler.fromJSON({ mean: [1, null], scale: [1, 1] }), TypeError,
    /^descent: StandardScaler\.fromJSON: mean\[1\] must be a number, received null$/],
  ["StandardScaler.fromJSON with Infinity", () => StandardScaler.fromJSON({ mean: [1, Infinity], scale: [1, 1] }), RangeError,
    /^descent: StandardScaler\.fromJSON: mean\[1\] must be finite, received Infinity$/],
  ["StandardScaler.fromJSON with other lengths", () => StandardScaler.fromJSON({ mean: [1, 2], scale: [1] }), RangeError,
    /^descent: StandardScaler\.fromJSON: mean has 2 values but scale has 1$/],
  ["StandardScaler.fromJSON with a zero scale", () => StandardScaler.fromJSON({ mean: [1, 2], scale: [1, 0] }), RangeError,
    /^descent: StandardScaler\.fromJSON: scale\[1\] must be > 0, received 0$/],
  ["StandardScaler.fromJSON with a negative scale", () => StandardScaler.fromJSON({ mean: [1], scale: [-2] }), RangeError,
    /^descent: StandardScaler\.fromJSON: scale\[0\] must be > 0, received -2$/],
  ["StandardScaler.fromJSON of empty arrays", () => StandardScaler.fromJSON({ mean: [], scale: [] }), RangeError,
    /^descent: StandardScaler\.fromJSON: mean is empty$/],
  ["trainTestSplit with testSize 0", () => trainTestSplit([[1], [2]], [1, 2], { testSize: 0 }), RangeError,
    /^descent: trainTestSplit: testSize must be a fraction in \(0, 1\) or a whole number of rows >= 1, received 0$/],
  ["trainTestSplit with testSize 1.5", () => trainTestSplit([[1], [2]], [1, 2], { testSize: 1.5 }), RangeError,
    /^descent: trainTestSplit: testSize must be a fraction .* received 1\.5$/],
  ["trainTestSplit with testSize NaN", () => trainTestSplit([[1], [2]], [1, 2], { testSize: NaN }), RangeError,
    /^descent: trainTestSplit: testSize must be a fraction .* received NaN$/],
  ["trainTestSplit with testSize as a string", () => trainTestSplit([[1], [2]], [1, 2], { testSize: "0.2" as unknown as number }), TypeError,
    /^descent: trainTestSplit: testSize must be a number, received the string "0\.2"$/],
  ["trainTestSplit with every row in the test part", () => trainTestSplit([[1], [2], [3]], [1, 2, 3], { testSize: 3 }), RangeError,
    /^descent: trainTestSplit: testSize = 3 puts 3 of the 3 rows in the test part, leaving none for training$/],
  ["trainTestSplit of one row", () => trainTestSplit([[1]], [1]), RangeError,
    /^descent: trainTestSplit: testSize = 0\.25 puts 1 of the 1 rows in the test part, leaving none for training$/],
  ["trainTestSplit with a short y", () => trainTestSplit([[1], [2], [3]], [1, 2]), RangeError,
    /^descent: trainTestSplit: y has 2 values but X has 3 rows$/],
  ["trainTestSplit with a fractional seed", () => trainTestSplit([[1], [2]], [1, 2], { seed: 0.5 }), RangeError,
    /^descent: trainTestSplit: seed must be an integer, received 0\.5$/],
  ["trainTestSplit with a one-member class", () =>
    trainTestSplit([[1], [2], [3], [4], [5]], [1, 2, 3, 4, 5], { stratify: ["a", "a", "b", "b", "c"], testSize: 2 }), RangeError,
    /^descent: trainTestSplit: stratify: class "c" has only 1 member; every class needs at least 2 to appear in both parts$/],
  ["trainTestSplit with fewer test rows than classes", () =>
    trainTestSplit([[1], [2], [3], [4], [5], [6]], [1, 2, 3, 4, 5, 6], { stratify: [1, 1, 2, 2, 3, 3], testSize: 2 }), RangeError,
    /^descent: trainTestSplit: a stratified split of 3 classes needs at least 3 rows in each part; the test part has 2 and the training part 4$/],
  ["trainTestSplit with a short stratify", () => trainTestSplit([[1], [2], [3], [4]], [1, 2, 3, 4], { stratify: ["a", "a", "b"] }),
    RangeError, /^descent: trainTestSplit: stratify has 3 labels but X has 4 rows$/],
  ["trainTestSplit stratified without shuffle", () =>
    trainTestSplit([[1], [2], [3], [4]], [1, 2, 3, 4], { stratify: ["a", "a", "b", "b"], shuffle: false }), RangeError,
    /^descent: trainTestSplit: stratify needs shuffle: true/],
];

describe("errors", () => {
  it.each(CASES)("%s", (_name, call, type, pattern) => {
    const e = thrown(call);
    expect(e).toBeInstanceOf(type);
    // Error is the base of both: require the exact class, so a RangeError cannot pass as a TypeError.
    expect(e.constructor).toBe(type);
    expect(e.message).toMatch(pattern);
  });
});

// ---------------------------------------------------------------------------------------- CSV

describe("parseCsv", () => {
  it("reads the penguins: species as string targets, four numeric features, island and sex skipped", () => {
    const d = penguins();
    expect(d.target).toBe("species");
    expect(d.features).toEqual(["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]);
    expect(d.skipped).toEqual(["island", "sex"]);
    expect([d.X.rows, d.X.cols]).toEqual([333, 4]);
    expect(row(d.X, 0)).toEqual([Math.fround(39.1), Math.fround(18.7), 181, 3750]); // line 2
    expect(row(d.X, 332)).toEqual([Math.fround(49.9), Math.fround(16.1), 213, 5400]); // the last line
    expect(Array.isArray(d.y)).toBe(true);
    expect(Object.fromEntries(counts(d.y as string[]))).toEqual({ Adelie: 146, Chinstrap: 68, Gentoo: 119 });
  });

  it("reads a numeric target as a Float32Array and leaves it out of the features", () => {
    const d = parseCsv(PENGUINS, { target: "body_mass_g" });
    expect(d.y).toBeInstanceOf(Float32Array);
    expect((d.y as Float32Array)[0]).toBe(3750);
    expect(d.features).toEqual(["bill_length_mm", "bill_depth_mm", "flipper_length_mm"]);
    expect(d.skipped).toEqual(["species", "island", "sex"]);
  });

  it("without a target, every numeric column is a feature and there is no y", () => {
    const d = parseCsv(PENGUINS);
    expect(d.features).toHaveLength(4);
    expect(d.skipped).toEqual(["species", "island", "sex"]);
    expect(d.y).toBeUndefined();
    expect(d.target).toBeUndefined();
  });

  it("names a bad cell by its file line and column name", () => {
    // Data row 15 is on line 17 of the file (the header is line 1).
    const e = thrown(() => parseCsv(withCell(15, 3, "n.a."), { target: "species", source: "penguins.csv" }));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toBe('descent: parseCsv: penguins.csv: line 17, column "bill_depth_mm": "n.a." is not a number, ' +
      "though the column holds numbers (332 of its 333 cells)");
    expect(thrown(() => parseCsv(withCell(99, 2, "Infinity"))).message).toBe(
      'descent: parseCsv: CSV: line 101, column "bill_length_mm": "Infinity" is not a finite number (descent needs finite values)');
    expect(thrown(() => parseCsv("a,b\n1,2\n3,1e39\n")).message).toBe(
      'descent: parseCsv: CSV: line 3, column "b": "1e39" overflows float32');
  });

  it("names a stray number in a text column", () => {
    const e = thrown(() => parseCsv(withCell(40, 1, "42")));
    expect(e.message).toBe('descent: parseCsv: CSV: line 42, column "island": "42" is a number, though the column holds text (332 of its 333 cells)');
  });

  it("refuses an empty cell in a numeric column, blank or spaces", () => {
    expect(thrown(() => parseCsv(withCell(7, 4, ""))).message).toBe(
      'descent: parseCsv: CSV: line 9, column "flipper_length_mm": the cell is empty, though the column holds numbers (332 of its 333 cells); ' +
      'missing: "drop" or "mean" handles missing cells');
    expect(thrown(() => parseCsv(withCell(3, 5, "  "))).message).toMatch(/^descent: parseCsv: CSV: line 5, column "body_mass_g": the cell is empty/);
    // A column of blanks and numbers alone: the blanks are the odd ones out, however many.
    expect(thrown(() => parseCsv("a,b\n1,\n2,\n3,4\n")).message).toMatch(/^descent: parseCsv: CSV: line 2, column "b": the cell is empty/);
  });

  it("refuses an empty class label in a categorical target", () => {
    expect(thrown(() => parseCsv(withCell(20, 0, ""), { target: "species" })).message).toBe(
      'descent: parseCsv: CSV: line 22, column "species": the target is empty; missing: "drop" or "mean" handles missing cells');
  });

  it("refuses a ragged row, naming its line", () => {
    const lines = PENGUINS.split("\n");
    lines[200] = lines[200].split(",").slice(0, 6).join(",");
    const e = thrown(() => parseCsv(lines.join("\n"), { source: "p.csv" }));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toBe("descent: parseCsv: p.csv: line 201 has 6 fields but the header has 7");
    expect(thrown(() => parseCsv("a,b\n1,2\n3,4,5\n")).message).toBe("descent: parseCsv: CSV: line 3 has 3 fields but the header has 2");
  });

  it("reads quoted fields: delimiters, quotes and line breaks inside, quoted numbers", () => {
    const text = [
      'name,"x",y',
      '"Smith, J.","1.5",2',
      '"say ""hi""",3,4',
      '"two\nlines",5,6',
      "plain,7,8",
    ].join("\n");
    const d = parseCsv(text, { target: "name" });
    expect(d.y).toEqual(["Smith, J.", 'say "hi"', "two\nlines", "plain"]);
    expect(d.features).toEqual(["x", "y"]);
    expect(Array.from(d.X.data)).toEqual([1.5, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("counts lines as the file does after quoted line breaks, CRLF, blank lines and a BOM", () => {
    // Lines: 1 header, 2-3 a quoted field over two lines, 4 blank, 5 ok, 6 the bad cell.
    for (const eol of ["\n", "\r\n", "\r"]) {
      const text = ["\uFEFFname,x", `"a${eol}b",1`, "", "c,2", "d,oops", "e,3", "f,4"].join(eol) + eol;
      expect(thrown(() => parseCsv(text)).message, JSON.stringify(eol)).toMatch(/^descent: parseCsv: CSV: line 6, column "x": "oops"/);
    }
    const d = parseCsv("\uFEFFname,x\r\nq,1\r\n");
    expect(d.skipped).toEqual(["name"]); // the BOM is not part of the first name
  });

  it("names an unknown target and lists the columns", () => {
    const e = thrown(() => parseCsv(PENGUINS, { target: "Species", source: "penguins.csv" }));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toBe('descent: parseCsv: penguins.csv: no target column "Species" (columns: "species", "island", ' +
      '"bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex")');
  });

  it("takes the features option, in the order given, and checks it", () => {
    const d = parseCsv(PENGUINS, { target: "species", features: ["body_mass_g", "bill_length_mm"] });
    expect(d.features).toEqual(["body_mass_g", "bill_length_mm"]);
    expect([d.X.rows, d.X.cols]).toEqual([333, 2]);
    expect(row(d.X, 1)).toEqual([3800, Math.fround(39.5)]);
    expect(d.skipped).toEqual(["island", "sex"]);
    expect(thrown(() => parseCsv(PENGUINS, { features: ["beak"] })).message).toMatch(
      /^descent: parseCsv: CSV: no feature column "beak" \(columns: "species", "island",/);
    expect(thrown(() => parseCsv(PENGUINS, { features: ["island"] })).message).toBe(
      'descent: parseCsv: CSV: feature column "island" is not numeric (line 2, column "island": "Torgersen" is not a number); ' +
      'categorical: "auto", or a list naming it, one-hot encodes it');
    expect(thrown(() => parseCsv(PENGUINS, { target: "body_mass_g", features: ["body_mass_g"] })).message).toBe(
      'descent: parseCsv: "body_mass_g" is the target and cannot also be a feature');
    expect(thrown(() => parseCsv(PENGUINS, { features: ["body_mass_g", "body_mass_g"] })).message).toBe(
      'descent: parseCsv: features lists "body_mass_g" twice');
  });

  it("takes another delimiter", () => {
    const d = parseCsv("a;b;c\n1,5;2;x\n3,25;4;y\n", { delimiter: ";", target: "c" });
    expect(d.skipped).toEqual(["a"]); // decimal commas are not numbers
    expect(Array.from(d.X.data)).toEqual([2, 4]);
    expect(d.y).toEqual(["x", "y"]);
  });
});

describe("parseCsv: numbers and labels (issue 9)", () => {
  it("reads decimal notation only, as pandas does: 0x10, 0b101, 0o17 and 1_000 are text", () => {
    const d = parseCsv("hex,bin,oct,under,ok\n0x10,0b101,0o17,1_000,1\n0x1F,0b1,0o7,2_000,2\n");
    expect(d.features).toEqual(["ok"]);
    expect(d.skipped).toEqual(["hex", "bin", "oct", "under"]);
    for (const cell of ["0x10", "0b101", "0o17", "1_000"]) {
      expect(thrown(() => parseCsv(`a\n1\n${cell}\n3\n`)).message).toBe(
        `descent: parseCsv: CSV: line 3, column "a": "${cell}" is not a number, though the column holds numbers (2 of its 3 cells)`);
    }
  });

  it("reads the decimal spellings pandas reads, with spaces around them", () => {
    const d = parseCsv("a,b,c,d,e,f\n 12 ,+5,.5,5.,1e3,-2.5E-1\n\t7,007,-.25,0.,1E+2,\" 3 \"\n");
    expect(row(d.X, 0)).toEqual([12, 5, 0.5, 5, 1000, -0.25]);
    expect(row(d.X, 1)).toEqual([7, 7, -0.25, 0, 100, 3]);
  });

  it("takes infinity spelt out for a number, and refuses it as not finite wherever it is used", () => {
    for (const s of ["Infinity", "-inf", "INF", "+infinity"]) {
      expect(thrown(() => parseCsv(`a,b\n1,2\n${s},3\n4,5\n`)).message, s).toBe(
        `descent: parseCsv: CSV: line 3, column "a": "${s}" is not a finite number (descent needs finite values)`);
    }
    // A column of infinities is a numeric column with a bad cell, not text with stray numbers.
    expect(thrown(() => parseCsv("a,b\n1,inf\n2,inf\n3,4\n")).message).toBe(
      'descent: parseCsv: CSV: line 2, column "b": "inf" is not a finite number (descent needs finite values)');
    expect(thrown(() => parseCsv("a,y\n1,2\n2,-Infinity\n", { target: "y" })).message).toBe(
      'descent: parseCsv: CSV: line 3, column "y": "-Infinity" is not a finite number (descent needs finite values)');
    // Among text it is a label, as pandas keeps "INF" a string in a column of names.
    expect(parseCsv("x,unit\n1,INF\n2,CAV\n3,inf\n", { target: "unit" }).y).toEqual(["INF", "CAV", "inf"]);
    // A column the features leave out is not read.
    expect(Array.from(parseCsv("a,b\n1,inf\n2,3\n", { features: ["a"] }).X.data)).toEqual([1, 2]);
  });

  it("trims class labels as it trims numbers: \" cat\", \"cat \" and \"cat\" are one class", () => {
    const d = parseCsv('x,y\n1, cat\n2,cat \n3,cat\n4,"  dog\t"\n5,dog\n', { target: "y" });
    expect(d.y).toEqual(["cat", "cat", "cat", "dog", "dog"]);
    expect(new Set(d.y as string[]).size).toBe(2);
  });

  it("has one rule for what a number is, shared with the command line", () => {
    const numbers: [string, number][] = [
      ["12", 12], [" 12 ", 12], ["+5", 5], ["-2", -2], [".5", 0.5], ["5.", 5], ["1e-3", 0.001], ["1E+2", 100], ["007", 7],
      ["Infinity", Infinity], ["-inf", -Infinity], ["INF", Infinity],
    ];
    for (const [s, v] of numbers) expect(readNumber(s), JSON.stringify(s)).toBe(v);
    const notNumbers = ["", " ", "0x10", "0X1f", "0b101", "0o17", "1_000", "1,5", "NaN", "nan", "e5", "1e", ".", "-", "+", "1..2",
      "12abc", "--1", "١٢", "Infinityx", "infin"];
    for (const s of notNumbers) expect(readNumber(s), JSON.stringify(s)).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------- issue 12

/** A small housing table: an id, an address unique to each row, a text column, a number, yes/no, and the target. */
const HOUSES = [
  "id,street,area,sqft,garage,price",
  "11,1 Elm St,Downtown,900,yes,300",
  "12,2 Oak Ave,Riverside,1200,no,250",
  "13,3 Elm St,Downtown,1500,no,420",
  "14,4 Pine St,Hillcrest,1100,yes,310",
  "15,5 Oak Ave,Riverside,800,no,200",
  "16,6 Ash Blvd,Hillcrest,1300,yes,350",
  "17,7 Elm St,Downtown,1000,yes,330",
  "18,8 Oak Ave,Riverside,1400,no,280",
].join("\n") + "\n";

/** A CSV of one column `name` holding `cells`, and a numeric target y. */
const column = (name: string, cells: readonly string[]): string => [`${name},y`, ...cells.map((c, i) => `${c},${i}`)].join("\n") + "\n";

describe("parseCsv: text columns (issue 12)", () => {
  it("one-hot encodes text columns with categorical \"auto\": sorted categories, column=category names, id-like text left out", () => {
    const d = parseCsv(HOUSES, { target: "price", categorical: "auto" });
    expect(d.features).toEqual(["id", "area=Downtown", "area=Hillcrest", "area=Riverside", "sqft", "garage=no", "garage=yes"]);
    expect(d.ids).toEqual(["street"]);
    expect(d.skipped).toEqual([]);
    expect(row(d.X, 0)).toEqual([11, 1, 0, 0, 900, 0, 1]);
    expect(row(d.X, 1)).toEqual([12, 0, 0, 1, 1200, 1, 0]);
    for (let i = 0; i < d.X.rows; i++) {
      const r = row(d.X, i);
      expect(r[1] + r[2] + r[3], `row ${i}: one area`).toBe(1);
      expect(r[5] + r[6], `row ${i}: one garage value`).toBe(1);
    }
    expect(d.encoding).toEqual({
      missing: "error",
      columns: [
        { name: "id", type: "number" }, { name: "area", type: "category", categories: ["Downtown", "Hillcrest", "Riverside"] },
        { name: "sqft", type: "number" }, { name: "garage", type: "category", categories: ["no", "yes"] },
      ],
    });
    // The library's default stays "none": text columns are skipped, as before.
    const plain = parseCsv(HOUSES, { target: "price" });
    expect(plain.features).toEqual(["id", "sqft"]);
    expect(plain.skipped).toEqual(["street", "area", "garage"]);
    expect(plain.ids).toEqual([]);
  });

  it("encodes only the columns a list names, numbers too (sorted by value), and checks the list", () => {
    const d = parseCsv(HOUSES, { target: "price", categorical: ["garage"] });
    expect(d.features).toEqual(["id", "sqft", "garage=no", "garage=yes"]);
    expect(d.skipped).toEqual(["street", "area"]);
    const floors = parseCsv(column("floor", ["2", "10", "2", "1", "10", " 1 "]), { target: "y", categorical: ["floor"] });
    expect(floors.features).toEqual(["floor=1", "floor=2", "floor=10"]);
    expect(row(floors.X, 5)).toEqual([1, 0, 0]);
    // A column of numbers and text is refused as a typo, unless it is listed: then each value is a category.
    const mixed = column("floor", ["G", "1", "2", "G", "1", "2"]);
    expect(thrown(() => parseCsv(mixed, { target: "y" })).message).toBe(
      'descent: parseCsv: CSV: line 2, column "floor": "G" is not a number, though the column holds numbers (4 of its 6 cells)');
    expect(parseCsv(mixed, { target: "y", categorical: ["floor"] }).features).toEqual(["floor=1", "floor=2", "floor=G"]);

    const unknown = thrown(() => parseCsv(HOUSES, { target: "price", categorical: ["colour"] }));
    expect(unknown).toBeInstanceOf(CsvColumnError);
    expect((unknown as CsvColumnError).option).toBe("categorical");
    expect(unknown.message).toMatch(/^descent: parseCsv: CSV: no column "colour" to encode \(columns: "id", "street", /);
    expect(thrown(() => parseCsv(HOUSES, { target: "price", categorical: ["area", "area"] })).message).toBe(
      'descent: parseCsv: categorical lists "area" twice');
    expect(thrown(() => parseCsv(HOUSES, { target: "area", categorical: ["area"] })).message).toMatch(
      /^descent: parseCsv: categorical lists "area", the target \(a text target holds class labels/);
    expect(thrown(() => parseCsv(HOUSES, { target: "price", categorical: ["area"], features: ["sqft"] })).message).toBe(
      'descent: parseCsv: categorical lists "area", which features leaves out');
    expect(thrown(() => parseCsv(HOUSES, { categorical: "some" as unknown as string[] }))).toBeInstanceOf(TypeError);
  });

  it("takes text features in the order given when categorical encodes them, and says how to encode one it does not", () => {
    const d = parseCsv(HOUSES, { target: "price", categorical: "auto", features: ["garage", "sqft", "area"] });
    expect(d.features).toEqual(["garage=no", "garage=yes", "sqft", "area=Downtown", "area=Hillcrest", "area=Riverside"]);
    expect(d.skipped).toEqual(["street"]);
    expect(thrown(() => parseCsv(HOUSES, { target: "price", categorical: ["garage"], features: ["garage", "area"] })).message).toBe(
      'descent: parseCsv: CSV: feature column "area" is not numeric (line 2, column "area": "Downtown" is not a number); ' +
      'categorical: "auto", or a list naming it, one-hot encodes it');
  });

  it("refuses more categories than auto takes (50, and half the rows) or a list takes (1000), naming the column", () => {
    const cells = (rows: number, distinct: number): string[] => Array.from({ length: rows }, (_, i) => `c${i % distinct}`);
    expect(thrown(() => parseCsv(column("note", cells(120, 51)), { target: "y", categorical: "auto" })).message).toBe(
      'descent: parseCsv: CSV: column "note" has 51 distinct values in 120 rows, too many to one-hot encode ' +
      '(auto takes at most 50, and at most half as many as rows); ' +
      'list the columns to encode in categorical, leave it out of features, or use categorical: "none"');
    expect(parseCsv(column("note", cells(120, 50)), { target: "y", categorical: "auto" }).features).toHaveLength(50);
    expect(thrown(() => parseCsv(column("note", cells(40, 21)), { target: "y", categorical: "auto" })).message).toMatch(
      /column "note" has 21 distinct values in 40 rows, too many to one-hot encode/);
    expect(parseCsv(column("note", cells(40, 20)), { target: "y", categorical: "auto" }).features).toHaveLength(20);
    // Named in a list, a column takes up to 1000 categories, however few the rows.
    expect(parseCsv(column("note", cells(40, 30)), { target: "y", categorical: ["note"] }).features).toHaveLength(30);
    expect(thrown(() => parseCsv(column("note", cells(1200, 1001)), { target: "y", categorical: ["note"] })).message).toMatch(
      /^descent: parseCsv: CSV: column "note" has more than 1000 distinct values in 1200 rows, too many to one-hot encode \(at most 1000\)/);
  });

  it("refuses features larger than 2^28 values before allocating them", () => {
    const rows = Math.floor(2 ** 28 / 1000) + 1;
    const text = "note,y\n" + Array.from({ length: rows }, (_, i) => `c${i % 1000},1`).join("\n");
    expect(thrown(() => parseCsv(text, { target: "y", categorical: ["note"] })).message).toBe(
      `descent: parseCsv: CSV: the features would hold ${rows} rows × 1000 columns = ${rows * 1000} values, ` +
      `more than the ${2 ** 28} descent reads at once`);
  });

  it("refuses a one-hot column named as another column", () => {
    expect(thrown(() => parseCsv("a,a=x,y\nx,1,1\nx,2,2\ny,3,3\ny,4,4\n", { target: "y", categorical: "auto" })).message).toBe(
      'descent: parseCsv: CSV: the one-hot column "a=x" has the name of another feature; rename one of the columns');
  });
});

describe("parseCsv: id-like columns (issue 12)", () => {
  /** id, house_id, houseId and Index: unique integers under id names; sqft and paid: unique integers under other names; customer_id repeats; score_id is not whole; name is unique text. */
  const TABLE = [
    "id,house_id,houseId,Index,sqft,paid,customer_id,score_id,name,y",
    ...Array.from({ length: 6 }, (_, i) =>
      `${i + 1},${100 + i * 13},${7 - i},${i},${900 + i * 37},${i * 5},${Math.floor(i / 2)},${i + 0.5},house ${i},${i}`),
  ].join("\n") + "\n";

  it("leaves out unique integers under an id name (with dropIds) and unique text (with auto)", () => {
    const d = parseCsv(TABLE, { target: "y", categorical: "auto", dropIds: true });
    expect(d.ids).toEqual(["id", "house_id", "houseId", "Index", "name"]);
    expect(d.features).toEqual(["sqft", "paid", "customer_id", "score_id"]);
    const kept = parseCsv(TABLE, { target: "y", categorical: "auto" });
    expect(kept.ids).toEqual(["name"]);
    expect(kept.features).toEqual(["id", "house_id", "houseId", "Index", "sqft", "paid", "customer_id", "score_id"]);
  });

  it("uses an id-like column that features names", () => {
    const d = parseCsv(TABLE, { target: "y", categorical: "auto", dropIds: true, features: ["id", "sqft"] });
    expect(d.features).toEqual(["id", "sqft"]);
    expect(d.ids).toEqual([]);
  });

  it("takes a column with a repeated or missing value for a feature", () => {
    const withHole = TABLE.replace(/^3,/m, "NA,");
    const d = parseCsv(withHole, { target: "y", categorical: "auto", dropIds: true, missing: "mean" });
    expect(d.ids).toEqual(["house_id", "houseId", "Index", "name"]);
    expect(d.features[0]).toBe("id");
  });
});

describe("parseCsv: missing cells (issue 12)", () => {
  it("reads pandas' missing spellings as missing, trimmed, in any column, and nothing else", () => {
    expect(CSV_MISSING_VALUES).toEqual(["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
      "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"]);
    for (const cell of CSV_MISSING_VALUES) {
      const text = `a,b,y\n1,x,1\n2,x,2\n ${cell} ,x,3\n4,${cell},4\n`;
      const e = thrown(() => parseCsv(text, { target: "y", categorical: ["b"] }));
      expect(e.message, JSON.stringify(cell)).toBe(`descent: parseCsv: CSV: line 4, column "a": ${cell === "" ? "the cell is empty" : `" ${cell} " marks a missing value`}, ` +
        'though the column holds numbers (3 of its 4 cells); missing: "drop" or "mean" handles missing cells');
      const d = parseCsv(text, { target: "y", categorical: ["b"], missing: "drop" });
      expect(d.dropped, JSON.stringify(cell)).toEqual([4, 5]);
      expect(Array.from(d.y as Float32Array)).toEqual([1, 2]);
    }
    for (const cell of ["na", "N.A.", "-", "?", "none"]) {
      expect(thrown(() => parseCsv(`a,y\n1,1\n${cell},2\n3,3\n`, { target: "y" })).message, cell).toMatch(
        new RegExp(`line 3, column "a": "${cell.replace(/[.?]/g, "\\$&")}" is not a number, though the column holds numbers`));
    }
  });

  it("missing \"error\" names the first missing cell in a feature or the target, and ignores other columns", () => {
    expect(thrown(() => parseCsv("a,note,y\n1,,1\n2,x,\n", { target: "y", features: ["a"] })).message).toBe(
      'descent: parseCsv: CSV: line 3, column "y": the cell is empty, though the column holds numbers (1 of its 2 cells); ' +
      'missing: "drop" or "mean" handles missing cells');
    expect(thrown(() => parseCsv("a,label\n1,cat\n2,NA\n", { target: "label" })).message).toBe(
      'descent: parseCsv: CSV: line 3, column "label": the target "NA" marks a missing value; missing: "drop" or "mean" handles missing cells');
    // A column the features leave out is not read: its holes and its text are its own business.
    expect(parseCsv("a,b,c\n1,,x\n2,3,4\n", { features: ["a"] }).features).toEqual(["a"]);
  });

  it("missing \"drop\" leaves out every row with a missing feature or target cell, naming its line", () => {
    const text = "a,b,c,y\n1,x,,1\n,y,1,2\n3,NA,1,3\n4,x,1,\n5,y,,5\n\n6,x,1,6\n";
    const d = parseCsv(text, { target: "y", features: ["a", "b"], categorical: ["b"], missing: "drop", keep: ["c"] });
    expect(d.dropped).toEqual([3, 4, 5]);
    expect(d.features).toEqual(["a", "b=x", "b=y"]);
    expect([row(d.X, 0), row(d.X, 1), row(d.X, 2)]).toEqual([[1, 1, 0], [5, 0, 1], [6, 1, 0]]);
    expect(Array.from(d.y as Float32Array)).toEqual([1, 5, 6]);
    expect(d.kept).toEqual([["", "", "1"]]);
    expect(d.filled).toEqual([]);
    expect(thrown(() => parseCsv("a,y\nNA,1\n2,\n", { target: "y", missing: "drop" })).message).toBe(
      'descent: parseCsv: CSV: every row has a missing cell in "a", "y": no rows are left');
  });

  it("missing \"mean\" fills numbers with the mean of the rows read and text with no category, and leaves out a missing target", () => {
    const text = "a,b,c,y\n1,x,10,1\nNA,y,20,2\n4,,30,3\n7,x,40,\n";
    const d = parseCsv(text, { target: "y", categorical: ["b"], missing: "mean" });
    expect(d.dropped).toEqual([5]);
    expect(d.features).toEqual(["a", "b=x", "b=y", "c"]);
    // a's mean is over the rows read (1 and 4): the 7 of the row left out is not one of them.
    expect([row(d.X, 0), row(d.X, 1), row(d.X, 2)]).toEqual([[1, 1, 0, 10], [2.5, 0, 1, 20], [4, 0, 0, 30]]);
    expect(d.filled).toEqual([{ column: "a", rows: [1] }, { column: "b", rows: [2] }]);
    // Every number column keeps a mean, for later files with holes where this one had none.
    expect(d.encoding).toEqual({
      missing: "mean",
      columns: [{ name: "a", type: "number", mean: 2.5 }, { name: "b", type: "category", categories: ["x", "y"] }, { name: "c", type: "number", mean: 20 }],
    });
    expect(Math.fround(d.encoding.columns[0].type === "number" ? d.encoding.columns[0].mean as number : NaN)).toBe(2.5);
    const thirds = parseCsv("a,y\n0,1\n0,1\n1,1\nNA,1\n", { target: "y", missing: "mean" });
    expect(thirds.X.data[3]).toBe(Math.fround(1 / 3));
    expect(thrown(() => parseCsv("a,b,y\nNA,1,1\nNA,2,2\n", { target: "y", features: ["a", "b"], missing: "mean" })).message).toBe(
      'descent: parseCsv: CSV: feature column "a" has no values (all 2 cells are missing)');
    expect(thrown(() => parseCsv("a,y\n1,NA\n2,NA\n", { target: "y", missing: "mean" })).message).toBe(
      'descent: parseCsv: CSV: the target column "y" has no values (all 2 cells are missing)');
    expect(thrown(() => parseCsv("a,y\n1,1\n", { missing: "zero" as "mean" }))).toBeInstanceOf(TypeError);
  });
});

describe("parseCsv: an encoding read again (issue 12)", () => {
  const TRAIN = "a,b,c,y\n1,x,10,1\nNA,y,20,2\n4,,30,3\n";
  const fitted = (): CsvEncoding => parseCsv(TRAIN, { target: "y", categorical: ["b"], missing: "mean" }).encoding;

  it("reads the encoding's columns in its order, from any layout, with its categories and means", () => {
    const d = parseCsv("c,extra,b,a\n50,q,y,NA\n60,q,z,3\n70,q,,5\n", { encoding: fitted() });
    expect(d.features).toEqual(["a", "b=x", "b=y", "c"]);
    expect([row(d.X, 0), row(d.X, 1), row(d.X, 2)]).toEqual([[2.5, 0, 1, 50], [3, 0, 0, 60], [5, 0, 0, 70]]);
    expect(d.unseen).toEqual([{ column: "b", category: "z", rows: 1 }]);
    expect(d.filled).toEqual([{ column: "a", rows: [0] }, { column: "b", rows: [2] }]);
    expect(d.encoding).toEqual(fitted());
    // Through JSON, as a model file keeps it.
    const again = parseCsv("a,b,c\n1,x,2\n", { encoding: JSON.parse(JSON.stringify(fitted())) });
    expect(row(again.X, 0)).toEqual([1, 1, 0, 2]);
  });

  it("refuses what the encoding cannot read: a missing column, text in a number column, a hole it has no value for", () => {
    const absent = thrown(() => parseCsv("a\n1\n", { encoding: fitted() }));
    expect(absent).toBeInstanceOf(CsvColumnError);
    expect((absent as CsvColumnError).columns).toEqual(["b", "c"]);
    expect(absent.message).toBe('descent: parseCsv: CSV: no feature columns "b", "c" (columns: "a")');
    expect(thrown(() => parseCsv("a,b,c\n1,x,2\nbig,x,3\n", { encoding: fitted() })).message).toBe(
      'descent: parseCsv: CSV: line 3, column "a": "big" is not a number, though the encoding reads the column as numbers');
    expect(thrown(() => parseCsv("a,b,c\n,x,2\n", { encoding: fitted(), missing: "error" })).message).toMatch(
      /^descent: parseCsv: CSV: line 2, column "a": the cell is empty, though the column holds numbers \(0 of its 1 cells\); missing:/);
    const noMeans = parseCsv("a,y\n1,2\n", { target: "y" }).encoding;
    expect(thrown(() => parseCsv("a\n1\n", { encoding: noMeans, missing: "mean" })).message).toBe(
      'descent: parseCsv: missing is "mean" but the encoding has no mean for column "a" (it was made with missing: "error")');
    expect(thrown(() => parseCsv("a\n1\n", { encoding: noMeans, features: ["a"] })).message).toBe(
      "descent: parseCsv: encoding fixes the features; do not also give features");
  });

  const BAD: [string, unknown, RegExp][] = [
    ["not an object", null, /^descent: parseCsv: encoding: the encoding must be an object, received null$/],
    ["an unknown field", { missing: "error", columns: [{ name: "a", type: "number" }], scale: 1 },
      /^descent: parseCsv: encoding: the encoding has an unknown field "scale" \(known: missing, columns\)$/],
    ["no columns", { missing: "error", columns: [] }, /^descent: parseCsv: encoding: columns is empty$/],
    ["a bad missing", { missing: "fill", columns: [{ name: "a", type: "number" }] }, /missing must be "error", "drop" or "mean", received the string "fill"/],
    ["a bad type", { missing: "error", columns: [{ name: "a", type: "text" }] }, /columns\[0\]\.type must be "number" or "category", received the string "text"/],
    ["a name with spaces", { missing: "error", columns: [{ name: " a", type: "number" }] }, /columns\[0\]\.name must be a column name/],
    ["a repeated name", { missing: "error", columns: [{ name: "a", type: "number" }, { name: "a", type: "number" }] },
      /columns\[1\]\.name repeats the column "a"/],
    ["an infinite mean", { missing: "mean", columns: [{ name: "a", type: "number", mean: 1e39 }] },
      /columns\[0\]\.mean must be a finite float32 number, received 1e\+39/],
    ["no mean under missing mean", { missing: "mean", columns: [{ name: "a", type: "number" }] }, /columns\[0\]\.mean is missing/],
    ["no categories", { missing: "error", columns: [{ name: "a", type: "category", categories: [] }] },
      /columns\[0\]\.categories must hold 1 to 1000 categories, received 0/],
    ["too many categories", { missing: "error", columns: [{ name: "a", type: "category", categories: Array.from({ length: 1001 }, (_, i) => `c${i}`) }] },
      /columns\[0\]\.categories must hold 1 to 1000 categories, received 1001/],
    ["a repeated category", { missing: "error", columns: [{ name: "a", type: "category", categories: ["x", "x"] }] },
      /columns\[0\]\.categories\[1\] repeats "x"/],
    ["a missing value for a category", { missing: "error", columns: [{ name: "a", type: "category", categories: ["x", "NA"] }] },
      /columns\[0\]\.categories\[1\] must be a category \(a string, trimmed, not a missing value\), received the string "NA"/],
    ["two columns making one feature", { missing: "error", columns: [{ name: "a=b", type: "number" }, { name: "a", type: "category", categories: ["b"] }] },
      /two columns make the feature "a=b"/],
  ];

  it.each(BAD)("checks an encoding before reading with it: %s", (_name, encoding, message) => {
    expect(thrown(() => parseCsv("a\n1\n", { encoding: encoding as CsvEncoding })).message).toMatch(message);
  });

  it("keeps columns as they are, and names one that is not there", () => {
    const d = parseCsv('id,a,y\n" 007",1,1\nx-2,2,2\n', { target: "y", features: ["a"], keep: ["id", "y"] });
    expect(d.kept).toEqual([[" 007", "x-2"], ["1", "2"]]);
    const e = thrown(() => parseCsv("a\n1\n", { keep: ["id"] }));
    expect(e).toBeInstanceOf(CsvColumnError);
    expect(e.message).toBe('descent: parseCsv: CSV: no column "id" to keep (columns: "a")');
    expect(thrown(() => parseCsv("a\n1\n", { keep: ["a", "a"] })).message).toBe('descent: parseCsv: keep lists "a" twice');
  });
});

describe("data/housing.csv (issue 12)", () => {
  const HOUSING = readFileSync(new URL("../data/housing.csv", import.meta.url), "utf8");

  it("is data/housing.ts's output", () => {
    expect(HOUSING).toBe(housingCsv());
  });

  it("reads as the command line reads it: ids left out, text encoded, missing cells filled or dropped", () => {
    const d = parseCsv(HOUSING, { target: "price", categorical: "auto", dropIds: true, missing: "mean" });
    expect(d.ids).toEqual(["id", "address"]);
    expect(d.features).toEqual([
      "neighbourhood=Downtown", "neighbourhood=Harbourside", "neighbourhood=Hillcrest", "neighbourhood=Old Town", "neighbourhood=Riverside",
      "sqft", "bedrooms", "bathrooms", "year_built", "garage=no", "garage=yes",
    ]);
    expect(d.dropped).toEqual([135]);
    expect(d.X.rows).toBe(149);
    expect(d.filled.map((f) => [f.column, f.rows.length])).toEqual([["neighbourhood", 1], ["sqft", 3], ["year_built", 2], ["garage", 1]]);
    const drop = parseCsv(HOUSING, { target: "price", categorical: "auto", dropIds: true, missing: "drop" });
    expect(drop.dropped).toEqual([9, 25, 43, 66, 90, 104, 121, 135]);
  });
});

describe("splitIndices", () => {
  it("names the rows trainTestSplit puts in each part", () => {
    const X = matrix(Array.from({ length: 30 }, (_, i) => [i]));
    const y = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? "a" : "b"));
    for (const options of [{ seed: 4 }, { testSize: 7, shuffle: false }, { stratify: y, seed: 1 }]) {
      const { train, test } = splitIndices(30, options);
      const s = trainTestSplit(X, y, options);
      expect(Array.from(s.XTrain.data)).toEqual(train);
      expect(Array.from(s.XTest.data)).toEqual(test);
    }
  });
});

describe("toCsv", () => {
  it("writes a header and rows, quoting where needed", () => {
    const text = toCsv(["id", "name", "score"], [new Int32Array([1, 2]), ["a,b", 'say "x"\nthen'], new Float32Array([0.5, -2])]);
    expect(text).toBe('id,name,score\n1,"a,b",0.5\n2,"say ""x""\nthen",-2\n');
  });

  it("with escapeFormulas, neutralises text a spreadsheet would run as a formula, in cells and names, and leaves numbers alone", () => {
    const labels = ['=HYPERLINK("http://x","y")', "+1+1", "-cmd", "@SUM(A1)", "\tx", "\rx", "a=b", "-1.5", "+2", "-Infinity", "'x"];
    const text = toCsv(["=name", "-1", "v"], [labels, labels.map((_, i) => `-${i}e0`), new Float32Array(labels.length).fill(-1.5)],
      { escapeFormulas: true });
    expect(text.split("\n").slice(0, 3)).toEqual(["'=name,-1,v", '"\'=HYPERLINK(""http://x"",""y"")",-0e0,-1.5', "'+1+1,-1e0,-1.5"]);
    // No label holds a line break, so each line is a row; its first field is all before the last two commas.
    const cells = text.trimEnd().split("\n").slice(1).map((line) => line.slice(0, line.lastIndexOf(",", line.lastIndexOf(",") - 1)));
    expect(cells).toEqual(['"\'=HYPERLINK(""http://x"",""y"")"', "'+1+1", "'-cmd", "'@SUM(A1)", "'\tx", '"\'\rx"', "a=b", "-1.5", "+2", "-Infinity", "'x"]);
    // Without the option the text is written as it is, so parseCsv reads back what was written.
    expect(toCsv(["=a"], [["=1+1"]])).toBe("=a\n=1+1\n");
    expect(() => toCsv(["a"], [[1]], { escapeFormulas: "yes" as unknown as boolean })).toThrow(
      /^descent: toCsv: options\.escapeFormulas must be a boolean, received the string "yes"$/);
  });

  it("round-trips through parseCsv, whatever the text holds", () => {
    const text = fc.string({ unit: fc.constantFrom("a", "Z", ",", '"', "\n", "\r", " ", ";", "é"), maxLength: 8 }).map((s) => `s${s}`);
    fc.assert(fc.property(
      fc.array(fc.tuple(text, fc.float({ noNaN: true, noDefaultInfinity: true })), { minLength: 1, maxLength: 20 }),
      (rows) => {
        const names = rows.map((r) => r[0]);
        const values = new Float32Array(rows.map((r) => r[1]));
        const d = parseCsv(toCsv(["label", "v"], [names, values]), { target: "label" });
        expect(d.y).toEqual(names.map((n) => n.trim())); // labels are trimmed as numbers are
        expect(Array.from(d.X.data)).toEqual(Array.from(values).map((v) => v + 0)); // -0 is written "0"
      },
    ), { seed: 3, numRuns: 200 });
  });
});

// ---------------------------------------------------------------------------------------- labels

describe("LabelEncoder", () => {
  it("sorts strings by code unit and numbers numerically", () => {
    expect(new LabelEncoder().fit(["b", "a", "B", "b", "aa"]).classes).toEqual(["B", "a", "aa", "b"]);
    expect(new LabelEncoder().fit([10, 2, 1, 2, -3.5]).classes).toEqual([-3.5, 1, 2, 10]);
    expect(new LabelEncoder().fit(new Int32Array([5, 3, 5])).classes).toEqual([3, 5]);
  });

  it("round-trips labels through codes and through JSON", () => {
    const labels = ["Gentoo", "Adelie", "Chinstrap", "Adelie", "Gentoo"];
    const enc = new LabelEncoder();
    const codes = enc.fitTransform(labels);
    expect(codes).toBeInstanceOf(Int32Array);
    expect(Array.from(codes)).toEqual([2, 0, 1, 0, 2]);
    expect(enc.inverseTransform(codes)).toEqual(labels);
    const again = LabelEncoder.fromJSON(JSON.parse(JSON.stringify(enc)));
    expect(again.classes).toEqual(["Adelie", "Chinstrap", "Gentoo"]);
    expect(Array.from(again.transform(labels))).toEqual([2, 0, 1, 0, 2]);
    // fromJSON keeps the order it is given: the order defines the codes.
    expect(Array.from(LabelEncoder.fromJSON(["z", "a"]).transform(["a", "z"]))).toEqual([1, 0]);
  });

  it("round-trips random labels", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1 }), (labels) => {
      const enc = new LabelEncoder().fit(labels);
      expect(enc.classes).toEqual([...new Set(labels)].sort((a, b) => a - b));
      expect(enc.inverseTransform(enc.transform(labels))).toEqual(labels.map((v) => v + 0));
    }), { seed: 1 });
  });

  it("names an unknown label, its index and the known classes", () => {
    const enc = new LabelEncoder().fit(["cat", "dog"]);
    const e = thrown(() => enc.transform(["dog", "cat", "bird"]));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toBe('descent: LabelEncoder.transform: labels[2] is "bird", which is not one of the 2 classes seen by fit ("cat", "dog")');
    // A number is not the string of its digits.
    expect(thrown(() => new LabelEncoder().fit(["1", "2"]).transform([1])).message).toMatch(/labels\[0\] is 1, which is not one of/);
  });

  it("truncates a long list of known classes", () => {
    const enc = new LabelEncoder().fit(Array.from({ length: 30 }, (_, i) => i));
    expect(thrown(() => enc.transform([3, 99])).message).toBe(
      "descent: LabelEncoder.transform: labels[1] is 99, which is not one of the 30 classes seen by fit (0, 1, 2, 3, 4, 5, 6, 7, 8, 9 and 20 more)");
  });
});

// ---------------------------------------------------------------------------------------- scaler

describe("StandardScaler", () => {
  /** A seeded matrix with columns of very different centres and spreads, and a constant column. */
  function data(rows: number): number[][] {
    const rand = mulberry32(7);
    return Array.from({ length: rows }, () => [
      Math.fround(rand() * 10 - 5), Math.fround(1e4 + rand() * 3), Math.fround(-0.001 * rand()), Math.fround(0.1),
    ]);
  }

  it("matches a float64 computation and standardizes each column", () => {
    const X = data(257);
    const n = X.length;
    const scaler = new StandardScaler().fit(X);
    for (let j = 0; j < 4; j++) {
      const col = X.map((r) => r[j]);
      const mean = col.reduce((a, b) => a + b, 0) / n;
      const std = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
      expect(scaler.mean?.[j]).toBeCloseTo(mean, 12 - Math.max(0, Math.ceil(Math.log10(Math.abs(mean)))));
      if (j === 3) expect(scaler.scale?.[j]).toBe(1); // constant: left unscaled, as in scikit-learn
      else expect(Math.abs((scaler.scale?.[j] as number) / std - 1)).toBeLessThan(1e-12);
    }
    const Z = scaler.transform(X);
    for (let j = 0; j < 4; j++) {
      let s = 0, s2 = 0;
      for (let i = 0; i < n; i++) s += Z.data[i * 4 + j];
      const m = s / n;
      for (let i = 0; i < n; i++) s2 += (Z.data[i * 4 + j] - m) ** 2;
      expect(Math.abs(m)).toBeLessThan(1e-5);
      expect(Math.sqrt(s2 / n)).toBeCloseTo(j === 3 ? 0 : 1, 5);
    }
    for (let i = 0; i < n; i++) expect(Z.data[i * 4 + 3]).toBe(0);
  });

  it("keeps the precision of a narrow column far from zero", () => {
    // float32 sums or E[x²] - E[x]² lose all of this spread; the exact answer is sqrt(2/3).
    const s = new StandardScaler().fit([[1e6 + 1], [1e6 + 2], [1e6 + 3]]);
    expect(s.mean?.[0]).toBe(1e6 + 2);
    expect(s.scale?.[0]).toBeCloseTo(Math.sqrt(2 / 3), 14);
    expect(Array.from(s.transform([[1e6 + 1], [1e6 + 3]]).data)).toEqual([Math.fround(-Math.sqrt(1.5)), Math.fround(Math.sqrt(1.5))]);
  });

  it("inverts its transform and survives JSON", () => {
    const X = data(40);
    const scaler = new StandardScaler();
    const Z = scaler.fitTransform(X);
    const back = scaler.inverseTransform(Z);
    for (let i = 0; i < X.length; i++) {
      for (let j = 0; j < 4; j++) expect(Math.abs(back.data[i * 4 + j] - X[i][j])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(X[i][j])));
    }
    const copy = StandardScaler.fromJSON(JSON.parse(JSON.stringify(scaler)));
    expect(copy.transform(X).data).toEqual(Z.data);
    expect(Array.from(copy.mean as Float64Array)).toEqual(Array.from(scaler.mean as Float64Array));
  });

  it("does not let callers change its statistics through mean and scale", () => {
    const s = new StandardScaler().fit([[0], [2]]);
    (s.mean as Float64Array)[0] = 100;
    expect(Array.from(s.transform([[2]]).data)).toEqual([1]);
    expect(new StandardScaler().mean).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------- split

describe("trainTestSplit", () => {
  /** Row i holds [i, -i], so that rows can be traced through a split. */
  const indexed = (n: number): Matrix => matrix(Float32Array.from({ length: 2 * n }, (_, k) => (k % 2 ? -1 : 1) * (k >> 1)), n, 2);
  const ids = (m: Matrix): number[] => Array.from({ length: m.rows }, (_, i) => m.data[i * 2]);

  it("is the same for a seed and differs between seeds", () => {
    const X = indexed(50), y = Float32Array.from({ length: 50 }, (_, i) => i);
    const a = trainTestSplit(X, y, { seed: 42 }), b = trainTestSplit(X, y, { seed: 42 });
    expect(ids(a.XTest)).toEqual(ids(b.XTest));
    expect(ids(a.XTrain)).toEqual(ids(b.XTrain));
    const orders = new Set([0, 1, 2, 3, 4].map((seed) => ids(trainTestSplit(X, y, { seed }).XTest).join(",")));
    expect(orders.size).toBe(5);
    expect(ids(trainTestSplit(X, y).XTest)).toEqual(ids(trainTestSplit(X, y, { seed: 0 }).XTest)); // seed 0 by default
  });

  it("sizes the parts: a fraction rounded up, or a count", () => {
    const X = indexed(10), y = new Int32Array(10);
    const size = (testSize?: number) => {
      const s = trainTestSplit(X, y, testSize === undefined ? {} : { testSize });
      return [s.XTrain.rows, s.XTest.rows, s.yTrain.length, s.yTest.length];
    };
    expect(size()).toEqual([7, 3, 7, 3]); // ceil(2.5)
    expect(size(0.7)).toEqual([3, 7, 3, 7]);
    expect(size(0.3)).toEqual([7, 3, 7, 3]);
    expect(size(0.01)).toEqual([9, 1, 9, 1]);
    expect(size(4)).toEqual([6, 4, 6, 4]);
    expect(size(1)).toEqual([9, 1, 9, 1]); // 1 is a count, not the whole
    // 0.07 · 100 is 7.000000000000001 and 0.29 · 100 is 28.999999999999996 in float64.
    expect(trainTestSplit(indexed(100), new Int32Array(100), { testSize: 0.07 }).XTest.rows).toBe(7);
    expect(trainTestSplit(indexed(100), new Int32Array(100), { testSize: 0.29 }).XTest.rows).toBe(29);
  });

  it("partitions the rows, keeps X and y paired and y's type", () => {
    const n = 37, X = indexed(n);
    const yArr = Array.from({ length: n }, (_, i) => `r${i}`);
    const s = trainTestSplit(X, yArr, { testSize: 0.3, seed: 9 });
    const all = [...ids(s.XTrain), ...ids(s.XTest)];
    expect(new Set(all).size).toBe(n);
    expect([...all].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(s.yTrain).toEqual(ids(s.XTrain).map((i) => `r${i}`));
    expect(s.yTest).toEqual(ids(s.XTest).map((i) => `r${i}`));
    expect(row(s.XTest, 0)).toEqual([s.XTest.data[0], -s.XTest.data[0] + 0]);
    expect(Array.isArray(s.yTest)).toBe(true);
    expect(trainTestSplit(X, new Int32Array(n)).yTest).toBeInstanceOf(Int32Array);
    expect(trainTestSplit(X, new Float32Array(n)).yTrain).toBeInstanceOf(Float32Array);
  });

  it("partitions any shape of input (property)", () => {
    fc.assert(fc.property(
      fc.integer({ min: 2, max: 80 }), fc.double({ min: 0.01, max: 0.99, noNaN: true }), fc.integer(), fc.boolean(),
      (n, frac, seed, shuffle) => {
        const testSize = Math.ceil(frac * n) >= n ? 1 : frac;
        const s = trainTestSplit(indexed(n), Float32Array.from({ length: n }, (_, i) => i), { testSize, seed, shuffle });
        const train = ids(s.XTrain), test = ids(s.XTest);
        expect(test.length).toBe(testSize === 1 ? 1 : Math.ceil(Number((frac * n).toPrecision(12))));
        expect([...train, ...test].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
        expect(Array.from(s.yTest)).toEqual(test);
      },
    ), { seed: 5, numRuns: 200 });
  });

  it("without shuffling, tests on the last rows in order", () => {
    const s = trainTestSplit(indexed(8), new Int32Array(8), { shuffle: false, testSize: 3 });
    expect(ids(s.XTrain)).toEqual([0, 1, 2, 3, 4]);
    expect(ids(s.XTest)).toEqual([5, 6, 7]);
  });

  it("stratifies the penguins: each species within 1 of its share in both parts", () => {
    const d = penguins();
    const y = d.y as string[];
    const total = counts(y);
    for (const seed of [0, 1, 2, 3]) {
      const s = trainTestSplit(d.X, y, { stratify: y, seed });
      expect(s.yTest.length).toBe(84); // ceil(0.25 · 333)
      const test = counts(s.yTest), train = counts(s.yTrain);
      for (const [species, c] of total) {
        expect(Math.abs((test.get(species) ?? 0) - (c * 84) / 333)).toBeLessThanOrEqual(1);
        expect(Math.abs((train.get(species) ?? 0) - (c * 249) / 333)).toBeLessThanOrEqual(1);
      }
      // The parts are shuffled, not grouped by class.
      expect(s.yTest.slice(0, 30).every((v) => v === s.yTest[0])).toBe(false);
    }
  });

  it("stratifies a skewed class exactly, where a plain shuffle drifts", () => {
    // 90 "a" and 10 "b", test 20: stratified gives 18 and 2 for every seed.
    const labels = Array.from({ length: 100 }, (_, i) => (i % 10 === 0 ? "b" : "a"));
    const X = indexed(100);
    let drift = 0;
    for (let seed = 0; seed < 20; seed++) {
      const s = trainTestSplit(X, labels, { stratify: labels, testSize: 20, seed });
      expect(counts(s.yTest).get("b")).toBe(2);
      const plain = trainTestSplit(X, labels, { testSize: 20, seed });
      if (counts(plain.yTest).get("b") !== 2) drift++;
    }
    expect(drift).toBeGreaterThan(0);
  });
});
