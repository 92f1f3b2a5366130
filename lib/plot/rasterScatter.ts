// Scatter plots of hundreds of thousands of points as a raster: each point paints a small
// square of pixels into an RGBA buffer, which a page puts on a <canvas> in one call. An SVG
// circle per point (Plot.dot) stops being interactive long before 200,000 points; a raster
// costs one pass over the points whatever their number. Pure: typed arrays in, pixels out.

import {HIGHLIGHT, FOCUS} from "./palette.js";
import {hexColour} from "./pixels.js";

export {rgba, hexColour} from "./pixels.js";

/** A linear map from a data interval onto a pixel interval (range may be reversed, as for y). */
export interface LinearScale {
  domain: [number, number];
  range: [number, number];
}

export function applyScale({domain: [d0, d1], range: [r0, r1]}: LinearScale, v: number): number {
  return r0 + ((v - d0) / (d1 - d0 || 1)) * (r1 - r0);
}

export function invertScale({domain: [d0, d1], range: [r0, r1]}: LinearScale, p: number): number {
  return d0 + ((p - r0) / (r1 - r0 || 1)) * (d1 - d0);
}

/** [min, max] of the finite values, widened by `pad` of the span on each side ([0, 1] when none). */
export function paddedExtent(values: ArrayLike<number>, pad = 0.03): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; ++i) {
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (lo === hi) return [lo - 0.5 * (Math.abs(lo) || 1), hi + 0.5 * (Math.abs(hi) || 1)];
  const d = (hi - lo) * pad;
  return [lo - d, hi + d];
}

export interface RasterOptions {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Per point, an index into `palette`. */
  colour: ArrayLike<number>;
  /** RGBA colours packed as 0xAABBGGRR (little-endian ImageData order). */
  palette: Uint32Array;
  xScale: LinearScale;
  yScale: LinearScale;
  width: number;
  height: number;
  /** Side of the square painted per point, in pixels (default 2). */
  pointSize?: number;
  /** Points drawn last (on top), larger by 2 px, in `highlightColour`. */
  highlight?: ArrayLike<number>;
  highlightColour?: number;
  /** Drawn in this order when given (e.g. unlabelled first, so labels stay visible). */
  order?: ArrayLike<number>;
  /** One point drawn on top of everything, 4 px larger than the others, in `focusColour`. */
  focus?: number;
  focusColour?: number;
}

/**
 * Paints the points into a width × height pixel buffer (transparent background; later points
 * over earlier ones). Returns the pixels as Uint32Array (view it as Uint8ClampedArray for
 * ImageData) and how many points were drawn (finite and inside the frame).
 */
export function rasterScatter(options: RasterOptions, out?: Uint32Array): {pixels: Uint32Array; drawn: number} {
  const {x, y, colour, palette, xScale, yScale, width, height, pointSize = 2, highlight, highlightColour = hexColour(HIGHLIGHT), order, focus, focusColour = hexColour(FOCUS)} = options;
  const pixels = out && out.length === width * height ? out : new Uint32Array(width * height);
  pixels.fill(0);
  // Precomputed affine maps: p = a + b·v, the same arithmetic as applyScale.
  const bx = (xScale.range[1] - xScale.range[0]) / (xScale.domain[1] - xScale.domain[0] || 1);
  const ax = xScale.range[0] - xScale.domain[0] * bx;
  const by = (yScale.range[1] - yScale.range[0]) / (yScale.domain[1] - yScale.domain[0] || 1);
  const ay = yScale.range[0] - yScale.domain[0] * by;
  let drawn = 0;
  const paint = (i: number, c: number, size: number): boolean => {
    const px = ax + bx * x[i];
    const py = ay + by * y[i];
    if (!(px >= 0 && px < width && py >= 0 && py < height)) return false;
    const half = size / 2;
    const x0 = Math.max(0, Math.round(px - half)), x1 = Math.min(width, Math.round(px - half) + size);
    const y0 = Math.max(0, Math.round(py - half)), y1 = Math.min(height, Math.round(py - half) + size);
    for (let yy = y0; yy < y1; ++yy) {
      const row = yy * width;
      for (let xx = x0; xx < x1; ++xx) pixels[row + xx] = c;
    }
    return true;
  };
  const n = order ? order.length : x.length;
  for (let k = 0; k < n; ++k) {
    const i = order ? order[k] : k;
    if (paint(i, palette[colour[i]], pointSize)) ++drawn;
  }
  if (highlight) for (let k = 0; k < highlight.length; ++k) paint(highlight[k], highlightColour, pointSize + 2);
  if (focus !== undefined && focus >= 0 && focus < x.length) paint(focus, focusColour, pointSize + 4);
  return {pixels, drawn};
}
