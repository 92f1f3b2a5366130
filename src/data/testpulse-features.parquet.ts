// Main pulse parameters of the demo test pulses, one row per (test pulse, channel), plus the
// test-pulse amplitude (TPA) the pulser was set to — the feature table does not carry it, so
// it is read from `testpulses/testpulseamplitude` here. Input of the calibration tutorial.
import {openCaitFile} from "../../data-loaders/io/node.js";
import {encodeParquet, type Columns} from "../../data-loaders/io/parquet.js";
import {computeFeatures, FEATURE_COLUMNS} from "../../lib/dsp/features.js";
import {ensureDemoFile} from "../../data-loaders/demo.js";
import {fileIdentity, FEATURES_FORMAT_VERSION, PULSEBOOK_VERSION} from "../../data-loaders/provenance.js";

const input = await ensureDemoFile();
const file = await openCaitFile(input);
try {
  const n = file.count("testpulses");
  const chunk = file.readChunk("testpulses", 0, n);
  if (!chunk.testpulseAmplitude) throw new Error(`${input}: testpulses/testpulseamplitude is missing`);
  const {rows, ...features} = computeFeatures(chunk, file.dataset.layout);
  // Rows are event-major: row = i·nChannels + c, so the TPA of row r is that of event ⌊r/nch⌋.
  const tpa = Float64Array.from({length: rows}, (_, r) => chunk.testpulseAmplitude![Math.floor(r / chunk.nChannels)]);
  const bytes = encodeParquet({...(features as Columns), tpa}, {
    "pulsebook.version": PULSEBOOK_VERSION,
    "pulsebook.table": "features",
    "pulsebook.format_version": FEATURES_FORMAT_VERSION,
    "pulsebook.command": "src/data/testpulse-features.parquet.ts",
    "pulsebook.input": JSON.stringify(fileIdentity(input)),
    "pulsebook.group": "testpulses",
    "pulsebook.columns": JSON.stringify([...FEATURE_COLUMNS, {name: "tpa", unit: "TPA", dtype: "float64", description: "Test-pulse amplitude the pulser was set to (testpulses/testpulseamplitude)"}])
  });
  process.stdout.write(bytes);
} finally {
  file.close();
}
