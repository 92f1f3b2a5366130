// The per-record passes on every core: worker threads (featureWorker.ts) reduce chunks of events,
// handed out in file order, to feature columns, or to the columns of a per-record stage's kernel
// (OF amplitudes, SEV fits: lib/pipeline/process/kernels.ts); the calling thread gets the columns
// back in that order, so it writes while the workers compute. A pool whose workers read also
// computes the NPS stage's spectra on one of them (`noiseSpectra`). Who reads the chunks
// (`readersFor`):
// - for a few chunks per worker, the calling thread (its own handle on the input), which copies
//   each chunk into shared memory the worker reads it from (one buffer per chunk in flight,
//   reused: fresh 8 MB buffers cost more in page faults, and buffers moved to and fro in garbage
//   collections, than the copy); the workers then load no HDF5, whose start-up (h5wasm parsed,
//   compiled and initialised) costs ≈ 0.35 CPU-s per thread;
// - for many, each worker from its own handle: reading, copying and posting every chunk made the
//   calling thread the bottleneck of two threads (≈ 45 µs per record of it, the workers idle a
//   third of the time), and a per-thread start-up is soon paid back.
// At most two chunks per worker are in flight: memory stays bounded by a few chunks of records per
// worker, whatever the file size. The columns are those the calling thread computes on the same
// chunks, whatever the number of threads and whoever reads. `pulsebook process` starts one pool
// per run, for every per-record pass.
//
// A worker that dies (out of memory, say) rejects its chunks with a WorkerDiedError naming it,
// its exit code and the events it was reading; an error of the data (a NaN sample, a corrupt
// chunk) comes back as the very error the in-thread pass throws.
import {Worker} from "node:worker_threads";
import {availableParallelism} from "node:os";
import {computeFeatures} from "../lib/dsp/features.js";
import type {EventChunk, RecordLayout} from "../lib/types.js";
import {openCaitFile, type CaitFile} from "./io/node.js";
import type {Columns} from "../lib/io/columns.js";
import type {RecordGroup} from "../lib/types.js";
import type {KernelChunk, KernelSpec} from "../lib/pipeline/process/kernels.js";
import type {NoiseSpectrum} from "../lib/dsp/nps.js";
import {WorkerDiedError} from "./mlPool.js";
import {errorFromReply} from "./workerError.js";
import type {FeatureReply, FeatureRequest} from "./featureWorker.js";

const ENTRY = new URL("./feature-worker.mjs", import.meta.url);

/** The feature columns of events [start, start + count) of a group. */
export interface FeatureChunk {
  start: number;
  count: number;
  /** computeFeatures' columns (without `rows`). */
  columns: Columns;
  /** Per event, test-pulse amplitude (testpulses group). */
  testpulseAmplitude?: Float64Array;
}

/**
 * Worker threads for `events` events read `chunkEvents` at a time when the caller does not
 * say: one per core, but only as many as have at least 32 chunks each to do. Starting a worker
 * (its modules, the kernels' wasm) costs CPU time a small file does not win back: a smaller
 * file is done sooner in one thread.
 */
export function defaultFeatureThreads(events: number, chunkEvents: number): number {
  return Math.max(1, Math.min(availableParallelism(), Math.floor(events / (32 * chunkEvents))));
}

/** Whether workers read their chunks themselves (see above): records per worker from which they do. */
export const WORKERS_READ_FROM = 16_384;

/**
 * Who reads the chunks of a pool of `threads` workers over `records` records: the workers from
 * WORKERS_READ_FROM records each. PULSEBOOK_READERS=main|workers decides instead (benches, tests).
 */
export function readersFor(records: number, threads: number): Readers {
  const forced = process.env.PULSEBOOK_READERS;
  if (forced === "main" || forced === "workers") return forced;
  return records / Math.max(1, threads) >= WORKERS_READ_FROM ? "workers" : "main";
}

export type Readers = "main" | "workers";

/**
 * Feature columns of every chunk of events [from, to) of `group` of `file` (opened from
 * `input`), in file order, on `threads` worker threads (1: in this thread, no workers) or on a
 * pool the caller started.
 */
export async function* featureChunks(input: string, file: CaitFile, group: RecordGroup, chunkEvents: number, threads: number | (() => Promise<FeaturePool>), from = 0, to = file.count(group)): AsyncGenerator<FeatureChunk> {
  const nChunks = Math.ceil((to - from) / chunkEvents);
  if (typeof threads === "number" && Math.min(threads, nChunks) <= 1) {
    const {layout} = file.dataset;
    // Each chunk is reduced before the next is read: one buffer serves them all. The feature
    // kernel checks every sample, so the read does not (see CaitFile.computeChecked).
    for (const chunk of file.chunks(group, chunkEvents, from, to, true, false)) {
      const {rows: _rows, ...columns} = file.computeChecked(group, chunk.start, chunk.count, () => computeFeatures(chunk, layout));
      yield {start: chunk.start, count: chunk.count, columns: columns as Columns, testpulseAmplitude: chunk.testpulseAmplitude};
    }
    return;
  }
  // The workers compute with this thread's layout: it may hold metadata the config gave.
  const own = typeof threads === "number";
  const n = own ? Math.min(threads, nChunks) : 0;
  const pool = own ? await FeaturePool.start(input, n, file.dataset.layout, readersFor((to - from) * file.dataset.channels.length, n)) : await threads();
  try {
    yield* inOrder(pool, from, to, chunkEvents, (start, count) => pool.run(group, start, count));
  } finally {
    if (own) await pool.close();
  }
}

/**
 * The columns of a per-record stage's kernel for events [from, to) of `group`, chunk by chunk
 * in file order, computed on the pool's workers (each builds the kernel from `spec` once).
 */
export async function* kernelChunks(pool: FeaturePool, spec: KernelSpec, group: RecordGroup, from: number, to: number, chunkEvents: number): AsyncGenerator<KernelChunk> {
  pool.useKernel(spec);
  yield* inOrder(pool, from, to, chunkEvents, (start, count) => pool.runKernel(group, start, count));
}

/** Jobs over events [from, to) handed out in order, at most two per worker in flight, results in order. */
async function* inOrder<T>(pool: FeaturePool, from: number, to: number, chunkEvents: number, run: (start: number, count: number) => Promise<T>): AsyncGenerator<T> {
  const inFlight: Promise<T>[] = [];
  let next = from;
  try {
    while (next < to || inFlight.length) {
      while (next < to && inFlight.length < 2 * pool.size) {
        const job = run(next, Math.min(chunkEvents, to - next));
        job.catch(() => {}); // awaited in order below; until then a rejection is not unhandled
        inFlight.push(job);
        next += chunkEvents;
      }
      yield await inFlight.shift()!;
    }
  } finally {
    // Stopped early (an error, a consumer that broke off): let the jobs still running finish.
    await Promise.allSettled(inFlight);
  }
}

/** A worker's reply that settles a job: a chunk's columns, or the NPS's spectra. */
type JobReply = Extract<FeatureReply, {kind: "result" | "spectra"}>;

interface Job {
  worker: number;
  /** The shared buffer holding the chunk's samples, free again when the job is done. */
  buffer?: SharedArrayBuffer;
  what: string;
  resolve: (reply: JobReply) => void;
  reject: (e: Error) => void;
  /** For a features chunk (read without the sample check): the error to report instead of the worker's. */
  checked?: (e: Error) => Error;
}

/** Worker threads computing features or a kernel's columns of the chunks this thread, or each worker, reads. */
export class FeaturePool {
  private pending = new Map<number, Job>();
  private busy: number[];
  private nextId = 0;
  private broken: Error | null = null;
  private kernel: KernelSpec | undefined;
  /** Shared sample buffers no job holds, for the next chunks. */
  private spare: SharedArrayBuffer[] = [];

  private constructor(private workers: Worker[], private file: CaitFile, readonly readers: Readers) {
    this.busy = workers.map(() => 0);
  }

  static async start(input: string, n: number, layout: RecordLayout, readers: Readers = "main"): Promise<FeaturePool> {
    // The workers start while this thread opens the input (its own handle: its own read buffer;
    // with workers that read, for the selections of the process stages).
    const workers = Array.from({length: n}, () => new Worker(ENTRY, {workerData: {input, layout, read: readers === "workers"}}));
    let file: CaitFile | undefined;
    try {
      const ready = Promise.all(workers.map((w, k) => new Promise<void>((resolve, reject) => {
        w.once("message", (m: FeatureReply) => (m.kind === "ready" ? resolve() : reject(m.kind === "error" ? errorFromReply(m) : new Error("unexpected reply"))));
        w.once("error", reject);
        w.once("exit", (code) => reject(new WorkerDiedError(`feature worker ${k + 1} of ${n} exited with code ${code} while starting`)));
      })));
      ready.catch(() => {}); // awaited below, after the input is open
      file = await openCaitFile(input);
      await ready;
    } catch (e) {
      file?.close();
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    const pool = new FeaturePool(workers, file, readers);
    for (const [k, w] of workers.entries()) {
      // Only the start-up listeners: a bare removeAllListeners() also drops the Worker's own.
      for (const event of ["message", "error", "exit"]) w.removeAllListeners(event);
      w.on("message", (m: FeatureReply) => pool.reply(m));
      let cause = "";
      w.on("error", (e) => { cause = `: ${e.message}`; });
      w.on("exit", (code) => pool.workerExited(k, code, cause));
    }
    return pool;
  }

  private reply(m: FeatureReply): void {
    if (m.kind === "ready" || m.id === undefined) return;
    const job = this.pending.get(m.id);
    if (!job) return;
    this.pending.delete(m.id);
    if (job.buffer) this.spare.push(job.buffer); // the worker is done with the chunk
    this.busy[job.worker]--;
    if (m.kind === "result" || m.kind === "spectra") job.resolve(m);
    else {
      const e = errorFromReply(m);
      job.reject(job.checked ? job.checked(e) : e);
    }
  }

  private workerExited(k: number, code: number, cause: string): void {
    if (this.broken) return; // closing, or another worker died first
    const who = `feature worker ${k + 1} of ${this.workers.length} exited with code ${code}${cause}`;
    this.broken = new WorkerDiedError(`${who}; the worker pool is unusable (try fewer --threads)`);
    for (const [id, job] of this.pending) {
      this.pending.delete(id);
      job.reject(job.worker === k ? new WorkerDiedError(`${who} while ${job.what}`) : this.broken);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** Features of events [start, start + count) of `group`, on the least busy worker. */
  run(group: RecordGroup, start: number, count: number): Promise<FeatureChunk> {
    return this.send(group, start, count, "features");
  }

  /** Has every worker build the kernel of `spec` (once per spec) for the next runKernel jobs. */
  useKernel(spec: KernelSpec): void {
    if (this.kernel === spec || this.broken) return;
    this.kernel = spec;
    const nChannels = this.file.dataset.channels.length;
    for (const w of this.workers) w.postMessage({kind: "kernel", spec, nChannels} satisfies FeatureRequest);
  }

  /** The current kernel's columns of events [start, start + count) of `group`. */
  runKernel(group: RecordGroup, start: number, count: number): Promise<KernelChunk> {
    if (!this.kernel) return Promise.reject(new Error("no kernel: call useKernel first"));
    return this.send(group, start, count, this.kernel.stage);
  }

  /**
   * The NPS stage's spectra of `picks` of `group` (lib/pipeline/process/nps.ts noiseSpectra) on
   * the least busy worker, which reads them itself: only in a pool whose workers read.
   */
  noiseSpectra(group: RecordGroup, picks: Map<number, Int32Array>, window: "tukey" | "none"): Promise<Map<number, NoiseSpectrum>> {
    if (this.broken) return Promise.reject(this.broken);
    if (this.readers !== "workers") return Promise.reject(new Error("noiseSpectra: this pool's workers do not read the input"));
    return this.post((id) => ({kind: "nps", id, group, picks: [...picks], window}), [], {what: `computing the NPS of ${group} events`})
      .then((m) => new Map((m as Extract<FeatureReply, {kind: "spectra"}>).spectra));
  }

  private send(group: RecordGroup, start: number, count: number, task: "features" | KernelSpec["stage"]): Promise<FeatureChunk & KernelChunk> {
    if (this.broken) return Promise.reject(this.broken);
    const what = `${task === "features" ? "reading" : `computing ${task} of`} ${group} events [${start}, ${start + count})`;
    const chunkOf = (m: JobReply) => {
      const {columns, testpulseAmplitude} = m as Extract<FeatureReply, {kind: "result"}>;
      return {start, count, columns: columns as Columns & KernelChunk["columns"], testpulseAmplitude};
    };
    if (this.readers === "workers") {
      return this.post((id) => ({kind: "read", id, group, start, count, kernel: task !== "features"}), [], {what}).then(chunkOf);
    }
    let chunk: EventChunk, buffer: SharedArrayBuffer;
    try {
      // Read into the file's reused buffer and copied out once, into shared memory the worker reads;
      // without the sample check: the feature kernel and the per-record kernels fail on a
      // non-finite sample, and CaitFile.checkedError names it.
      chunk = this.file.readChunk(group, start, count, true, false);
      const n = chunk.samples.length;
      const spare = this.spare.findIndex((b) => b.byteLength >= 4 * n);
      buffer = spare >= 0 ? this.spare.splice(spare, 1)[0] : new SharedArrayBuffer(4 * n);
      const samples = new Float32Array(buffer, 0, n);
      samples.set(chunk.samples);
      chunk.samples = samples;
    } catch (e) {
      return Promise.reject(e as Error); // the very error the in-thread pass throws (naming the file)
    }
    const transfer = [chunk.hours, chunk.labels, chunk.testpulseAmplitude].filter((a) => a !== undefined).map((a) => a.buffer as ArrayBuffer);
    const checked = (e: Error) => this.file.checkedError(group, start, count, e);
    return this.post((id) => ({kind: "chunk", id, chunk, kernel: task !== "features"}), transfer, {what, buffer, checked}).then(chunkOf);
  }

  /** Posts the request `request(id)` of a new job to the least busy worker; settled by its reply. */
  private post(request: (id: number) => FeatureRequest, transfer: ArrayBuffer[], job: Omit<Job, "worker" | "resolve" | "reject">): Promise<JobReply> {
    const k = this.busy.indexOf(Math.min(...this.busy));
    const id = this.nextId++;
    this.busy[k]++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, {...job, worker: k, resolve, reject});
      this.workers[k].postMessage(request(id), transfer);
    });
  }

  async close(): Promise<void> {
    this.broken ??= new Error("feature pool closed");
    for (const job of this.pending.values()) job.reject(this.broken);
    this.pending.clear();
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.file.close();
  }
}
