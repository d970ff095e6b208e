// Types for ml-logistic-regression (CommonJS, no declarations of its own), as the benchmarks use it.
declare module "ml-logistic-regression" {
  export default class LogisticRegression {
    constructor(options?: { numSteps?: number; learningRate?: number });
    train(X: unknown, Y: unknown): void;
    predict(X: unknown): number[];
  }
}
