// An array of an .npz (a ZIP of .npy files, as numpy.savez and savez_compressed write them).
// A stored entry is read in place by offset. A deflated one cannot be read by offset, so it is
// inflated once, streaming (fflate), into a temporary sibling of the output, which is then read
// like a .npy and removed; memory stays at one read block, the disk holds the array once more
// while the import runs (a killed import leaves it as `.OUT.PID.HEX.tmp`, removed by the next
// write of OUT).
import {closeSync, mkdirSync, openSync, readSync, rmSync, writeSync} from "node:fs";
import {dirname, resolve} from "node:path";
import * as zlib from "node:zlib";
import {Inflate} from "fflate";
import {DataFileError} from "../../lib/io/errors.js";
import {parseZipDirectory, zipDataOffset, zipDirectoryRange, ZIP_TAIL_BYTES, type ZipEntry} from "../../lib/io/zipDirectory.js";
import {fileProblem, fileSize} from "../io/readFile.js";
import {temporarySibling} from "../io/atomicWrite.js";
import {openNpy} from "./npySource.js";
import type {TraceSource} from "./traceSource.js";

const BLOCK = 1 << 20;

function readAt(fd: number, file: string, position: number, length: number): Uint8Array {
  const b = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    let k: number;
    try {
      k = readSync(fd, b, got, length - got, position + got);
    } catch (e) {
      throw new DataFileError(file, fileProblem(e));
    }
    if (k === 0) break;
    got += k;
  }
  return b.subarray(0, got);
}

/** The arrays of an .npz: its entries, names without `.npy`. */
function entries(fd: number, file: string, size: number): ZipEntry[] {
  const tailStart = Math.max(0, size - ZIP_TAIL_BYTES);
  const tail = readAt(fd, file, tailStart, size - tailStart);
  const dir = zipDirectoryRange(tail, tailStart, file, (p, n) => readAt(fd, file, p, n));
  return parseZipDirectory(readAt(fd, file, dir.offset, dir.size), dir.entries, file);
}

const arrayName = (e: ZipEntry) => e.name.replace(/\.npy$/, "");

function pick(list: ZipEntry[], array: string | undefined, file: string): ZipEntry {
  const names = list.map(arrayName);
  if (list.length === 0) throw new DataFileError(file, "the .npz archive holds no arrays");
  if (array === undefined) {
    if (list.length === 1) return list[0];
    throw new DataFileError(file, `holds ${list.length} arrays (${names.join(", ")}); pick one with --array NAME`);
  }
  const found = list.find((e) => arrayName(e) === array || e.name === array);
  if (!found) throw new DataFileError(file, `no array ${JSON.stringify(array)} (the archive holds: ${names.join(", ")})`);
  return found;
}

/** Inflates `entry` into `tmp`, streaming; checks its size and (where Node has zlib.crc32) its CRC-32. */
function inflateEntry(fd: number, file: string, entry: ZipEntry, dataOffset: number, tmp: string): void {
  const where = `${file} [${entry.name}]`;
  const crc32 = (zlib as {crc32?: (data: Uint8Array, value?: number) => number}).crc32;
  const out = openSync(tmp, "wx");
  try {
    let written = 0, crc = 0;
    const inflate = new Inflate((chunk) => {
      written += chunk.length;
      if (written > entry.size) throw new DataFileError(where, `inflates to more than the ${entry.size} bytes the archive declares (corrupt archive)`);
      if (crc32) crc = crc32(chunk, crc);
      writeSync(out, chunk);
    });
    for (let p = 0; p < entry.compressedSize; p += BLOCK) {
      const n = Math.min(BLOCK, entry.compressedSize - p);
      const block = readAt(fd, file, dataOffset + p, n);
      if (block.length < n) throw new DataFileError(where, `truncated archive: the compressed data end at byte ${dataOffset + p + block.length} of ${dataOffset + entry.compressedSize}`);
      try {
        inflate.push(block, p + n >= entry.compressedSize);
      } catch (e) {
        if (e instanceof DataFileError) throw e;
        throw new DataFileError(where, `cannot inflate the compressed data (${(e as Error).message}): corrupt archive`);
      }
    }
    if (written !== entry.size) throw new DataFileError(where, `inflates to ${written} bytes, the archive declares ${entry.size} (corrupt archive)`);
    if (crc32 && (crc >>> 0) !== entry.crc32) throw new DataFileError(where, "CRC-32 of the inflated data does not match the archive's (corrupt archive)");
  } finally {
    closeSync(out);
  }
}

export function openNpz(path: string, options: {array?: string; layout?: string; out: string}): TraceSource {
  const size = fileSize(path);
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    throw new DataFileError(path, fileProblem(e));
  }
  let tmp: string | undefined;
  try {
    const entry = pick(entries(fd, path, size), options.array, path);
    const where = `${path} [${entry.name}]`;
    const dataOffset = zipDataOffset(entry, readAt(fd, path, entry.localHeaderOffset, 30), path);
    if (dataOffset + entry.compressedSize > size) throw new DataFileError(where, `truncated archive: the entry ends at byte ${dataOffset + entry.compressedSize}, the file has ${size}`);
    const description = {array: arrayName(entry), compression: entry.method === 0 ? "stored" : "deflated"};
    if (entry.method === 0) {
      if (entry.compressedSize !== entry.size) throw new DataFileError(where, `stored entry of ${entry.compressedSize} bytes declares ${entry.size} uncompressed (corrupt archive)`);
      const source = openNpy({path, file: where, offset: dataOffset, length: entry.size}, {layout: options.layout, format: "npz", description});
      const close = source.close;
      return {...source, close: () => { close(); closeSync(fd); }};
    }
    if (entry.method !== 8) throw new DataFileError(where, `compression method ${entry.method} is not supported (stored and deflated are, as numpy.savez and savez_compressed write)`);
    mkdirSync(dirname(resolve(options.out)), {recursive: true});
    tmp = temporarySibling(options.out);
    inflateEntry(fd, path, entry, dataOffset, tmp);
    closeSync(fd);
    const source = openNpy({path: tmp, file: where, offset: 0, length: entry.size}, {layout: options.layout, format: "npz", description});
    const inflated = tmp;
    const close = source.close;
    return {...source, close: () => { close(); rmSync(inflated, {force: true}); }};
  } catch (e) {
    try { closeSync(fd); } catch { /* closed above */ }
    if (tmp) rmSync(tmp, {force: true});
    throw e;
  }
}
