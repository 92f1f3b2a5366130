// The label table of one data set, as analysts edit it: one entry per labelled record
// (event, channel), every edit an undoable change. Pure data, no I/O: the page persists each
// change (lib/labels/store.ts) and the codecs (csv.ts, parquet.ts) read and write the entries.

import {LABEL_CLASSES, type LabelClass} from "../types.js";

/** One labelled record. `label` is a cait class code (LABEL_CLASSES); 0 is never stored. */
export interface LabelEntry {
  event: number;
  channel: number;
  label: number;
  /** Who assigned it (free text, e.g. initials). */
  author: string;
  /** When, as an ISO 8601 UTC timestamp. */
  time: string;
  /** Free text. */
  note: string;
}

/** A record, by event index within the `events` group and channel index. */
export interface RecordRef {
  event: number;
  channel: number;
}

/** One edit: the entries of the touched records before and after (undefined = unlabelled). */
export interface LabelChange {
  refs: RecordRef[];
  before: (LabelEntry | undefined)[];
  after: (LabelEntry | undefined)[];
}

/** The cait class codes, in order. */
export const LABEL_CODES: readonly number[] = Object.keys(LABEL_CLASSES).map(Number).sort((a, b) => a - b);

export function isLabelClass(code: number): code is LabelClass {
  return Object.prototype.hasOwnProperty.call(LABEL_CLASSES, code);
}

/** cait's name of a class code (throws for a code cait does not define). */
export function labelName(code: number): string {
  if (!isLabelClass(code)) throw new RangeError(`${code} is not a cait label class`);
  return LABEL_CLASSES[code];
}

/** The class code of a cait class name or a numeric string (undefined when neither). */
export function labelCode(text: string): number | undefined {
  const t = text.trim();
  if (/^-?\d+(\.0*)?$/.test(t)) {
    const n = Number(t);
    return isLabelClass(n) ? n : undefined;
  }
  const lower = t.toLowerCase();
  for (const code of LABEL_CODES) if (LABEL_CLASSES[code as LabelClass].toLowerCase() === lower) return code;
  return undefined;
}

/**
 * Entries by channel, then by event: small-integer keys, which a Map hashes several times faster
 * than one combined number key (event · 65536 + channel is beyond small integers from event
 * 32,768 on; labelling 360,000 records took twice as long with it).
 */
class RecordMap<T> {
  private readonly byChannel = new Map<number, Map<number, T>>();
  size = 0;
  get(event: number, channel: number): T | undefined {
    return this.byChannel.get(channel)?.get(event);
  }
  set(event: number, channel: number, value: T): void {
    let m = this.byChannel.get(channel);
    if (!m) this.byChannel.set(channel, (m = new Map()));
    const before = m.size;
    m.set(event, value);
    this.size += m.size - before;
  }
  delete(event: number, channel: number): void {
    const m = this.byChannel.get(channel);
    if (m?.delete(event)) --this.size;
  }
  *values(): IterableIterator<T> {
    for (const m of this.byChannel.values()) yield* m.values();
  }
}

function checkRef({event, channel}: RecordRef): void {
  if (!Number.isInteger(event) || event < 0) throw new RangeError(`event must be an integer ≥ 0, got ${event}`);
  if (!Number.isInteger(channel) || channel < 0 || channel >= 65_536) throw new RangeError(`channel must be an integer in [0, 65535], got ${channel}`);
}

export interface AssignOptions {
  author: string;
  note?: string;
  /** Timestamp of the edit (default: now). */
  time?: string;
}

/** The labels of one data set with an undo/redo history. */
export class LabelBook {
  private readonly entries = new RecordMap<LabelEntry>();
  private readonly done: LabelChange[] = [];
  private readonly undone: LabelChange[] = [];

  constructor(entries: Iterable<LabelEntry> = []) {
    for (const e of entries) {
      checkRef(e);
      if (!isLabelClass(e.label)) throw new RangeError(`event ${e.event}, channel ${e.channel}: ${e.label} is not a cait label class`);
      if (e.label !== 0) this.entries.set(e.event, e.channel, {...e});
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get(event: number, channel: number): LabelEntry | undefined {
    return this.entries.get(event, channel);
  }

  /** Class code of a record (0 when unlabelled). */
  labelOf(event: number, channel: number): number {
    return this.entries.get(event, channel)?.label ?? 0;
  }

  /** All entries, sorted by event then channel. */
  list(): LabelEntry[] {
    return [...this.entries.values()].sort((a, b) => a.event - b.event || a.channel - b.channel);
  }

  /** Records per class code. */
  counts(): Map<number, number> {
    const out = new Map<number, number>();
    for (const e of this.entries.values()) out.set(e.label, (out.get(e.label) ?? 0) + 1);
    return out;
  }

  private apply(refs: RecordRef[], states: (LabelEntry | undefined)[]): void {
    for (let i = 0; i < refs.length; ++i) {
      const r = refs[i], s = states[i];
      if (s) this.entries.set(r.event, r.channel, s);
      else this.entries.delete(r.event, r.channel);
    }
  }

  /**
   * Labels `refs` with class `label` (0 removes their labels). Returns the change, which is
   * pushed on the undo stack (and clears redo), or undefined when nothing changed.
   */
  assign(refs: readonly RecordRef[], label: number, options: AssignOptions): LabelChange | undefined {
    if (!isLabelClass(label)) throw new RangeError(`${label} is not a cait label class`);
    const time = options.time ?? new Date().toISOString();
    const {author} = options, note = options.note ?? "";
    for (const r of refs) checkRef(r); // all checked before the book changes
    // Applied record by record as the change is built, so that a record named twice is seen
    // labelled (or unlabelled) already and skipped: no set of seen records (for 10⁵ records
    // that set was a fifth of the time, and garbage).
    const change: LabelChange = {refs: [], before: [], after: []};
    for (const {event, channel} of refs) {
      const before = this.entries.get(event, channel);
      if (!before && label === 0) continue;
      if (before && before.label === label && before.note === note && before.author === author) continue;
      const after = label === 0 ? undefined : {event, channel, label, author, time, note};
      if (after) this.entries.set(event, channel, after);
      else this.entries.delete(event, channel);
      change.refs.push({event, channel});
      change.before.push(before);
      change.after.push(after);
    }
    return this.commit(change, true);
  }

  /**
   * Merges imported entries: each replaces the record's current entry. Undoable as one change.
   */
  merge(entries: readonly LabelEntry[]): LabelChange | undefined {
    const change: LabelChange = {refs: [], before: [], after: []};
    const byRecord = new RecordMap<LabelEntry>();
    for (const e of entries) {
      checkRef(e);
      if (!isLabelClass(e.label)) throw new RangeError(`event ${e.event}, channel ${e.channel}: ${e.label} is not a cait label class`);
      byRecord.set(e.event, e.channel, e);
    }
    for (const e of byRecord.values()) {
      const before = this.entries.get(e.event, e.channel);
      const after = e.label === 0 ? undefined : {...e};
      if (!before && !after) continue;
      if (before && after && before.label === after.label && before.author === after.author && before.time === after.time && before.note === after.note) continue;
      change.refs.push({event: e.event, channel: e.channel});
      change.before.push(before);
      change.after.push(after);
    }
    return this.commit(change);
  }

  /** Applies a new change (unless `applied`) and makes it the one to undo next (nothing when it changes nothing). */
  private commit(change: LabelChange, applied = false): LabelChange | undefined {
    if (!change.refs.length) return undefined;
    if (!applied) this.apply(change.refs, change.after);
    this.done.push(change);
    this.undone.length = 0;
    return change;
  }

  get canUndo(): boolean {
    return this.done.length > 0;
  }

  get canRedo(): boolean {
    return this.undone.length > 0;
  }

  /** Reverts the last change; returns the change that was applied to revert it (to persist). */
  undo(): LabelChange | undefined {
    const change = this.done.pop();
    if (!change) return undefined;
    this.apply(change.refs, change.before);
    this.undone.push(change);
    return {refs: change.refs, before: change.after, after: change.before};
  }

  /** Re-applies the last undone change; returns it. */
  redo(): LabelChange | undefined {
    const change = this.undone.pop();
    if (!change) return undefined;
    this.apply(change.refs, change.after);
    this.done.push(change);
    return change;
  }
}
