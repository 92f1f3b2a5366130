// The one palette (lib/plot/palette.ts): its colour science, that its colours stay apart for
// normal, protanope and deuteranope viewers, and that no page or lib/plot figure brings its own
// colours.

import {readdirSync, readFileSync, statSync} from "node:fs";
import {join, relative} from "node:path";
import {describe, expect, it} from "vitest";
import {ciede2000, colourDifference, parseHex, simulateVision, type Vision} from "../lib/plot/colourVision.js";
import {CLASS_COLOURS, OCCURRING_CLASSES, SERIES, channelColour, channelScale, classColour, classPixels, classScale, modelScale, PASS, FAIL} from "../lib/plot/palette.js";
import {hexColour} from "../lib/plot/pixels.js";
import {LABEL_CODES} from "../lib/labels/book.js";
import {LABEL} from "../lib/types.js";

const VISIONS: Vision[] = ["normal", "protanopia", "deuteranopia"];
const ROOT = join(import.meta.dirname, "..");

/** The smallest ΔE₀₀ over all pairs of `colours` and all VISIONS, with the pair. */
function closestPair(colours: [string, string][], visions: Vision[] = VISIONS): {d: number; pair: string} {
  let best = {d: Infinity, pair: ""};
  for (let i = 0; i < colours.length; ++i)
    for (let j = i + 1; j < colours.length; ++j)
      for (const v of visions) {
        const d = colourDifference(colours[i][1], colours[j][1], v);
        if (d < best.d) best = {d, pair: `${colours[i][0]} vs ${colours[j][0]} (${v})`};
      }
  return best;
}

describe("colour science", () => {
  it("computes CIEDE2000 as Sharma, Wu & Dalal's test data", () => {
    // Pairs 1, 7, 17 and 25 of Sharma et al. (2005), Table 1.
    expect(ciede2000([50, 2.6772, -79.7751], [50, 0, -82.7485])).toBeCloseTo(2.0425, 4);
    expect(ciede2000([50, 0, 0], [50, -1, 2])).toBeCloseTo(2.3669, 4);
    expect(ciede2000([50, 2.5, 0], [73, 25, -18])).toBeCloseTo(27.1492, 4);
    expect(ciede2000([60.2574, -34.0099, 36.2677], [60.4626, -34.1751, 39.4387])).toBeCloseTo(1.2644, 4);
    expect(() => parseHex("steelblue")).toThrow(/not a #rrggbb colour: steelblue/);
  });

  it("simulates dichromats with the Machado (2009) matrices: greys stay, red and green merge", () => {
    for (const v of VISIONS) simulateVision([128, 128, 128], v).forEach((c) => expect(Math.abs(c - 128)).toBeLessThan(1));
    // Pure red and green are far apart for normal vision and much closer without L or M cones.
    const normal = colourDifference("#ff0000", "#00ff00");
    expect(normal).toBeGreaterThan(80);
    expect(colourDifference("#ff0000", "#00ff00", "deuteranopia")).toBeLessThan(normal / 2);
    expect(colourDifference("#ff0000", "#00ff00", "protanopia")).toBeLessThan(normal / 2);
    // Blue against orange (Okabe–Ito's first pair) survives both.
    expect(colourDifference("#0072b2", "#e69f00", "deuteranopia")).toBeGreaterThan(30);
  });
});

describe("the palette", () => {
  it("gives every cait class a colour, all distinct for normal vision (ΔE₀₀ ≥ 12)", () => {
    expect([...CLASS_COLOURS.keys()]).toEqual([...LABEL_CODES]);
    const {d, pair} = closestPair([...CLASS_COLOURS].map(([c, hex]) => [String(c), hex]), ["normal"]);
    expect(d, pair).toBeGreaterThanOrEqual(12);
    expect(new Set(classPixels()).size).toBe(LABEL_CODES.length);
    expect(classPixels()[LABEL_CODES.indexOf(LABEL.EventPulse)]).toBe(hexColour(classColour(LABEL.EventPulse)));
  });

  it("keeps the classes that occur apart for protanopes and deuteranopes too (ΔE₀₀ ≥ 10)", () => {
    const {d, pair} = closestPair(OCCURRING_CLASSES.map((c) => [String(c), classColour(c)]));
    expect(d, pair).toBeGreaterThanOrEqual(10);
    // The manifold's complaint: Event_Pulse and Decaying_Baseline looked the same blue.
    for (const v of VISIONS) expect(colourDifference(classColour(LABEL.EventPulse), classColour(LABEL.DecayingBaseline), v)).toBeGreaterThan(20);
    // Coloured classes stand out from the white page (unlabelled is meant to recede).
    for (const c of OCCURRING_CLASSES.filter((c) => c !== 0))
      for (const v of VISIONS) expect(colourDifference(classColour(c), "#ffffff", v), `${c} on white (${v})`).toBeGreaterThanOrEqual(20);
  });

  it("covers every class the simulator produces", async () => {
    const presets = readFileSync(join(ROOT, "lib/sim/presets.ts"), "utf8");
    const used = [...presets.matchAll(/LABEL\.(\w+)/g)].map((m) => LABEL[m[1] as keyof typeof LABEL]);
    expect(used.length).toBeGreaterThan(5);
    for (const code of used) expect(OCCURRING_CLASSES).toContain(code);
  });

  it("keeps series, channel and pass/fail colours apart for all three visions", () => {
    const {d, pair} = closestPair(SERIES.map((hex, i) => [`series ${i}`, hex]));
    expect(d, pair).toBeGreaterThanOrEqual(8);
    for (const v of VISIONS) expect(colourDifference(PASS, FAIL, v)).toBeGreaterThan(15);
  });

  it("colours a channel the same whether named or numbered", () => {
    expect(channelColour("phonon")).toBe(channelColour(0));
    expect(channelColour("light")).toBe(channelColour(1));
    expect(channelColour("Ch1 (light)")).toBe(channelColour(1));
    expect(channelColour("channel 2")).toBe(channelColour(2));
    expect(channelColour(0)).not.toBe(channelColour(1));
    expect(channelScale(["light", "phonon"])).toEqual({domain: ["light", "phonon"], range: [channelColour(1), channelColour(0)]});
    // Names without a hint are coloured by position.
    expect(channelScale(["top", "bottom"]).range).toEqual([channelColour(0), channelColour(1)]);
  });

  it("colours a class and a model the same whatever else is in the figure", () => {
    expect(classScale(["4 · Squid_Jump", "1 · Event_Pulse"], (l) => parseInt(l)).range).toEqual([classColour(4), classColour(1)]);
    expect(classScale([1, 4]).range).toEqual([classColour(1), classColour(4)]);
    const a = modelScale(["cnn-full", "CNN, Table 3"]);
    const b = modelScale(["boosted trees (14)", "CNN, Table 3 (this page's run)", "cnn-full (this page's run)", "something new"]);
    expect(b.range[2]).toBe(a.range[0]);
    expect(b.range[1]).toBe(a.range[1]);
    expect(modelScale(["boosted trees, 14 features"]).range).toEqual([b.range[0]]);
    // An unknown model takes a colour no known model in the figure has.
    expect(b.range.slice(0, 3)).not.toContain(b.range[3]);
  });
});

// ── No colours outside the palette ────────────────────────────────────────────────────────────
const NAMED = "aliceblue|aqua|beige|black|blue|brown|crimson|cyan|darkblue|darkgreen|darkred|firebrick|fuchsia|gold|gray|green|grey|indigo|lightblue|lightgray|lightgrey|lime|magenta|maroon|navy|olive|orange|orangered|pink|purple|red|salmon|silver|slategray|steelblue|teal|tomato|violet|white|yellow";
const LITERALS: [string, RegExp][] = [
  ["hex colour", /["'`(:\s]#(?:[0-9a-f]{8}|[0-9a-f]{6}|[0-9a-f]{3,4})\b/gi],
  ["rgb()/hsl() colour", /["'`]\s*(?:rgba?|hsla?)\(/gi],
  ["named colour", new RegExp(`["'\`](?:${NAMED})["'\`]`, "gi")],
  ["named colour in CSS", new RegExp(`(?:color|background|fill|stroke|outline|border)[\\w-]*\\s*:[^;{}\\n]*\\b(?:${NAMED})\\b\\s*[;}]`, "gi")],
  ["colour scheme", /scheme\s*:\s*["'`]/gi]
];
// Files that may hold colour literals, and why.
const ALLOWED: Record<string, string> = {
  "lib/plot/palette.ts": "the palette itself"
};

function files(dir: string, keep: (f: string) => boolean): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "lib" && relative(ROOT, dir) === "src") return []; // src/lib is the lib/ symlink
    return statSync(path).isDirectory() ? files(path, keep) : keep(path) ? [path] : [];
  });
}

describe("colours come from the palette", () => {
  const scanned = [...files(join(ROOT, "src"), (f) => f.endsWith(".md")), ...files(join(ROOT, "lib/plot"), (f) => f.endsWith(".ts")), ...files(join(ROOT, "src/components"), (f) => f.endsWith(".ts"))];

  it("finds the pages and lib/plot", () => {
    expect(scanned.some((f) => f.endsWith("tools/labeling.md"))).toBe(true);
    expect(scanned.some((f) => f.endsWith("lib/plot/recordViewer.ts"))).toBe(true);
  });

  it("no page or lib/plot module outside palette.ts names a colour", () => {
    const found: string[] = [];
    for (const path of scanned) {
      const rel = relative(ROOT, path);
      if (ALLOWED[rel]) continue;
      const text = readFileSync(path, "utf8");
      for (const [kind, re] of LITERALS)
        for (const m of text.matchAll(re)) found.push(`${rel}:${text.slice(0, m.index).split("\n").length}: ${kind} ${m[0].trim()}`);
    }
    expect(found).toEqual([]);
  });

  it("the scan catches what it should", () => {
    const hits = (text: string) => LITERALS.filter(([, re]) => text.match(re)).map(([kind]) => kind);
    expect(hits(`fill: "steelblue"`)).toEqual(["named colour"]);
    expect(hits(`stroke: "#bbb"`)).toEqual(["hex colour"]);
    expect(hits(`shape.setAttribute("fill", "rgba(70, 130, 180, 0.12)")`)).toEqual(["rgb()/hsl() colour"]);
    expect(hits(`#stepper:focus { outline: 2px solid steelblue; }`)).toEqual(["named colour in CSS"]);
    expect(hits(`color: {scheme: "viridis"}`)).toEqual(["colour scheme"]);
    expect(hits(`## Records: \`.rdt\` → HDF5, see #label-legend, issue #18`)).toEqual([]);
    expect(hits(`stroke: "channel", fill: REFERENCE, x: {label: "Red giant"}`)).toEqual([]);
  });
});
