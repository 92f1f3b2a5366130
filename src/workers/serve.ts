// The worker side of src/components/worker.ts: a table of named jobs answering messages
// {id, job, args} with {id, value, ms} or {id, error}. Typed arrays in the answer are
// transferred, not copied, so a 10⁴-element result costs the page nothing to receive.

/** A job: plain arguments in, a structured-cloneable value (or its promise) out. */
export type Job = (args: any) => unknown;

interface Request {
  id: number;
  job: string;
  args: unknown;
}

/** ArrayBuffers of the typed arrays in `value` (searched two levels deep: records and arrays of records). */
function transferables(value: unknown, depth = 0, out = new Set<ArrayBuffer>()): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) out.add(value.buffer);
  } else if (value && typeof value === "object" && depth < 2) {
    for (const v of Array.isArray(value) ? value : Object.values(value)) transferables(v, depth + 1, out);
  }
  return [...out];
}

/** Answers the page's requests in this worker with the jobs of `jobs`. */
export function serveJobs(jobs: {[name: string]: Job}): void {
  const scope = self as unknown as {onmessage: ((e: MessageEvent<Request>) => void) | null; postMessage(message: unknown, transfer: Transferable[]): void};
  scope.onmessage = async ({data: {id, job, args}}) => {
    const t0 = performance.now();
    try {
      if (!Object.hasOwn(jobs, job)) throw new Error(`this worker has no job "${job}" (it has: ${Object.keys(jobs).join(", ")})`);
      const value = await jobs[job](args);
      scope.postMessage({id, value, ms: performance.now() - t0}, transferables(value));
    } catch (e) {
      scope.postMessage({id, error: e instanceof Error ? e.message : String(e)}, []);
    }
  };
}

const fetched = new Map<string, Promise<unknown>>();

/** JSON at `url`, fetched once per worker (the page passes URLs, not the data, to keep messages small). */
export function fetchJson<T>(url: string): Promise<T> {
  let p = fetched.get(url);
  if (!p) {
    p = fetch(url).then((r) => {
      if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
      return r.json();
    });
    fetched.set(url, p);
  }
  return p as Promise<T>;
}
