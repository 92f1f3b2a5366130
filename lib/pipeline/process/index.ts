// The chain of `pulsebook process` as stages (docs/pipeline.md, docs/processing-config.md):
//
//   features       main parameters of every record of every group      (pass 1)
//   sev            records chosen by a SQL predicate → standard event per channel
//   nps            noise records chosen the same way → noise power spectrum
//   optimumFilter  SEV + NPS → optimum filter, predicted and measured resolution
//   ofAmplitude    OF amplitude and time of every record                (pass 2)
//   sevFit         SEV fit of every record                              (pass 2, the same read)
//   calibration    test-pulse response + a known line → tpa_equivalent, energy_keV
import type {ProcessConfig} from "../../config/processConfig.js";
import type {AnyStage} from "../stage.js";
import {calibrationStage} from "./calibration.js";
import type {ProcessContext} from "./context.js";
import {featuresStage} from "./features.js";
import {npsStage} from "./nps.js";
import {ofAmplitudeRecords, ofAmplitudeStage} from "./ofAmplitude.js";
import {optimumFilterStage} from "./optimumFilter.js";
import {sevStage} from "./sev.js";
import {recordPass} from "./recordPass.js";
import {sevFitRecords, sevFitStage} from "./sevFit.js";

export type {ProcessContext} from "./context.js";
export {chainGroups} from "./context.js";
export {filterOf} from "./optimumFilter.js";

/** ofAmplitude and sevFit read every record once between them when both run (recordPass.ts). */
const RECORDS = recordPass({ofAmplitude: ofAmplitudeRecords, sevFit: sevFitRecords});

/**
 * The stages of `pulsebook process`, in an order where each needs only earlier ones. The NPS
 * comes before the SEV: stages that do not need each other start in plan order (lib/pipeline/run.ts),
 * and the NPS, handed to a worker, then runs while this thread averages the SEV.
 */
export const PROCESS_STAGES: readonly AnyStage<ProcessConfig, ProcessContext>[] = [
  featuresStage, npsStage, sevStage, optimumFilterStage, {...ofAmplitudeStage, pass: RECORDS}, {...sevFitStage, pass: RECORDS}, calibrationStage
];
