// Agreement between analysts who labelled the same records, and the consensus their labels give.
// Pure: the authors' label tables in, numbers and lists out (data-loaders/labelsMerge.ts reads the
// files in labels/, the agreement page calls the same functions).
//
// Cohen's kappa (Cohen 1960): κ = (p_o − p_e) / (1 − p_e) on the records both authors labelled,
// p_o the fraction they agree on, p_e the agreement expected by chance from each author's class
// frequencies. Per class, one class against the rest (a 2 × 2 table). Its standard error is
// Cohen's large-sample approximation √(p_o(1 − p_o) / (n (1 − p_e)²)), the interval κ ± 1.96 SE.
// When every record is in one class for both authors, p_e = 1 and κ is undefined: kappa is null
// (agreement cannot be told from chance), never NaN. Fleiss' kappa (Fleiss 1971) for three or
// more authors, on the records all of them labelled.

import type {LabelEntry} from "./book.js";

/** One analyst's labels (the file labels/AUTHOR.parquet: `author` is the file's name). */
export interface AuthorLabels {
  author: string;
  entries: readonly LabelEntry[];
}

/** A kappa with its ingredients; kappa, se, low, high are null when p_e = 1 (see the top). */
export interface Kappa {
  kappa: number | null;
  se: number | null;
  /** 95 % interval, κ ± 1.96 SE (high at most 1). */
  low: number | null;
  high: number | null;
  /** Observed agreement p_o. */
  observed: number;
  /** Chance agreement p_e. */
  expected: number;
  /** Records. */
  n: number;
}

/** Cohen's kappa of a square confusion matrix (rows: one author, columns: the other). */
export function cohenKappa(matrix: readonly (readonly number[])[]): Kappa {
  const k = matrix.length;
  if (!k || matrix.some((row) => row.length !== k)) throw new RangeError("a confusion matrix must be square and not empty");
  let n = 0, diagonal = 0;
  const rows = new Array<number>(k).fill(0), cols = new Array<number>(k).fill(0);
  for (let i = 0; i < k; ++i) {
    for (let j = 0; j < k; ++j) {
      const c = matrix[i][j];
      if (!(c >= 0)) throw new RangeError(`confusion matrix cell [${i}][${j}] is ${c}, not a count`);
      n += c;
      rows[i] += c;
      cols[j] += c;
      if (i === j) diagonal += c;
    }
  }
  if (n === 0) throw new RangeError("no records: kappa needs records both authors labelled");
  const observed = diagonal / n;
  let expected = 0;
  for (let i = 0; i < k; ++i) expected += (rows[i] / n) * (cols[i] / n);
  // Rounding can leave 1 − p_e a few ulps above 0 when one class holds every record.
  if (1 - expected < 1e-12) return {kappa: null, se: null, low: null, high: null, observed, expected: 1, n};
  const kappa = (observed - expected) / (1 - expected);
  const se = Math.sqrt((observed * (1 - observed)) / (n * (1 - expected) ** 2));
  return {kappa, se, low: kappa - 1.96 * se, high: Math.min(1, kappa + 1.96 * se), observed, expected, n};
}

const recordKey = (event: number, channel: number) => event * 65_536 + channel;

/** The records two or more authors labelled differently: each author's class code. */
export interface Disagreement {
  event: number;
  channel: number;
  /** Class code per author who labelled the record (authors in input order). */
  labels: {[author: string]: number};
}

export interface ClassAgreement {
  label: number;
  /** Records the first author put in this class, the second, and both. */
  countA: number;
  countB: number;
  both: number;
  kappa: Kappa;
}

export interface PairAgreement {
  a: string;
  b: string;
  /** Records both labelled. */
  n: number;
  /** Class codes either gave on those records, ascending: the matrix's rows and columns. */
  classes: number[];
  /** matrix[i][j]: records `a` put in classes[i] and `b` in classes[j]. */
  matrix: number[][];
  overall: Kappa;
  perClass: ClassAgreement[];
  disagreements: Disagreement[];
}

function labelMap({author, entries}: AuthorLabels): Map<number, LabelEntry> {
  const out = new Map<number, LabelEntry>();
  for (const e of entries) {
    const k = recordKey(e.event, e.channel);
    if (out.has(k)) throw new RangeError(`${author}: event ${e.event}, channel ${e.channel} is labelled twice`);
    if (e.label !== 0) out.set(k, e);
  }
  return out;
}

/**
 * Agreement of two authors on the records both labelled. Throws when they labelled no record in
 * common (there is nothing to compare), naming both.
 */
export function pairAgreement(a: AuthorLabels, b: AuthorLabels): PairAgreement {
  const la = labelMap(a), lb = labelMap(b);
  const common: [LabelEntry, LabelEntry][] = [];
  for (const [k, ea] of la) {
    const eb = lb.get(k);
    if (eb) common.push([ea, eb]);
  }
  if (!common.length) throw new RangeError(`${a.author} and ${b.author} labelled no record in common (${la.size} and ${lb.size} records): no agreement to measure`);
  common.sort(([x], [y]) => x.event - y.event || x.channel - y.channel);
  const classes = [...new Set(common.flatMap(([x, y]) => [x.label, y.label]))].sort((p, q) => p - q);
  const index = new Map(classes.map((c, i) => [c, i]));
  const matrix = classes.map(() => new Array<number>(classes.length).fill(0));
  for (const [x, y] of common) matrix[index.get(x.label)!][index.get(y.label)!]++;
  const perClass = classes.map((label, i) => {
    const countA = matrix[i].reduce((s, v) => s + v, 0);
    const countB = matrix.reduce((s, row) => s + row[i], 0);
    const both = matrix[i][i];
    const n = common.length;
    // One class against the rest: [[both, a only], [b only, neither]].
    return {label, countA, countB, both, kappa: cohenKappa([[both, countA - both], [countB - both, n - countA - countB + both]])};
  });
  const disagreements = common.filter(([x, y]) => x.label !== y.label)
    .map(([x, y]) => ({event: x.event, channel: x.channel, labels: {[a.author]: x.label, [b.author]: y.label}}));
  return {a: a.author, b: b.author, n: common.length, classes, matrix, overall: cohenKappa(matrix), perClass, disagreements};
}

export interface PairReport {
  a: string;
  b: string;
  /** Absent when the two labelled no record in common (then `error` says so). */
  agreement?: PairAgreement;
  error?: string;
}

/** Agreement of every pair of authors; pairs without common records carry the reason instead. */
export function allPairs(authors: readonly AuthorLabels[]): PairReport[] {
  const out: PairReport[] = [];
  for (let i = 0; i < authors.length; ++i) {
    for (let j = i + 1; j < authors.length; ++j) {
      const [a, b] = [authors[i], authors[j]];
      try {
        out.push({a: a.author, b: b.author, agreement: pairAgreement(a, b)});
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        out.push({a: a.author, b: b.author, error: e.message});
      }
    }
  }
  return out;
}

/**
 * Fleiss' kappa of a subjects × categories table of counts (each row: how many raters put that
 * subject in each category; every row the same number of raters, at least 2). Null when the
 * chance agreement is 1 (one category only).
 */
export function fleissKappa(counts: readonly (readonly number[])[]): {kappa: number | null; observed: number; expected: number; subjects: number; raters: number} {
  const subjects = counts.length;
  if (!subjects) throw new RangeError("Fleiss' kappa needs at least one subject");
  const raters = counts[0].reduce((s, v) => s + v, 0);
  if (raters < 2) throw new RangeError("Fleiss' kappa needs at least two ratings per subject");
  const categories = counts[0].length;
  const share = new Array<number>(categories).fill(0);
  let agreement = 0;
  counts.forEach((row, i) => {
    if (row.length !== categories || row.reduce((s, v) => s + v, 0) !== raters) throw new RangeError(`subject ${i}: every subject needs ${raters} ratings over ${categories} categories`);
    let pairs = 0;
    row.forEach((c, j) => {
      share[j] += c;
      pairs += c * (c - 1);
    });
    agreement += pairs / (raters * (raters - 1));
  });
  const observed = agreement / subjects;
  const expected = share.reduce((s, v) => s + (v / (subjects * raters)) ** 2, 0);
  return {kappa: 1 - expected < 1e-12 ? null : (observed - expected) / (1 - expected), observed, expected, subjects, raters};
}

/** Every author's class per record, for the records at least one labelled, by event then channel. */
export function recordVotes(authors: readonly AuthorLabels[]): {event: number; channel: number; votes: Map<string, LabelEntry>}[] {
  const names = new Set<string>();
  for (const {author} of authors) {
    if (names.has(author)) throw new RangeError(`author ${author} appears twice`);
    names.add(author);
  }
  const byRecord = new Map<number, {event: number; channel: number; votes: Map<string, LabelEntry>}>();
  for (const a of authors) {
    for (const [k, e] of labelMap(a)) {
      let r = byRecord.get(k);
      if (!r) byRecord.set(k, (r = {event: e.event, channel: e.channel, votes: new Map()}));
      r.votes.set(a.author, e);
    }
  }
  return [...byRecord.values()].sort((x, y) => x.event - y.event || x.channel - y.channel);
}

/** Records two or more authors labelled with different classes. */
export function disagreements(authors: readonly AuthorLabels[]): Disagreement[] {
  return recordVotes(authors)
    .filter(({votes}) => votes.size > 1 && new Set([...votes.values()].map((e) => e.label)).size > 1)
    .map(({event, channel, votes}) => ({event, channel, labels: Object.fromEntries([...votes].map(([author, e]) => [author, e.label]))}));
}

/** Fleiss' kappa of three or more authors on the records every one of them labelled (null: fewer than 3 authors or no such record). */
export function authorsFleiss(authors: readonly AuthorLabels[]): (ReturnType<typeof fleissKappa> & {classes: number[]}) | null {
  if (authors.length < 3) return null;
  const all = recordVotes(authors).filter(({votes}) => votes.size === authors.length);
  if (!all.length) return null;
  const classes = [...new Set(all.flatMap(({votes}) => [...votes.values()].map((e) => e.label)))].sort((p, q) => p - q);
  const index = new Map(classes.map((c, i) => [c, i]));
  const counts = all.map(({votes}) => {
    const row = new Array<number>(classes.length).fill(0);
    for (const e of votes.values()) row[index.get(e.label)!]++;
    return row;
  });
  return {...fleissKappa(counts), classes};
}

export type ConsensusRule = "majority" | "unanimous";
export const CONSENSUS_RULES: readonly ConsensusRule[] = ["majority", "unanimous"];

/** The rules in words, as the CLI, the page and the docs state them. */
export function describeRule(rule: ConsensusRule, referee?: string): string {
  const base = rule === "majority"
    ? "A record takes the class that more than half of the authors who labelled it gave it (2 of 2, 2 of 3, 3 of 4, …). Records labelled by one author only, and records without such a majority (ties), are unresolved"
    : "A record takes a class only when every author who labelled it gave that class and at least two did. Records labelled by one author only, and records they disagree on, are unresolved";
  return referee === undefined
    ? `${base}: they get no consensus label.`
    : `${base}, unless the referee ${referee} labelled them: then they take ${referee}'s class.`;
}

export type ConsensusStatus = "agreed" | "majority" | "referee" | "unresolved";

export interface ConsensusRecord {
  event: number;
  channel: number;
  /** The consensus class; 0 when unresolved. */
  label: number;
  status: ConsensusStatus;
  /** Each author's class. */
  votes: {[author: string]: number};
}

export interface Consensus {
  rule: ConsensusRule;
  referee?: string;
  text: string;
  records: ConsensusRecord[];
  /** Records by status; `single`: unresolved records only one author labelled. */
  counts: {[status in ConsensusStatus]: number} & {single: number};
  /** The resolved records as label entries (author "consensus", time: the latest vote for the class, note: the votes). */
  entries: LabelEntry[];
}

/** Applies a consensus rule (see describeRule) to the authors' labels. */
export function consensus(authors: readonly AuthorLabels[], {rule = "majority", referee}: {rule?: ConsensusRule; referee?: string} = {}): Consensus {
  if (!CONSENSUS_RULES.includes(rule)) throw new RangeError(`unknown consensus rule "${rule}" (rules: ${CONSENSUS_RULES.join(", ")})`);
  if (referee !== undefined && !authors.some((a) => a.author === referee)) throw new RangeError(`referee ${referee} is not one of the authors (${authors.map((a) => a.author).join(", ")})`);
  const counts = {agreed: 0, majority: 0, referee: 0, unresolved: 0, single: 0};
  const records: ConsensusRecord[] = [];
  const entries: LabelEntry[] = [];
  for (const {event, channel, votes} of recordVotes(authors)) {
    const tally = new Map<number, string[]>();
    for (const [author, e] of votes) tally.set(e.label, [...(tally.get(e.label) ?? []), author]);
    const [top, voters] = [...tally].sort((x, y) => y[1].length - x[1].length || x[0] - y[0])[0];
    let status: ConsensusStatus = "unresolved";
    let label = 0;
    let by = voters;
    if (votes.size >= 2 && tally.size === 1) [status, label] = ["agreed", top];
    else if (rule === "majority" && votes.size >= 2 && voters.length * 2 > votes.size) [status, label] = ["majority", top];
    else if (referee !== undefined && votes.has(referee)) [status, label, by] = ["referee", votes.get(referee)!.label, [referee]];
    counts[status]++;
    if (status === "unresolved" && votes.size === 1) counts.single++;
    const record = {event, channel, label, status, votes: Object.fromEntries([...votes].map(([a, e]) => [a, e.label]))};
    records.push(record);
    if (label) {
      const time = by.map((a) => votes.get(a)!.time).filter(Boolean).sort().at(-1) ?? "";
      const note = `${status}: ${[...votes].map(([a, e]) => `${a}=${e.label}`).join(", ")}`;
      entries.push({event, channel, label, author: "consensus", time, note});
    }
  }
  return {rule, referee, text: describeRule(rule, referee), records, counts, entries};
}
