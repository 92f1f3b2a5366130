// The Arrow IPC stream written by hand (data-loaders/io/arrowIpc.ts) for parquet-wasm: apache-arrow
// reads it back value for value and type for type, and the Parquet file made from it is byte for
// byte the one made from apache-arrow's own IPC of the same columns.
import {describe, expect, it} from "vitest";
import * as arrow from "apache-arrow";
import * as pq from "parquet-wasm";
import fc from "fast-check";
import {arrowIpcStream} from "../data-loaders/io/arrowIpc.js";
import {encodeParquet} from "../data-loaders/io/parquetWrite.js";
import {readParquet} from "../data-loaders/io/parquet.js";

const KINDS = [
  [Float64Array, "Float64"], [Float32Array, "Float32"], [Int32Array, "Int32"], [Int16Array, "Int16"], [Int8Array, "Int8"],
  [Uint32Array, "Uint32"], [Uint16Array, "Uint16"], [Uint8Array, "Uint8"], [BigInt64Array, "Int64"], [BigUint64Array, "Uint64"]
] as const;

/** Columns of `rows` rows, one per kind picked, filled from random bytes (NaNs, -0, extremes included). */
function columns(kinds: number[], rows: number, bytes: Uint8Array): {[name: string]: ArrayBufferView} {
  const out: {[name: string]: ArrayBufferView} = {};
  kinds.forEach((k, i) => {
    const [Type] = KINDS[k];
    const c = new Type(rows);
    const raw = new Uint8Array(c.buffer);
    for (let j = 0; j < raw.length; j++) raw[j] = bytes[(j * 31 + i * 7) % bytes.length] ^ (j >> 3);
    out[`column ${i} ${KINDS[k][1]}`] = c;
  });
  return out;
}

describe("arrowIpcStream", () => {
  it("is read back by apache-arrow with the same types, lengths and bits", () => {
    fc.assert(fc.property(fc.array(fc.integer({min: 0, max: KINDS.length - 1}), {minLength: 1, maxLength: 12}), fc.integer({min: 0, max: 300}), fc.uint8Array({minLength: 1, maxLength: 64}), (kinds, rows, bytes) => {
      const cols = columns(kinds, rows, bytes);
      const table = arrow.tableFromIPC(arrowIpcStream(cols));
      expect(table.numRows).toBe(rows);
      expect(table.schema.fields.map((f) => [f.name, String(f.type), f.nullable])).toEqual(kinds.map((k, i) => [`column ${i} ${KINDS[k][1]}`, KINDS[k][1], false]));
      for (const [name, c] of Object.entries(cols)) {
        const back = table.getChild(name)!.toArray() as ArrayBufferView;
        expect(Buffer.from(back.buffer, back.byteOffset, back.byteLength).equals(Buffer.from(c.buffer, c.byteOffset, c.byteLength))).toBe(true);
      }
    }), {numRuns: 60});
  });

  it("gives parquet-wasm the Parquet file apache-arrow's IPC gives, byte for byte", () => {
    const n = 5000;
    const cols = {
      pulse_height_V: Float64Array.from({length: n}, (_, i) => (i % 97 === 0 ? NaN : Math.sin(i) * 1e-3)),
      event: Int32Array.from({length: n}, (_, i) => i),
      channel: Int32Array.from({length: n}, (_, i) => i % 2),
      onset_ms: Float32Array.from({length: n}, (_, i) => (i % 13 === 0 ? -0 : i / 7))
    };
    const props = () => new pq.WriterPropertiesBuilder().setCompression(pq.Compression.SNAPPY).build();
    const ours = pq.writeParquet(pq.Table.fromIPCStream(arrowIpcStream(cols)), props());
    const theirs = pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(arrow.makeTable(cols), "stream")), props());
    expect(Buffer.from(ours).equals(Buffer.from(theirs))).toBe(true);
    // And through the writer the commands use, with metadata.
    const t = readParquet(encodeParquet(cols, {"pulsebook.table": "features"}), "x.parquet");
    expect(Array.from(t.getChild("event")!.toArray() as Int32Array)).toEqual(Array.from(cols.event));
    expect(Array.from(t.getChild("pulse_height_V")!.toArray() as Float64Array).map(String)).toEqual(Array.from(cols.pulse_height_V).map(String));
  });

  it("refuses columns of different lengths and values that are not numeric typed arrays, naming the column", () => {
    expect(() => arrowIpcStream({a: new Float64Array(3), b: new Int32Array(2)})).toThrow("column b has 2 rows, expected 3");
    expect(() => arrowIpcStream({a: new DataView(new ArrayBuffer(8))})).toThrow(/^column a: \[object DataView\] is not a numeric typed array$/);
  });
});
