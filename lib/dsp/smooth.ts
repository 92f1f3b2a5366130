// Box-car (moving-average) smoothing with edge padding, as cait's main parameters use it.

/**
 * Moving average of `windowSamples` samples with the edge values repeated past both ends:
 * out[i] = mean(x[clamp(i - ⌊w/2⌋)] … x[clamp(i - ⌊w/2⌋ + w - 1)]) − offset.
 * For w = 50 that is the mean of x[i-25 … i+24] (cait's `box_car_smoothing`).
 *
 * O(L) with a running window sum. The sum runs over the raw samples and `offset` is taken off
 * afterwards: for 16-bit digitised records every partial sum is then exact in float64, so equal
 * windows give bit-equal outputs and argmax ties resolve to the first index.
 */
export function boxcarSmooth(
  x: ArrayLike<number>,
  windowSamples: number,
  out: Float64Array = new Float64Array(x.length),
  offset = 0
): Float64Array {
  const n = x.length;
  const w = windowSamples;
  if (!Number.isInteger(w) || w < 1) throw new RangeError(`box-car window must be a positive integer, got ${w}`);
  if (out.length < n) throw new RangeError(`output holds ${out.length} samples, record has ${n}`);
  if (n === 0) return out;
  const back = Math.floor(w / 2); // samples before i in the window
  const ahead = w - back; // index of the sample entering the window when moving i → i+1
  const last = n - 1;
  let sum = 0;
  for (let j = -back; j < w - back; j++) sum += x[j < 0 ? 0 : j > last ? last : j];
  out[0] = sum / w - offset;
  // Same running sum as one clamped loop, split so that the interior has no clamping branches
  // (this loop dominates feature extraction).
  const interiorEnd = Math.max(back, Math.min(last, n - ahead)); // i < interiorEnd ⇒ enter ≤ last
  let i = 0;
  for (; i < last && i < back; i++) {
    const enter = i + ahead;
    sum += x[enter > last ? last : enter] - x[0];
    out[i + 1] = sum / w - offset;
  }
  for (; i < interiorEnd; i++) {
    sum += x[i + ahead] - x[i - back];
    out[i + 1] = sum / w - offset;
  }
  for (; i < last; i++) {
    const enter = i + ahead;
    const leave = i - back;
    sum += x[enter > last ? last : enter] - x[leave < 0 ? 0 : leave];
    out[i + 1] = sum / w - offset;
  }
  return out;
}
