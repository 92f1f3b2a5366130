// The record store: written from a simulated cait file, read back over HTTP Range requests by
// the page's client (served by scripts/serve-dist.mjs), equal to the file read by CaitFile;
// bad stores and events outside the sample give messages that say what is wrong.

import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {writeSimulation} from "../data-loaders/simulate.js";
import {openCaitFile} from "../data-loaders/io/node.js";
import {ensureRecordStore, recordsMode, writeRecordStore} from "../data-loaders/recordStore.js";
import {PUBLISH_ALL_UP_TO, publishedSample} from "../lib/io/recordSample.js";
import {decodeEventBlock, decodeKeptEvents, decodeRecordStoreHeader, encodeRecordStoreHead, eventBlockRange, EventNotInStoreError, recordStoreHeadLength} from "../lib/io/recordStore.js";
import {RecordStoreClient} from "../lib/io/recordStoreClient.js";
import {parseRange, serveDist, type DistServer, type ServedRequest} from "../scripts/serve-dist.mjs";
import type {RecordGroup} from "../lib/types.js";
import {storedRecordViewer} from "../lib/plot/storedRecords.js";
import {JSDOM} from "jsdom";
import * as Plot from "@observablehq/plot";

describe("record store", () => {
  let dir: string, h5: string, store: string, server: DistServer;
  const log: ServedRequest[] = [];
  const SAMPLE = {rule: "every", step: 3} as const;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "pulsebook-records-"));
    h5 = join(dir, "run.h5");
    store = join(dir, "records.bin");
    await writeSimulation(h5, {events: 11, noise: 4, seed: 5});
    // Chunks of 4 events: the sample's events straddle chunk boundaries.
    await writeRecordStore(h5, store, {sample: SAMPLE, chunkEvents: 4});
    server = await serveDist(dir, {log: (r) => log.push({...r})});
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    rmSync(dir, {recursive: true, force: true});
  });

  it("holds exactly the sampled events of each group, equal to the file", async () => {
    const bytes = new Uint8Array(readFileSync(store));
    const header = decodeRecordStoreHeader(bytes, "records.bin");
    expect(header.bytes).toBe(bytes.length);
    expect(header.sampleDescription).toBe("every 3rd event of 11 (event 0, 3, 6, …)");
    const cait = await openCaitFile(h5);
    try {
      expect(header.channels).toEqual(cait.dataset.channels.map((c) => c.name));
      expect(header.recordLength).toBe(cait.dataset.layout.recordLength);
      for (const [group, expected] of [["events", [0, 3, 6, 9]], ["noise", [0, 3]]] as [RecordGroup, number[]][]) {
        const g = header.groups[group]!;
        const kept = decodeKeptEvents(bytes.subarray(g.eventsOffset), header, group, "records.bin");
        expect(Array.from(kept)).toEqual(expected);
        for (const event of expected) {
          const {start, end} = eventBlockRange(header, kept, group, event, "records.bin");
          const records = decodeEventBlock(bytes.subarray(start, end), header, "records.bin", event);
          const truth = cait.readEvent(group, event);
          expect(records.length).toBe(truth.length);
          records.forEach((r, c) => expect(r).toEqual(truth[c]));
        }
      }
      expect(header.groups.testpulses).toBeUndefined();
    } finally {
      cait.close();
    }
  });

  it("is read in the page by Range requests, one per event, with an LRU and a clear word for a left-out event", async () => {
    log.length = 0;
    const client = await RecordStoreClient.open(`${server.url}records.bin`, {cacheEvents: 2});
    expect(client.sampleDescription).toMatch(/every 3rd event of 11/);
    expect(client.total("events")).toBe(11);
    const cait = await openCaitFile(h5);
    const truth = cait.readEvent("events", 6);
    cait.close();
    const records = await client.readEvent("events", 6);
    records.forEach((r, c) => expect(r).toEqual(truth[c]));
    // Header, index of events, event 6: three partial reads, none of the whole file.
    expect(log.map((r) => r.status)).toEqual([206, 206, 206]);
    const size = readFileSync(store).length;
    expect(Math.max(...log.map((r) => r.bytes))).toBeLessThan(size / 2);
    expect(log[2].bytes).toBe(client.header.blockBytes);
    await client.readEvent("events", 6); // from the LRU
    expect(log.length).toBe(3);
    await client.readEvent("events", 0);
    await client.readEvent("events", 3); // evicts 6 (2 events kept)
    await client.readEvent("events", 6);
    expect(log.length).toBe(6);
    await expect(client.readEvent("events", 4)).rejects.toThrow(/events 4 is not among the records published with this site \(every 3rd event of 11.*pick a published one such as 3 or 6/);
    await expect(client.readEvent("events", 4)).rejects.toBeInstanceOf(EventNotInStoreError);
    await expect(client.readEvent("events", 11)).rejects.toThrow(/events 11 is not in the run \(events 0–10\)/);
    await expect(client.readEvent("testpulses", 0)).rejects.toThrow(/holds no testpulses \(it has events, noise\)/);
    expect(await client.has("noise", 3)).toBe(true);
    expect(await client.has("noise", 2)).toBe(false);
    // A read the user has moved on from is dropped.
    const abort = new AbortController();
    const stale = client.readEvent("events", 9, abort.signal);
    abort.abort();
    await expect(stale).rejects.toThrow(/abort/i);
  });

  it("refuses a truncated or foreign store, and a server that ignores ranges, naming the URL", async () => {
    const bytes = new Uint8Array(readFileSync(store));
    writeFileSync(join(dir, "truncated.bin"), bytes.subarray(0, bytes.length - 1000));
    writeFileSync(join(dir, "short.bin"), bytes.subarray(0, 40));
    writeFileSync(join(dir, "run-copy.h5"), readFileSync(h5).subarray(0, 100_000));
    const future = bytes.slice(0, 20_000);
    new DataView(future.buffer).setUint32(8, 2, true);
    writeFileSync(join(dir, "future.bin"), future);
    await expect(RecordStoreClient.open(`${server.url}truncated.bin`)).rejects.toThrow(/truncated\.bin: record store truncated: \d+ bytes, its header says \d+/);
    await expect(RecordStoreClient.open(`${server.url}short.bin`)).rejects.toThrow(/short\.bin: record store header is \d+ bytes, only 24 present \(truncated\)/);
    await expect(RecordStoreClient.open(`${server.url}run-copy.h5`)).rejects.toThrow(/run-copy\.h5: not a Pulsebook record store: it starts with ".HDF\\r\\n/);
    await expect(RecordStoreClient.open(`${server.url}future.bin`)).rejects.toThrow(/format version 2, this Pulsebook reads version 1/);
    await expect(RecordStoreClient.open(`${server.url}missing.bin`)).rejects.toThrow(/missing\.bin: reading its header \(bytes 0–65535\): HTTP 404/);
    expect(() => recordStoreHeadLength(new Uint8Array(3), "x.bin")).toThrow(/x\.bin: not a Pulsebook record store: 3 bytes/);
    // A server that ignores Range and would send the whole store.
    const whole: typeof fetch = async () => new Response(bytes, {status: 200, headers: {"content-length": String(bytes.length)}});
    await expect(RecordStoreClient.open("http://example.invalid/records.bin", {fetch: whole})).rejects.toThrow(/answered the range request with the whole file \(HTTP 200, \d+ bytes\).*Range requests/);
  });

  it("lays out and bounds-checks the index", () => {
    const spec = {source: "x.h5", channels: ["a", "b"], unit: "V" as const, recordLength: 8, sampleFrequency_Hz: 1000, triggerIndex: 2, sample: {rule: "first", events: 2} as const};
    const {head, header} = encodeRecordStoreHead({...spec, groups: {events: {total: 5, kept: Int32Array.of(0, 1)}}});
    expect(head.length).toBe(header.groups.events!.blocksOffset);
    expect(header.bytes).toBe(header.groups.events!.blocksOffset + 2 * 2 * 8 * 4);
    expect(header.groups.events!.blocksOffset % 8).toBe(0);
    expect(() => encodeRecordStoreHead({...spec, groups: {events: {total: 5, kept: Int32Array.of(1, 1)}}})).toThrow(/ascending event numbers in \[0, 5\), got 1 at 1/);
    expect(() => encodeRecordStoreHead({...spec, groups: {events: {total: 5, kept: Int32Array.of(5)}}})).toThrow(/got 5 at 0/);
    // A header whose group reaches past the end of the store.
    const lying = {...header, bytes: header.bytes - 4};
    const json = new TextEncoder().encode(JSON.stringify(lying).padEnd(head.length - 16));
    const bad = new Uint8Array(head.length);
    bad.set(head.subarray(0, 16));
    bad.set(json, 16);
    new DataView(bad.buffer).setUint32(12, json.length, true);
    expect(() => decodeRecordStoreHeader(bad, "lying.bin")).toThrow(/lying\.bin: record store header: group events lies outside the store/);
    expect(() => decodeEventBlock(new Uint8Array(10), header, "x.bin", 3)).toThrow(/event 3: block of 10 bytes, expected 64 \(truncated store/);
  });

  it("publishes all events in `npm run dev` and the declared or default sample otherwise", () => {
    expect(recordsMode({npm_lifecycle_event: "dev"})).toBe("all");
    expect(recordsMode({npm_lifecycle_event: "build"})).toBe("published");
    expect(recordsMode({})).toBe("published");
    expect(recordsMode({npm_lifecycle_event: "build", PULSEBOOK_RECORDS: "all"})).toBe("all");
    expect(() => recordsMode({PULSEBOOK_RECORDS: "some"})).toThrow(/PULSEBOOK_RECORDS must be "all" or "published", got "some"/);
    expect(publishedSample(PUBLISH_ALL_UP_TO)).toEqual({rule: "all"});
    expect(publishedSample(200_000, {rule: "first", events: 10})).toEqual({rule: "first", events: 10});
    expect(publishedSample(200_000)).toEqual({rule: "every", step: 4});
    expect(publishedSample(200_001)).toEqual({rule: "every", step: 5});
  });

  it("keeps one store per mode in the reuse store: a dev store is never the published one", async () => {
    const root = join(dir, "store");
    const all = await ensureRecordStore(h5, root, {mode: "all"});
    const published = await ensureRecordStore(h5, root, {mode: "published", declared: {rule: "first", events: 2}});
    expect(all).not.toBe(published);
    expect(decodeRecordStoreHeader(new Uint8Array(readFileSync(all)), "all").groups.events!.kept).toBe(11);
    expect(decodeRecordStoreHeader(new Uint8Array(readFileSync(published)), "published").sampleDescription).toBe("the first 2 events of 11");
    // Asked again, each is reused, not rewritten.
    expect(await ensureRecordStore(h5, root, {mode: "all"})).toBe(all);
    expect(statSync(all).mtimeMs).toBe(statSync(await ensureRecordStore(h5, root, {mode: "all"})).mtimeMs);
  });

  it("serves ranges as static hosts do", () => {
    expect(parseRange("bytes=0-9", 100)).toEqual({start: 0, end: 9});
    expect(parseRange("bytes=90-", 100)).toEqual({start: 90, end: 99});
    expect(parseRange("bytes=-10", 100)).toEqual({start: 90, end: 99});
    expect(parseRange("bytes=95-200", 100)).toEqual({start: 95, end: 99});
    expect(parseRange("bytes=100-", 100)).toBeNull();
    expect(parseRange(undefined, 100)).toBeUndefined();
    expect(parseRange("bytes=0-1,5-6", 100)).toBeUndefined();
  });

  it("puts a clear message in place of the viewer for a left-out event, and says when a read failed", async () => {
    const {document} = new JSDOM("<!doctype html><body></body>").window;
    const global = globalThis as unknown as {document?: Document};
    const saved = global.document;
    global.document = document;
    try {
      const client = await RecordStoreClient.open(`${server.url}records.bin`);
      const left = await storedRecordViewer(Plot, client, 5);
      expect(left.getAttribute("data-role")).toBe("not-published");
      expect(left.textContent).toMatch(/events 5 is not among the records published with this site \(every 3rd event of 11/);
      const failed = await storedRecordViewer(Plot, {channels: client.channels, unit: client.unit, layout: client.layout, sampleDescription: "", readEvent: () => Promise.reject(new Error("HTTP 503"))}, 9);
      expect(failed.getAttribute("data-role")).toBe("record-error");
      expect(failed.textContent).toBe("Could not read events 9: HTTP 503");
      const abort = new AbortController();
      abort.abort();
      expect((await storedRecordViewer(Plot, client, 3, {signal: abort.signal})).getAttribute("data-role")).toBe("aborted");
    } finally {
      global.document = saved;
    }
  });
});
