// A user block put in front of an HDF5 file the way the HDF5 library writes one (h5py's
// `userblock_size`): the superblock moves to byte `size`, its base address becomes `size`, its
// end-of-file address (absolute) grows by `size`, and the version 2/3 superblock's checksum is
// recomputed (Jenkins' lookup3, HDF5's H5_checksum_lookup3). Other addresses stay relative.

const rot = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

/** Bob Jenkins' lookup3 `hashlittle` (byte-wise), as HDF5 checksums its metadata. */
export function lookup3(k: Uint8Array, initval = 0): number {
  let length = k.length;
  let a = (0xdeadbeef + length + initval) >>> 0, b = a, c = a;
  let i = 0;
  const word = (j: number) => (k[j] | (k[j + 1] << 8) | (k[j + 2] << 16) | (k[j + 3] << 24)) >>> 0;
  while (length > 12) {
    a = (a + word(i)) >>> 0; b = (b + word(i + 4)) >>> 0; c = (c + word(i + 8)) >>> 0;
    a = (a - c) >>> 0; a = (a ^ rot(c, 4)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rot(a, 6)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rot(b, 8)) >>> 0; b = (b + a) >>> 0;
    a = (a - c) >>> 0; a = (a ^ rot(c, 16)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rot(a, 19)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rot(b, 4)) >>> 0; b = (b + a) >>> 0;
    length -= 12; i += 12;
  }
  if (length === 0) return c;
  const tail = new Uint8Array(12);
  tail.set(k.subarray(i, i + length));
  const t = (j: number) => (tail[j] | (tail[j + 1] << 8) | (tail[j + 2] << 16) | (tail[j + 3] << 24)) >>> 0;
  a = (a + t(0)) >>> 0; b = (b + t(4)) >>> 0; c = (c + t(8)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 14)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rot(c, 11)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rot(a, 25)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 16)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rot(c, 4)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rot(a, 14)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 24)) >>> 0;
  return c;
}

/** `file` (an HDF5 file with a version 2 or 3 superblock at byte 0, 8-byte offsets) with a user block of `size` bytes. */
export function withUserBlock(file: Uint8Array, size: number, fill = 0x23): Uint8Array {
  if (file[8] !== 2 && file[8] !== 3) throw new Error(`superblock version ${file[8]}: only 2 and 3 supported here`);
  if (file[9] !== 8) throw new Error("only 8-byte offsets supported here");
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (lookup3(file.subarray(0, 44)) !== view.getUint32(44, true)) throw new Error("superblock checksum does not match before the change");
  const out = new Uint8Array(size + file.length);
  out.fill(fill, 0, size);
  out.set(file, size);
  const sb = new DataView(out.buffer, size, 48);
  sb.setBigUint64(12, sb.getBigUint64(12, true) + BigInt(size), true);
  sb.setBigUint64(28, sb.getBigUint64(28, true) + BigInt(size), true);
  sb.setUint32(44, lookup3(out.subarray(size, size + 44)), true);
  return out;
}
