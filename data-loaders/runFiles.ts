// The files of a DAQ run that the converters find on their own, next to the raw data they are
// given: one place, shared by convert/trigger and by the CLI's guard of inputs (cli/paths.ts).
import {basename, dirname, join} from "node:path";

/** `RUN.rdt` → `RUN<ext>` next to it (`.par`, `.con`). */
export function rdtCompanion(rdt: string, ext: string): string {
  return join(dirname(rdt), basename(rdt).replace(/\.rdt$/i, "") + ext);
}

/** `stream_001_Ch0.csmpl` → `stream_001`. */
export function streamRunName(csmpl: string): string {
  return basename(csmpl).replace(/(_Ch\d+)?\.csmpl$/i, "");
}

/** The run's `<run><ext>` next to a stream (`.db`, `.dig_stamps`, `.test_stamps`). */
export function streamCompanion(csmpl: string, ext: string): string {
  return join(dirname(csmpl), streamRunName(csmpl) + ext);
}
