import {DataFileError} from "./errors.js";

// HDF5's own error for a foreign or truncated file is an unreadable stack from inside the C
// library (h5wasm surfaces it as "name not defined!"). Reading the superblock ourselves lets
// us say what is wrong: not HDF5 at all, or cut short before the end the file declares.

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Bytes of the file's start that `checkHdf5Header` needs (covers a superblock after a 2 KiB user block). */
export const HDF5_HEADER_BYTES = 4096;

function signatureAt(head: Uint8Array, offset: number): boolean {
  if (offset + SIGNATURE.length > head.length) return false;
  return SIGNATURE.every((b, i) => head[offset + i] === b);
}

function readUint(head: Uint8Array, offset: number, size: number): number {
  let v = 0;
  for (let i = size - 1; i >= 0; --i) v = v * 256 + head[offset + i];
  return v;
}

/** Where in `head` the HDF5 signature is, or -1: at 0, 512, 1024, 2048, … (after a user block). */
export function hdf5SignatureOffset(head: Uint8Array): number {
  for (let offset = 0; offset < head.length; offset = offset === 0 ? 512 : offset * 2) {
    if (signatureAt(head, offset)) return offset;
  }
  return -1;
}

/**
 * Checks that `head` (the first bytes of a file of `fileSize` bytes) is an HDF5 superblock and
 * that the file is not shorter than the end-of-file address it declares. Throws DataFileError.
 */
export function checkHdf5Header(head: Uint8Array, fileSize: number, file: string): void {
  if (fileSize === 0) throw new DataFileError(file, "file is empty (0 bytes), expected HDF5");
  const base = hdf5SignatureOffset(head);
  if (base < 0) throw new DataFileError(file, "not an HDF5 file (no HDF5 signature found)");
  const version = head[base + 8];
  let sizeOfOffsets: number, eofField: number, baseField: number;
  if (version === 0 || version === 1) {
    sizeOfOffsets = head[base + 13];
    baseField = base + 24 + (version === 1 ? 4 : 0);
    eofField = baseField + 2 * sizeOfOffsets;
  } else if (version === 2 || version === 3) {
    sizeOfOffsets = head[base + 9];
    baseField = base + 12;
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
  const baseAddress = readUint(head, baseField, sizeOfOffsets);
  const eof = readUint(head, eofField, sizeOfOffsets);
  const declared = baseAddress + eof;
  if (fileSize < declared) {
    throw new DataFileError(file, `truncated HDF5 file: ${fileSize} bytes on disk, the file declares ${declared}`);
  }
}
