// Per-channel settings of the processing config, in a module of their own: the pipeline's
// stages read them at run time, and their source-derived versions should not change when the
// config parser (processConfig.ts) does.

/** One value for every channel, or one per channel index. */
export type PerChannel<T> = T | T[];

/** The value of a per-channel setting for channel index `c` (error if the list is too short). */
export function forChannel<T>(value: PerChannel<T>, c: number, what = "setting"): T {
  if (!Array.isArray(value)) return value;
  if (c >= value.length) throw new RangeError(`${what} lists ${value.length} channel value(s), no value for channel ${c}`);
  return value[c];
}
