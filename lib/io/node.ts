// File-system edge of lib/io for Node: open and create cait HDF5 files on disk, atomic writes.

import {closeSync, openSync, readSync, renameSync, rmSync, statSync, writeFileSync, fsyncSync} from "node:fs";
import {basename, dirname, join} from "node:path";
import h5wasm from "h5wasm/node";
import {openH5, type CaitFile} from "./caitFile.js";
import {CaitWriter, type WriterSpec} from "./caitWriter.js";
import {DataFileError} from "./errors.js";
import {checkHdf5Header, HDF5_HEADER_BYTES} from "./hdf5Signature.js";

export {DataFileError} from "./errors.js";
export type {CaitFile} from "./caitFile.js";

let ready: Promise<unknown> | undefined;
async function h5(): Promise<typeof h5wasm> {
  await (ready ??= h5wasm.ready);
  return h5wasm;
}

function readHead(path: string): {head: Uint8Array; size: number} {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new DataFileError(path, "is not a regular file");
    size = st.size;
  } catch (e) {
    if (e instanceof DataFileError) throw e;
    throw new DataFileError(path, `cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const fd = openSync(path, "r");
  try {
    const head = new Uint8Array(Math.min(size, HDF5_HEADER_BYTES));
    readSync(fd, head, 0, head.length, 0);
    return {head, size};
  } finally {
    closeSync(fd);
  }
}

/** Opens a cait-layout HDF5 file on disk for chunked reading (never loads it whole). */
export async function openCaitFile(path: string): Promise<CaitFile> {
  const {head, size} = readHead(path);
  checkHdf5Header(head, size, path);
  return openH5(await h5(), path, path);
}

/** A temporary sibling path, renamed over the target only when the write completed. */
function temporarySibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
}

/**
 * Creates a cait-layout file atomically: `fill` writes chunks to a temporary sibling, which
 * replaces `path` only after it is closed; on any error the old file (if any) stays intact.
 */
export async function createCaitFile(path: string, spec: WriterSpec, fill: (writer: CaitWriter) => void | Promise<void>): Promise<void> {
  const tmp = temporarySibling(path);
  const writer = new CaitWriter(await h5(), tmp, spec);
  try {
    await fill(writer);
    writer.close();
    renameSync(tmp, path);
  } catch (e) {
    try { writer.close(); } catch { /* already closed */ }
    rmSync(tmp, {force: true});
    throw e;
  }
}

/** Writes bytes to `path` atomically (temporary sibling, fsync, rename). */
export function writeFileAtomic(path: string, bytes: Uint8Array | string): void {
  const tmp = temporarySibling(path);
  try {
    writeFileSync(tmp, bytes);
    const fd = openSync(tmp, "r");
    try { fsyncSync(fd); } finally { closeSync(fd); }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, {force: true});
    throw e;
  }
}
