// The linear memory a runtime owns, and its allocator. The kernels allocate nothing: every
// buffer they touch is carved out here, from `base` (the end of the module's static data) up.
// Blocks are 16-byte aligned (one v128) and recycled through exact-size free lists; a freed block
// at the top lowers the bump pointer. Memory grows in whole 64 KiB pages and never shrinks.
// Views (`f32`, `i32`, `u8`) are rebuilt whenever the underlying buffer changes, so a caller who
// reads them after any allocation sees the current memory.
//
// The heap also knows which blocks hold tensors (`hold`), so that a Float32Array view of the memory
// handed to the typed level can be checked to lie inside one live tensor: a view kept after its
// tensor was disposed shows whatever owns those bytes now, and must never be read or written.

export const PAGE = 65536;
/** The most a wasm32 memory can hold: 65,536 pages. */
export const MAX_PAGES = 65536;
const ALIGN = 16;

/** The part of WebAssembly.Memory the heap needs; the `js` backend supplies a look-alike. */
export interface LinearMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

/**
 * WebAssembly.Memory's grow semantics over plain JavaScript memory, for the `js` backend: growth
 * copies into a larger ArrayBuffer and detaches the old one, so a view taken before reads as
 * empty rather than silently showing stale values — exactly what WASM memory does. (A resizable
 * ArrayBuffer would keep old views valid, but typed-array access into one is about 3× slower in
 * V8 11.3, Node 20's engine, and this is the hot path of every js kernel.)
 */
export class ArrayMemory implements LinearMemory {
  buffer: ArrayBuffer;
  constructor(pages: number) {
    this.buffer = new ArrayBuffer(pages * PAGE);
  }
  grow(pages: number): number {
    const before = this.buffer.byteLength / PAGE;
    if (before + pages > MAX_PAGES) throw new RangeError("ArrayMemory: the 4 GiB of a wasm32 memory are exceeded");
    const next = new ArrayBuffer((before + pages) * PAGE);
    new Uint8Array(next).set(new Uint8Array(this.buffer));
    const old = this.buffer;
    this.buffer = next;
    structuredClone(old, { transfer: [old] });
    return before;
  }
}

export class Heap {
  readonly memory: LinearMemory;
  /** First allocatable byte. */
  readonly base: number;
  /** Memory may not grow beyond this many pages. */
  readonly maxPages: number;
  private top: number;
  private readonly free = new Map<number, number[]>();
  private readonly sizes = new Map<number, number>();
  /** Blocks that hold tensors: start → the tensor's own bytes (the block may be longer). */
  private readonly held = new Map<number, number>();
  /**
   * A shared memory's buffers from before it grew: growth does not detach a SharedArrayBuffer, so
   * views of an old one still reach the memory (a plain ArrayBuffer's old views read as empty).
   */
  private readonly past = new WeakSet<ArrayBufferLike>();
  private buffer: ArrayBuffer | SharedArrayBuffer;
  f32: Float32Array;
  f64: Float64Array;
  i32: Int32Array;
  u8: Uint8Array;
  liveBytes = 0;

  constructor(memory: LinearMemory, base: number, maxPages = MAX_PAGES) {
    this.memory = memory;
    this.base = Math.ceil(base / ALIGN) * ALIGN;
    this.top = this.base;
    this.maxPages = maxPages;
    this.buffer = memory.buffer;
    this.f32 = new Float32Array(this.buffer);
    this.f64 = new Float64Array(this.buffer);
    this.i32 = new Int32Array(this.buffer);
    this.u8 = new Uint8Array(this.buffer);
  }

  /** Rebuilds the views if the memory grew (possibly through another holder of it). */
  refresh(): void {
    if (this.buffer !== this.memory.buffer) {
      if (typeof SharedArrayBuffer === "function" && this.buffer instanceof SharedArrayBuffer) this.past.add(this.buffer);
      this.buffer = this.memory.buffer;
      this.f32 = new Float32Array(this.buffer);
      this.f64 = new Float64Array(this.buffer);
      this.i32 = new Int32Array(this.buffer);
      this.u8 = new Uint8Array(this.buffer);
    }
  }

  /** Byte size of the memory now. */
  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  /**
   * Allocates `bytes` (rounded up to 16); throws a RangeError naming the size and `what()` (built
   * only then, to keep the hot path free of string work) when it cannot.
   */
  alloc(bytes: number, what: () => string = () => "a buffer"): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    const list = this.free.get(size);
    let ptr: number;
    if (list !== undefined && list.length > 0) {
      ptr = list.pop() as number;
    } else {
      ptr = this.top;
      const end = ptr + size;
      if (end > this.maxPages * PAGE) {
        throw new RangeError(
          `descent: cannot allocate ${bytes} bytes for ${what()}: WASM memory can hold at most ` +
            `${this.maxPages * PAGE} bytes and ${this.top} are in use or reserved`,
        );
      }
      if (end > this.memory.buffer.byteLength) this.growTo(end, bytes, what);
      this.top = end;
    }
    this.sizes.set(ptr, size);
    this.liveBytes += size;
    return ptr;
  }

  /** Marks a block as a tensor's, `bytes` long from its start, until it is released. */
  hold(ptr: number, bytes: number): void {
    this.held.set(ptr, bytes);
  }

  /** Whether `buffer` is this memory's, now or (shared) from before it grew. */
  owns(buffer: ArrayBufferLike): boolean {
    return buffer === this.memory.buffer || this.past.has(buffer);
  }

  /**
   * Whether the bytes [start, start + bytes) lie inside one live tensor. A tensor's `.data` starts
   * where its block does: one Map lookup. A view of part of one (subarray) looks at every tensor.
   */
  holds(start: number, bytes: number): boolean {
    const exact = this.held.get(start);
    // Blocks do not overlap: a view that starts where one tensor does lies in no other.
    if (exact !== undefined) return bytes <= exact;
    // Nothing is read or written through an empty view.
    if (bytes === 0) return true;
    for (const [ptr, size] of this.held) {
      if (ptr <= start && start + bytes <= ptr + size) return true;
    }
    return false;
  }

  /** Returns a block to the heap. Freeing an unknown pointer throws (it would corrupt the heap). */
  release(ptr: number): void {
    const size = this.sizes.get(ptr);
    if (size === undefined) throw new Error(`descent: internal error: release of unknown block ${ptr}`);
    this.sizes.delete(ptr);
    this.held.delete(ptr);
    this.liveBytes -= size;
    if (ptr + size === this.top) {
      this.top = ptr;
      this.lowerTop();
    } else {
      let list = this.free.get(size);
      if (list === undefined) this.free.set(size, (list = []));
      list.push(ptr);
    }
  }

  /** Bytes between base and the bump pointer: live blocks plus recycled ones. */
  get reservedBytes(): number {
    return this.top - this.base;
  }

  /** After the top block is freed, free blocks that now end at the top are absorbed too. */
  private lowerTop(): void {
    for (let changed = true; changed && this.top > this.base; ) {
      changed = false;
      for (const [size, list] of this.free) {
        const i = list.indexOf(this.top - size);
        if (i >= 0) {
          list.splice(i, 1);
          this.top -= size;
          changed = true;
          break;
        }
      }
    }
  }

  private growTo(end: number, bytes: number, what: () => string): void {
    const pages = Math.ceil((end - this.memory.buffer.byteLength) / PAGE);
    // Grow by at least half the current size so that a run of allocations grows rarely.
    const current = this.memory.buffer.byteLength / PAGE;
    const wanted = Math.min(this.maxPages - current, Math.max(pages, current >> 1));
    try {
      this.memory.grow(wanted);
    } catch {
      try {
        this.memory.grow(pages);
      } catch (err) {
        throw new RangeError(
          `descent: cannot allocate ${bytes} bytes for ${what()}: the engine refused to grow WASM memory ` +
            `from ${this.memory.buffer.byteLength} to ${end} bytes (${(err as Error).message})`,
        );
      }
    }
    this.refresh();
  }
}
