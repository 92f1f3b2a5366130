// A .npy array on disk (a file of its own, or a stored entry of an .npz at an offset), read
// by offset: a chunk of events is one contiguous read when events are the outer axis, else one
// read per index of the axes before it. Memory: one chunk.
import {closeSync, openSync, readSync} from "node:fs";
import {DataFileError} from "../../lib/io/errors.js";
import {elementReader, npyHeaderLength, NPY_PREFIX_BYTES, parseNpyHeader, type NpyHeader} from "../../lib/io/npy.js";
import {DEFAULT_LAYOUT, fortranAsC, parseLayout, scatterBlock, traceShape, type Axis} from "../../lib/io/traceLayout.js";
import {fileProblem, fileSize} from "../io/readFile.js";
import type {TraceSource} from "./traceSource.js";

export interface NpyAt {
  /** The file holding the array. */
  path: string;
  /** What errors name (the .npy, or "x.npz [traces.npy]"). */
  file: string;
  /** Offset of the .npy's first byte in `path`, and its length. */
  offset: number;
  length: number;
}

function readExact(fd: number, file: string, buf: Uint8Array, at: number, length: number, position: number): void {
  let got = 0;
  while (got < length) {
    let k: number;
    try {
      k = readSync(fd, buf, at + got, length - got, position + got);
    } catch (e) {
      throw new DataFileError(file, fileProblem(e));
    }
    if (k === 0) throw new DataFileError(file, `truncated: the file ended at byte ${position + got}, before the data its header declares`);
    got += k;
  }
}

/** The header of the .npy at `at`, checked against the bytes present. */
function readHeader(fd: number, at: NpyAt): NpyHeader {
  const prefix = new Uint8Array(Math.min(NPY_PREFIX_BYTES, at.length));
  readExact(fd, at.file, prefix, 0, prefix.length, at.offset);
  const n = npyHeaderLength(prefix, at.file);
  if (n > at.length) throw new DataFileError(at.file, `truncated .npy: ${at.length} bytes, its header alone declares ${n}`);
  const bytes = new Uint8Array(n);
  readExact(fd, at.file, bytes, 0, n, at.offset);
  const h = parseNpyHeader(bytes, at.file);
  const have = at.length - h.dataOffset;
  if (have < h.dataBytes) {
    throw new DataFileError(at.file, `truncated .npy: the header declares shape (${h.shape.join(", ")}) of ${h.dtype.descr}, ${h.dataBytes} bytes of data, but only ${have} follow it`);
  }
  if (have > h.dataBytes) throw new DataFileError(at.file, `${have - h.dataBytes} bytes after the data that the header (shape (${h.shape.join(", ")}) of ${h.dtype.descr}) declares: not a single .npy array, or a damaged one`);
  return h;
}

export function openNpy(at: NpyAt, options: {layout?: string; format?: string; description?: {[key: string]: unknown}}): TraceSource {
  if (at.path === at.file) fileSize(at.path); // a missing file or a folder: said in words
  let fd: number;
  try {
    fd = openSync(at.path, "r");
  } catch (e) {
    throw new DataFileError(at.file, fileProblem(e));
  }
  try {
    const h = readHeader(fd, at);
    const layout = options.layout ?? DEFAULT_LAYOUT[h.shape.length] ?? "";
    const given = parseLayout(layout, h.shape.length, at.file);
    // Fortran order: the same bytes are the C-order array of the reversed axes.
    const {axes, shape: stored} = h.fortranOrder ? fortranAsC(given, h.shape) : {axes: given, shape: h.shape};
    const shape = traceShape(axes, stored);
    if (shape.nEvents === 0 || shape.nChannels === 0 || shape.recordLength === 0) {
      throw new DataFileError(at.file, `empty array: shape (${h.shape.join(", ")}) as ${layout} gives ${shape.nEvents} events × ${shape.nChannels} channels × ${shape.recordLength} samples`);
    }
    const e = axes.indexOf("e" as Axis);
    const outer = e < 0 ? 1 : stored.slice(0, e).reduce((a, b) => a * b, 1);
    const inner = e < 0 ? stored.reduce((a, b) => a * b, 1) : stored.slice(e + 1).reduce((a, b) => a * b, 1);
    const size = h.dtype.size;
    const base = at.offset + h.dataOffset;
    let buf = new Uint8Array(0);
    return {
      file: at.file,
      format: options.format ?? "npy",
      description: {...options.description, dtype: h.dtype.descr, order: h.fortranOrder ? "F" : "C", shape: h.shape, layout},
      shape,
      layout,
      layoutAssumed: options.layout === undefined && h.shape.length > 1,
      found: {},
      read(start, count, out) {
        const run = count * inner * size;
        if (buf.length < outer * run) buf = new Uint8Array(outer * run);
        for (let o = 0; o < outer; o++) {
          readExact(fd, at.file, buf, o * run, run, base + ((o * shape.nEvents + start) * inner) * size);
        }
        const value = elementReader(new DataView(buf.buffer, 0, outer * run), h.dtype);
        scatterBlock(value, axes, shape, start, count, out, at.file);
      },
      close() {
        closeSync(fd);
      }
    };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}
