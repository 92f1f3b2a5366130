// Progress of a long loader or command as plain lines on stderr: Framework shows a loader's
// stderr while it runs, and a piped CI log keeps every line (no carriage returns).
//   features: 120000/200000 events (60 %), 2281 events/s

/** A (done, total) callback printing at most one line every `everyMs` (and the last one). */
export function progressLines(what: string, options: {unit?: string; everyMs?: number; write?: (line: string) => void} = {}): (done: number, total: number) => void {
  const {unit = "events", everyMs = 2000, write = (line: string) => process.stderr.write(`${line}\n`)} = options;
  const t0 = performance.now();
  let last = -Infinity;
  return (done, total) => {
    const now = performance.now();
    if (now - last < everyMs && done < total) return;
    last = now;
    const rate = done / Math.max(1e-3, (now - t0) / 1000);
    const percent = total > 0 ? Math.floor((100 * done) / total) : 100;
    write(`${what}: ${done}/${total} ${unit} (${percent} %), ${Math.round(rate)} ${unit}/s`);
  };
}
