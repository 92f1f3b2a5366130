// Labeled training records from an open cait file: the part shared by `pulsebook train --data`
// (data-loaders/ml.ts, files opened with h5wasm/node) and the training page (files the user
// picks, opened in the page with openCaitBuffer), so both build the same set from the same file.
import type {CaitFile} from "../../io/caitFile.js";
import {DataFileError} from "../../io/errors.js";
import {chunkRecord} from "../../types.js";
import {Rng} from "../../math/random.js";
import {binaryTarget} from "./labels.js";
import {MODEL_SAMPLES, preprocessRecord} from "./preprocess.js";
import {shuffleInPlace, subset, type LabeledSet} from "./dataset.js";

export interface CaitLabeledOptions {
  /** Position of the file in a list: detector = fileIndex × channels + channel. */
  fileIndex?: number;
  /**
   * Labels replacing `events/labels` record by record, channel × event (cait's layout); −1
   * where the file's own label stands. Node reads them from a label table (trainLabels.ts).
   */
  override?: ArrayLike<number>;
  /** What to call the override in the "no labels" error (e.g. "a label file (--labels)"). */
  overrideHint?: string;
  chunkEvents?: number;
}

/** The labeled set of one file, with the event of each record and how many labels came from the override. */
export interface CaitLabeledSet extends LabeledSet {
  event: Int32Array;
  fromOverride: number;
}

/**
 * Records of the events group of `file` → LabeledSet: each record downsampled to 512 samples and
 * min–max scaled (preprocess.ts), cait label → binary target (labels.ts), unlabeled records
 * (class 0) left out, one detector per channel, records of a detector consecutive (weak
 * shuffling cuts batches within a detector). Problems are DataFileErrors naming the file.
 */
export function labeledSetFromCait(file: CaitFile, o: CaitLabeledOptions = {}): CaitLabeledSet {
  const {layout, channels, hasLabels} = file.dataset;
  if (file.dataset.groups.events === undefined) throw new DataFileError(file.file, `no events group: training needs labeled events (file has: ${Object.keys(file.dataset.groups).join(", ")})`, "events");
  const nEvents = file.count("events");
  const override = o.override;
  if (!hasLabels && !override) throw new DataFileError(file.file, `no labels: training needs the events/labels dataset${o.overrideHint ? ` or ${o.overrideHint}` : ""}`, "events/labels");
  if (layout.recordLength % MODEL_SAMPLES !== 0) throw new DataFileError(file.file, `record length ${layout.recordLength} is not a multiple of ${MODEL_SAMPLES}`, "events/event");
  if (override && override.length !== nEvents * channels.length) throw new RangeError(`label override has ${override.length} entries, file has ${channels.length} × ${nEvents} records`);
  const rows: {x: Float32Array; y: number; det: number; cls: number; event: number}[] = [];
  let fromOverride = 0;
  const first = (o.fileIndex ?? 0) * channels.length;
  for (const chunk of file.chunks("events", o.chunkEvents ?? 256)) {
    for (let c = 0; c < chunk.nChannels; c++) {
      for (let i = 0; i < chunk.count; i++) {
        const ov = override ? override[c * nEvents + chunk.start + i] : -1;
        const cls = ov >= 0 ? ov : chunk.labels?.[c * chunk.count + i] ?? 0;
        const y = binaryTarget(cls);
        if (y < 0) continue;
        if (ov >= 0) fromOverride++;
        rows.push({x: preprocessRecord(chunkRecord(chunk, c, i)), y, det: first + c, cls, event: chunk.start + i});
      }
    }
  }
  // Stable sort: within a detector, records stay in event order.
  rows.sort((a, b) => a.det - b.det);
  const n = rows.length;
  const set: CaitLabeledSet = {x: new Float32Array(n * MODEL_SAMPLES), y: new Float32Array(n), detector: new Int32Array(n), labelClass: new Int32Array(n), samples: MODEL_SAMPLES, event: new Int32Array(n), fromOverride};
  rows.forEach((r, k) => { set.x.set(r.x, k * MODEL_SAMPLES); set.y[k] = r.y; set.detector[k] = r.det; set.labelClass[k] = r.cls; set.event[k] = r.event; });
  return set;
}

/** Positive records of a set and their share. */
export function classCounts(set: LabeledSet): {records: number; positive: number; negative: number; positiveShare: number} {
  let positive = 0;
  for (let i = 0; i < set.y.length; i++) positive += set.y[i];
  const records = set.y.length;
  return {records, positive, negative: records - positive, positiveShare: records ? positive / records : NaN};
}

/**
 * A set a classifier can learn from needs both classes (class weights, balanced accuracy):
 * a DataFileError naming `files` otherwise.
 */
export function checkBothClasses(set: LabeledSet, files: string, role = "training"): void {
  const {records, positive, negative} = classCounts(set);
  if (records === 0) throw new DataFileError(files, `no labeled records for ${role} (every record is unlabeled)`, "events/labels");
  if (positive === 0) throw new DataFileError(files, `no positive records for ${role} (labels 1 Event_Pulse or 9 Strongly_Saturated_Event_Pulse): ${negative} records, all artefacts`, "events/labels");
  if (negative === 0) throw new DataFileError(files, `no negative records for ${role} (artefact labels): ${positive} records, all event pulses`, "events/labels");
}

/**
 * Splits a set by event: a seeded random `fraction` of the events (all channels of a chosen event
 * together) goes to validation. The records keep their order, so each detector's records stay
 * consecutive on both sides. Same detectors on both sides: a weaker test than other detectors.
 */
export function holdOutEvents(set: LabeledSet & {event: Int32Array}, fraction: number, seed = 1): {train: LabeledSet; validation: LabeledSet; heldOutEvents: number[]} {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`held-out fraction must lie in (0, 1), got ${fraction}`);
  const events = [...new Set(set.event)].sort((a, b) => a - b);
  const rng = new Rng(seed, 0x5e1);
  // Shuffled, then the first round(fraction × events) are held out (at least one).
  shuffleInPlace(events, rng);
  const held = new Set(events.slice(0, Math.max(1, Math.round(fraction * events.length))));
  const t: number[] = [], v: number[] = [];
  for (let i = 0; i < set.y.length; i++) (held.has(set.event[i]) ? v : t).push(i);
  return {train: subset(set, t), validation: subset(set, v), heldOutEvents: [...held].sort((a, b) => a - b)};
}
