// The directory of a ZIP archive (what an `.npz` is), read from its end: the end-of-central-
// directory record (and its ZIP64 form, which NumPy's savez always writes), the central
// directory, and each entry's local header, so that an entry's bytes can be read by offset
// (stored) or streamed through inflate (deflated) without loading the archive.
// Format: PKWARE APPNOTE.TXT, sections 4.3 and 4.5.

import {DataFileError} from "./errors.js";

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  /** Offset of the entry's local header. */
  localHeaderOffset: number;
}

const EOCD = 0x06054b50, ZIP64_LOCATOR = 0x07064b50, ZIP64_EOCD = 0x06064b50, CENTRAL = 0x02014b50, LOCAL = 0x04034b50;
/** The end record (22 B) plus the longest comment: where to look for it. */
export const ZIP_TAIL_BYTES = 22 + 0xffff + 20;

const u64 = (v: DataView, at: number) => Number(v.getBigUint64(at, true));

/** Where the central directory lies, from the archive's last ZIP_TAIL_BYTES bytes (`tailStart`: their offset). */
export function zipDirectoryRange(tail: Uint8Array, tailStart: number, file: string, read: (offset: number, length: number) => Uint8Array): {offset: number; size: number; entries: number} {
  const v = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let at = -1;
  for (let i = tail.length - 22; i >= 0; i--) if (v.getUint32(i, true) === EOCD) { at = i; break; }
  if (at < 0) throw new DataFileError(file, tail.length === 0 ? "empty file (0 bytes), not an .npz archive" : "not an .npz (ZIP) archive: no end-of-central-directory record (truncated or another format)");
  let entries = v.getUint16(at + 10, true), size = v.getUint32(at + 12, true), offset = v.getUint32(at + 16, true);
  if (entries === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    if (at < 20 || v.getUint32(at - 20, true) !== ZIP64_LOCATOR) throw new DataFileError(file, "ZIP64 archive without its end-of-directory locator (truncated or corrupt)");
    const z = read(u64(v, at - 12), 56);
    const zv = new DataView(z.buffer, z.byteOffset, z.byteLength);
    if (z.length < 56 || zv.getUint32(0, true) !== ZIP64_EOCD) throw new DataFileError(file, "ZIP64 end-of-directory record not where its locator says (truncated or corrupt)");
    entries = u64(zv, 32); size = u64(zv, 40); offset = u64(zv, 48);
  }
  if (offset + size > tailStart + at) throw new DataFileError(file, "ZIP central directory lies beyond the end of the file (truncated or corrupt)");
  return {offset, size, entries};
}

/** The entries of a central directory (`bytes`: all of it). */
export function parseZipDirectory(bytes: Uint8Array, entries: number, file: string): ZipEntry[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: ZipEntry[] = [];
  let p = 0;
  for (let n = 0; n < entries; n++) {
    if (p + 46 > bytes.length || v.getUint32(p, true) !== CENTRAL) throw new DataFileError(file, `ZIP central directory entry ${n} is damaged (truncated or corrupt archive)`);
    const flags = v.getUint16(p + 8, true);
    const nameLength = v.getUint16(p + 28, true), extraLength = v.getUint16(p + 30, true), commentLength = v.getUint16(p + 32, true);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLength));
    if (flags & 1) throw new DataFileError(file, `entry ${name} is encrypted`);
    let size = v.getUint32(p + 24, true), compressedSize = v.getUint32(p + 20, true), localHeaderOffset = v.getUint32(p + 42, true);
    // ZIP64 extra field: 64-bit values for exactly the fields that hold 0xFFFFFFFF, in this order.
    for (let x = p + 46 + nameLength; x + 4 <= p + 46 + nameLength + extraLength;) {
      const id = v.getUint16(x, true), len = v.getUint16(x + 2, true);
      if (id === 1) {
        let y = x + 4;
        if (size === 0xffffffff) { size = u64(v, y); y += 8; }
        if (compressedSize === 0xffffffff) { compressedSize = u64(v, y); y += 8; }
        if (localHeaderOffset === 0xffffffff) { localHeaderOffset = u64(v, y); y += 8; }
      }
      x += 4 + len;
    }
    out.push({name, method: v.getUint16(p + 10, true), compressedSize, size, crc32: v.getUint32(p + 16, true), localHeaderOffset});
    p += 46 + nameLength + extraLength + commentLength;
  }
  return out;
}

/** Offset of an entry's data from the 30 fixed bytes of its local header. */
export function zipDataOffset(entry: ZipEntry, localHeader: Uint8Array, file: string): number {
  const v = new DataView(localHeader.buffer, localHeader.byteOffset, localHeader.byteLength);
  if (localHeader.length < 30 || v.getUint32(0, true) !== LOCAL) throw new DataFileError(file, `entry ${entry.name}: no local header where the directory says (truncated or corrupt archive)`);
  return entry.localHeaderOffset + 30 + v.getUint16(26, true) + v.getUint16(28, true);
}
