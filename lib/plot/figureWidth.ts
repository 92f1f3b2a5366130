// Framework's `width` (and `resize`) report 0 before the page has laid out: a figure drawn then
// gets negative ranges (Plot writes <rect width="-40">) or negative buffer sizes. Every figure
// takes its width through this guard.

/** The smallest width, in px, a figure is drawn with. */
export const MIN_FIGURE_WIDTH = 240;

/** `width` floored to whole pixels, and at least `min` (NaN and negative widths included). */
export function figureWidth(width: number, min = MIN_FIGURE_WIDTH): number {
  const w = Math.floor(width);
  return Number.isFinite(w) && w > min ? w : min;
}
