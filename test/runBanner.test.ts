// The run banner's words (lib/plot/runBanner.ts) and the loaders' progress lines
// (data-loaders/progress.ts): what a reader and a CI log see of the run.
import {describe, expect, it} from "vitest";
import {runBannerText} from "../lib/plot/runBanner.js";

const run = {kind: "run" as const, name: "r34", title: "Run 34: module A", runFile: "runs/r34.yaml", file: "data/r34.h5", events: 200000, channels: ["phonon", "light"], recordLength: 16384, sampleRate_Hz: 25000, unit: "ADC"};

describe("runBannerText", () => {
  it("names the run, its files, events × channels and the records", () => {
    expect(runBannerText(run)).toBe("Run 34: module A: run r34 (runs/r34.yaml), data/r34.h5; 200,000 events × 2 channels (phonon, light); 16384 samples at 25.0 kHz, ADC counts.");
  });
  it("says which events' records a built site carries when not all", () => {
    expect(runBannerText({...run, publish: {description: "every 4th event of 200000 (event 0, 4, 8, …)"}})).toBe("Run 34: module A: run r34 (runs/r34.yaml), data/r34.h5; 200,000 events × 2 channels (phonon, light); 16384 samples at 25.0 kHz, ADC counts. Records published with this site: every 4th event of 200000 (event 0, 4, 8, …); counts and tables use every event.");
    expect(runBannerText({...run, publish: {description: "all events of 200000"}})).toBe(runBannerText(run));
  });
  it("says demo data when no run file is configured", () => {
    expect(runBannerText({...run, kind: "demo", name: "demo", title: "simulated module", runFile: null, file: "demo.h5", events: 200}))
      .toBe("Demo data: simulated module, demo.h5; 200 events × 2 channels (phonon, light); 16384 samples at 25.0 kHz, ADC counts. No run file is configured (docs/runs.md).");
  });
});
