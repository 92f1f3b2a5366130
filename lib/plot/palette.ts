// The one palette of Pulsebook: every colour a page or a lib/plot figure draws with is named
// here, so that a class, a channel or a model has the same colour on every page. Colour-blind
// safe: the classes the simulator and the demo produce stay ≥ 10 ΔE₀₀ apart for normal vision,
// protanopia and deuteranopia (test/palette.test.ts, colourVision.ts); the channel, series and
// model colours are Okabe & Ito's (2008) set; the remaining cait classes are told apart by
// normal vision. Sources: Paul Tol's bright/muted/light schemes and Okabe–Ito.

import {LABEL_CODES} from "../labels/book.js";
import {hexColour, rgba} from "./pixels.js";

// ── Classes ───────────────────────────────────────────────────────────────────────────────
// The classes that occur (lib/sim presets, the demo and its labels) were chosen by a search
// maximising the smallest ΔE₀₀ over the three visions (10.9); unlabelled is a light grey so that
// labelled records stand out; unknown/other is a dark grey.
const CLASS_HEX: Readonly<Record<number, string>> = {
  0: "#dddddd", // unlabeled
  1: "#0072b2", // Event_Pulse — blue
  2: "#44bb99", // Test/Control_Pulse — mint
  3: "#eedd88", // Noise — sand
  4: "#cc3311", // Squid_Jump — red
  5: "#aa3377", // Spike — wine
  6: "#aaaa00", // Early_or_late_Trigger — olive
  7: "#cc79a7", // Pile_Up — pink
  8: "#225555", // Carrier_Event — dark teal
  9: "#332288", // Strongly_Saturated_Event_Pulse — indigo
  10: "#117733", // Strongly_Saturated_Test/Control_Pulse — green
  11: "#ee6677", // Decaying_Baseline — rose
  12: "#56b4e9", // Temperature_Rise — sky blue
  13: "#aa7744", // Stick_Event — brown
  14: "#663333", // Square_Waves — maroon
  15: "#e69f00", // Human_Disturbance — orange
  16: "#666633", // Large_Sawtooth — dark olive
  17: "#ee8866", // Cosinus_Tail — salmon
  18: "#ffaabb", // Light_only_Event — light pink
  19: "#004488", // Ring_Light_Event — navy
  20: "#000000", // Sharp_Light_Event — black
  99: "#555555" // unknown/other — dark grey
};

/** The class codes the simulator and the demo produce: these must stay apart for colour-blind viewers too. */
export const OCCURRING_CLASSES: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12];

/** Hex colour per cait class code. */
export const CLASS_COLOURS: ReadonlyMap<number, string> = new Map(LABEL_CODES.map((code) => [code, CLASS_HEX[code]]));

/** Position of a class code in LABEL_CODES (the palette index used by rasterScatter). */
export const CLASS_INDEX: ReadonlyMap<number, number> = new Map(LABEL_CODES.map((code, i) => [code, i]));

/** The colour of a class code (dark grey, as unknown/other, for a code cait does not define). */
export function classColour(code: number): string {
  return CLASS_COLOURS.get(code) ?? CLASS_HEX[99];
}

/** Packed RGBA pixels in LABEL_CODES order, the palette rasterScatter draws classes with. */
export function classPixels(alpha = 255): Uint32Array {
  return Uint32Array.from(LABEL_CODES, (code) => hexColour(classColour(code), alpha));
}

/** A Plot colour scale for class codes (or any labels), with `codeOf` reading the code from a label. */
export function classScale<T>(labels: readonly T[], codeOf: (label: T) => number = (l) => Number(l)): {domain: T[]; range: string[]} {
  return {domain: [...labels], range: labels.map((l) => classColour(codeOf(l)))};
}

// ── Series: channels, models, any other categories ──────────────────────────────────────────
/** Okabe–Ito, without black (the ink) and yellow (too light on white), in order of use. */
export const SERIES: readonly string[] = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#000000"];

/** Channel colours by index: phonon (0) blue, light (1) orange, then the rest of SERIES. */
export function channelColour(channel: number | string): string {
  const index = typeof channel === "number" ? channel : channelIndex(channel);
  return SERIES[((index % SERIES.length) + SERIES.length) % SERIES.length];
}

// A channel named by text: "phonon"/"light" wherever they appear in it, else a trailing number.
function channelIndex(name: string): number {
  const lower = name.toLowerCase();
  if (lower.includes("phonon")) return 0;
  if (lower.includes("light")) return 1;
  const m = /(\d+)\s*\)?$/.exec(lower);
  return m ? Number(m[1]) : 0;
}

/** A Plot colour scale for channel names (or indices), each drawn in its channelColour. */
export function channelScale<T extends string | number>(channels: readonly T[]): {domain: T[]; range: string[]} {
  const range = channels.map((c, i) => (typeof c === "number" || /phonon|light|\d\s*\)?$/i.test(c) ? channelColour(c) : channelColour(i)));
  return {domain: [...channels], range};
}

// Models keep one colour across the reports: matched by the start of their name.
const MODEL_HEX: readonly [RegExp, string][] = [
  [/^cnn-full/i, SERIES[0]],
  [/^cnn, table 3|^cnn \(paper/i, SERIES[1]],
  [/^boosted trees[ ,(]+14/i, SERIES[2]],
  [/^boosted trees[ ,(]+4/i, SERIES[3]],
  [/^classical cuts/i, SERIES[5]],
  [/^true labels/i, SERIES[6]],
  [/^raw$/i, SERIES[4]]
];

/** A model's colour, or undefined for a name not known here. */
export function modelColour(name: string): string | undefined {
  return MODEL_HEX.find(([re]) => re.test(name))?.[1];
}

/** A Plot colour scale for model names: known models in their colour, others in the SERIES colours left over. */
export function modelScale(names: readonly string[]): {domain: string[]; range: string[]} {
  const known = names.map(modelColour);
  const spare = SERIES.filter((c) => !known.includes(c));
  let next = 0;
  return {domain: [...names], range: known.map((c) => c ?? spare[next++ % spare.length])};
}

/** A Plot colour scale for any other categories, in SERIES order. */
export function seriesScale<T>(names: readonly T[]): {domain: T[]; range: string[]} {
  return {domain: [...names], range: names.map((_, i) => SERIES[i % SERIES.length])};
}

// ── Roles ───────────────────────────────────────────────────────────────────────────────────
/** One series alone (a histogram, a curve): the first SERIES colour. */
export const ACCENT = SERIES[0];
/** Reference marks: thresholds, true values, fitted lines drawn over data (Okabe–Ito vermillion). */
export const REFERENCE = "#d55e00";
/** Context drawn behind the data: raw traces, the distribution before a cut, frames. */
export const MUTED = "#bbbbbb";
/** Text-coloured marks (fits over coloured data, points that must read as ink). */
export const INK = "currentColor";
/** Passes / fails a cut or a classifier (bluish green / vermillion, apart for colour-blind viewers). */
export const PASS = "#009e73";
export const FAIL = "#d55e00";
/** Outline that separates overlapping dots (the page background). */
export const HALO = "white";
/** Selection outline and fill on the scatter. */
export const SELECTION = "#0072b2";
export const SELECTION_FILL = "rgba(0, 114, 178, 0.12)";
/** Continuous colour: viridis, perceptually uniform and readable without red–green. */
export const SEQUENTIAL_SCHEME = "viridis";
/** The selected points on the raster scatter (drawn larger, over the class colours). */
export const HIGHLIGHT = "#1a1a1a";
/** The one point being looked at (Okabe–Ito orange, over the near-black selection). */
export const FOCUS = "#e69f00";

// ── Density ─────────────────────────────────────────────────────────────────────────────────
/** Unlabelled points of a density raster: light grey for one point, near-black for the densest cell. */
export const DENSITY_LOW = "#d4d4d4";
export const DENSITY_HIGH = "#1f1f1f";

/** `levels` packed pixels from DENSITY_LOW to DENSITY_HIGH (linear in sRGB), for densityPixels. */
export function densityRamp(levels = 64, alpha = 255): Uint32Array {
  const lo = DENSITY_LOW.match(/[0-9a-f]{2}/gi)!.map((h) => parseInt(h, 16));
  const hi = DENSITY_HIGH.match(/[0-9a-f]{2}/gi)!.map((h) => parseInt(h, 16));
  return Uint32Array.from({length: levels}, (_, k) => {
    const t = levels > 1 ? k / (levels - 1) : 1;
    const [r, g, b] = lo.map((v, j) => Math.round(v + t * (hi[j] - v)));
    return rgba(r, g, b, alpha);
  });
}
