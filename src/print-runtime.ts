// How a runtime prints: one line with its backend, threads and memory, as
// `Runtime(wasm-simd, 1 thread, 2 live tensors in 96 B, memory 1 MiB)`, never its kernels or heap.
// Kept beside the class rather than in runtime.ts, which holds the backends and their calls, and
// installed on it when the package loads.
import { INSPECT, formatBytes, plural, type InspectOptions } from "./format.ts";
import { Runtime } from "./runtime.ts";

function line(rt: Runtime): string {
  if (rt.closed) return `Runtime(${rt.backend}, closed)`;
  const m = rt.memory();
  return `Runtime(${rt.backend}, ${plural(rt.threads, "thread")}, ${plural(m.liveTensors, "live tensor")} in ${formatBytes(m.liveBytes)}, memory ${formatBytes(m.memoryBytes)})`;
}

Object.defineProperties(Runtime.prototype, {
  toString: { value(this: Runtime): string { return line(this); }, writable: true, configurable: true },
  [INSPECT]: {
    value(this: Runtime, _depth: number, options?: InspectOptions): string {
      const text = line(this);
      return options?.stylize === undefined ? text : options.stylize(text, "special");
    },
    writable: true,
    configurable: true,
  },
});
