// The `.con` file of control pulses (docs/data-format.md): a 12-byte file header, then 24-byte
// records `int32 detector, float32 pulse_height, uint32 time_low, uint32 time_high, float32,
// int32`, one per channel and control pulse; time = (high·2³² + low) ticks of the 10 MHz clock.
// cait's `include_con_file` writes `controlpulses/hours` (ncp) and `pulse_height` (nch × ncp).

import {DataFileError} from "./errors.js";

export const CON_FILE_HEADER_BYTES = 12;
export const CON_RECORD_BYTES = 24;
export const CLOCK_HZ = 1e7;

export interface ControlPulses {
  /** Per control pulse: hours of the run clock. */
  hours: Float64Array;
  /** Channel-major (channel × control pulse), V. */
  pulseHeight: Float64Array;
}

/** Parses `.con` bytes for `channels` (detector numbers, in output order). */
export function parseCon(bytes: Uint8Array, channels: readonly number[], file: string): ControlPulses {
  if (bytes.length < CON_FILE_HEADER_BYTES) throw new DataFileError(file, `shorter (${bytes.length} B) than the ${CON_FILE_HEADER_BYTES}-byte header`);
  const body = bytes.length - CON_FILE_HEADER_BYTES;
  if (body % CON_RECORD_BYTES !== 0) {
    throw new DataFileError(file, `truncated record: ${body % CON_RECORD_BYTES} B left after ${Math.floor(body / CON_RECORD_BYTES)} records of ${CON_RECORD_BYTES} B`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = body / CON_RECORD_BYTES;
  const perChannel = channels.map(() => ({hours: [] as number[], ph: [] as number[]}));
  for (let r = 0; r < n; r++) {
    const o = CON_FILE_HEADER_BYTES + r * CON_RECORD_BYTES;
    const c = channels.indexOf(view.getInt32(o, true));
    if (c < 0) continue;
    const ticks = view.getUint32(o + 12, true) * 2 ** 32 + view.getUint32(o + 8, true);
    perChannel[c].hours.push(ticks / CLOCK_HZ / 3600);
    perChannel[c].ph.push(view.getFloat32(o + 4, true));
  }
  const count = perChannel[0].hours.length;
  perChannel.forEach((p, c) => {
    if (p.hours.length !== count) {
      throw new DataFileError(file, `channels missing from the interleaving: ${p.hours.length} control pulses of channel ${channels[c]}, ${count} of channel ${channels[0]}`);
    }
    p.hours.forEach((h, i) => {
      if (h !== perChannel[0].hours[i]) throw new DataFileError(file, `control pulse ${i}: channel ${channels[c]} at ${h} h, channel ${channels[0]} at ${perChannel[0].hours[i]} h`);
    });
  });
  const pulseHeight = new Float64Array(channels.length * count);
  perChannel.forEach((p, c) => pulseHeight.set(p.ph, c * count));
  return {hours: Float64Array.from(perChannel[0].hours), pulseHeight};
}
