// Arrow IPC stream bytes of a set of typed-array columns (no nulls): what parquet-wasm takes to
// write Parquet (io/parquet.ts). Written here rather than with apache-arrow, whose ~200 modules
// cost every `features` and `process` 0.2–0.3 CPU-s to load for this one conversion. The layout is
// the Arrow columnar format's (format/Schema.fbs, Message.fbs): a Schema message, one RecordBatch
// message with its body, the end-of-stream marker; a test checks apache-arrow reads it back.

type Column = Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array | BigInt64Array | BigUint64Array | Float32Array | Float64Array;

/** Arrow's type of each typed array: Int (bit width, signed) or FloatingPoint (precision). */
function arrowType(values: unknown, name: string): {int?: {bits: number; signed: boolean}; float?: number} {
  if (values instanceof Float64Array) return {float: 2};
  if (values instanceof Float32Array) return {float: 1};
  if (values instanceof Int32Array) return {int: {bits: 32, signed: true}};
  if (values instanceof Int16Array) return {int: {bits: 16, signed: true}};
  if (values instanceof Int8Array) return {int: {bits: 8, signed: true}};
  if (values instanceof Uint32Array) return {int: {bits: 32, signed: false}};
  if (values instanceof Uint16Array) return {int: {bits: 16, signed: false}};
  if (values instanceof Uint8Array) return {int: {bits: 8, signed: false}};
  if (values instanceof BigInt64Array) return {int: {bits: 64, signed: true}};
  if (values instanceof BigUint64Array) return {int: {bits: 64, signed: false}};
  throw new TypeError(`column ${name}: ${Object.prototype.toString.call(values)} is not a numeric typed array`);
}

/** One scalar field of a table: its byte size and how it is written. */
type Scalar = {size: 1 | 2 | 4 | 8; write: (v: DataView, at: number) => void};
/** A field that refers to an object written after the table (a string, a vector, a table). */
type Ref = {ref: (fb: Flatbuffer) => number};
type FieldValue = Scalar | Ref | undefined;

const u8 = (x: number): Scalar => ({size: 1, write: (v, at) => v.setUint8(at, x)});
const i16 = (x: number): Scalar => ({size: 2, write: (v, at) => v.setInt16(at, x, true)});
const i32 = (x: number): Scalar => ({size: 4, write: (v, at) => v.setInt32(at, x, true)});
const i64 = (x: number): Scalar => ({size: 8, write: (v, at) => v.setBigInt64(at, BigInt(x), true)});

/**
 * A flatbuffer written front to back: each table's vtable, then the table, then what its
 * offsets refer to (offsets point forward, as flatbuffers require).
 */
class Flatbuffer {
  bytes = new Uint8Array(1024);
  view = new DataView(this.bytes.buffer);
  at = 0;

  private room(n: number): void {
    if (this.at + n <= this.bytes.length) return;
    const bigger = new Uint8Array(Math.max(2 * this.bytes.length, this.at + n));
    bigger.set(this.bytes);
    this.bytes = bigger;
    this.view = new DataView(bigger.buffer);
  }

  pad(align: number, after = 0): void {
    const n = (align - ((this.at + after) % align)) % align;
    this.room(n);
    this.at += n;
  }

  /** A uoffset at `slot` to `target` (relative to the slot itself). */
  patch(slot: number, target: number): void {
    this.view.setUint32(slot, target - slot, true);
  }

  /** A table of `fields` (by field id; undefined: absent). Returns its position. */
  table(fields: FieldValue[]): number {
    // Inline layout: the soffset to the vtable, then the fields, largest first (each aligned).
    const present = fields.map((f, id) => ({f, id})).filter((x): x is {f: Scalar | Ref; id: number} => x.f !== undefined);
    const sizeOf = (f: Scalar | Ref) => ("ref" in f ? 4 : f.size);
    present.sort((a, b) => sizeOf(b.f) - sizeOf(a.f));
    const offsets = new Map<number, number>();
    let size = 4;
    for (const {f, id} of present) {
      const s = sizeOf(f);
      size += (s - (size % s)) % s;
      offsets.set(id, size);
      size += s;
    }
    const align = Math.max(4, ...present.map((x) => sizeOf(x.f)));
    size += (align - (size % align)) % align;
    // The vtable, then the table at the next aligned position (its soffset finds the vtable).
    const vtableBytes = 4 + 2 * fields.length;
    this.pad(2);
    const vtable = this.at;
    this.room(vtableBytes + align + size);
    this.view.setUint16(this.at, vtableBytes, true);
    this.view.setUint16(this.at + 2, size, true);
    fields.forEach((_, id) => this.view.setUint16(vtable + 4 + 2 * id, offsets.get(id) ?? 0, true));
    this.at += vtableBytes;
    this.pad(align);
    const table = this.at;
    this.view.setInt32(table, table - vtable, true);
    this.at += size;
    for (const {f, id} of present) if (!("ref" in f)) f.write(this.view, table + offsets.get(id)!);
    for (const {f, id} of present) if ("ref" in f) this.patch(table + offsets.get(id)!, f.ref(this));
    return table;
  }

  string(s: string): number {
    const utf8 = new TextEncoder().encode(s);
    this.pad(4);
    this.room(4 + utf8.length + 1);
    const at = this.at;
    this.view.setUint32(at, utf8.length, true);
    this.bytes.set(utf8, at + 4);
    this.bytes[at + 4 + utf8.length] = 0;
    this.at += 4 + utf8.length + 1;
    return at;
  }

  /** A vector of tables (each written by `write`, after the vector). */
  tables(n: number, write: (k: number) => number): number {
    this.pad(4);
    this.room(4 + 4 * n);
    const at = this.at;
    this.view.setUint32(at, n, true);
    this.at += 4 + 4 * n;
    for (let k = 0; k < n; k++) this.patch(at + 4 + 4 * k, write(k));
    return at;
  }

  /** A vector of structs of two int64 each (FieldNode, Buffer). */
  pairs(values: [number, number][]): number {
    this.pad(8, 4);
    this.room(4 + 16 * values.length);
    const at = this.at;
    this.view.setUint32(at, values.length, true);
    values.forEach(([a, b], k) => {
      this.view.setBigInt64(at + 4 + 16 * k, BigInt(a), true);
      this.view.setBigInt64(at + 12 + 16 * k, BigInt(b), true);
    });
    this.at += 4 + 16 * values.length;
    return at;
  }

  /** The finished buffer with `root` as its root table. */
  finish(root: (fb: Flatbuffer) => number): Uint8Array {
    this.room(8);
    this.at = 8; // the root uoffset, padded so that 8-byte fields are aligned
    this.patch(0, root(this));
    this.pad(8);
    return this.bytes.subarray(0, this.at);
  }
}

const METADATA_V5 = 4;
const HEADER_SCHEMA = 1, HEADER_RECORD_BATCH = 3;
const TYPE_INT = 2, TYPE_FLOATING_POINT = 3;

/** One encapsulated message: continuation marker, metadata length, the flatbuffer (8-aligned). */
function message(header: number, body: number, write: (fb: Flatbuffer) => number): Uint8Array {
  const meta = new Flatbuffer().finish((fb) => fb.table([i16(METADATA_V5), u8(header), {ref: write}, i64(body)]));
  const out = new Uint8Array(8 + meta.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0xffffffff, true);
  v.setInt32(4, meta.length, true);
  out.set(meta, 8);
  return out;
}

/** The Arrow IPC stream of `columns` (equal lengths, no nulls): schema, one record batch, end. */
export function arrowIpcStream(columns: {[name: string]: ArrayBufferView}): Uint8Array {
  const names = Object.keys(columns);
  const values = names.map((n) => columns[n] as Column);
  const types = values.map((c, k) => arrowType(c, names[k]));
  const rows = values.length ? values[0].length : 0;
  for (const [k, c] of values.entries()) if (c.length !== rows) throw new RangeError(`column ${names[k]} has ${c.length} rows, expected ${rows}`);

  const schema = message(HEADER_SCHEMA, 0, (fb) => fb.table([
    i16(0), // little-endian
    {ref: (fb) => fb.tables(names.length, (k) => fb.table([
      {ref: (fb) => fb.string(names[k])},
      u8(0), // not nullable
      u8(types[k].int ? TYPE_INT : TYPE_FLOATING_POINT),
      {ref: (fb) => (types[k].int ? fb.table([i32(types[k].int!.bits), u8(types[k].int!.signed ? 1 : 0)]) : fb.table([i16(types[k].float!)]))},
      undefined, // dictionary
      {ref: (fb) => fb.tables(0, () => 0)} // children
    ]))}
  ]));

  // The body: per column an empty validity buffer and its values, each padded to 8 bytes.
  const buffers: [number, number][] = [];
  let body = 0;
  for (const c of values) {
    buffers.push([body, 0], [body, c.byteLength]);
    body += c.byteLength + ((8 - (c.byteLength % 8)) % 8);
  }
  const batch = message(HEADER_RECORD_BATCH, body, (fb) => fb.table([
    i64(rows),
    {ref: (fb) => fb.pairs(values.map(() => [rows, 0]))},
    {ref: (fb) => fb.pairs(buffers)}
  ]));

  const out = new Uint8Array(schema.length + batch.length + body + 8);
  out.set(schema, 0);
  out.set(batch, schema.length);
  let at = schema.length + batch.length;
  for (const [k, c] of values.entries()) {
    out.set(new Uint8Array(c.buffer, c.byteOffset, c.byteLength), at + buffers[2 * k + 1][0]);
  }
  at += body;
  new DataView(out.buffer).setUint32(at, 0xffffffff, true); // end of stream: marker and length 0
  return out;
}
