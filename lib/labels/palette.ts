// One colour per cait label class, shared by the raster scatter (packed pixels) and Plot
// legends (hex strings); lib/plot/labelPalette.ts packs them into pixels. Unlabelled records are a light grey so that labelled ones stand out.

import {LABEL_CODES} from "./book.js";

// Tableau 10 and 20 (d3.schemeTableau10 + extra), distinct for the classes seen most often.
const COLOURS = [
  "#c8c8c8", // 0 unlabeled
  "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#edc948", "#9c755f", "#76b7b2",
  "#ff9da7", "#bab0ac", "#1f77b4", "#8c564b", "#17becf", "#bcbd22", "#7f7f7f", "#aec7e8",
  "#98df8a", "#c5b0d5", "#c49c94", "#dbdb8d",
  "#000000" // 99 unknown/other
];

/** Hex colour per class code. */
export const LABEL_COLOURS: ReadonlyMap<number, string> = new Map(LABEL_CODES.map((code, i) => [code, COLOURS[i]]));

/** Position of a class code in LABEL_CODES (the palette index used by rasterScatter). */
export const LABEL_INDEX: ReadonlyMap<number, number> = new Map(LABEL_CODES.map((code, i) => [code, i]));
