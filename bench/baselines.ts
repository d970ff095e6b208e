// The machine's own limits, measured in the same run as the kernels so that every kernel can be
// read as a fraction of what the hardware allows: `memory.copy` bandwidth at each size (the
// ceiling of a kernel that streams its data once) and the peak rate of f32x4 arithmetic
// (independent chains of f32x4.mul and f32x4.add, the ceiling of a compute-bound kernel).
//
// Both run in a tiny WebAssembly module assembled here, byte by byte, so that the baseline goes
// through the same engine (V8's WebAssembly tiers) as descent's kernels, and owes nothing to the
// AssemblyScript build: exports `memory`, `copy(dst, src, bytes)` (one memory.copy) and, per
// chain count, `peak<C>(iterations) -> f32` (C independent v = v·m + a chains of f32x4).

// ---------------------------------------------------------------------------- a small assembler

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (for i32.const). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const utf8 = (s: string): number[] => [...new TextEncoder().encode(s)];
const name = (s: string): number[] => [...uleb(utf8(s).length), ...utf8(s)];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

function f32Bytes(v: number): number[] {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, v, true);
  return [...b];
}

/** The opcodes used here (WebAssembly core 2.0 with the SIMD proposal, standard since 2021). */
const OP = {
  block: 0x02, loop: 0x03, br: 0x0c, brIf: 0x0d, end: 0x0b, empty: 0x40,
  localGet: 0x20, localSet: 0x21,
  i32Const: 0x41, f32Const: 0x43, i32Eqz: 0x45, i32Sub: 0x6b,
  i32: 0x7f, f32: 0x7d, v128: 0x7b, func: 0x60,
  /** 0xFC-prefixed. */
  memoryCopy: [0xfc, ...uleb(10), 0x00, 0x00],
  /** 0xFD-prefixed SIMD opcodes. */
  f32x4Splat: [0xfd, ...uleb(19)],
  f32x4ExtractLane: [0xfd, ...uleb(31)],
  f32x4Add: [0xfd, ...uleb(228)],
  f32x4Mul: [0xfd, ...uleb(230)],
} as const;

/** The chain counts of the peak loop: the best of them is the peak (enough to cover latency, few enough to stay in registers). */
export const PEAK_CHAINS = [8, 12, 14] as const;
/** The recurrence v ← v·M + A of the peak loop: it converges to 1, so values stay normal. */
export const PEAK_M = 0.999;
export const PEAK_A = 0.001;
/** Chain k starts at 1 + k/64. */
export const peakStart = (k: number): number => 1 + k / 64;

/** Body of peak<C>(iterations: i32) -> f32; locals: C chains, then m, then a (all v128). */
function peakBody(chains: number): number[] {
  const param = 0;
  const v = (k: number): number => 1 + k;
  const m = 1 + chains;
  const a = 2 + chains;
  const splat = (x: number): number[] => [OP.f32Const, ...f32Bytes(x), ...OP.f32x4Splat];
  const code: number[] = [];
  code.push(...splat(PEAK_M), OP.localSet, ...uleb(m));
  code.push(...splat(PEAK_A), OP.localSet, ...uleb(a));
  for (let k = 0; k < chains; k++) code.push(...splat(peakStart(k)), OP.localSet, ...uleb(v(k)));
  code.push(OP.block, OP.empty, OP.loop, OP.empty);
  code.push(OP.localGet, param, OP.i32Eqz, OP.brIf, 1);
  for (let k = 0; k < chains; k++) {
    code.push(
      OP.localGet, ...uleb(v(k)), OP.localGet, ...uleb(m), ...OP.f32x4Mul,
      OP.localGet, ...uleb(a), ...OP.f32x4Add, OP.localSet, ...uleb(v(k)),
    );
  }
  code.push(OP.localGet, param, OP.i32Const, ...sleb(1), OP.i32Sub, OP.localSet, param);
  code.push(OP.br, 0, OP.end, OP.end);
  // The result: lane 0 of the sum of the chains (fixed order), so every chain is live.
  code.push(OP.localGet, ...uleb(v(0)));
  for (let k = 1; k < chains; k++) code.push(OP.localGet, ...uleb(v(k)), ...OP.f32x4Add);
  code.push(...OP.f32x4ExtractLane, 0, OP.end);
  const locals = vec([[...uleb(chains + 2), OP.v128]]);
  return [...locals, ...code];
}

/** The module's bytes. */
export function baselineModuleBytes(): Uint8Array<ArrayBuffer> {
  const types = [
    [OP.func, ...vec([[OP.i32], [OP.i32], [OP.i32]]), ...vec([])], // copy(dst, src, bytes)
    [OP.func, ...vec([[OP.i32]]), ...vec([[OP.f32]])], // peak(iterations) -> f32
  ];
  const funcs = [0, ...PEAK_CHAINS.map(() => 1)];
  const copyBody = [...vec([]), OP.localGet, 0, OP.localGet, 1, OP.localGet, 2, ...OP.memoryCopy, OP.end];
  const bodies = [copyBody, ...PEAK_CHAINS.map(peakBody)];
  const exports = [
    [...name("memory"), 0x02, ...uleb(0)],
    [...name("copy"), 0x00, ...uleb(0)],
    ...PEAK_CHAINS.map((c, i) => [...name(`peak${c}`), 0x00, ...uleb(1 + i)]),
  ];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(3, vec(funcs.map((t) => uleb(t)))),
    ...section(5, vec([[0x00, ...uleb(1)]])), // one memory, 1 page to start, no maximum
    ...section(7, vec(exports)),
    ...section(10, vec(bodies.map((b) => [...uleb(b.length), ...b]))),
  ]);
}

export interface Baselines {
  readonly memory: WebAssembly.Memory;
  copy(dst: number, src: number, bytes: number): void;
  peak: Readonly<Record<number, (iterations: number) => number>>;
}

export function instantiateBaselines(): Baselines {
  const bytes = baselineModuleBytes();
  if (!WebAssembly.validate(bytes)) throw new Error("bench/baselines.ts: the hand-assembled module does not validate");
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  const ex = instance.exports as Record<string, unknown>;
  const peak: Record<number, (iterations: number) => number> = {};
  for (const c of PEAK_CHAINS) peak[c] = ex[`peak${c}`] as (iterations: number) => number;
  return {
    memory: ex.memory as WebAssembly.Memory,
    copy: ex.copy as (dst: number, src: number, bytes: number) => void,
    peak,
  };
}

/** The value peak<C>(iterations) must return, computed in JS with float32 rounding at each step. */
export function peakReference(chains: number, iterations: number): number {
  const f = Math.fround;
  const vs: number[] = [];
  for (let k = 0; k < chains; k++) vs.push(f(peakStart(k)));
  const m = f(PEAK_M);
  const a = f(PEAK_A);
  for (let i = 0; i < iterations; i++) for (let k = 0; k < chains; k++) vs[k] = f(f(vs[k] * m) + a);
  let sum = vs[0];
  for (let k = 1; k < chains; k++) sum = f(sum + vs[k]);
  return sum;
}

/** Floating-point operations per iteration of peak<C>: C chains × (mul + add) × 4 lanes. */
export const peakFlopsPerIteration = (chains: number): number => chains * 2 * 4;

/** Grows the module's memory to hold at least `bytes`. */
export function ensureBytes(b: Baselines, bytes: number): void {
  const have = b.memory.buffer.byteLength;
  if (have < bytes) b.memory.grow(Math.ceil((bytes - have) / 65536));
}
