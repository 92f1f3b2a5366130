// CLI progress: in place on a terminal, whole lines at 10 % steps when piped (CI logs, batch jobs).
import {describe, expect, it} from "vitest";
import {progressReporter} from "../data-loaders/progress.js";
import {mkdtempSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {runPulsebook} from "./support/cli.ts";

function capture(isTTY: boolean) {
  const out: string[] = [];
  let t = 0;
  const report = progressReporter({write: (s) => out.push(s), isTTY}, "features", {now: () => t});
  return {out, report, advance: (ms: number) => { t += ms; }};
}

describe("progress", () => {
  it("piped: one line per 10 % step with rate and time left, the last one at the end", () => {
    const {out, report, advance} = capture(false);
    for (let done = 0; done <= 1000; done += 25) { report(done, 1000); advance(100); }
    expect(out).toHaveLength(10);
    for (const line of out) expect(line.endsWith("\n") && !line.includes("\r")).toBe(true);
    // 25 events per 100 ms = 250 events/s; at 100/1000 there are 900 events = 3.6 s left.
    expect(out[0]).toBe("features: 100/1000 events (10 %), 250 events/s, about 3.6 s left\n");
    expect(out[9]).toBe("features: 1000/1000 events (100 %), 250 events/s in 4.0 s\n");
  });

  it("terminal: rewritten in place at most 4 times a second, newline at the end", () => {
    const {out, report, advance} = capture(true);
    for (let done = 1; done <= 100; done++) { advance(50); report(done, 100); }
    // 100 updates 50 ms apart (5 s): one per 250 ms, plus the final line.
    expect(out.length).toBe(21);
    expect(out.every((s) => s.startsWith("\r"))).toBe(true);
    expect(out.at(-1)).toBe("\rfeatures: 100/100 events in 5.0 s\n");
  });

  it("a piped pulsebook simulate logs its progress as lines", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pulsebook-progress-"));
    try {
      const r = await runPulsebook("simulate", "--events", "200", "--testpulses", "0", "--noise", "0", "--out", join(dir, "s.h5"));
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stderr.split("\n").filter((l) => l.startsWith("simulate: "));
      expect(lines.length).toBeGreaterThanOrEqual(1);
      expect(r.stderr).not.toContain("\r");
      expect(lines.at(-1)).toMatch(/^simulate: 200\/200 events \(100 %\), [\d.]+ events\/s in [\d.]+ s$/);
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });
});
