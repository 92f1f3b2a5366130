// Labels in the browser's IndexedDB, per data set. Every change is written in one transaction
// before the page says it is saved, so a reload (or a crash of the tab) keeps every label that
// was shown as saved, and the store holds either the whole change or none of it. The IDBFactory
// is passed in: `indexedDB` in pages, fake-indexeddb in Node tests.
//
// The records are stored in blocks of BLOCK_EVENTS consecutive events, keyed by [dataset, block],
// as columns (typed arrays and a string table): Chromium pays about 0.25 ms per IndexedDB request
// whatever its size, so a change of 360,000 records written one record per request took 90 s;
// as at most a few hundred blocks it takes about a second. A change reads the blocks it touches
// and writes them back, inside its one transaction. Version 1 stored one object per record; it is
// converted on open.
//
// Hand-written over the raw API rather than a wrapper library: it needs four operations, and
// pages would otherwise have to load another package.

import type {LabelChange, LabelEntry} from "./book.js";

const DB_VERSION = 2;
const STORE = "blocks";
/** Version 1's store: one object per record, keyed by [dataset, event, channel]. */
const V1_STORE = "labels";
/** Events per block: a one-record edit rewrites at most this many events' labels. */
export const BLOCK_EVENTS = 4096;

/** A block as stored: one entry per record, sorted by event then channel; strings by index into `strings`. */
interface StoredBlock {
  dataset: string;
  block: number;
  event: Float64Array;
  channel: Uint16Array;
  label: Uint8Array;
  author: Uint32Array;
  time: Uint32Array;
  note: Uint32Array;
  strings: string[];
}

const blockOf = (event: number) => Math.floor(event / BLOCK_EVENTS);
// The same number key as the book's: channels < 65536.
const key = (event: number, channel: number) => event * 65_536 + channel;

function decodeBlock(b: StoredBlock, out: LabelEntry[] = []): LabelEntry[] {
  const s = b.strings;
  for (let i = 0; i < b.event.length; ++i) out.push({event: b.event[i], channel: b.channel[i], label: b.label[i], author: s[b.author[i]], time: s[b.time[i]], note: s[b.note[i]]});
  return out;
}

/** The block of `entries` (all of one block), sorted by event then channel. */
function encodeBlock(dataset: string, block: number, entries: LabelEntry[]): StoredBlock {
  entries.sort((a, b) => a.event - b.event || a.channel - b.channel);
  const n = entries.length;
  const strings: string[] = [];
  const index = new Map<string, number>();
  const intern = (t: string) => {
    let k = index.get(t);
    if (k === undefined) index.set(t, (k = strings.push(t) - 1));
    return k;
  };
  const b: StoredBlock = {dataset, block, event: new Float64Array(n), channel: new Uint16Array(n), label: new Uint8Array(n), author: new Uint32Array(n), time: new Uint32Array(n), note: new Uint32Array(n), strings};
  entries.forEach((e, i) => {
    b.event[i] = e.event;
    b.channel[i] = e.channel;
    b.label[i] = e.label;
    b.author[i] = intern(e.author);
    b.time[i] = intern(e.time);
    b.note[i] = intern(e.note);
  });
  return b;
}

/**
 * Writes the records `refs[i]` as `states[i]` (undefined: unlabelled, deleted) into the blocks
 * of `store` for `dataset`, a later state of a record winning: each touched block is read,
 * changed and put back (or deleted when empty). Requests only, no awaits: it all happens inside
 * the caller's transaction.
 */
function writeBlocks(store: IDBObjectStore, dataset: string, refs: readonly {event: number; channel: number}[], states: readonly (LabelEntry | undefined)[]): void {
  const byBlock = new Map<number, number[]>();
  for (let i = 0; i < refs.length; ++i) {
    const b = blockOf(refs[i].event);
    let m = byBlock.get(b);
    if (!m) byBlock.set(b, (m = []));
    m.push(i);
  }
  for (const [block, changes] of byBlock) {
    const get = store.get([dataset, block]);
    get.onsuccess = () => {
      const current = new Map<number, LabelEntry>();
      const stored = get.result as StoredBlock | undefined;
      if (stored) for (const e of decodeBlock(stored)) current.set(key(e.event, e.channel), e);
      for (const i of changes) {
        const k = key(refs[i].event, refs[i].channel), state = states[i];
        if (state) current.set(k, state);
        else current.delete(k);
      }
      if (current.size) store.put(encodeBlock(dataset, block, [...current.values()]));
      else if (stored) store.delete([dataset, block]);
    };
  }
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
  });
}

export interface LabelStore {
  /** Entries saved for `dataset`, sorted by event and channel. */
  load(dataset: string): Promise<LabelEntry[]>;
  /** Writes the `after` side of a change (deleting records that became unlabelled), in one transaction. */
  save(dataset: string, change: LabelChange): Promise<void>;
  /** Removes every entry of `dataset`. */
  clear(dataset: string): Promise<void>;
  /** Data sets with saved labels, and how many each. */
  datasets(): Promise<Map<string, number>>;
  close(): void;
}

export async function openLabelStore(factory: IDBFactory, name = "pulsebook-labels"): Promise<LabelStore> {
  const open = factory.open(name, DB_VERSION);
  open.onupgradeneeded = () => {
    const db = open.result;
    const blocks = db.objectStoreNames.contains(STORE) ? open.transaction!.objectStore(STORE) : db.createObjectStore(STORE, {keyPath: ["dataset", "block"]});
    if (!db.objectStoreNames.contains(V1_STORE)) return;
    // Version 1's records, moved into blocks within the upgrade's transaction (all or nothing).
    const all = open.transaction!.objectStore(V1_STORE).getAll();
    all.onsuccess = () => {
      const byDataset = new Map<string, LabelEntry[]>();
      for (const {dataset, ...e} of all.result as (LabelEntry & {dataset: string})[]) {
        let m = byDataset.get(dataset);
        if (!m) byDataset.set(dataset, (m = []));
        m.push(e);
      }
      for (const [dataset, entries] of byDataset) writeBlocks(blocks, dataset, entries, entries);
      db.deleteObjectStore(V1_STORE);
    };
  };
  const db = await request(open);
  const range = (dataset: string) => IDBKeyRangeOf(factory).bound([dataset, -Infinity], [dataset, Infinity]);
  return {
    async load(dataset) {
      const tx = db.transaction(STORE, "readonly");
      const blocks = (await request(tx.objectStore(STORE).getAll(range(dataset)))) as StoredBlock[];
      // Blocks come in key order and are sorted within: the entries are in event, channel order.
      const out: LabelEntry[] = [];
      for (const b of blocks) decodeBlock(b, out);
      return out;
    },
    async save(dataset, change) {
      // "strict": complete only once on disk, so that "saved" also holds through a power cut.
      const tx = db.transaction(STORE, "readwrite", {durability: "strict"});
      writeBlocks(tx.objectStore(STORE), dataset, change.refs, change.after);
      await done(tx);
    },
    async clear(dataset) {
      const tx = db.transaction(STORE, "readwrite");
      tx.objectStore(STORE).delete(range(dataset));
      await done(tx);
    },
    async datasets() {
      const tx = db.transaction(STORE, "readonly");
      const blocks = (await request(tx.objectStore(STORE).getAll())) as StoredBlock[];
      const out = new Map<string, number>();
      for (const b of blocks) out.set(b.dataset, (out.get(b.dataset) ?? 0) + b.event.length);
      return out;
    },
    close: () => db.close()
  };
}

/** The IDBKeyRange constructor that belongs to `factory` (the global one in browsers). */
function IDBKeyRangeOf(factory: IDBFactory): typeof IDBKeyRange {
  return ((factory as unknown as {IDBKeyRange?: typeof IDBKeyRange}).IDBKeyRange ?? globalThis.IDBKeyRange);
}
