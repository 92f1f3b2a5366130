// The file-system side of a simulated DAQ run (lib/sim/daqRun.ts): write its files into a folder,
// and give a converted run the optimum filter that the stream trigger reads — cait's `calc_sev`,
// `calc_nps` and `calc_of` in short: the SEV of the test pulses, the NPS of the empty baselines,
// and the filter stored as `optimumfilter/optimumfilter_real|imag` in the converted file.

import {atomicWrite} from "./io/atomicWrite.js";
import {join} from "node:path";
import h5wasm from "h5wasm/node";
import type {Group as H5Group} from "h5wasm";
import {noisePowerSpectrum} from "../lib/dsp/nps.js";
import {measuredResolution, optimumFilter, type OptimumFilter} from "../lib/dsp/optimumFilter.js";
import {standardEvent} from "../lib/dsp/standardEvent.js";
import {DataFileError, openCaitFile} from "./io/node.js";
import type {DaqRun} from "../lib/sim/daqRun.js";
import type {RecordGroup} from "../lib/types.js";

/** Writes every file of `run` into `dir` (created if needed); returns the paths by file name. */
export function writeDaqRun(run: DaqRun, dir: string): Map<string, string> {
  const paths = new Map<string, string>();
  for (const [name, bytes] of run.files) {
    const path = join(dir, name);
    atomicWrite(path, bytes); // creates `dir`; a killed run leaves whole files or none
    paths.set(name, path);
  }
  return paths;
}

export interface StoredFilter {
  filters: OptimumFilter[];
  /** Per channel: records averaged into the SEV, noise records, and the OF's resolution measured on them. */
  sevRecords: number;
  noiseRecords: number;
  resolution_V: number[];
}

/**
 * Builds one optimum filter per channel of the cait-layout file `path` (SEV of `sevGroup`, NPS of
 * the noise records; cait's conventions, so amplitudes compare with cait's) and stores it in the
 * file as cait's `calc_of` does.
 */
export async function storeOptimumFilter(path: string, sevGroup: RecordGroup = "testpulses"): Promise<StoredFilter> {
  const f = await openCaitFile(path);
  let stored: StoredFilter;
  try {
    const {layout, channels, groups} = f.dataset;
    const nSev = groups[sevGroup] ?? 0, nNoise = groups.noise ?? 0;
    if (nSev === 0) throw new DataFileError(path, `has no ${sevGroup} to make a standard event of`);
    if (nNoise < 2) throw new DataFileError(path, `has ${nNoise} noise records: a noise power spectrum needs at least 2`);
    const sev = f.readChunk(sevGroup, 0, nSev), noise = f.readChunk("noise", 0, nNoise);
    const L = layout.recordLength;
    const records = (chunk: typeof sev, c: number) => Array.from({length: chunk.count}, (_, i) => chunk.samples.subarray((c * chunk.count + i) * L, (c * chunk.count + i + 1) * L));
    const filters = channels.map((_, c) => optimumFilter(standardEvent(records(sev, c), layout).sev, noisePowerSpectrum(records(noise, c), layout).psd_V2_per_Hz, layout, {caitCompatible: true}));
    stored = {
      filters, sevRecords: nSev, noiseRecords: nNoise,
      resolution_V: filters.map((of, c) => measuredResolution(of, records(noise, c)).sigma_V)
    };
  } finally {
    f.close();
  }
  await h5wasm.ready;
  const h = filtersOut(stored.filters);
  const file = new h5wasm.File(path, "a");
  try {
    const g = file.keys().includes("optimumfilter") ? file.get("optimumfilter") as H5Group : file.create_group("optimumfilter");
    g.create_dataset({name: "optimumfilter_real", data: h.real, shape: [stored.filters.length, h.bins], dtype: "<d"});
    g.create_dataset({name: "optimumfilter_imag", data: h.imag, shape: [stored.filters.length, h.bins], dtype: "<d"});
  } finally {
    file.close();
  }
  return stored;
}

/** Transfer functions as cait stores them: channel × bin arrays of the real and imaginary parts. */
function filtersOut(filters: OptimumFilter[]): {real: Float64Array; imag: Float64Array; bins: number} {
  const bins = filters[0].transfer.length / 2;
  const real = new Float64Array(filters.length * bins), imag = new Float64Array(filters.length * bins);
  filters.forEach((of, c) => {
    for (let k = 0; k < bins; k++) {
      real[c * bins + k] = of.transfer[2 * k];
      imag[c * bins + k] = of.transfer[2 * k + 1];
    }
  });
  return {real, imag, bins};
}
