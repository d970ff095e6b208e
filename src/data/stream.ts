// csvBatches: CSV bytes (a ReadableStream from fetch, a File or Blob, a Node stream) read in chunks
// into { X, y } batches for fitBatches, in browsers and in Node, without the whole file in memory.
// Each chunk of rows is parsed by parseCsv, so quoting, numbers, missing cells and messages are the
// same; the columns (which are features, numbers or one-hot categories, which are ids) are decided
// from the first chunk and every later chunk is read into the same features (parseCsv's encoding).
import { CsvColumnError, parseTable, type CsvData, type CsvEncoding, type CsvHints, type CsvOptions } from "./csv.ts";
import { describe, quote } from "./describe.ts";
import { matrix, type Matrix } from "./matrix.ts";

/** Bytes csvBatches reads: a ReadableStream (fetch's body), a File or Blob, or an async iterable of chunks (a Node stream). */
export type CsvByteSource = ReadableStream<Uint8Array> | Blob | AsyncIterable<Uint8Array | string>;

/**
 * What csvBatches reads: bytes, or a function returning them (called once per pass, so that the
 * batches can be read again: `() => fetch(url).then((r) => r.body)`). A File or Blob can be read
 * again by itself; a stream only once.
 */
export type CsvInput = CsvByteSource | (() => CsvByteSource | null | PromiseLike<CsvByteSource | null>);

export interface CsvBatchesOptions extends Pick<CsvOptions, "features" | "categorical" | "dropIds" | "source" | "delimiter" | "encoding"> {
  /** The target column (y). */
  target: string;
  /** Rows per batch (default 10,000); the last batch of a pass may have fewer. */
  batchRows?: number;
  /**
   * Rows read before the first batch to decide the columns: which are numbers, which text and
   * their categories, which are ids (default 10,000, or batchRows when larger). A category first
   * seen after them is refused: raise inferRows for a file sorted by a text column.
   */
  inferRows?: number;
  /**
   * A missing cell: "error" (default) or "drop" (its row is left out). "mean" needs the whole
   * file's means before the first batch, which a stream cannot give, and is refused.
   */
  missing?: "error" | "drop";
  /** Called as bytes are read (with 0 as a pass starts), with the bytes of this pass so far and the total when known (a Blob's size). */
  onProgress?: (bytes: number, total: number | undefined) => void;
}

/** csvBatches's batches: the features of every row, and the target (numbers, or text labels). */
export interface CsvBatch<Y> {
  readonly X: Matrix;
  readonly y: Y;
}

/** What csvBatches learned from the first chunk, and what the last pass read. */
export interface CsvBatchesInfo {
  /** How the columns become X (as parseCsv's encoding): known once the first chunk is read. */
  readonly encoding: CsvEncoding | undefined;
  /** The feature names, in X's column order. */
  readonly features: readonly string[] | undefined;
  /** Text columns left out, and id-like columns left out (from the first chunk). */
  readonly skipped: readonly string[];
  readonly ids: readonly string[];
  /** Rows and bytes of the last complete pass, and how many rows it left out for a missing cell (0 before the end of a pass). */
  readonly rows: number;
  readonly bytes: number;
  readonly dropped: number;
}

const FN = "csvBatches";

const HINTS: CsvHints = {
  option: (name) => name,
  missing: `missing: "drop" leaves such rows out`,
  encode: `categorical: "auto", or a list naming it, one-hot encodes it`,
  tooMany: `list the columns to encode in categorical, leave it out of features, or use categorical: "none"`,
};

/**
 * The rows of a CSV file as a batch source for model.fitBatches: an async iterable of
 * { X, y } batches of `batchRows` rows, read again on every pass when `input` is a File or Blob or
 * a function that returns the bytes anew. Y is the target's type: Float32Array for numbers,
 * string[] for labels (the default type allows both). Categories and column types are decided
 * from the first `inferRows` rows: a category first seen later is refused (raise inferRows, or
 * name the columns in features).
 */
export function csvBatches<Y extends Float32Array | string[] = Float32Array | string[]>(
  input: CsvInput, options: CsvBatchesOptions,
): AsyncIterable<CsvBatch<Y>> & { readonly info: CsvBatchesInfo } {
  return new CsvBatches<Y>(input, options, HINTS, FN);
}

/** @internal csvBatches with messages in the caller's terms (the command line's flags). */
export class CsvBatches<Y> implements AsyncIterable<CsvBatch<Y>> {
  readonly #input: CsvInput;
  readonly #options: CsvBatchesOptions;
  readonly #batchRows: number;
  readonly #inferRows: number;
  #encoding: CsvEncoding | undefined;
  #first: CsvData | undefined;
  #numeric: boolean | undefined;
  #used = false;
  #info: CsvBatchesInfo = { encoding: undefined, features: undefined, skipped: [], ids: [], rows: 0, bytes: 0, dropped: 0 };

  constructor(input: CsvInput, options: CsvBatchesOptions, readonly hints: CsvHints, readonly fn: string) {
    if (typeof input !== "function" && !isBlob(input) && !isReadableStream(input) && !isAsyncIterable(input)) {
      throw new TypeError(
        `descent: ${fn}: input must be a ReadableStream (fetch's body), a File or Blob, an async iterable of chunks ` +
        `(a Node stream), or a function returning one, received ${describe(input)}`,
      );
    }
    if (typeof options !== "object" || options === null) throw new TypeError(`descent: ${fn}: options must be an object, received ${describe(options)}`);
    if (typeof options.target !== "string" || options.target === "") {
      throw new TypeError(`descent: ${fn}: options.target must name the target column, received ${describe(options.target)}`);
    }
    const missing = (options.missing as string | undefined) ?? "error";
    if (missing === "mean") {
      throw new RangeError(`descent: ${fn}: missing "mean" needs the whole file's means before the first batch, which a stream cannot give; use "drop" or "error", or fill the cells beforehand`);
    }
    if (missing !== "error" && missing !== "drop") throw new TypeError(`descent: ${fn}: missing must be "error" or "drop", received ${describe(missing)}`);
    const batchRows = options.batchRows ?? 10_000;
    if (typeof batchRows !== "number" || !Number.isInteger(batchRows) || batchRows < 1) {
      throw new RangeError(`descent: ${fn}: batchRows must be a positive integer, received ${describe(batchRows)}`);
    }
    if (options.onProgress !== undefined && typeof options.onProgress !== "function") {
      throw new TypeError(`descent: ${fn}: onProgress must be a function, received ${describe(options.onProgress)}`);
    }
    const inferRows = options.inferRows ?? 10_000;
    if (typeof inferRows !== "number" || !Number.isInteger(inferRows) || inferRows < 1) {
      throw new RangeError(`descent: ${fn}: inferRows must be a positive integer, received ${describe(inferRows)}`);
    }
    this.#input = input;
    this.#options = options;
    this.#batchRows = batchRows;
    this.#inferRows = Math.max(batchRows, inferRows);
    this.#encoding = options.encoding;
  }

  get info(): CsvBatchesInfo {
    return this.#info;
  }

  /** A pass over the rows. A stream is refused at once (not at the first batch) when it was read already. */
  [Symbol.asyncIterator](): AsyncGenerator<CsvBatch<Y>> {
    const input = this.#input;
    if (typeof input !== "function" && !isBlob(input)) {
      if (this.#used) {
        throw new TypeError(
          `descent: ${this.fn}: ${this.#options.source ?? "CSV"}: the stream was read already; to read it again pass a function that returns a new one, ` +
          `as () => fetch(url).then((r) => r.body), or a File or Blob`,
        );
      }
      this.#used = true;
    }
    return this.#pass();
  }

  async *#pass(): AsyncGenerator<CsvBatch<Y>> {
    const o = this.#options;
    const where = o.source ?? "CSV";
    let bytes = this.#input;
    if (typeof bytes === "function") {
      const got = await bytes();
      if (got === null || got === undefined) throw new TypeError(`descent: ${this.fn}: the input function returned ${describe(got)} (a response without a body?)`);
      bytes = got;
    }
    const total = isBlob(bytes) ? bytes.size : undefined;
    // 0 bytes: a pass starts.
    o.onProgress?.(0, total);
    let read = 0;
    let rows = 0;
    let dropped = 0;
    let header: string | undefined;
    /** File lines before the pending text (the header's included once it is taken). */
    let linesBefore = 0;
    let pending = "";
    /** Scan state over pending: where to resume, inside quotes, the end of the last complete record, records found. */
    let scanned = 0;
    let quoted = false;
    let lastEnd = -1;
    let records = 0;
    let linesInRecords = 0;
    let newlines = 0;
    let headerLines = 1;
    const decoder = new TextDecoder("utf-8", { fatal: false });

    const parse = (text: string, lineCount: number): CsvBatch<Y>[] => {
      // The chunk's line n (after its header) is the file's line n + offset.
      const offset = linesBefore - headerLines;
      linesBefore += lineCount;
      if (text.trim() === "") return [];
      let data: CsvData;
      try {
        data = this.#encoding === undefined
          ? parseTable((header as string) + text, {
            target: o.target, features: o.features, categorical: o.categorical, dropIds: o.dropIds, missing: o.missing, source: o.source, delimiter: o.delimiter,
          }, this.hints)
          : parseTable((header as string) + text, { target: o.target, encoding: this.#encoding, missing: o.missing, source: o.source, delimiter: o.delimiter }, this.hints);
      } catch (err) {
        throw relined(err, offset, headerLines, this.fn);
      }
      if (this.#first === undefined) {
        this.#encoding ??= data.encoding;
        this.#first = data;
        this.#info = { ...this.#info, encoding: this.#encoding, features: data.features, skipped: data.skipped, ids: data.ids };
      }
      if (data.unseen.length > 0) {
        const u = data.unseen[0];
        throw new RangeError(
          `descent: ${this.fn}: ${where}: column ${quote(u.column)} has the category ${quote(u.category)} in the rows from line ${offset + 2}, ` +
          `which the first ${this.#first?.X.rows ?? 0} rows did not have: the categories are decided from the first rows; raise inferRows, ` +
          `or leave the column out of the features`,
        );
      }
      const numeric = data.y instanceof Float32Array;
      this.#numeric ??= numeric;
      if (numeric !== this.#numeric) {
        throw new RangeError(`descent: ${this.fn}: ${where}: the target ${quote(o.target)} holds ${numeric ? "only numbers" : "text"} in the rows from line ${offset + 2} but ${this.#numeric ? "numbers" : "text"} in the first batch`);
      }
      dropped += data.dropped.length;
      rows += data.X.rows;
      // The first chunk holds inferRows rows: it leaves as batches of batchRows.
      const out: CsvBatch<Y>[] = [];
      const { X } = data;
      const y = data.y as Float32Array | string[];
      for (let r = 0; r < X.rows; r += this.#batchRows) {
        const n = Math.min(this.#batchRows, X.rows - r);
        const part = n === X.rows ? X : matrix(X.data.subarray(r * X.cols, (r + n) * X.cols), n, X.cols);
        out.push({ X: part, y: (n === X.rows ? y : y.slice(r, r + n)) as Y });
      }
      return out;
    };

    const out: CsvBatch<Y>[] = [];
    /** Cuts the complete records off pending and parses them into a batch. */
    const cut = (): void => {
      const text = pending.slice(0, lastEnd + 1);
      pending = pending.slice(lastEnd + 1);
      newlines -= linesInRecords;
      const lines = linesInRecords;
      linesInRecords = 0;
      lastEnd = -1;
      records = 0;
      out.push(...parse(text, lines));
    };
    /** Finds record ends (line breaks outside quotes) in the text not scanned yet; every batchRows records become a batch. */
    const scan = (): void => {
      for (let i = scanned; i < pending.length; i++) {
        const c = pending.charCodeAt(i);
        if (c === 34) quoted = !quoted; // '"': a doubled quote inside a field toggles twice
        else if (c === 10) {
          newlines++;
          if (quoted) continue;
          if (header === undefined) {
            // The header, put in front of every chunk parseCsv reads.
            header = pending.slice(0, i + 1).replace(/^\uFEFF/, "");
            headerLines = newlines;
            linesBefore = newlines;
            newlines = 0;
            pending = pending.slice(i + 1);
            i = -1;
            continue;
          }
          lastEnd = i;
          records++;
          linesInRecords = newlines;
          if (records >= (this.#encoding === undefined ? this.#inferRows : this.#batchRows)) {
            cut();
            i = -1;
          }
        }
      }
      scanned = pending.length;
    };

    const chunks = readChunks(bytes);
    try {
      for await (const chunk of chunks) {
        if (typeof chunk === "string") {
          pending += chunk;
          read += chunk.length;
        } else {
          pending += decoder.decode(chunk, { stream: true });
          read += chunk.byteLength;
        }
        o.onProgress?.(read, total);
        scan();
        while (out.length > 0) yield out.shift() as CsvBatch<Y>;
      }
      pending += decoder.decode();
      scan();
      while (out.length > 0) yield out.shift() as CsvBatch<Y>;
      if (header === undefined) {
        if (pending.trim() === "") throw new RangeError(`descent: ${this.fn}: ${where}: no header row (the input is empty)`);
        // A header without a line break, and nothing after it.
        throw new RangeError(`descent: ${this.fn}: ${where}: no data rows after the header`);
      }
      if (pending !== "") {
        const lines = newlines + (pending.endsWith("\n") ? 0 : 1);
        const last = parse(pending, lines);
        pending = "";
        yield* last;
      }
      if (rows === 0) throw new RangeError(`descent: ${this.fn}: ${where}: no data rows after the header`);
      const first = this.#first as CsvData;
      this.#info = {
        encoding: this.#encoding, features: first.features, skipped: first.skipped, ids: first.ids, rows, bytes: read, dropped,
      };
    } finally {
      await chunks.return?.(undefined);
    }
  }
}

/** Chunks of bytes or text from any CsvByteSource (a ReadableStream through its reader, which every browser has). */
async function* readChunks(bytes: CsvByteSource): AsyncGenerator<Uint8Array | string> {
  if (isBlob(bytes)) {
    yield* readChunks(bytes.stream() as ReadableStream<Uint8Array>);
    return;
  }
  if (isReadableStream(bytes)) {
    const reader = bytes.getReader();
    let finished = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          finished = true;
          return;
        }
        yield value;
      }
    } finally {
      // Stops the download or the file read when the pass ends early (only then: a browser
      // reports a fetch whose finished body is cancelled as aborted).
      if (!finished) await reader.cancel().catch(() => undefined);
      reader.releaseLock();
    }
  }
  yield* bytes as AsyncIterable<Uint8Array | string>;
}

/** parseCsv's messages with the chunk's line numbers made the file's, and named as the caller. */
function relined(err: unknown, offset: number, headerLines: number, fn: string): unknown {
  if (!(err instanceof Error) || !err.message.startsWith("descent: ")) return err;
  const message = err.message
    .replace(/^descent: parseCsv: /, `descent: ${fn}: `)
    .replace(/\bline (\d+)/g, (_, n: string) => `line ${Number(n) <= headerLines ? n : Number(n) + offset}`);
  const copy = err instanceof CsvColumnError ? new CsvColumnError(message, err.option, err.columns) : err instanceof TypeError ? new TypeError(message) : new RangeError(message);
  return copy;
}

function isBlob(v: unknown): v is Blob {
  return typeof Blob !== "undefined" && v instanceof Blob;
}

function isReadableStream(v: unknown): v is ReadableStream<Uint8Array> {
  return typeof v === "object" && v !== null && typeof (v as ReadableStream).getReader === "function";
}

function isAsyncIterable(v: unknown): v is AsyncIterable<Uint8Array | string> {
  return typeof v === "object" && v !== null && typeof (v as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function";
}
