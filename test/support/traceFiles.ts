// Trace files as other tools write them, for the import tests: .npy (NumPy's format 1.0),
// .npz as numpy.savez writes it (ZIP64 records) or as any zip tool does (fflate), values
// from a known function so that every sample can be checked after the round trip.
import {crc32} from "node:zlib";
import {zipSync} from "fflate";

export type Dtype = "<f4" | ">f4" | "<f8" | ">f8" | "<i2" | ">i2" | "<i4" | ">i4" | "<u2" | ">u2" | "|u1" | "|i1";

const SIZE: {[k: string]: number} = {f4: 4, f8: 8, i2: 2, i4: 4, u2: 2, u1: 1, i1: 1};

/** The value of (event, channel, sample) in a test array: distinct, fits every dtype, not float32-exact for f8/i4. */
export function traceValue(dtype: Dtype, e: number, c: number, s: number): number {
  const kind = dtype.slice(1);
  const i = (e * 7 + c * 3) * 101 + s;
  switch (kind) {
    case "f8": return Math.sin(i) * 1e-3 + i * 1e-9;
    case "f4": return Math.fround(Math.cos(i) * 2.5e-6);
    case "i4": return (i * 40_503 + 16_777_217) % 2_000_000_000 - 1_000_000_000; // beyond 2^24: rounds in float32
    case "i2": return (i * 37) % 65_536 - 32_768;
    case "u2": return (i * 53) % 65_536;
    case "u1": return (i * 11) % 256;
    case "i1": return (i * 13) % 256 - 128;
    default: throw new Error(dtype);
  }
}

/** The header of a .npy (format 1.0, padded to 64 bytes as NumPy does). */
export function npyHeader(dtype: Dtype, shape: number[], fortran = false): Uint8Array {
  let h = `{'descr': '${dtype}', 'fortran_order': ${fortran ? "True" : "False"}, 'shape': (${shape.join(", ")}${shape.length === 1 ? "," : ""}), }`;
  h += " ".repeat((64 - ((10 + h.length + 1) % 64)) % 64) + "\n";
  const out = new Uint8Array(10 + h.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, h.length, true);
  for (let i = 0; i < h.length; i++) out[10 + i] = h.charCodeAt(i);
  return out;
}

/** The bytes of a .npy of `shape` with `axes` (e, c, s letters per dimension), values traceValue. */
export function npyBytes(dtype: Dtype, axes: string, shape: number[], fortran = false): Uint8Array {
  const kind = dtype.slice(1), size = SIZE[kind], le = dtype[0] !== ">";
  const head = npyHeader(dtype, shape, fortran);
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(head.length + n * size);
  out.set(head);
  const v = new DataView(out.buffer);
  const h = {length: head.length - 10};
  const index = new Array(shape.length).fill(0);
  for (let k = 0; k < n; k++) {
    // k-th element in storage order: C (last index fastest) or Fortran (first fastest).
    let r = k;
    const dims = fortran ? shape.map((_, i) => i) : shape.map((_, i) => shape.length - 1 - i);
    for (const d of dims) { index[d] = r % shape[d]; r = Math.floor(r / shape[d]); }
    const at = (name: string) => (axes.includes(name) ? index[axes.indexOf(name)] : 0);
    const x = traceValue(dtype, at("e"), at("c"), at("s"));
    const p = 10 + h.length + k * size;
    switch (kind) {
      case "f4": v.setFloat32(p, x, le); break;
      case "f8": v.setFloat64(p, x, le); break;
      case "i2": v.setInt16(p, x, le); break;
      case "i4": v.setInt32(p, x, le); break;
      case "u2": v.setUint16(p, x, le); break;
      case "u1": v.setUint8(p, x); break;
      case "i1": v.setInt8(p, x); break;
    }
  }
  return out;
}

/** An .npz from any zip writer: stored (level 0) or deflated. */
export function npzBytes(arrays: {[name: string]: Uint8Array}, deflate: boolean): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(arrays).map(([k, b]) => [`${k}.npy`, [b, {level: deflate ? 6 : 0}]])));
}

/** A stored .npz with ZIP64 records throughout (sizes and offsets in ZIP64 extra fields, ZIP64 end records), as numpy's force_zip64 writes. */
export function npzZip64Bytes(arrays: {[name: string]: Uint8Array}): Uint8Array {
  const parts: Uint8Array[] = [], central: Uint8Array[] = [];
  let offset = 0;
  const u16 = (v: DataView, p: number, x: number) => v.setUint16(p, x, true);
  const u32 = (v: DataView, p: number, x: number) => v.setUint32(p, x, true);
  const u64 = (v: DataView, p: number, x: number) => v.setBigUint64(p, BigInt(x), true);
  for (const [k, data] of Object.entries(arrays)) {
    const name = new TextEncoder().encode(`${k}.npy`);
    const crc = crc32(data);
    const local = new Uint8Array(30 + name.length + 20), lv = new DataView(local.buffer);
    u32(lv, 0, 0x04034b50); u16(lv, 4, 45); u32(lv, 14, crc); u32(lv, 18, 0xffffffff); u32(lv, 22, 0xffffffff);
    u16(lv, 26, name.length); u16(lv, 28, 20); local.set(name, 30);
    u16(lv, 30 + name.length, 1); u16(lv, 32 + name.length, 16); u64(lv, 34 + name.length, data.length); u64(lv, 42 + name.length, data.length);
    const c = new Uint8Array(46 + name.length + 28), cv = new DataView(c.buffer);
    u32(cv, 0, 0x02014b50); u16(cv, 4, 45); u16(cv, 6, 45); u32(cv, 16, crc); u32(cv, 20, 0xffffffff); u32(cv, 24, 0xffffffff);
    u16(cv, 28, name.length); u16(cv, 30, 28); u32(cv, 42, 0xffffffff); c.set(name, 46);
    const x = 46 + name.length;
    u16(cv, x, 1); u16(cv, x + 2, 24); u64(cv, x + 4, data.length); u64(cv, x + 12, data.length); u64(cv, x + 20, offset);
    parts.push(local, data);
    central.push(c);
    offset += local.length + data.length;
  }
  const cdSize = central.reduce((a, b) => a + b.length, 0);
  const end = new Uint8Array(56 + 20 + 22), ev = new DataView(end.buffer);
  u32(ev, 0, 0x06064b50); u64(ev, 4, 44); u16(ev, 12, 45); u16(ev, 14, 45);
  u64(ev, 24, central.length); u64(ev, 32, central.length); u64(ev, 40, cdSize); u64(ev, 48, offset);
  u32(ev, 56, 0x07064b50); u64(ev, 64, offset + cdSize); u32(ev, 72, 1);
  u32(ev, 76, 0x06054b50); u16(ev, 84, 0xffff); u16(ev, 86, 0xffff); u32(ev, 88, 0xffffffff); u32(ev, 92, 0xffffffff);
  const all = [...parts, ...central, end];
  const out = new Uint8Array(all.reduce((a, b) => a + b.length, 0));
  let p = 0;
  for (const b of all) { out.set(b, p); p += b.length; }
  return out;
}
