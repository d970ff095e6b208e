// The protobuf wire format, both ways, for the part of ONNX that descent writes and reads: a small
// writer (varints and length-delimited fields) and a reader for untrusted bytes.
//
// Why our own and not a library: the package has one runtime dependency (csv-parse) and the ONNX
// messages a dense network needs are a dozen fields; protobufjs with the generated ONNX schema is
// hundreds of kilobytes and would read whatever it is given. Reading our own way lets every length
// be checked against the bytes that remain before anything is allocated, and decodes only the
// messages named below, so nesting is bounded by the schema itself (an unknown field is skipped,
// never descended into).
//
// Field numbers, from onnx/onnx.proto (IR version 8):
//   ModelProto:        ir_version 1, producer_name 2, producer_version 3, graph 7,
//                      opset_import 8, metadata_props 14
//   OperatorSetIdProto: domain 1, version 2          StringStringEntryProto: key 1, value 2
//   GraphProto:        node 1, name 2, initializer 5, input 11, output 12
//   NodeProto:         input 1, output 2, name 3, op_type 4, attribute 5, domain 7
//   AttributeProto:    name 1, f 2, i 3, s 4, t 5, g 6, floats 7, ints 8, strings 9, type 20
//                      (type: FLOAT 1, INT 2, STRING 3, TENSOR 4, GRAPH 5, FLOATS 6, INTS 7, STRINGS 8)
//   TensorProto:       dims 1, data_type 2, float_data 4, int32_data 5, string_data 6,
//                      int64_data 7, name 8, raw_data 9, double_data 10, data_location 14
//                      (data_type: FLOAT 1, INT32 6, INT64 7, STRING 8, BOOL 9, DOUBLE 11)
//   ValueInfoProto:    name 1, type 2      TypeProto: tensor_type 1
//   TypeProto.Tensor:  elem_type 1, shape 2      TensorShapeProto: dim 1
//   TensorShapeProto.Dimension: dim_value 1, dim_param 2
//
// Wire types: 0 varint, 1 fixed 64-bit, 2 length-delimited, 5 fixed 32-bit.

export const DataType = { FLOAT: 1, INT32: 6, INT64: 7, STRING: 8, BOOL: 9, DOUBLE: 11 } as const;
export const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

const utf8 = new TextEncoder();

/** Appends protobuf fields to a growing list of chunks; `finish()` gives the message's bytes. */
export class Writer {
  readonly #chunks: Uint8Array[] = [];
  #length = 0;

  #push(bytes: Uint8Array): void {
    this.#chunks.push(bytes);
    this.#length += bytes.length;
  }

  /** A varint: non-negative integers directly, negative ones as 10-byte two's complement (int64). */
  #varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    const out: number[] = [];
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    this.#push(Uint8Array.from(out));
  }

  #tag(field: number, wire: number): void {
    this.#varint(field * 8 + wire);
  }

  int(field: number, value: number): this {
    this.#tag(field, 0);
    this.#varint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.#tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.#push(b);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.#tag(field, 2);
    this.#varint(value.length);
    this.#push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  message(field: number, value: Writer): this {
    return this.bytes(field, value.finish());
  }

  /** Repeated int64 as one packed field (proto3's default; proto2 readers accept it too). */
  packedInts(field: number, values: readonly number[]): this {
    const inner = new Writer();
    for (const v of values) inner.#varint(v);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/** Raised for any malformed byte sequence; the ONNX reader turns it into a `descent: loadONNX:` error. */
export class ProtoError extends Error {}

/** One field of a message: its number, wire type and value (a number, or a view of the bytes for wire type 2). */
export interface Field {
  readonly field: number;
  readonly wire: number;
  /** Varint (as a number: refused above 2^53), fixed32/fixed64 bits as a number (f32/f64 read by the caller). */
  readonly num: number;
  /** Wire type 2: a view into the input (nothing is copied), its length checked against what remains. */
  readonly bytes: Uint8Array;
  /** Wire types 1 and 5: the byte offset of the fixed value within `bytes`' buffer view. */
  readonly fixed: DataView | undefined;
}

const EMPTY = new Uint8Array(0);

/** Reads a varint at `at` of `b`; returns [value, next offset]. At most 10 bytes; values above 2^53 are refused. */
export function readVarint(b: Uint8Array, at: number, what: string): [number, number] {
  let value = 0n;
  for (let i = 0; i < 10; i++) {
    if (at + i >= b.length) throw new ProtoError(`${what}: the data ends inside a number (truncated file?)`);
    const byte = b[at + i];
    value |= BigInt(byte & 0x7f) << BigInt(7 * i);
    if ((byte & 0x80) === 0) {
      // int64 fields may hold negative numbers as 64-bit two's complement.
      const signed = BigInt.asIntN(64, value);
      if (signed > BigInt(Number.MAX_SAFE_INTEGER) || signed < -BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new ProtoError(`${what}: a number is too large (${signed})`);
      }
      return [Number(signed), at + i + 1];
    }
  }
  throw new ProtoError(`${what}: a number runs over 10 bytes`);
}

/**
 * The fields of one message, in order. Every length is checked against the bytes that remain
 * before the view is taken; group wire types (3, 4, deprecated) and unknown wire types are refused.
 */
export function* fields(b: Uint8Array, what: string): Generator<Field> {
  let at = 0;
  while (at < b.length) {
    const [key, next] = readVarint(b, at, what);
    at = next;
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field < 1) throw new ProtoError(`${what}: a field number is 0 or negative`);
    if (wire === 0) {
      const [v, n] = readVarint(b, at, what);
      at = n;
      yield { field, wire, num: v, bytes: EMPTY, fixed: undefined };
    } else if (wire === 2) {
      const [len, n] = readVarint(b, at, what);
      if (len < 0 || len > b.length - n) {
        throw new ProtoError(`${what}: a field declares ${len} bytes but only ${b.length - n} remain (truncated or corrupt file)`);
      }
      at = n + len;
      yield { field, wire, num: len, bytes: b.subarray(n, at), fixed: undefined };
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      if (size > b.length - at) throw new ProtoError(`${what}: the data ends inside a fixed-size number (truncated file?)`);
      const fixed = new DataView(b.buffer, b.byteOffset + at, size);
      at += size;
      yield { field, wire, num: 0, bytes: EMPTY, fixed };
    } else {
      throw new ProtoError(`${what}: wire type ${wire} is not valid in an ONNX file`);
    }
  }
}

/** A repeated varint field, packed (wire 2) or not (wire 0), appended to `out`, at most `max` values. */
export function readInts(f: Field, out: number[], max: number, what: string): void {
  if (f.wire === 0) out.push(f.num);
  else if (f.wire === 2) {
    let at = 0;
    while (at < f.bytes.length) {
      if (out.length >= max) throw new ProtoError(`${what}: more than ${max} values`);
      const [v, n] = readVarint(f.bytes, at, what);
      out.push(v);
      at = n;
    }
  } else throw new ProtoError(`${what}: expected integers, found wire type ${f.wire}`);
  if (out.length > max) throw new ProtoError(`${what}: more than ${max} values`);
}

const utf8Reader = new TextDecoder("utf-8", { fatal: true });

export function readString(f: Field, what: string): string {
  if (f.wire !== 2) throw new ProtoError(`${what}: expected a string, found wire type ${f.wire}`);
  try {
    return utf8Reader.decode(f.bytes);
  } catch {
    throw new ProtoError(`${what}: a string is not valid UTF-8`);
  }
}

export function readBytes(f: Field, what: string): Uint8Array {
  if (f.wire !== 2) throw new ProtoError(`${what}: expected bytes, found wire type ${f.wire}`);
  return f.bytes;
}

export function readFloat(f: Field, what: string): number {
  if (f.wire !== 5 || f.fixed === undefined) throw new ProtoError(`${what}: expected a float, found wire type ${f.wire}`);
  return f.fixed.getFloat32(0, true);
}

export function readInt(f: Field, what: string): number {
  if (f.wire !== 0) throw new ProtoError(`${what}: expected an integer, found wire type ${f.wire}`);
  return f.num;
}
