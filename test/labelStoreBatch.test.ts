// Labelling a large selection: one book change and one IndexedDB transaction of a few block
// writes, not one request per record (360,000 records written one per request took 90 s in
// Chromium). Also: version 1 stores (one object per record) are converted on open.

import "fake-indexeddb/auto";
import {afterEach, describe, expect, it, vi} from "vitest";
import {LabelBook} from "../lib/labels/book.js";
import {BLOCK_EVENTS, openLabelStore} from "../lib/labels/store.js";

const T = "2026-12-05T12:00:00.000Z";
const dbName = () => `batch-${Math.random()}`;

afterEach(() => vi.restoreAllMocks());

describe("labelling 20,000 points", () => {
  it("is one book change, saved in one transaction of one write per block", async () => {
    const store = await openLabelStore(indexedDB, dbName());
    const book = new LabelBook();
    // 20,000 selected points of a scatter, both channels: 40,000 records over events 0…39,998.
    const refs = Array.from({length: 20_000}, (_, i) => [{event: 2 * i, channel: 0}, {event: 2 * i, channel: 1}]).flat();
    const change = book.assign(refs, 3, {author: "ab", note: "big", time: T})!;
    expect(change.refs).toHaveLength(40_000);
    const transactions = vi.spyOn(IDBDatabase.prototype, "transaction");
    const puts = vi.spyOn(IDBObjectStore.prototype, "put");
    await store.save("run.h5", change);
    expect(transactions).toHaveBeenCalledTimes(1);
    const blocks = Math.ceil(40_000 / BLOCK_EVENTS);
    expect(puts).toHaveBeenCalledTimes(blocks);
    expect(blocks).toBeLessThan(20);
    vi.restoreAllMocks();

    const loaded = await store.load("run.h5");
    expect(loaded).toEqual(book.list());
    expect(loaded).toHaveLength(40_000);
    expect(loaded[39_999]).toEqual({event: 39_998, channel: 1, label: 3, author: "ab", time: T, note: "big"});

    // Relabel part of it, then undo: each one change, the store follows the book.
    await store.save("run.h5", book.assign(refs.slice(0, 10_001), 1, {author: "cd", time: T})!);
    expect((await store.load("run.h5")).filter((e) => e.label === 1)).toHaveLength(10_001);
    await store.save("run.h5", book.undo()!);
    expect(book.canUndo).toBe(true);
    await store.save("run.h5", book.undo()!);
    expect(book.canUndo).toBe(false);
    expect(await store.load("run.h5")).toEqual([]);
    expect(Object.fromEntries(await store.datasets())).toEqual({});
    store.close();
  });

  it("writes a change across block boundaries, deletes included, and keeps other data sets apart", async () => {
    const name = dbName();
    const store = await openLabelStore(indexedDB, name);
    const book = new LabelBook();
    const edge = [BLOCK_EVENTS - 1, BLOCK_EVENTS, 3 * BLOCK_EVENTS + 5].map((event) => ({event, channel: 2}));
    await store.save("a", book.assign(edge, 4, {author: "x", time: T})!);
    await store.save("b", new LabelBook().assign([{event: BLOCK_EVENTS, channel: 2}], 7, {author: "y", time: T})!);
    await store.save("a", book.assign([edge[1]], 0, {author: "x", time: T})!);
    store.close();
    const again = await openLabelStore(indexedDB, name);
    expect((await again.load("a")).map((e) => [e.event, e.label])).toEqual([[BLOCK_EVENTS - 1, 4], [3 * BLOCK_EVENTS + 5, 4]]);
    expect((await again.load("b")).map((e) => [e.event, e.label, e.author])).toEqual([[BLOCK_EVENTS, 7, "y"]]);
    expect(Object.fromEntries(await again.datasets())).toEqual({a: 2, b: 1});
    again.close();
  });
});

describe("a version 1 store", () => {
  it("is converted on open: every record kept, per data set", async () => {
    const name = dbName();
    // Version 1's layout: one object per record keyed by [dataset, event, channel].
    const old = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open(name, 1);
      open.onupgradeneeded = () => open.result.createObjectStore("labels", {keyPath: ["dataset", "event", "channel"]}).createIndex("dataset", "dataset");
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const rows = [
      {dataset: "a", event: 9000, channel: 1, label: 2, author: "x", time: T, note: "n"},
      {dataset: "a", event: 3, channel: 0, label: 5, author: "x", time: T, note: ""},
      {dataset: "b", event: 3, channel: 0, label: 1, author: "z", time: T, note: ""}
    ];
    await new Promise<void>((resolve, reject) => {
      const tx = old.transaction("labels", "readwrite");
      for (const r of rows) tx.objectStore("labels").put(r);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    old.close();
    const store = await openLabelStore(indexedDB, name);
    expect(await store.load("a")).toEqual([
      {event: 3, channel: 0, label: 5, author: "x", time: T, note: ""},
      {event: 9000, channel: 1, label: 2, author: "x", time: T, note: "n"}
    ]);
    expect(Object.fromEntries(await store.datasets())).toEqual({a: 2, b: 1});
    store.close();
  });
});

describe("a change that cannot be made", () => {
  it("leaves the book as it was, however far into the records the bad one is", () => {
    const book = new LabelBook();
    book.assign([{event: 1, channel: 0}], 2, {author: "a", time: T});
    const refs = [...Array.from({length: 1000}, (_, i) => ({event: i, channel: 0})), {event: 5.5, channel: 0}];
    expect(() => book.assign(refs, 4, {author: "a", time: T})).toThrow(/event must be an integer/);
    expect(book.list()).toEqual([{event: 1, channel: 0, label: 2, author: "a", time: T, note: ""}]);
    expect(book.undo()!.refs).toEqual([{event: 1, channel: 0}]);
    expect(book.canUndo).toBe(false);
  });
});
