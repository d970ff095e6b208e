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
export { parseCsv, toCsv } from "./csv.ts";
export type { CsvData, CsvOptions, ToCsvOptions } from "./csv.ts";
