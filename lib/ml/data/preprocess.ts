// The paper's preprocessing (Sec. 2): each record downsampled to 512 samples by averaging
// consecutive blocks (25 kHz × 16384 → 32 samples a block, 8192 → 16), then min–max scaled on
// its own so that its minimum is 0 and its maximum 1: only the shape is kept. The one copy:
// the classifiers and the data manifold (lib/ml/manifold) both prepare records here.
import {chunkRecord, type EventChunk, type FloatArray} from "../../types.js";

export const MODEL_SAMPLES = 512;

export interface Preprocessing {
  samples: number;
  downsampling: "block-mean";
  scaling: "min-max per record";
}

export const PREPROCESSING: Preprocessing = {samples: MODEL_SAMPLES, downsampling: "block-mean", scaling: "min-max per record"};

/** Block means of `record` over `bins` bins (bin b covers samples ⌊b·n/bins⌋ … ⌊(b+1)·n/bins⌋−1). */
export function downsampleMean<T extends FloatArray = Float64Array>(record: ArrayLike<number>, bins: number, out: T = new Float64Array(bins) as T): T {
  const n = record.length;
  if (!Number.isInteger(bins) || bins < 1 || bins > n) throw new RangeError(`cannot downsample ${n} samples to ${bins}`);
  for (let b = 0; b < bins; ++b) {
    const start = Math.floor((b * n) / bins), end = Math.floor(((b + 1) * n) / bins);
    let s = 0;
    for (let i = start; i < end; ++i) s += record[i];
    out[b] = s / (end - start);
  }
  return out;
}

/** The classifiers' downsampling: block means of `record` into `out` (length n), the record
 *  length a multiple of n (every block the same size, as in the paper). */
export function downsample(record: ArrayLike<number>, n = MODEL_SAMPLES, out: Float32Array = new Float32Array(n)): Float32Array {
  const L = record.length;
  if (L < n || L % n !== 0) throw new RangeError(`cannot downsample a record of ${L} samples to ${n}: not a multiple`);
  return downsampleMean(record, n, out);
}

/** Scales `x` in place to [0, 1] (a constant record becomes all 0). */
export function minMaxScale<T extends FloatArray>(x: T): T {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const range = hi - lo;
  if (!(range > 0) || !Number.isFinite(range)) {
    x.fill(0);
    return x;
  }
  const inv = 1 / range;
  for (let i = 0; i < x.length; i++) x[i] = (x[i] - lo) * inv;
  return x;
}

/** Downsampled and scaled record, written into `out`. */
export function preprocessRecord(record: ArrayLike<number>, out: Float32Array = new Float32Array(MODEL_SAMPLES)): Float32Array {
  return minMaxScale(downsample(record, out.length, out));
}

/**
 * All records of a chunk (channel-major, as in the chunk), preprocessed into one array of
 * nChannels × count rows of 512.
 */
export function preprocessChunk(chunk: EventChunk, n = MODEL_SAMPLES): Float32Array {
  const out = new Float32Array(chunk.nChannels * chunk.count * n);
  for (let c = 0; c < chunk.nChannels; c++) {
    for (let i = 0; i < chunk.count; i++) {
      const row = c * chunk.count + i;
      preprocessRecord(chunkRecord(chunk, c, i), out.subarray(row * n, (row + 1) * n));
    }
  }
  return out;
}
