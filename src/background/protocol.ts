// The messages between trainInWorker (the page or program) and the training worker.
import type { EpochInfo, History, Targets } from "../models/common.ts";
import type { Blueprint, ModelJSON } from "../models/model.ts";

export interface TrainRequest {
  type: "train";
  blueprint: Blueprint;
  X: { data: Float32Array; rows: number; cols: number };
  y: Targets;
  /** fit's options without the callbacks and the signal. */
  fit: Record<string, unknown>;
  /** Send the weights with an epoch's progress at most this often (ms); undefined: only at the end. */
  updateEvery?: number;
  /** The worker's runtime: the same backend as the model's, and threads when asked. */
  runtime: { backend: string; threads: number | "auto" };
}

export type ToWorker = TrainRequest | { type: "stop" } | { type: "abort" };

export type FromWorker =
  | { type: "runtime"; backend: string; threads: number; singleThreaded?: string }
  | { type: "epoch"; info: EpochInfo; state?: ModelJSON }
  | { type: "done"; state: ModelJSON; history: History; report: Record<string, unknown> }
  | { type: "error"; message: string; aborted: boolean };
