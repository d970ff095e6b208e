// Loading the WASM builds. The binaries are inlined (base64, src/generated/wasm.ts, written by
// `npm run build`), so no path, fetch, MIME type or bundler plugin is ever involved: the same
// code loads in Node, bundlers, plain <script type="module"> pages and workers.
import { scalarWasm, simdWasm, threadsWasm } from "./generated/wasm.ts";

/** "threads" is the SIMD build importing a shared memory, for runtimes with worker threads. */
export type WasmFlavor = "simd" | "scalar" | "threads";

/** The smallest module that uses a SIMD instruction: (func (result v128) v128.const 0). */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
]);

export function hasWebAssembly(): boolean {
  return typeof WebAssembly === "object" && typeof WebAssembly.Memory === "function";
}

export function hasSimd(): boolean {
  try {
    return hasWebAssembly() && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

const modules = new Map<WasmFlavor, WebAssembly.Module>();

function bytesOf(flavor: WasmFlavor): Uint8Array<ArrayBuffer> {
  return decode(flavor === "simd" ? simdWasm : flavor === "threads" ? threadsWasm : scalarWasm);
}

/**
 * Why threads cannot run here, or undefined when they can: they need SharedArrayBuffer (in a
 * browser only on cross-origin isolated pages) and a shared WebAssembly.Memory.
 */
export function threadsUnavailable(): string | undefined {
  if (typeof SharedArrayBuffer !== "function") {
    return "SharedArrayBuffer is not available (in a browser, the page must be cross-origin isolated: COOP/COEP headers)";
  }
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  if (isolated === false) return "the page is not cross-origin isolated (COOP/COEP headers), so memory cannot be shared";
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  } catch {
    return "this engine cannot create a shared WebAssembly.Memory";
  }
  return undefined;
}

/** Compiles a build once per process (asynchronously, as browsers' main threads require). */
export async function compile(flavor: WasmFlavor): Promise<WebAssembly.Module> {
  let m = modules.get(flavor);
  if (m === undefined) {
    m = await WebAssembly.compile(bytesOf(flavor));
    modules.set(flavor, m);
  }
  return m;
}

/** Synchronous compile, for the lazily created default runtime (Node and workers allow it). */
export function compileSync(flavor: WasmFlavor): WebAssembly.Module {
  let m = modules.get(flavor);
  if (m === undefined) {
    m = new WebAssembly.Module(bytesOf(flavor));
    modules.set(flavor, m);
  }
  return m;
}

export interface WasmExports {
  heapBase(): number;
  [kernel: string]: unknown;
}

/** Instantiates a compiled build over a memory the caller owns. */
export function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): WasmExports {
  const instance = new WebAssembly.Instance(module, {
    env: {
      memory,
      abort(_message: number, _file: number, line: number, column: number): never {
        throw new Error(`descent: WASM kernel aborted at ${line}:${column} (a bug in descent: please report it)`);
      },
    },
  });
  return instance.exports as unknown as WasmExports;
}
