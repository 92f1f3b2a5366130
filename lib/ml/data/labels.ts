// From cait label classes to the classifier's binary target. Positive = a clean particle pulse:
// Event_Pulse, and saturated event pulses, which the paper's selection keeps ("let all PSs
// survive … also if they show saturation effects typical for high energy recoils", Sec. 2).
// Every artefact class is negative; unlabeled records are left out.
import {LABEL} from "../../types.js";

export const POSITIVE_LABELS: readonly number[] = [LABEL.EventPulse, LABEL.SaturatedEventPulse];
export const EXCLUDED_LABELS: readonly number[] = [LABEL.Unlabeled];

/** 1 (positive), 0 (negative) or -1 (not used for training or evaluation). */
export function binaryTarget(labelClass: number, positive: readonly number[] = POSITIVE_LABELS): 1 | 0 | -1 {
  if (EXCLUDED_LABELS.includes(labelClass)) return -1;
  return positive.includes(labelClass) ? 1 : 0;
}
