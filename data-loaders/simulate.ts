// Simulated detector module → cait-layout HDF5, written chunk by chunk (any size in bounded
// memory) and atomically. Every event depends only on (seed, group, index), so the file does
// not depend on the chunk size.

import {createCaitFile} from "./io/node.js";
import {CRESST_LIKE, simulateChunk, type DetectorPreset} from "../lib/sim/index.js";
import type {RecordGroup} from "../lib/types.js";
import {sourceVersion} from "./pipeline/sourceVersion.js";
import {hdf5Provenance, provenanceStamp} from "./provenance.js";

/** Source-derived version of the simulator (lib/sim and what it imports). */
export const simulatorVersion = (): string => sourceVersion(new URL("../lib/sim/index.ts", import.meta.url).href);

export interface SimulationOptions {
  events: number;
  testpulses?: number;
  noise?: number;
  seed?: number;
  preset?: DetectorPreset;
  /** Events simulated and written per step. */
  chunkEvents?: number;
  onProgress?: (done: number, total: number) => void;
}

export async function writeSimulation(path: string, options: SimulationOptions): Promise<void> {
  const {events, testpulses = 0, noise = 0, seed = 1, preset = CRESST_LIKE, chunkEvents = 64, onProgress} = options;
  const counts: [RecordGroup, number][] = [["events", events], ["testpulses", testpulses], ["noise", noise]];
  const total = events + testpulses + noise;
  await createCaitFile(path, {
    layout: preset.layout,
    channelNumbers: preset.channelNumbers,
    groups: counts.filter(([, n]) => n > 0).map(([group, count]) => ({group, count, labels: group === "events"})),
    // The simulator knows what it made: volts, its trigger, its channels (named as cait names them).
    meta: {unit: "V", pretriggerIndex: preset.layout.triggerIndex, channelNames: preset.channels.map((c, i) => `${c.name} Ch${preset.channelNumbers[i]}`)},
    // The stamp carries the Pulsebook version (it replaced the attribute pulsebook_version).
    attributes: {
      pulsebook_simulation: JSON.stringify({preset: preset.name, seed, events, testpulses, noise}),
      ...hdf5Provenance(provenanceStamp({stages: {simulate: simulatorVersion()}, parameters: {preset: preset.name, seed, events, testpulses, noise}, command: "writeSimulation"}))
    }
  }, (writer) => {
    let done = 0;
    for (const [group, n] of counts) {
      for (let start = 0; start < n; start += chunkEvents) {
        const count = Math.min(chunkEvents, n - start);
        writer.write(simulateChunk(preset, {group, start, count, seed}).chunk);
        done += count;
        onProgress?.(done, total);
      }
    }
  });
}
