// The data layer's public API: matrices and their validation, feature scaling, label encoding,
// train/test splitting and CSV input and output, for the models and the command line.
export { matrix, isMatrix, toMatrix, toVector } from "./matrix.ts";
export type { Matrix, MatrixLike } from "./matrix.ts";
export { StandardScaler } from "./scaler.ts";
export type { ScalerJSON } from "./scaler.ts";
export { LabelEncoder } from "./labels.ts";
export type { Labels } from "./labels.ts";
export { trainTestSplit } from "./split.ts";
export type { Split, SplitOptions } from "./split.ts";
export { AUTO_MAX_CATEGORIES, CSV_MISSING_VALUES, MAX_CATEGORIES, parseCsv, toCsv } from "./csv.ts";
export type { CsvCategorical, CsvColumn, CsvData, CsvEncoding, CsvMissing, CsvOptions, ToCsvOptions } from "./csv.ts";
export { csvBatches } from "./stream.ts";
export type { CsvBatch, CsvBatchesInfo, CsvBatchesOptions, CsvByteSource, CsvInput } from "./stream.ts";
