// Reading a record store (recordStore.ts) over HTTP in the page: the header and a group's index
// once, then one Range request per event, with a small LRU of decoded events (stepping back
// and forth does not refetch) and an AbortSignal per read, so that a read the user has moved
// on from is dropped rather than drawn late. Memory: the index (4 bytes per kept event) plus
// `cacheEvents` decoded events, whatever the size of the run.

import {DataFileError} from "./errors.js";
import {decodeEventBlock, decodeKeptEvents, decodeRecordStoreHeader, eventBlockRange, EventNotInStoreError, recordStoreHeadLength, RECORD_STORE_PRELUDE, type RecordStoreHeader} from "./recordStore.js";
import type {RecordGroup, RecordLayout, SignalUnit} from "../types.js";

export {EventNotInStoreError} from "./recordStore.js";

export interface RecordStoreClientOptions {
  /** Decoded events kept for stepping back (default 16; 2 × 16384 float32 = 128 kB each). */
  cacheEvents?: number;
  /** The fetch to use (default the global one). */
  fetch?: typeof fetch;
}

/** The first request asks for this many bytes: the prelude and, usually, the whole JSON header. */
const FIRST_BYTES = 64 * 1024;

/** Where a page reads one event's records from: the record store, or a local file (localRecords.ts). */
export interface RecordSource {
  readonly channels: string[];
  readonly unit: SignalUnit;
  readonly layout: RecordLayout;
  /** Which events it has, in words, for the page beside the viewer. */
  readonly sampleDescription: string;
  readEvent(group: RecordGroup, event: number, signal?: AbortSignal): Promise<Float32Array[]>;
}

export class RecordStoreClient implements RecordSource {
  /** HTTP requests made (header, indices, events): for tests and the page's footnote. */
  requests = 0;
  private readonly kept = new Map<RecordGroup, Promise<Int32Array>>();
  private readonly cache = new Map<string, Float32Array[]>();

  private constructor(
    readonly url: string,
    readonly header: RecordStoreHeader,
    private readonly fetcher: typeof fetch,
    private readonly cacheEvents: number
  ) {}

  /** Opens the store at `url`: reads and checks its header (one or two Range requests). */
  static async open(url: string, options: RecordStoreClientOptions = {}): Promise<RecordStoreClient> {
    const fetcher = options.fetch ?? globalThis.fetch.bind(globalThis);
    const probe: {requests: number; size?: number} = {requests: 0};
    let bytes = await fetchRange(fetcher, url, 0, FIRST_BYTES, "its header", undefined, probe);
    const length = recordStoreHeadLength(bytes, url);
    // A first read shorter than asked ended at the end of the file: a short header is truncated.
    if (bytes.length < length && bytes.length < FIRST_BYTES) decodeRecordStoreHeader(bytes, url);
    if (bytes.length < length) {
      const rest = await fetchRange(fetcher, url, bytes.length, length, "its header", undefined, probe);
      const all = new Uint8Array(length);
      all.set(bytes);
      all.set(rest, bytes.length);
      bytes = all;
    }
    const header = decodeRecordStoreHeader(bytes, url);
    const size = probe.size ?? (bytes.length < FIRST_BYTES ? bytes.length : undefined);
    if (size !== undefined && size < header.bytes) throw new DataFileError(url, `record store truncated: ${size} bytes, its header says ${header.bytes}`);
    const client = new RecordStoreClient(url, header, fetcher, options.cacheEvents ?? 16);
    client.requests = probe.requests;
    return client;
  }

  get channels(): string[] {
    return this.header.channels;
  }

  get unit(): SignalUnit {
    return this.header.unit;
  }

  get layout(): RecordLayout {
    const {sampleFrequency_Hz, recordLength, triggerIndex} = this.header;
    return {sampleFrequency_Hz, recordLength, triggerIndex};
  }

  /** Events of `group` in the run (kept or not). */
  total(group: RecordGroup): number {
    return this.header.groups[group]?.total ?? 0;
  }

  /** The published sample in words, for the page beside the viewer. */
  get sampleDescription(): string {
    return this.header.sampleDescription;
  }

  /** Event numbers of `group` the store carries (ascending); fetched once. */
  keptEvents(group: RecordGroup, signal?: AbortSignal): Promise<Int32Array> {
    let kept = this.kept.get(group);
    if (!kept) {
      const g = this.header.groups[group];
      if (!g) return Promise.reject(new DataFileError(this.url, `the record store holds no ${group} (it has ${Object.keys(this.header.groups).join(", ")})`));
      kept = fetchRange(this.fetcher, this.url, g.eventsOffset, g.eventsOffset + 4 * g.kept, `the index of ${group}`, signal, this).then((bytes) => decodeKeptEvents(bytes, this.header, group, this.url));
      // A failed or aborted index read is not remembered: the next call tries again.
      kept.catch(() => this.kept.delete(group));
      this.kept.set(group, kept);
    }
    return kept;
  }

  /**
   * The records (one per channel) of one event: from the LRU, else one Range request. Throws
   * EventNotInStoreError for an event the published sample left out, an AbortError when
   * `signal` aborts, and a DataFileError naming the URL and event for anything else.
   */
  async readEvent(group: RecordGroup, event: number, signal?: AbortSignal): Promise<Float32Array[]> {
    const key = `${group}/${event}`;
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const kept = await this.keptEvents(group, signal);
    const {start, end} = eventBlockRange(this.header, kept, group, event, this.url);
    const block = await fetchRange(this.fetcher, this.url, start, end, `${group} ${event}`, signal, this);
    const records = decodeEventBlock(block, this.header, this.url, event);
    this.cache.set(key, records);
    while (this.cache.size > this.cacheEvents) this.cache.delete(this.cache.keys().next().value!);
    return records;
  }

  /**
   * The records of several events (for pages that compute from many): the ones the store
   * carries, at most `limit` of them in the order given, `concurrency` requests at a time.
   * Returns the events read (those left out by the sample are skipped) and their records.
   */
  async readEvents(group: RecordGroup, events: readonly number[], options: {limit?: number; concurrency?: number; signal?: AbortSignal} = {}): Promise<{events: number[]; records: Float32Array[][]}> {
    const {limit = Infinity, concurrency = 6, signal} = options;
    const kept = await this.keptEvents(group, signal);
    const published = new Set(kept);
    const chosen = events.filter((e) => published.has(e)).slice(0, limit);
    const records: Float32Array[][] = new Array(chosen.length);
    let next = 0;
    const worker = async () => {
      while (next < chosen.length) {
        const i = next++;
        records[i] = await this.readEvent(group, chosen[i], signal);
      }
    };
    await Promise.all(Array.from({length: Math.min(concurrency, chosen.length)}, worker));
    return {events: chosen, records};
  }

  /** Whether the store carries `event` of `group` (after its index is read). */
  async has(group: RecordGroup, event: number): Promise<boolean> {
    try {
      eventBlockRange(this.header, await this.keptEvents(group), group, event, this.url);
      return true;
    } catch (e) {
      if (e instanceof EventNotInStoreError) return false;
      throw e;
    }
  }
}

/** Bytes [start, end) of `url` by one Range request; refuses a server that sends the whole file. */
async function fetchRange(fetcher: typeof fetch, url: string, start: number, end: number, what: string, signal: AbortSignal | undefined, counter: {requests: number; size?: number}): Promise<Uint8Array> {
  counter.requests++;
  let response: Response;
  try {
    response = await fetcher(url, {headers: {Range: `bytes=${start}-${end - 1}`}, signal});
  } catch (e) {
    if ((e as Error)?.name === "AbortError") throw e;
    throw new DataFileError(url, `reading ${what} (bytes ${start}–${end - 1}) failed: ${(e as Error)?.message ?? e}`, undefined, {cause: e});
  }
  if (response.status === 416 && start < RECORD_STORE_PRELUDE) throw new DataFileError(url, `not a Pulsebook record store: the file is empty`);
  if (response.status !== 206 && response.status !== 200 && response.status !== 416) {
    await response.body?.cancel();
    throw new DataFileError(url, `reading ${what} (bytes ${start}–${end - 1}): HTTP ${response.status} ${response.statusText}`);
  }
  if (response.status === 416) throw new DataFileError(url, `reading ${what} (bytes ${start}–${end - 1}): beyond the end of the file (HTTP 416; a truncated store?)`);
  const total = /\/(\d+)\s*$/.exec(response.headers.get("content-range") ?? "");
  if (total) counter.size = Number(total[1]);
  if (response.status === 200) {
    // The server ignored the range: accept it only for a file no larger than what was asked.
    const length = Number(response.headers.get("content-length") ?? NaN);
    if (!(start === 0 && length <= end)) {
      await response.body?.cancel();
      throw new DataFileError(url, `reading ${what}: the server answered the range request with the whole file (HTTP 200${Number.isFinite(length) ? `, ${length} bytes` : ""}); serve the site with a server that supports HTTP Range requests`);
    }
  }
  return new Uint8Array(await response.arrayBuffer());
}
