// The NumPy `.npy` header, parsed by hand: it is a magic string, a version, a length and a
// Python dict literal of three keys, and the npm readers of .npy all load the whole file into
// memory, where Pulsebook reads the data by offset in chunks. Format:
// https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html

import {DataFileError} from "./errors.js";

/** A numeric dtype of one element: kind (float, signed, unsigned), bytes, byte order. */
export interface NpyDtype {
  kind: "f" | "i" | "u";
  size: 1 | 2 | 4 | 8;
  littleEndian: boolean;
  /** As the file says it ("<f8"). */
  descr: string;
}

export interface NpyHeader {
  dtype: NpyDtype;
  fortranOrder: boolean;
  shape: number[];
  /** Byte offset of the first element. */
  dataOffset: number;
  /** Bytes of data the header declares (elements × element size). */
  dataBytes: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** Bytes to read to be sure of holding a header of any size the prefix declares. */
export const NPY_PREFIX_BYTES = 12;

export const SUPPORTED_DTYPES = "float32, float64, int8/16/32, uint8/16/32 (either byte order)";

/** Length of the whole header (prefix + dict) from its first NPY_PREFIX_BYTES bytes. */
export function npyHeaderLength(prefix: Uint8Array, file: string): number {
  if (prefix.length < 10 || MAGIC.some((b, i) => prefix[i] !== b)) {
    throw new DataFileError(file, prefix.length === 0 ? "empty file (0 bytes), not a .npy array" : "not a NumPy .npy file (no \\x93NUMPY magic at the start)");
  }
  const major = prefix[6];
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  if (major === 1) return 10 + view.getUint16(8, true);
  if (major === 2 || major === 3) {
    if (prefix.length < 12) throw new DataFileError(file, "truncated .npy header");
    return 12 + view.getUint32(8, true);
  }
  throw new DataFileError(file, `.npy format version ${major}.${prefix[7]} is not known (1.0, 2.0 and 3.0 are)`);
}

/** Parses the dtype string of a .npy header ("<f8", ">i2", "|u1"). */
export function parseNpyDtype(descr: string, file: string): NpyDtype {
  const m = /^([<>|=])([fiu])(\d+)$/.exec(descr);
  const size = m ? Number(m[3]) : 0;
  const ok = m && (m[2] === "f" ? size === 4 || size === 8 : size === 1 || size === 2 || size === 4);
  if (!m || !ok) throw new DataFileError(file, `dtype ${JSON.stringify(descr)} is not supported (supported: ${SUPPORTED_DTYPES})`);
  return {kind: m[2] as NpyDtype["kind"], size: size as NpyDtype["size"], littleEndian: m[1] !== ">", descr};
}

/** Parses the header in `bytes` (all of it: npyHeaderLength bytes). */
export function parseNpyHeader(bytes: Uint8Array, file: string): NpyHeader {
  const dataOffset = npyHeaderLength(bytes, file);
  if (bytes.length < dataOffset) throw new DataFileError(file, `truncated .npy header: ${bytes.length} bytes, the header declares ${dataOffset}`);
  const text = new TextDecoder(bytes[6] === 3 ? "utf-8" : "latin1").decode(bytes.subarray(bytes[6] === 1 ? 10 : 12, dataOffset));
  const descr = /['"]descr['"]\s*:\s*(['"])([^'"]*)\1/.exec(text);
  if (!descr) {
    const structured = /['"]descr['"]\s*:\s*\[/.test(text);
    throw new DataFileError(file, structured ? `structured (record) dtype is not supported (supported: ${SUPPORTED_DTYPES})` : `.npy header has no dtype ('descr'): ${text.trim()}`);
  }
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text);
  if (!fortran) throw new DataFileError(file, `.npy header has no 'fortran_order': ${text.trim()}`);
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text);
  if (!shapeText) throw new DataFileError(file, `.npy header has no 'shape': ${text.trim()}`);
  const parts = shapeText[1].split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (!parts.every((s) => /^\d+L?$/.test(s))) throw new DataFileError(file, `.npy shape (${shapeText[1]}) is not a tuple of integers`);
  const shape = parts.map((s) => Number.parseInt(s, 10));
  const dtype = parseNpyDtype(descr[2], file);
  const dataBytes = shape.reduce((a, b) => a * b, 1) * dtype.size;
  if (!Number.isSafeInteger(dataBytes)) throw new DataFileError(file, `.npy shape (${shape.join(", ")}) is too large`);
  return {dtype, fortranOrder: fortran[1] === "True", shape, dataOffset, dataBytes};
}

/** A reader of the k-th element of `view` as a number, for `dtype`. */
export function elementReader(view: DataView, dtype: NpyDtype): (k: number) => number {
  const le = dtype.littleEndian;
  switch (`${dtype.kind}${dtype.size}`) {
    case "f4": return (k) => view.getFloat32(4 * k, le);
    case "f8": return (k) => view.getFloat64(8 * k, le);
    case "i1": return (k) => view.getInt8(k);
    case "i2": return (k) => view.getInt16(2 * k, le);
    case "i4": return (k) => view.getInt32(4 * k, le);
    case "u1": return (k) => view.getUint8(k);
    case "u2": return (k) => view.getUint16(2 * k, le);
    case "u4": return (k) => view.getUint32(4 * k, le);
    default: throw new Error(`no reader for ${dtype.descr}`);
  }
}
