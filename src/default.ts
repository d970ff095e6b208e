// The default runtime behind the package's plain functions, and the factories of the per-
// activation plain functions (src/generated/activations.ts, written from the registry).
import type { ActivationName } from "./registry.ts";
import { createRuntime, createRuntimeSync, type ActivationOptions, type Input, type Runtime, type RuntimeOptions } from "./runtime.ts";

let defaultRuntime: Runtime | undefined;
let pending: Promise<Runtime> | undefined;

/**
 * Creates (once) and returns the default runtime, on the best backend the platform has unless
 * options.backend says otherwise. Later calls return the same runtime.
 */
export async function init(options?: RuntimeOptions): Promise<Runtime> {
  if (defaultRuntime !== undefined) return defaultRuntime;
  pending ??= createRuntime(options).then((rt) => (defaultRuntime = rt));
  return pending;
}

/**
 * The default runtime. Created on first use when the platform can compile WASM synchronously
 * (Node, workers); in a browser's main thread call `await init()` once first.
 */
export function runtime(): Runtime {
  if (defaultRuntime === undefined) {
    try {
      defaultRuntime = createRuntimeSync();
    } catch (err) {
      throw new Error(
        `descent: the default runtime is not ready: call \`await init()\` once before using the plain functions here (${(err as Error).message})`,
      );
    }
  }
  return defaultRuntime;
}

export type Forward = <T extends Input>(x: T, options?: ActivationOptions) => T;
export type Backward = <T extends Input>(x: T, dy: Input, options?: ActivationOptions) => T;

/** A plain function running an activation's forward on the default runtime. */
export function forwardOf(name: ActivationName): Forward {
  return (x, options) => runtime().activations[name].forward(x, options);
}

/** A plain function running an activation's backward on the default runtime. */
export function backwardOf(name: ActivationName): Backward {
  return (x, dy, options) => runtime().activations[name].backward(x, dy, options);
}
