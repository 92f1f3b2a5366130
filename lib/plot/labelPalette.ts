// The label colours of lib/labels/palette.ts as packed pixels, the palette rasterScatter draws with.
import {LABEL_CODES} from "../labels/book.js";
import {LABEL_COLOURS} from "../labels/palette.js";
import {hexColour} from "./rasterScatter.js";

/** Packed RGBA pixels in LABEL_CODES order. */
export function labelPalette(alpha = 255): Uint32Array {
  return Uint32Array.from(LABEL_CODES, (code) => hexColour(LABEL_COLOURS.get(code)!, alpha));
}
