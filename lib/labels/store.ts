// Labels in the browser's IndexedDB, per data set: one object store keyed by
// [dataset, event, channel]. Every change is written in one transaction before the page says it
// is saved, so a reload (or a crash of the tab) keeps every label that was shown as saved. The
// IDBFactory is passed in: `indexedDB` in pages, fake-indexeddb in Node tests.
//
// Hand-written over the raw API (about 60 lines) rather than a wrapper library: it needs four
// operations, and pages would otherwise have to load another package.

import type {LabelChange, LabelEntry} from "./book.js";

const DB_VERSION = 1;
const STORE = "labels";

interface StoredEntry extends LabelEntry {
  dataset: string;
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
  /** Writes the `after` side of a change (deleting records that became unlabelled). */
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
    if (!db.objectStoreNames.contains(STORE)) {
      const store = db.createObjectStore(STORE, {keyPath: ["dataset", "event", "channel"]});
      store.createIndex("dataset", "dataset");
    }
  };
  const db = await request(open);
  const range = (dataset: string) => IDBKeyRangeOf(factory).bound([dataset, -Infinity, -Infinity], [dataset, Infinity, Infinity]);
  return {
    async load(dataset) {
      const tx = db.transaction(STORE, "readonly");
      const rows = (await request(tx.objectStore(STORE).getAll(range(dataset)))) as StoredEntry[];
      return rows.map(({dataset: _d, ...e}) => e).sort((a, b) => a.event - b.event || a.channel - b.channel);
    },
    async save(dataset, change) {
      // "strict": complete only once on disk, so that "saved" also holds through a power cut.
      const tx = db.transaction(STORE, "readwrite", {durability: "strict"});
      const store = tx.objectStore(STORE);
      change.refs.forEach((r, i) => {
        const after = change.after[i];
        if (after) store.put({...after, dataset} satisfies StoredEntry);
        else store.delete([dataset, r.event, r.channel]);
      });
      await done(tx);
    },
    async clear(dataset) {
      const tx = db.transaction(STORE, "readwrite");
      tx.objectStore(STORE).delete(range(dataset));
      await done(tx);
    },
    async datasets() {
      const tx = db.transaction(STORE, "readonly");
      const rows = (await request(tx.objectStore(STORE).getAll())) as StoredEntry[];
      const out = new Map<string, number>();
      for (const r of rows) out.set(r.dataset, (out.get(r.dataset) ?? 0) + 1);
      return out;
    },
    close: () => db.close()
  };
}

/** The IDBKeyRange constructor that belongs to `factory` (the global one in browsers). */
function IDBKeyRangeOf(factory: IDBFactory): typeof IDBKeyRange {
  return ((factory as unknown as {IDBKeyRange?: typeof IDBKeyRange}).IDBKeyRange ?? globalThis.IDBKeyRange);
}
