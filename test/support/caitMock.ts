// cait's reference data for the tests: a subset of the files cait itself made for its mock run,
// vendored in test/fixtures/cait-mock (its README.md says what each file holds and how it was cut).
import {join} from "node:path";
import {fileURLToPath} from "node:url";

export const CAIT_MOCK = fileURLToPath(new URL("../fixtures/cait-mock/", import.meta.url));
export const CAIT_MOCK_RAW = join(CAIT_MOCK, "raw");
/** cait's conversion and processing of mock_001: events 12, testpulses 9 (the first three pulser cycles), noise 80. */
export const CAIT_PROCESSED = join(CAIT_MOCK, "mock_001-P_Ch0-L_Ch1.h5");
/** cait's simulate_pulses on mock_001's noise: records of the first 4 of 80 pulses, of_ph etc. of all 80. */
export const CAIT_SIMULATED = join(CAIT_MOCK, "mock_001_sim_resolution.h5");
export const CAIT_REFERENCE_VALUES = join(CAIT_MOCK, "reference_values.json");
export const CAIT_STREAM_REFERENCE = join(CAIT_MOCK, "stream_trigger_reference.json");
