// From cait label classes to the classifier's binary target. Positive = a clean particle pulse
// (Event_Pulse); every artefact class is negative; unlabeled records are left out.
import {LABEL} from "../types.js";

export const POSITIVE_LABELS: readonly number[] = [LABEL.EventPulse];
export const EXCLUDED_LABELS: readonly number[] = [LABEL.Unlabeled];

/** 1 (positive), 0 (negative) or -1 (not used for training or evaluation). */
export function binaryTarget(labelClass: number, positive: readonly number[] = POSITIVE_LABELS): 1 | 0 | -1 {
  if (EXCLUDED_LABELS.includes(labelClass)) return -1;
  return positive.includes(labelClass) ? 1 : 0;
}
