// cait HDF5 on disk, for Node: open a file for chunked reading, create one atomically.

import {closeSync, openSync, readSync} from "node:fs";
import h5wasm from "h5wasm/node";
import {openH5, type CaitFile} from "../../lib/io/caitFile.js";
import {checkHdf5Reads, type Hdf5Module} from "../../lib/io/hdf5Errors.js";
import {CaitWriter, type WriterSpec} from "../../lib/io/caitWriter.js";
import {checkHdf5Header, type ReadAt} from "../../lib/io/hdf5Signature.js";
import {atomicWriteWith} from "./atomicWrite.js";
import {fileSize} from "./readFile.js";

export {DataFileError} from "../../lib/io/errors.js";
export type {CaitFile} from "../../lib/io/caitFile.js";

let ready: Promise<unknown> | undefined;
/** h5wasm's Node build, initialised once, its failed reads made errors (lib/io/hdf5Errors.ts). */
export async function h5(): Promise<typeof h5wasm> {
  await (ready ??= h5wasm.ready.then((module) => checkHdf5Reads(module as unknown as Hdf5Module)));
  return h5wasm;
}

/** Reads bytes of `path` at an offset (fewer at its end). */
function readerOf(fd: number): ReadAt {
  return (offset, length) => {
    const b = new Uint8Array(length);
    return b.subarray(0, readSync(fd, b, 0, length, offset));
  };
}

/** Checks the HDF5 superblock of `path` (lib/io/hdf5Signature.ts); returns the file's size. */
export function checkHeader(path: string): number {
  const size = fileSize(path);
  const fd = openSync(path, "r");
  try {
    checkHdf5Header(readerOf(fd), size, path);
    return size;
  } finally {
    closeSync(fd);
  }
}

/** Opens a cait-layout HDF5 file on disk for chunked reading (never loads it whole). */
export async function openCaitFile(path: string): Promise<CaitFile> {
  const size = checkHeader(path);
  return openH5(await h5(), path, path, size);
}

/**
 * Creates a cait-layout file atomically: `fill` writes chunks into a temporary sibling, which
 * replaces `path` only after it is closed; on any error the old file (if any) stays intact.
 */
export async function createCaitFile(path: string, spec: WriterSpec, fill: (writer: CaitWriter) => void | Promise<void>): Promise<void> {
  const module = await h5();
  await atomicWriteWith(path, async (tmp) => {
    const writer = new CaitWriter(module, tmp, spec);
    try {
      await fill(writer);
    } catch (e) {
      try { writer.close(); } catch { /* already closed */ }
      throw e;
    }
    writer.close();
  });
}
