// The run banner at the top of every page that shows the run (docs/runs.md): which data the
// page computes from — title, run name and file, events × channels, record length, sample
// rate, unit — or "demo data" when no run file is configured. Its input is src/data/run.json
// (data-loaders/run.ts runHeader); the counts are also data attributes, for tests and scripts.
import {formatSI, UNIT_LABEL, type SignalUnit} from "../math/units.js";
import {ACCENT} from "./palette.js";

/** What src/data/run.json holds (data-loaders/run.ts RunHeader, the fields the banner uses). */
export interface RunBannerInput {
  kind: "run" | "demo";
  name: string;
  title: string;
  runFile: string | null;
  file: string;
  events: number;
  channels: string[];
  recordLength: number;
  sampleRate_Hz: number;
  unit: string;
  /** The events a built site carries records for (lib/io/recordSample.ts), in words. */
  publish?: {description: string};
}

/** What follows the banner's heading: file, events × channels, records. */
function details(run: RunBannerInput): string {
  const shape = `${run.events.toLocaleString("en-US")} events × ${run.channels.length} channels (${run.channels.join(", ")})`;
  const records = `${run.recordLength} samples at ${formatSI(run.sampleRate_Hz, "Hz")}, ${UNIT_LABEL[run.unit as SignalUnit] ?? run.unit}`;
  if (run.kind === "demo") return `${run.title}, ${run.file}; ${shape}; ${records}. No run file is configured (docs/runs.md).`;
  // The record viewers of a built site read the published sample (all events under npm run dev).
  const viewer = run.publish && !run.publish.description.startsWith("all events")
    ? ` Records published with this site: ${run.publish.description}; counts and tables use every event.`
    : "";
  return `run ${run.name} (${run.runFile}), ${run.file}; ${shape}; ${records}.${viewer}`;
}

const heading = (run: RunBannerInput) => (run.kind === "demo" ? "Demo data" : run.title);

/** The banner's text, one line: what the page shows. */
export function runBannerText(run: RunBannerInput): string {
  return `${heading(run)}: ${details(run)}`;
}

/** The banner element. */
export function runBanner(run: RunBannerInput, doc: Document = document): HTMLElement {
  const el = doc.createElement("div");
  el.className = "run-banner";
  el.dataset.run = run.name;
  el.dataset.kind = run.kind;
  el.dataset.events = String(run.events);
  el.dataset.channels = String(run.channels.length);
  el.setAttribute("role", "note");
  // Framework's theme colours, with the palette's accent where a theme lacks one.
  el.style.cssText = `border-left: 4px solid var(--theme-foreground-focus, ${ACCENT}); padding: 0.4rem 0.8rem; margin: 0.5rem 0 1rem; background: var(--theme-background-alt); font-size: 0.9em;`;
  const head = doc.createElement("strong");
  head.textContent = heading(run);
  el.append(head, doc.createTextNode(` · ${details(run)}`));
  return el;
}
