// ONNX messages as plain objects: writing a model (ModelProto) from a description of its graph,
// and reading one from untrusted bytes into the same kind of description, with every count,
// length and tensor size checked before anything is allocated. See proto.ts for the field numbers
// (cited from onnx.proto) and why the wire format is written by hand.
import { AttrType, DataType, ProtoError, Writer, fields, readBytes, readFloat, readInt, readInts, readString, type Field } from "./proto.ts";

/** The operator set descent writes: ai.onnx 17 (ONNX 1.12, 2022), read by every current runtime. */
export const OPSET = 17;
/** The IR version that goes with opset 17. */
export const IR_VERSION = 8;

export type TensorType = "float" | "double" | "int64" | "bool" | "string";

export interface TensorSpec {
  readonly name: string;
  readonly type: TensorType;
  readonly dims: readonly number[];
  readonly data: Float32Array | Float64Array | readonly number[] | readonly boolean[] | readonly string[];
  /** Floats only: write them as float_data instead of raw_data (both are valid ONNX). */
  readonly floatData?: boolean;
}

export type AttrSpec =
  | { readonly name: string; readonly float: number }
  | { readonly name: string; readonly int: number }
  | { readonly name: string; readonly ints: readonly number[] }
  | { readonly name: string; readonly string: string }
  | { readonly name: string; readonly tensor: TensorSpec };

export interface NodeSpec {
  readonly op: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs?: readonly AttrSpec[];
  readonly domain?: string;
}

/** A graph input or output: its element type and shape (a number, or a symbolic name such as "N"). */
export interface ValueSpec {
  readonly name: string;
  readonly type: TensorType;
  readonly shape: readonly (number | string)[];
}

export interface ModelSpec {
  readonly graphName: string;
  readonly nodes: readonly NodeSpec[];
  readonly initializers: readonly TensorSpec[];
  readonly inputs: readonly ValueSpec[];
  readonly outputs: readonly ValueSpec[];
  readonly metadata?: Readonly<Record<string, string>>;
  readonly producerVersion?: string;
  /** Default OPSET; tests use others. */
  readonly opset?: number;
}

const TYPE_CODE: Record<TensorType, number> = {
  float: DataType.FLOAT, double: DataType.DOUBLE, int64: DataType.INT64, bool: DataType.BOOL, string: DataType.STRING,
};

function tensorMessage(t: TensorSpec): Writer {
  const w = new Writer();
  if (t.dims.length > 0) w.packedInts(1, t.dims);
  w.int(2, TYPE_CODE[t.type]);
  w.string(8, t.name);
  const n = t.data.length;
  if (t.type === "string") {
    for (const s of t.data as readonly string[]) w.string(6, s);
    return w;
  }
  if (t.type === "float" && t.floatData === true) {
    const b = new Uint8Array(4 * n);
    const v = new DataView(b.buffer);
    for (let i = 0; i < n; i++) v.setFloat32(4 * i, (t.data as ArrayLike<number>)[i], true);
    return w.bytes(4, b);
  }
  // raw_data is little-endian by the spec, whatever the machine: written through a DataView.
  const size = t.type === "float" ? 4 : t.type === "bool" ? 1 : 8;
  const b = new Uint8Array(size * n);
  const v = new DataView(b.buffer);
  for (let i = 0; i < n; i++) {
    const x = (t.data as ArrayLike<number | boolean>)[i];
    if (t.type === "float") v.setFloat32(4 * i, x as number, true);
    else if (t.type === "double") v.setFloat64(8 * i, x as number, true);
    else if (t.type === "int64") v.setBigInt64(8 * i, BigInt(x as number), true);
    else v.setUint8(i, x ? 1 : 0);
  }
  return w.bytes(9, b);
}

function attrMessage(a: AttrSpec): Writer {
  const w = new Writer().string(1, a.name);
  if ("float" in a) return w.float(2, a.float).int(20, AttrType.FLOAT);
  if ("int" in a) return w.int(3, a.int).int(20, AttrType.INT);
  if ("ints" in a) return w.packedInts(8, a.ints).int(20, AttrType.INTS);
  if ("string" in a) return w.string(4, a.string).int(20, AttrType.STRING);
  return w.message(5, tensorMessage(a.tensor)).int(20, AttrType.TENSOR);
}

function valueMessage(v: ValueSpec): Writer {
  const shape = new Writer();
  for (const d of v.shape) shape.message(1, typeof d === "number" ? new Writer().int(1, d) : new Writer().string(2, d));
  const tensorType = new Writer().int(1, TYPE_CODE[v.type]).message(2, shape);
  return new Writer().string(1, v.name).message(2, new Writer().message(1, tensorType));
}

/** The bytes of an ONNX model file (a serialised ModelProto). */
export function encodeModel(m: ModelSpec): Uint8Array {
  const graph = new Writer();
  for (const n of m.nodes) {
    const node = new Writer();
    for (const i of n.inputs) node.string(1, i);
    for (const o of n.outputs) node.string(2, o);
    node.string(3, n.name).string(4, n.op);
    for (const a of n.attrs ?? []) node.message(5, attrMessage(a));
    if (n.domain !== undefined) node.string(7, n.domain);
    graph.message(1, node);
  }
  graph.string(2, m.graphName);
  for (const t of m.initializers) graph.message(5, tensorMessage(t));
  for (const v of m.inputs) graph.message(11, valueMessage(v));
  for (const v of m.outputs) graph.message(12, valueMessage(v));
  const model = new Writer()
    .int(1, IR_VERSION)
    .string(2, "descent")
    .string(3, m.producerVersion ?? "")
    .message(7, graph)
    .message(8, new Writer().string(1, "").int(2, m.opset ?? OPSET));
  for (const [k, v] of Object.entries(m.metadata ?? {})) model.message(14, new Writer().string(1, k).string(2, v));
  return model.finish();
}

// ---------------------------------------------------------------------------------------------
// Reading

/** Limits on what a file may declare, checked before allocating: far above any dense network. */
export const LIMITS = {
  /** Elements over all tensors of the file (2^26 floats: 256 MiB). */
  elements: 2 ** 26,
  nodes: 100_000,
  dims: 8,
  /** Entries of repeated fields (inputs of a node, attributes, strings of a tensor...). */
  repeated: 1_000_000,
} as const;

export interface Tensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly dataType: number;
  /** The data as stored; use `floats` / `ints` / `strings` to read it. */
  readonly raw: Uint8Array | undefined;
  readonly floatFields: readonly Field[];
  readonly int64Fields: readonly Field[];
  readonly int32Fields: readonly Field[];
  readonly doubleFields: readonly Field[];
  readonly strings: readonly Uint8Array[];
  readonly external: boolean;
}

export interface Attr {
  readonly name: string;
  readonly type: number;
  readonly f: number | undefined;
  readonly i: number | undefined;
  readonly s: Uint8Array | undefined;
  readonly t: Tensor | undefined;
  readonly ints: readonly number[];
  readonly floats: readonly number[];
  readonly hasGraph: boolean;
}

export interface Node {
  readonly name: string;
  readonly op: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: readonly Attr[];
}

export interface Value {
  readonly name: string;
  readonly elemType: number | undefined;
  /** undefined when the file gives no shape; a dim is a number, a name, or undefined when unknown. */
  readonly shape: readonly (number | string | undefined)[] | undefined;
}

export interface Graph {
  readonly nodes: readonly Node[];
  readonly initializers: readonly Tensor[];
  readonly inputs: readonly Value[];
  readonly outputs: readonly Value[];
}

export interface Model {
  readonly irVersion: number;
  readonly opsets: readonly { domain: string; version: number }[];
  readonly graph: Graph;
  readonly metadata: ReadonlyMap<string, string>;
}

function push<T>(list: T[], v: T, what: string): void {
  if (list.length >= LIMITS.repeated) throw new ProtoError(`${what}: more than ${LIMITS.repeated} entries`);
  list.push(v);
}

function message(f: Field, what: string): Uint8Array {
  if (f.wire !== 2) throw new ProtoError(`${what}: expected a message, found wire type ${f.wire}`);
  return f.bytes;
}

function decodeTensor(b: Uint8Array, what: string): Tensor {
  let name = "";
  const dims: number[] = [];
  let dataType = 0;
  let raw: Uint8Array | undefined;
  const floatFields: Field[] = [];
  const int64Fields: Field[] = [];
  const int32Fields: Field[] = [];
  const doubleFields: Field[] = [];
  const strings: Uint8Array[] = [];
  let external = false;
  for (const f of fields(b, what)) {
    switch (f.field) {
      case 1: readInts(f, dims, LIMITS.dims, `${what} dims`); break;
      case 2: dataType = readInt(f, what); break;
      case 4: push(floatFields, f, what); break;
      case 5: push(int32Fields, f, what); break;
      case 6: push(strings, readBytes(f, what), what); break;
      case 7: push(int64Fields, f, what); break;
      case 8: name = readString(f, what); break;
      case 9: raw = readBytes(f, what); break;
      case 10: push(doubleFields, f, what); break;
      case 14: external = readInt(f, what) === 1; break;
      default: break;
    }
  }
  return { name, dims, dataType, raw, floatFields, int64Fields, int32Fields, doubleFields, strings, external };
}

function decodeAttr(b: Uint8Array, what: string): Attr {
  let name = "";
  let type = 0;
  let f32: number | undefined;
  let i: number | undefined;
  let s: Uint8Array | undefined;
  let t: Tensor | undefined;
  const ints: number[] = [];
  const floats: number[] = [];
  let hasGraph = false;
  for (const f of fields(b, what)) {
    switch (f.field) {
      case 1: name = readString(f, what); break;
      case 2: f32 = readFloat(f, what); break;
      case 3: i = readInt(f, what); break;
      case 4: s = readBytes(f, what); break;
      case 5: t = decodeTensor(message(f, what), `${what} tensor`); break;
      // Subgraphs (If, Loop, Scan) are never decoded: no dense layer has one, and not reading
      // them keeps the reader's nesting fixed.
      case 6: case 11: hasGraph = true; break;
      case 7:
        if (f.wire === 5) push(floats, readFloat(f, what), what);
        else {
          const bytes = readBytes(f, what);
          if (bytes.length % 4 !== 0) throw new ProtoError(`${what}: packed floats of ${bytes.length} bytes`);
          const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
          for (let k = 0; k < bytes.length; k += 4) push(floats, v.getFloat32(k, true), what);
        }
        break;
      case 8: readInts(f, ints, LIMITS.repeated, what); break;
      case 20: type = readInt(f, what); break;
      default: break;
    }
  }
  return { name, type, f: f32, i, s, t, ints, floats, hasGraph };
}

function decodeNode(b: Uint8Array, what: string): Node {
  let name = "";
  let op = "";
  let domain = "";
  const inputs: string[] = [];
  const outputs: string[] = [];
  const attrs: Attr[] = [];
  for (const f of fields(b, what)) {
    switch (f.field) {
      case 1: push(inputs, readString(f, what), what); break;
      case 2: push(outputs, readString(f, what), what); break;
      case 3: name = readString(f, what); break;
      case 4: op = readString(f, what); break;
      case 5: push(attrs, decodeAttr(message(f, what), `${what} attribute`), what); break;
      case 7: domain = readString(f, what); break;
      default: break;
    }
  }
  return { name, op, domain, inputs, outputs, attrs };
}

function decodeValue(b: Uint8Array, what: string): Value {
  let name = "";
  let elemType: number | undefined;
  let shape: (number | string | undefined)[] | undefined;
  for (const f of fields(b, what)) {
    if (f.field === 1) name = readString(f, what);
    else if (f.field === 2) {
      for (const tf of fields(message(f, what), what)) {
        if (tf.field !== 1) continue; // only tensor types; sequences and maps are refused by their missing elem_type
        for (const tt of fields(message(tf, what), what)) {
          if (tt.field === 1) elemType = readInt(tt, what);
          else if (tt.field === 2) {
            shape = [];
            for (const d of fields(message(tt, what), what)) {
              if (d.field !== 1) continue;
              if (shape.length >= LIMITS.dims) throw new ProtoError(`${what}: more than ${LIMITS.dims} dimensions`);
              let dim: number | string | undefined;
              for (const x of fields(message(d, what), what)) {
                if (x.field === 1) dim = readInt(x, what);
                else if (x.field === 2) dim = readString(x, what);
              }
              shape.push(dim);
            }
          }
        }
      }
    }
  }
  return { name, elemType, shape };
}

function decodeGraph(b: Uint8Array, what: string): Graph {
  const nodes: Node[] = [];
  const initializers: Tensor[] = [];
  const inputs: Value[] = [];
  const outputs: Value[] = [];
  for (const f of fields(b, what)) {
    switch (f.field) {
      case 1:
        if (nodes.length >= LIMITS.nodes) throw new ProtoError(`${what}: more than ${LIMITS.nodes} nodes`);
        nodes.push(decodeNode(message(f, what), `node ${nodes.length}`));
        break;
      case 5: push(initializers, decodeTensor(message(f, what), `initializer ${initializers.length}`), what); break;
      case 11: push(inputs, decodeValue(message(f, what), `graph input ${inputs.length}`), what); break;
      case 12: push(outputs, decodeValue(message(f, what), `graph output ${outputs.length}`), what); break;
      default: break;
    }
  }
  return { nodes, initializers, inputs, outputs };
}

/** Decodes a ModelProto; throws ProtoError for bytes that are not one. */
export function decodeModel(b: Uint8Array): Model {
  let irVersion = 0;
  const opsets: { domain: string; version: number }[] = [];
  let graph: Graph | undefined;
  const metadata = new Map<string, string>();
  for (const f of fields(b, "the model")) {
    switch (f.field) {
      case 1: irVersion = readInt(f, "ir_version"); break;
      case 7:
        if (graph !== undefined) throw new ProtoError("the model has two graphs");
        graph = decodeGraph(message(f, "graph"), "the graph");
        break;
      case 8: {
        let domain = "";
        let version = 0;
        for (const x of fields(message(f, "opset_import"), "opset_import")) {
          if (x.field === 1) domain = readString(x, "opset_import");
          else if (x.field === 2) version = readInt(x, "opset_import");
        }
        push(opsets, { domain, version }, "opset_import");
        break;
      }
      case 14: {
        let key = "";
        let value = "";
        for (const x of fields(message(f, "metadata_props"), "metadata_props")) {
          if (x.field === 1) key = readString(x, "metadata_props");
          else if (x.field === 2) value = readString(x, "metadata_props");
        }
        metadata.set(key, value);
        break;
      }
      default: break;
    }
  }
  if (graph === undefined) throw new ProtoError("the file has no graph (not an ONNX model, or truncated)");
  return { irVersion, opsets, graph, metadata };
}

/** The number of elements dims declare: each a non-negative integer, the product within the cap. */
export function elementCount(t: Tensor, what: string): number {
  let n = 1;
  for (const d of t.dims) {
    if (!Number.isInteger(d) || d < 0) throw new ProtoError(`${what}: dimension ${d} is not a non-negative integer`);
    n *= d;
    if (n > LIMITS.elements) throw new ProtoError(`${what}: dims ${JSON.stringify(t.dims)} declare more than ${LIMITS.elements} elements`);
  }
  return n;
}

/**
 * A FLOAT or DOUBLE tensor's values as float64 numbers, from raw_data, float_data or double_data,
 * after checking that the data holds exactly the elements dims declare (so nothing is allocated
 * from a size the data does not back).
 */
export function tensorNumbers(t: Tensor, what: string): Float64Array {
  if (t.external) throw new ProtoError(`${what}: data stored in an external file is not supported (save the model with its weights inside)`);
  const n = elementCount(t, what);
  const size = t.dataType === DataType.FLOAT ? 4 : t.dataType === DataType.DOUBLE ? 8 : t.dataType === DataType.INT64 ? 8 : 0;
  if (size === 0) throw new ProtoError(`${what}: expected a float, double or int64 tensor, found data type ${t.dataType}`);
  const typed = t.dataType === DataType.FLOAT ? t.floatFields : t.dataType === DataType.DOUBLE ? t.doubleFields : t.int64Fields;
  const read = (v: DataView, k: number): number =>
    size === 4 ? v.getFloat32(k, true) : t.dataType === DataType.DOUBLE ? v.getFloat64(k, true) : Number(v.getBigInt64(k, true));
  if (t.raw !== undefined && t.raw.length > 0) {
    if (t.raw.length !== n * size) throw new ProtoError(`${what}: raw_data has ${t.raw.length} bytes but dims ${JSON.stringify(t.dims)} need ${n * size}`);
    const v = new DataView(t.raw.buffer, t.raw.byteOffset, t.raw.length);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = read(v, i * size);
    return out;
  }
  // Typed fields: packed (wire 2) or one value per field; int64 packed values are varints.
  const values: number[] = [];
  for (const f of typed) {
    if (t.dataType === DataType.INT64) readInts(f, values, n, what);
    else if (f.wire === 2) {
      if (f.bytes.length % size !== 0 || values.length + f.bytes.length / size > n) {
        throw new ProtoError(`${what}: the data holds more values than dims ${JSON.stringify(t.dims)} declare (${n})`);
      }
      const v = new DataView(f.bytes.buffer, f.bytes.byteOffset, f.bytes.length);
      for (let k = 0; k < f.bytes.length; k += size) values.push(read(v, k));
    } else if (f.fixed !== undefined && f.fixed.byteLength === size) {
      if (values.length >= n) throw new ProtoError(`${what}: the data holds more values than dims declare (${n})`);
      values.push(read(f.fixed, 0));
    } else throw new ProtoError(`${what}: a value of the wrong size`);
  }
  if (values.length !== n) throw new ProtoError(`${what}: the data holds ${values.length} values but dims ${JSON.stringify(t.dims)} declare ${n}`);
  return Float64Array.from(values);
}

/** A BOOL tensor's values (raw_data bytes, or int32_data). */
export function tensorBools(t: Tensor, what: string): boolean[] {
  const n = elementCount(t, what);
  if (t.dataType !== DataType.BOOL) throw new ProtoError(`${what}: expected a bool tensor, found data type ${t.dataType}`);
  if (t.raw !== undefined && t.raw.length > 0) {
    if (t.raw.length !== n) throw new ProtoError(`${what}: raw_data has ${t.raw.length} bytes but dims declare ${n} booleans`);
    return Array.from(t.raw, (x) => x !== 0);
  }
  const values: number[] = [];
  for (const f of t.int32Fields) readInts(f, values, n, what);
  if (values.length !== n) throw new ProtoError(`${what}: the data holds ${values.length} values but dims declare ${n}`);
  return values.map((x) => x !== 0);
}

/** A STRING tensor's values. */
export function tensorStrings(t: Tensor, what: string): string[] {
  const n = elementCount(t, what);
  if (t.dataType !== DataType.STRING) throw new ProtoError(`${what}: expected a string tensor, found data type ${t.dataType}`);
  if (t.strings.length !== n) throw new ProtoError(`${what}: the data holds ${t.strings.length} strings but dims declare ${n}`);
  return t.strings.map((s) => {
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(s);
    } catch {
      throw new ProtoError(`${what}: a string is not valid UTF-8`);
    }
  });
}

export { DataType };
