import {DataFileError} from "./errors.js";

// HDF5's own error for a foreign or truncated file is an unreadable stack from inside the C
// library (h5wasm surfaces it as "name not defined!"). Reading the superblock ourselves lets
// us say what is wrong: not HDF5 at all, or cut short before the end the file declares.
//
// A file may start with a user block of 512, 1024, 2048, … bytes (h5py's `userblock_size`,
// h5jam); the superblock then sits right after it (HDF5 spec, "Format Signature"), and its
// end-of-file address is absolute, counted from the start of the file, user block included.

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Bytes of the superblock `checkHdf5Header` reads (every superblock version fits). */
export const HDF5_SUPERBLOCK_BYTES = 128;
/** Bytes of the file's start that cover a superblock after a user block of up to 2 KiB. */
export const HDF5_HEADER_BYTES = 4096;

/** `length` bytes of the file at `offset` (fewer at its end). */
export type ReadAt = (offset: number, length: number) => Uint8Array;

function signatureAt(head: Uint8Array, offset: number): boolean {
  if (offset + SIGNATURE.length > head.length) return false;
  return SIGNATURE.every((b, i) => head[offset + i] === b);
}

function readUint(head: Uint8Array, offset: number, size: number): number {
  let v = 0;
  for (let i = size - 1; i >= 0; --i) v = v * 256 + head[offset + i];
  return v;
}

/** The places a superblock may be: 0, 512, 1024, 2048, … below `fileSize`. */
function* superblockOffsets(fileSize: number): Generator<number> {
  for (let offset = 0; offset < fileSize; offset = offset === 0 ? 512 : offset * 2) yield offset;
}

/** Where in `head` the HDF5 signature is, or -1: at 0, 512, 1024, 2048, … (after a user block). */
export function hdf5SignatureOffset(head: Uint8Array): number {
  for (const offset of superblockOffsets(head.length)) if (signatureAt(head, offset)) return offset;
  return -1;
}

/** Where in a file of `fileSize` bytes the HDF5 signature is, or -1 (reads 8 bytes per candidate). */
export function findHdf5Signature(readAt: ReadAt, fileSize: number): number {
  for (const offset of superblockOffsets(fileSize)) if (signatureAt(readAt(offset, SIGNATURE.length), 0)) return offset;
  return -1;
}

/** `readAt` over bytes in memory. */
export const bytesReader = (bytes: Uint8Array): ReadAt => (offset, length) => bytes.subarray(offset, offset + length);

/**
 * Checks that the file (read through `readAt`, `fileSize` bytes) has an HDF5 superblock at 0
 * or after a user block, and that it is not shorter than the end-of-file address it declares.
 * Throws DataFileError.
 */
export function checkHdf5Header(readAt: ReadAt, fileSize: number, file: string): void {
  if (fileSize === 0) throw new DataFileError(file, "file is empty (0 bytes), expected HDF5");
  const at = findHdf5Signature(readAt, fileSize);
  if (at < 0) throw new DataFileError(file, "not an HDF5 file (no HDF5 signature found)");
  const head = readAt(at, HDF5_SUPERBLOCK_BYTES);
  const version = head[8];
  let sizeOfOffsets: number, eofField: number, baseField: number;
  if (version === 0 || version === 1) {
    sizeOfOffsets = head[13];
    baseField = 24 + (version === 1 ? 4 : 0);
    eofField = baseField + 2 * sizeOfOffsets;
  } else if (version === 2 || version === 3) {
    sizeOfOffsets = head[9];
    baseField = 12;
    eofField = baseField + 2 * sizeOfOffsets;
  } else {
    throw new DataFileError(file, `unknown HDF5 superblock version ${version}`);
  }
  if (![2, 4, 8].includes(sizeOfOffsets) || eofField + sizeOfOffsets > head.length) {
    throw new DataFileError(file, "corrupt HDF5 superblock");
  }
  if (head.subarray(eofField, eofField + sizeOfOffsets).every((b) => b === 0xff)) {
    throw new DataFileError(file, "HDF5 file was not closed properly (end-of-file address undefined)");
  }
  // The end-of-file address is absolute. A superblock found elsewhere than its base address
  // says (a user block added afterwards) moves the end with it, as the HDF5 library does.
  const baseAddress = readUint(head, baseField, sizeOfOffsets);
  const declared = readUint(head, eofField, sizeOfOffsets) + (at - baseAddress);
  if (fileSize < declared) {
    throw new DataFileError(file, `truncated HDF5 file: ${fileSize} bytes on disk, the file declares ${declared}`);
  }
}
