// Progress of a long command or loader on stderr. To a terminal: one line rewritten in place, at most
// 4 times a second. Piped (CI logs, batch jobs, Framework's loader log): a plain line at every
// 10 % step and at the end, with the rate and the time left, so a log shows the job is alive
// without filling up with carriage returns.

export interface ProgressSink {
  write(text: string): void;
  /** A terminal gets in-place updates; anything else gets whole lines. */
  isTTY?: boolean;
}

export type ProgressReporter = (done: number, total: number) => void;

/** Reporter for `what` ("features", "simulate") counting `unit` ("events"). */
export function progressReporter(sink: ProgressSink, what: string, {unit = "events", now = () => Date.now()}: {unit?: string; now?: () => number} = {}): ProgressReporter {
  const start = now();
  let last = -Infinity;
  let lastStep = -1;
  return (done, total) => {
    const t = now();
    const finished = done >= total;
    const seconds = (t - start) / 1000;
    const rate = seconds > 0 ? done / seconds : NaN;
    if (sink.isTTY) {
      if (t - last < 250 && !finished) return;
      last = t;
      sink.write(`\r${what}: ${done}/${total} ${unit}${finished ? ` in ${seconds.toFixed(1)} s\n` : ""}`);
      return;
    }
    const step = total > 0 ? Math.floor((10 * done) / total) : 10;
    if (step === lastStep || (step === 0 && !finished)) return;
    lastStep = step;
    const percent = total > 0 ? Math.floor((100 * done) / total) : 100;
    const speed = Number.isFinite(rate) ? `, ${rate >= 100 ? Math.round(rate) : rate.toPrecision(3)} ${unit}/s` : "";
    const left = !finished && rate > 0 ? `, about ${formatDuration((total - done) / rate)} left` : finished ? ` in ${formatDuration(seconds)}` : "";
    sink.write(`${what}: ${done}/${total} ${unit} (${percent} %)${speed}${left}\n`);
  };
}

function formatDuration(s: number): string {
  if (s < 90) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** Plain progress lines on stderr, for loaders: Framework's log and piped CI logs keep every line. */
export function progressLines(what: string, options: {unit?: string} = {}): ProgressReporter {
  return progressReporter({write: (text) => process.stderr.write(text), isTTY: false}, what, options);
}
