// Guard against non-finite samples: one NaN would otherwise turn every feature into NaN (or,
// worse, into a plausible-looking index from a comparison that is always false).

/**
 * Throws `Error("record contains NaN at sample k")` (or Infinity / -Infinity) for the first
 * non-finite sample. `sum` is the plain sum of the record when the caller already has it:
 * a finite sum proves every sample finite, so the scan is skipped.
 */
export function assertFiniteRecord(x: ArrayLike<number>, sum?: number): void {
  if (sum !== undefined && Number.isFinite(sum)) return;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (!Number.isFinite(v)) throw new Error(`record contains ${v} at sample ${i}`);
  }
  if (sum !== undefined) throw new Error(`record sum overflows (${sum}); samples are too large`);
}
