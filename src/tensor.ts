// Tensors: float32 data living in a runtime's memory. The TypeScript side owns them: `dispose()`
// frees the block at once; a FinalizationRegistry frees a tensor that was dropped without it
// (a safety net only: collection time is up to the engine). `.data` is a view that is rebuilt
// whenever the memory has grown, so reading it always sees the tensor's current values.
import { INSPECT, PRINT_THRESHOLD, formatValues, type InspectOptions } from "./format.ts";
import type { Heap } from "./heap.ts";

/** Frees the blocks of tensors that were garbage-collected without dispose(). */
const reclaim = new FinalizationRegistry<{ heap: Heap; ptr: number; owner: TensorOwner }>((held) => {
  held.owner.forget();
  held.heap.release(held.ptr);
});

/**
 * The tensor each `.data` view came from. A view outlives its tensor, and once the block is
 * reused it shows the next tensor's values at the very same bytes: only where the view came from
 * tells a kept view of a disposed tensor from the new tensor's own.
 */
const views = new WeakMap<Float32Array, Tensor>();

/** The tensor a `.data` view came from (undefined for any other array, a subarray of one included). */
export function viewOf(v: Float32Array): Tensor | undefined {
  return views.get(v);
}

/** What a tensor tells its runtime about its lifetime. */
export interface TensorOwner {
  readonly heap: Heap;
  forget(): void;
  readonly label: string;
}

export class Tensor {
  readonly shape: readonly number[];
  readonly length: number;
  /** @internal */ readonly owner: TensorOwner;
  #ptr: number;
  #view: Float32Array | undefined;
  #buffer: ArrayBufferLike | undefined;

  /** @internal Use runtime.tensor() or runtime.zeros(). */
  constructor(owner: TensorOwner, ptr: number, shape: readonly number[], length: number) {
    this.owner = owner;
    this.#ptr = ptr;
    this.shape = shape;
    this.length = length;
    reclaim.register(this, { heap: owner.heap, ptr, owner }, this);
  }

  /**
   * Whether `v` is a Tensor. A brand check: it runs none of v's code (a Proxy's traps, a
   * prototype's getters), and neither a Proxy of a tensor nor an object made from Tensor.prototype
   * passes it, where `instanceof` would let both through to fail on first use.
   */
  static is(v: unknown): v is Tensor {
    return typeof v === "object" && v !== null && #ptr in v;
  }

  /** Byte offset in the runtime's memory; throws if disposed. */
  get ptr(): number {
    if (this.#ptr < 0) throw disposedError(this);
    return this.#ptr;
  }

  get disposed(): boolean {
    return this.#ptr < 0;
  }

  /** A live Float32Array view of the tensor's values (no copy). */
  get data(): Float32Array {
    const ptr = this.ptr;
    const buffer = this.owner.heap.memory.buffer;
    if (this.#buffer !== buffer || this.#view === undefined) {
      this.#buffer = buffer;
      this.#view = new Float32Array(buffer, ptr, this.length);
      views.set(this.#view, this);
    }
    return this.#view;
  }

  /** A copy of the values, independent of the runtime's memory. */
  toArray(): Float32Array {
    return this.data.slice();
  }

  /** Frees the tensor's memory now. Disposing twice is allowed; using it afterwards throws. */
  dispose(): void {
    if (this.#ptr < 0) return;
    reclaim.unregister(this);
    this.owner.forget();
    this.owner.heap.release(this.#ptr);
    this.#ptr = -1;
    this.#view = undefined;
    this.#buffer = undefined;
  }

  /**
   * The tensor's values, as `Tensor [[1, 2], [3, 4]]`: nested by its shape, each value in its
   * shortest float32 form, and past 1000 values the first and last three of each dimension around
   * "…" (then the shape follows), as NumPy and PyTorch print. A disposed tensor says so.
   */
  toString(): string {
    return this.#print((s) => s);
  }

  /** What console.log and util.inspect show: toString(), numbers styled as Node styles them. */
  [INSPECT](_depth: number, options?: InspectOptions): string {
    const stylize = options?.stylize;
    return this.#print(stylize === undefined ? (s) => s : (s) => stylize(s, "number"));
  }

  #print(number: (text: string) => string): string {
    const shape = `shape [${this.shape.join(", ")}]`;
    if (this.disposed) return `Tensor (disposed, ${shape})`;
    const values = formatValues(this.data, this.shape, number);
    return this.length > PRINT_THRESHOLD ? `Tensor ${values} (${shape})` : `Tensor ${values}`;
  }
}

/** A tensor as error messages name it: its shape and runtime, never its values. */
export function tensorLabel(t: Tensor): string {
  return `Tensor(${t.disposed ? "disposed" : `[${t.shape.join(", ")}]`}, ${t.owner.label})`;
}

export const isTensor = (v: unknown): v is Tensor => Tensor.is(v);

export function disposedError(t: Tensor): Error {
  return new TypeError(`descent: tensor of shape [${t.shape.join(", ")}] was disposed and cannot be used`);
}
