// csvBatches in Node (which has ReadableStream, Blob and TextDecoder as browsers do): the batches
// of any chunking hold what parseCsv reads from the whole text, errors name the file's lines, a
// stream is read once and a Blob or a function again, and fitBatches trains on them as fit does.
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LinearRegression, LogisticRegression, csvBatches, matrix, parseCsv, type CsvBatchesOptions } from "../src/index.ts";

const TEXT = readFileSync(new URL("../data/penguins.csv", import.meta.url), "utf8");
const tmp = mkdtempSync(join(os.tmpdir(), "descent-stream-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A ReadableStream of the text's UTF-8 bytes in chunks of `size` (splitting characters and records anywhere). */
function bytesIn(text: string, size: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (at >= bytes.length) c.close();
      else {
        c.enqueue(bytes.slice(at, at + size));
        at += size;
      }
    },
  });
}

/** Every batch of a pass, joined: X's data, the targets, and the batch sizes. */
async function collect(source: AsyncIterable<{ X: { data: Float32Array; rows: number; cols: number }; y: Float32Array | string[] }>): Promise<{
  data: number[]; y: (number | string)[]; sizes: number[]; cols: number;
}> {
  const out = { data: [] as number[], y: [] as (number | string)[], sizes: [] as number[], cols: 0 };
  for await (const b of source) {
    out.data.push(...b.X.data);
    out.y.push(...b.y);
    out.sizes.push(b.X.rows);
    out.cols = b.X.cols;
  }
  return out;
}

describe("csvBatches", () => {
  // A text with what chunking could break: a quoted field with a line break and a doubled quote,
  // CRLF line ends, non-ASCII text (multi-byte UTF-8) and a byte-order mark.
  const tricky = "\uFEFFname,x,note,y\r\n" + Array.from({ length: 40 }, (_, i) =>
    `"r${i}",${(i * 0.37).toFixed(2)},${i % 3 === 0 ? `"line\nbreak ""q"" ${i}"` : `naïve ${i}`},${i % 2 === 0 ? "pingüino" : "zorro"}`).join("\r\n") + "\r\n";

  it.each([1, 3, 7, 64, 100_000])("reads what parseCsv reads, in chunks of %i bytes", async (size) => {
    const options: CsvBatchesOptions = { target: "y", features: ["x"], batchRows: 6 };
    const whole = parseCsv(tricky, { target: "y", features: ["x"] });
    const got = await collect(csvBatches(bytesIn(tricky, size), options));
    expect(got.data).toEqual(Array.from(whole.X.data));
    expect(got.y).toEqual(whole.y);
    expect(got.sizes).toEqual([6, 6, 6, 6, 6, 6, 4]);
  });

  it("decides the columns from the first inferRows rows: encoded categories, numbers, ids, as parseCsv on the whole file", async () => {
    const options = { target: "body_mass_g", categorical: "auto", missing: "drop", dropIds: true } as const;
    const whole = parseCsv(TEXT, options);
    const source = csvBatches(new Blob([TEXT]), { ...options, batchRows: 50 });
    const got = await collect(source);
    expect(got.data).toEqual(Array.from(whole.X.data));
    expect(got.y).toEqual(Array.from(whole.y as Float32Array));
    expect(source.info.features).toEqual(whole.features);
    expect(source.info.encoding).toEqual(whole.encoding);
    expect(source.info.rows).toBe(whole.X.rows);
    expect(source.info.dropped).toBe(whole.dropped.length);
    expect(source.info.bytes).toBe(new TextEncoder().encode(TEXT).length);
    // The file is sorted by species: from 50 rows only, a later category is refused, not zeroed.
    await expect(collect(csvBatches(new Blob([TEXT]), { ...options, batchRows: 50, inferRows: 50 }))).rejects.toThrow(
      /^descent: csvBatches: CSV: column "species" has the category "Chinstrap" in the rows from line \d+, which the first 50 rows did not have: the categories are decided from the first rows; raise inferRows/,
    );
  });

  it("names the file's line of a bad cell, however the rows were chunked", async () => {
    const lines = TEXT.split("\n");
    lines[200] = lines[200].replace(/,(\d+\.\d+),/, ",abc,");
    const bad = lines.join("\n");
    let expected = "";
    try {
      parseCsv(bad, { target: "species", missing: "drop" });
    } catch (err) {
      // The reason after the cell differs: the column holds numbers, or the encoding reads it so.
      expected = (err as Error).message.replace(/^descent: parseCsv: /, "").replace(/, though .*$/, "");
    }
    expect(expected).toBe('CSV: line 201, column "bill_length_mm": "abc" is not a number');
    for (const inferRows of [7, 10_000]) {
      const source = csvBatches(bytesIn(bad, 10), { target: "species", missing: "drop", batchRows: 7, inferRows });
      await expect(collect(source)).rejects.toThrow(expected);
    }
  });

  it("refuses what a stream cannot do, and bad options, by name", () => {
    expect(() => csvBatches(new Blob([TEXT]), { target: "species", missing: "mean" as "drop" })).toThrow(
      /^descent: csvBatches: missing "mean" needs the whole file's means before the first batch/,
    );
    expect(() => csvBatches("a,b\n1,2" as never, { target: "b" })).toThrow(/input must be a ReadableStream \(fetch's body\), a File or Blob/);
    expect(() => csvBatches(new Blob([TEXT]), { target: "species", batchRows: 0 })).toThrow(/batchRows must be a positive integer, received 0/);
    expect(() => csvBatches(new Blob([TEXT]), {} as never)).toThrow(/options.target must name the target column/);
  });

  it("an empty input and a header without rows are refused", async () => {
    await expect(collect(csvBatches(new Blob([""]), { target: "y" }))).rejects.toThrow(/no header row \(the input is empty\)/);
    await expect(collect(csvBatches(new Blob(["x,y\n"]), { target: "y" }))).rejects.toThrow(/no data rows after the header/);
  });

  it("is read again from a Blob or a function, and once from a stream (which fitBatches says)", async () => {
    const options = { target: "body_mass_g", missing: "drop", batchRows: 64 } as const;
    const whole = parseCsv(TEXT, options);
    const y = whole.y as Float32Array;
    const fit = await new LinearRegression({ solver: "gd", epochs: 20 }).fit(whole.X, y);
    for (const input of [new Blob([TEXT]), () => bytesIn(TEXT, 1000), () => createReadStream(new URL("../data/penguins.csv", import.meta.url), { highWaterMark: 999 })]) {
      const model = await new LinearRegression({ solver: "gd", epochs: 20 }).fitBatches(csvBatches<Float32Array>(input, options));
      for (let j = 0; j < whole.X.cols; j++) expect(Math.abs(model.coef[j] - fit.coef[j])).toBeLessThan(1e-3 * Math.max(1, Math.abs(fit.coef[j])));
      model.dispose();
    }
    await expect(new LinearRegression({ solver: "gd", epochs: 2 }).fitBatches(csvBatches<Float32Array>(bytesIn(TEXT, 1000), options))).rejects.toThrow(
      /^descent: LinearRegression\.fitBatches: the source is a one-shot iterator .* \(descent: csvBatches: CSV: the stream was read already; to read it again pass a function that returns a new one, as \(\) => fetch\(url\)\.then\(\(r\) => r\.body\), or a File or Blob\)/,
    );
    // The closed form needs one pass: a stream serves it.
    const closed = await new LinearRegression().fitBatches(csvBatches<Float32Array>(bytesIn(TEXT, 1000), options));
    const exact = await new LinearRegression().fit(whole.X, y);
    for (let j = 0; j < whole.X.cols; j++) expect(Math.abs(closed.coef[j] - exact.coef[j])).toBeLessThan(1e-9 * Math.max(1, Math.abs(exact.coef[j])));
    [fit, closed, exact].forEach((m) => m.dispose());
  });

  it("a classifier from a file on disk: the same model as fit on the parsed file", async () => {
    const file = join(tmp, "penguins.csv");
    writeFileSync(file, TEXT);
    const options = { target: "species", missing: "drop", categorical: ["island"] } as const;
    const whole = parseCsv(TEXT, options);
    const model = await new LogisticRegression().fitBatches(csvBatches(() => createReadStream(file), { ...options, batchRows: 40 }));
    const fit = await new LogisticRegression().fit(whole.X, whole.y);
    expect(model.classes).toEqual(fit.classes);
    expect(model.predict(whole.X)).toEqual(fit.predict(whole.X));
    const p = model.predictProba(matrix(whole.X.data.slice(0, whole.X.cols * 5), 5, whole.X.cols));
    const q = fit.predictProba(matrix(whole.X.data.slice(0, whole.X.cols * 5), 5, whole.X.cols));
    p.forEach((v, i) => expect(Math.abs(v - q[i])).toBeLessThan(1e-3));
    model.dispose();
    fit.dispose();
  });
});
