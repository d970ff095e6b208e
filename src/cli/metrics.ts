// The numbers `descent train` reports after fitting: MSE, RMSE and R² for a regression; accuracy,
// log loss, per-class precision, recall and F1 and a confusion matrix for a classifier, laid out
// as scikit-learn's classification_report and confusion_matrix are.
import { r2 } from "../models/common.ts";
import { formatColumn, formatTable, printable } from "./table.ts";

export type Label = string | number;

/** MSE, RMSE and R² of predictions `p` against `y`. */
export function regressionMetrics(p: Float32Array, y: Float32Array): number[] {
  let res = 0;
  for (let i = 0; i < y.length; i++) res += (p[i] - y[i]) ** 2;
  const mse = res / y.length;
  return [mse, Math.sqrt(mse), r2(p, y)];
}

/**
 * Accuracy, and the log loss when class probabilities are given (`proba`, row-major, one column
 * per class of `classes`).
 */
export function classificationMetrics(
  p: readonly Label[], y: readonly Label[], proba?: { values: Float32Array; classes: readonly Label[] },
): (number | undefined)[] {
  let correct = 0;
  for (let i = 0; i < y.length; i++) if (p[i] === y[i]) correct++;
  let logLoss: number | undefined;
  if (proba !== undefined) {
    const k = proba.classes.length;
    const index = new Map(proba.classes.map((c, i) => [c, i]));
    let sum = 0;
    for (let i = 0; i < y.length; i++) {
      // Clipped as scikit-learn's log_loss does, so one confident mistake gives a large, finite loss.
      sum -= Math.log(Math.max(proba.values[i * k + (index.get(y[i]) as number)], 1e-15));
    }
    logLoss = sum / y.length;
  }
  return [correct / y.length, logLoss];
}

/** The metrics table: a row per metric, a column for the training rows and one for the test rows. */
export function metricsTable(names: readonly string[], train: readonly (number | undefined)[], test?: readonly (number | undefined)[]): string {
  const header = test === undefined ? ["", "train"] : ["", "train", "test"];
  // A row holds one metric on two sets: formatted together, so the two read alike.
  const rows = names.map((name, i) => [name, ...formatColumn(test === undefined ? [train[i]] : [train[i], test[i]])]);
  return formatTable([header, ...rows], { header: true, indent: "  " });
}

/** Per-class scores, as scikit-learn's precision_recall_fscore_support and confusion_matrix give them. */
export interface ClassReport {
  /** The classes in the true or the predicted labels, in the model's order. */
  labels: Label[];
  precision: number[];
  recall: number[];
  f1: number[];
  /** How many rows of each class there are. */
  support: number[];
  /** confusion[i][j]: rows of class labels[i] predicted as labels[j]. */
  confusion: number[][];
  /** Unweighted means over the labels. */
  macro: { precision: number; recall: number; f1: number };
}

/**
 * Precision, recall and F1 of each class that occurs in `yTrue` or `yPred` (scikit-learn's
 * unique_labels), in the order of `classes`. A score whose denominator is 0 (a class never
 * predicted, or never present) is 0, as with scikit-learn's zero_division=0.
 */
export function classReport(yTrue: readonly Label[], yPred: readonly Label[], classes: readonly Label[]): ClassReport {
  const present = new Set<Label>([...yTrue, ...yPred]);
  const labels = classes.filter((c) => present.has(c));
  const index = new Map(labels.map((c, i) => [c, i]));
  const k = labels.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) confusion[index.get(yTrue[i]) as number][index.get(yPred[i]) as number]++;
  const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);
  const support = confusion.map((row) => row.reduce((a, b) => a + b, 0));
  const predicted = labels.map((_, j) => confusion.reduce((a, row) => a + row[j], 0));
  const precision = labels.map((_, i) => ratio(confusion[i][i], predicted[i]));
  const recall = labels.map((_, i) => ratio(confusion[i][i], support[i]));
  const f1 = labels.map((_, i) => ratio(2 * precision[i] * recall[i], precision[i] + recall[i]));
  const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
  return { labels, precision, recall, f1, support, confusion, macro: { precision: mean(precision), recall: mean(recall), f1: mean(f1) } };
}

/** Wider than this, a confusion matrix no longer fits a terminal: it is left out, with a line saying so. */
export const MAX_MATRIX_CLASSES = 20;
/** Class labels are cut to this many characters in the tables (the full labels are in predict's output). */
const LABEL_WIDTH = 24;

function shortLabel(c: Label): string {
  const s = printable(String(c));
  const chars = [...s];
  return chars.length > LABEL_WIDTH ? `${chars.slice(0, LABEL_WIDTH - 1).join("")}…` : s;
}

/** The per-class table and the confusion matrix of `r`, computed on `set` ("test" or "train") rows. */
export function formatClassReport(r: ClassReport, set: string): string {
  const names = [...r.labels.map(shortLabel), "macro avg"];
  const column = (values: number[], macro: number): string[] => formatColumn([...values, macro]);
  const precision = column(r.precision, r.macro.precision);
  const recall = column(r.recall, r.macro.recall);
  const f1 = column(r.f1, r.macro.f1);
  const total = r.support.reduce((a, b) => a + b, 0);
  const support = [...r.support.map(String), String(total)];
  const perClass = formatTable(
    [[`${set} rows`, "precision", "recall", "F1", "support"], ...names.map((name, i) => [name, precision[i], recall[i], f1[i], support[i]])],
    { header: true, indent: "  " },
  );
  const k = r.labels.length;
  if (k > MAX_MATRIX_CLASSES) {
    return `${perClass}\n  confusion matrix: not shown for ${k} classes (more than ${MAX_MATRIX_CLASSES})\n`;
  }
  const matrix = formatTable(
    [["true \\ predicted", ...names.slice(0, k)], ...r.confusion.map((row, i) => [names[i], ...row.map(String)])],
    { header: true, indent: "  " },
  );
  return `${perClass}\n  confusion matrix (${set} rows: the true class down, the predicted class across)\n${matrix}`;
}
