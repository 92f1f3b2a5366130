// Arrays of traces as other tools store them: some order of the axes event (e), channel (c) and
// sample (s), C order (last axis fastest). A layout names the stored axes in order; an axis it
// leaves out has length 1 (event × sample is one channel). Fortran order is C order of the
// reversed axes, so it is turned into that once and nothing else needs to know.

import {DataFileError} from "./errors.js";

export type Axis = "e" | "c" | "s";

export interface TraceShape {
  nEvents: number;
  nChannels: number;
  recordLength: number;
}

/** The layout assumed when none is given: records of one channel for rank 2, of C channels for rank 3. */
export const DEFAULT_LAYOUT: {[rank: number]: string} = {1: "s", 2: "es", 3: "ecs"};

/** Checks a layout string against the array's rank; its letters as axes. */
export function parseLayout(layout: string, rank: number, file: string): Axis[] {
  const axes = [...layout] as Axis[];
  const ok = axes.length === rank && axes.every((a) => a === "e" || a === "c" || a === "s") && new Set(axes).size === axes.length && axes.includes("s");
  if (!ok) {
    const examples = rank === 3 ? "ecs, esc, ces, …" : rank === 2 ? "es, se, cs, sc" : rank === 1 ? "s" : "";
    throw new DataFileError(file, rank < 1 || rank > 3
      ? `the array has ${rank} dimensions; traces need 1 (sample), 2 (e.g. event × sample) or 3 (event × channel × sample)`
      : `layout "${layout}" does not fit an array of ${rank} dimension${rank > 1 ? "s" : ""}: name each axis once with e (event), c (channel), s (sample), e.g. ${examples}`);
  }
  return axes;
}

/** Events, channels and samples of an array of `shape` stored with `axes`. */
export function traceShape(axes: readonly Axis[], shape: readonly number[]): TraceShape {
  const n = (a: Axis) => (axes.includes(a) ? shape[axes.indexOf(a)] : 1);
  return {nEvents: n("e"), nChannels: n("c"), recordLength: n("s")};
}

/** A Fortran-order array as the C-order array of the same bytes (axes and shape reversed). */
export function fortranAsC(axes: readonly Axis[], shape: readonly number[]): {axes: Axis[]; shape: number[]} {
  return {axes: [...axes].reverse(), shape: [...shape].reverse()};
}

/**
 * Scatters a block read from storage, events [e0, e0 + count) of every channel and sample in
 * C order of `axes` (the event axis cut to `count`), into `out`, channel-major as cait's
 * chunks are: out[(c·count + i)·L + s]. `value(k)` is the k-th stored value of the block.
 * A non-finite value, or one beyond float32, is an error naming event, channel and sample.
 */
export function scatterBlock(
  value: (k: number) => number, axes: readonly Axis[], shape: TraceShape, e0: number, count: number, out: Float32Array, file: string
): void {
  const L = shape.recordLength;
  const len: {[a in Axis]: number} = {e: count, c: shape.nChannels, s: L};
  const stride: {[a in Axis]: number} = {e: L, c: count * L, s: 1};
  // Missing axes have length 1 and go in front: C order is unchanged, and the loop is always 3 deep.
  const all: Axis[] = [...(["e", "c", "s"] as Axis[]).filter((a) => !axes.includes(a)), ...axes];
  const [n0, n1, n2] = all.map((a) => len[a]);
  const [o0, o1, o2] = all.map((a) => stride[a]);
  let k = 0;
  for (let i0 = 0; i0 < n0; i0++) {
    for (let i1 = 0; i1 < n1; i1++) {
      const base = i0 * o0 + i1 * o1;
      for (let i2 = 0; i2 < n2; i2++) {
        const v = value(k++);
        const at = base + i2 * o2;
        out[at] = v;
        if (!Number.isFinite(out[at])) {
          const c = Math.floor(at / (count * L)), e = e0 + Math.floor(at / L) % count, s = at % L;
          throw new DataFileError(file, `sample ${s} of event ${e}, channel ${c} is ${v}${Number.isFinite(v) ? " (beyond float32, which cait stores)" : ""}: records must hold finite numbers`);
        }
      }
    }
  }
}

/** Events per chunk so that one chunk of float64 values stays near `bytes` (at least one event). */
export function chunkEventsFor(shape: TraceShape, bytes = 4 << 20): number {
  return Math.max(1, Math.min(shape.nEvents, Math.floor(bytes / (8 * shape.nChannels * shape.recordLength))));
}
