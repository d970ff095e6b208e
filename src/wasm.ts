// Loading the WASM builds. The binaries are inlined (base64, src/generated/wasm.ts, written by
// `npm run build`), so no path, fetch, MIME type or bundler plugin is ever involved: the same
// code loads in Node, bundlers, plain <script type="module"> pages and workers.
import { relaxedWasm, scalarWasm, simdWasm } from "./generated/wasm.ts";

/** The three builds of the same source: SIMD with relaxed SIMD (FMA), SIMD, and scalar. */
export type WasmFlavor = "relaxed" | "simd" | "scalar";

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

/** (func (result v128) v128.const 0 ×3 f32x4.relaxed_madd): validates where relaxed SIMD is on. */
const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 61, 1, 59, 0,
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  253, 133, 2, 11,
]);

/** Relaxed SIMD (Node ≥ 22, current Chromium, Firefox and Safari; Node 20 behind a flag). */
export function hasRelaxedSimd(): boolean {
  try {
    return hasWebAssembly() && WebAssembly.validate(RELAXED_SIMD_PROBE);
  } catch {
    return false;
  }
}

/** An unsigned LEB128 integer at `pos`: its value and the position after it. */
function readLeb(bytes: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let shift = 0;
  let b: number;
  do {
    b = bytes[pos++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return [value, pos];
}

function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let b = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) b |= 0x80;
    out.push(b);
  } while (value !== 0);
  return out;
}

/**
 * The same module importing a shared memory of at most `maxPages`: only the memory import's
 * limits change (flags 0x03, min, max). The kernels use no atomics, so a build compiled with
 * `--sharedMemory` differs in nothing else (test/build.test.ts compares the bytes), and this
 * saves shipping a third near-copy of every build for threads.
 */
export function withSharedMemory(bytes: Uint8Array, maxPages = 65536): Uint8Array<ArrayBuffer> {
  let pos = 8;
  while (pos < bytes.length) {
    const id = bytes[pos];
    const [size, start] = readLeb(bytes, pos + 1);
    const end = start + size;
    if (id === 2) {
      const [count, first] = readLeb(bytes, start);
      let p = first;
      for (let i = 0; i < count; i++) {
        for (let name = 0; name < 2; name++) {
          const [length, after] = readLeb(bytes, p);
          p = after + length;
        }
        const kind = bytes[p++];
        if (kind === 2) {
          const limits = p;
          const flags = bytes[p++];
          let min: number;
          [min, p] = readLeb(bytes, p);
          if (flags & 1) [, p] = readLeb(bytes, p);
          const section = [...bytes.subarray(start, limits), 0x03, ...leb(min), ...leb(maxPages), ...bytes.subarray(p, end)];
          const out = new Uint8Array(pos + 1 + leb(section.length).length + section.length + (bytes.length - end));
          out.set(bytes.subarray(0, pos));
          out.set([2, ...leb(section.length), ...section], pos);
          out.set(bytes.subarray(end), out.length - (bytes.length - end));
          return out;
        }
        // Skip the other import kinds: func (type index), table (reftype, limits), global (type, mut), tag.
        if (kind === 0) [, p] = readLeb(bytes, p);
        else if (kind === 1) {
          p++;
          const flags = bytes[p++];
          [, p] = readLeb(bytes, p);
          if (flags & 1) [, p] = readLeb(bytes, p);
        } else if (kind === 3) p += 2;
        else if (kind === 4) [, p] = readLeb(bytes, p + 1);
        else throw new Error(`descent: internal error: import kind ${kind} in a WASM build`);
      }
    }
    pos = end;
  }
  throw new Error("descent: internal error: the WASM build imports no memory");
}

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

const modules = new Map<string, WebAssembly.Module>();

/** A build's bytes; `shared`: importing a shared memory (for runtimes with worker threads). */
function bytesOf(flavor: WasmFlavor, shared: boolean): Uint8Array<ArrayBuffer> {
  const bytes = decode(flavor === "relaxed" ? relaxedWasm : flavor === "simd" ? simdWasm : scalarWasm);
  return shared ? withSharedMemory(bytes) : bytes;
}

/** What a page's main thread says when asked for threads (it cannot block; a worker can). */
export const MAIN_THREAD_NO_THREADS = "a page's main thread cannot wait for other threads (Atomics.wait is not allowed there); "
  + "train in a worker: trainInWorker(model, X, y, { threads }) trains there on that many threads, or call createRuntime({ threads }) in a Web Worker of your own";

/**
 * Why threads cannot run here, or undefined when they can: they need SharedArrayBuffer and a
 * shared WebAssembly.Memory (in a browser only on cross-origin isolated pages), a thread that may
 * block in Atomics.wait (not a page's main thread), and workers to start (nested workers, in a
 * browser's worker).
 */
export function threadsUnavailable(): string | undefined {
  const g = globalThis as { crossOriginIsolated?: boolean; document?: unknown; process?: { versions?: { node?: string } } };
  if (g.crossOriginIsolated === false) {
    return "the page is not cross-origin isolated, so memory cannot be shared with workers: "
      + "serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp";
  }
  if (typeof SharedArrayBuffer !== "function") {
    return "SharedArrayBuffer is not available (in a browser, the page must be cross-origin isolated: COOP/COEP headers)";
  }
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  } catch {
    return "this engine cannot create a shared WebAssembly.Memory";
  }
  try {
    // Returns "not-equal" at once where this thread may block, and throws where it may not.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
  } catch {
    return g.document !== undefined ? MAIN_THREAD_NO_THREADS : "this thread cannot wait for other threads (Atomics.wait is not allowed here)";
  }
  if (typeof g.process?.versions?.node !== "string" && typeof Worker !== "function") {
    return "this worker cannot start workers of its own (nested Web Workers); start the worker from a page instead";
  }
  return undefined;
}

/** Compiles a build once per process (asynchronously, as browsers' main threads require). */
export async function compile(flavor: WasmFlavor, shared = false): Promise<WebAssembly.Module> {
  const key = `${flavor}${shared ? "+shared" : ""}`;
  let m = modules.get(key);
  if (m === undefined) {
    m = await WebAssembly.compile(bytesOf(flavor, shared));
    modules.set(key, m);
  }
  return m;
}

/** Synchronous compile, for the lazily created default runtime (Node and workers allow it). */
export function compileSync(flavor: WasmFlavor): WebAssembly.Module {
  let m = modules.get(flavor);
  if (m === undefined) {
    m = new WebAssembly.Module(bytesOf(flavor, false));
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
