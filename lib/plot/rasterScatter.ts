// Scatter plots of hundreds of thousands of points as a raster: each point paints a small
// square of pixels into an RGBA buffer, which a page puts on a <canvas> in one call. An SVG
// circle per point (Plot.dot) stops being interactive long before 200,000 points; a raster
// costs one pass over the points whatever their number. Pure: typed arrays in, pixels out.

import {HIGHLIGHT, FOCUS} from "./palette.js";
import {hexColour} from "./pixels.js";
import type {AxisType} from "./robustDomain.js";

export {rgba, hexColour} from "./pixels.js";

/**
 * A map from a data interval onto a pixel interval (range may be reversed, as for y): linear, or
 * linear in log10 of the data for a log axis (non-positive values then map to −Infinity).
 */
export interface LinearScale {
  domain: [number, number];
  range: [number, number];
  type?: AxisType;
}

const forward = (log: boolean, v: number) => (log ? (v > 0 ? Math.log10(v) : -Infinity) : v);

export function applyScale({domain: [d0, d1], range: [r0, r1], type}: LinearScale, v: number): number {
  const log = type === "log";
  const [u0, u1] = [forward(log, d0), forward(log, d1)];
  return r0 + ((forward(log, v) - u0) / (u1 - u0 || 1)) * (r1 - r0);
}

export function invertScale({domain: [d0, d1], range: [r0, r1], type}: LinearScale, p: number): number {
  const log = type === "log";
  const [u0, u1] = [forward(log, d0), forward(log, d1)];
  const u = u0 + ((p - r0) / (r1 - r0 || 1)) * (u1 - u0);
  return log ? 10 ** u : u;
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
  /**
   * Finite points outside the domain are drawn at the frame's edge as hollow squares (2 px
   * larger) instead of being left out, so that outliers stay visible and countable.
   */
  clamp?: boolean;
}

/**
 * Paints the points into a width × height pixel buffer (transparent background; later points
 * over earlier ones). Returns the pixels as Uint32Array (view it as Uint8ClampedArray for
 * ImageData), how many points were drawn (finite and inside the frame, or clamped to it) and
 * how many of those were clamped. A frame without pixels (width or height ≤ 0, as on a first
 * render before the page knows its width) draws nothing.
 */
export function rasterScatter(options: RasterOptions, out?: Uint32Array): {pixels: Uint32Array; drawn: number; clamped: number} {
  const {x, y, colour, palette, xScale, yScale, pointSize = 2, highlight, highlightColour = hexColour(HIGHLIGHT), order, focus, focusColour = hexColour(FOCUS), clamp = false} = options;
  const width = Math.max(0, Math.floor(options.width) || 0), height = Math.max(0, Math.floor(options.height) || 0);
  const pixels = out && out.length === width * height ? out : new Uint32Array(width * height);
  pixels.fill(0);
  if (width === 0 || height === 0) return {pixels, drawn: 0, clamped: 0};
  // Precomputed affine maps in scale space (log10 for log axes): p = a + b·u.
  const xLog = xScale.type === "log", yLog = yScale.type === "log";
  const affine = ({domain, range}: LinearScale, log: boolean) => {
    const u0 = forward(log, domain[0]), u1 = forward(log, domain[1]);
    const b = (range[1] - range[0]) / (u1 - u0 || 1);
    return [range[0] - u0 * b, b];
  };
  const [ax, bx] = affine(xScale, xLog), [ay, by] = affine(yScale, yLog);
  // The pixel interval a clamped point may take: the frame's edges, inside the buffer.
  const xEdge = [Math.max(0, Math.min(...xScale.range)), Math.min(width - 1, Math.max(...xScale.range))];
  const yEdge = [Math.max(0, Math.min(...yScale.range)), Math.min(height - 1, Math.max(...yScale.range))];
  let drawn = 0, clamped = 0;
  const fill = (x0: number, x1: number, y0: number, y1: number, c: number) => {
    for (let yy = y0; yy < y1; ++yy) {
      const row = yy * width;
      for (let xx = x0; xx < x1; ++xx) pixels[row + xx] = c;
    }
  };
  const paint = (i: number, c: number, size: number): boolean => {
    const xv = x[i], yv = y[i];
    if (!Number.isFinite(xv) || !Number.isFinite(yv)) return false;
    let px = ax + bx * (xLog ? (xv > 0 ? Math.log10(xv) : -Infinity) : xv);
    let py = ay + by * (yLog ? (yv > 0 ? Math.log10(yv) : -Infinity) : yv);
    // A non-positive value on a log axis lies below the domain: −Infinity times a negative slope.
    if (Number.isNaN(px)) px = xLog && xv <= 0 ? (bx >= 0 ? -Infinity : Infinity) : px;
    if (Number.isNaN(py)) py = yLog && yv <= 0 ? (by >= 0 ? -Infinity : Infinity) : py;
    const outside = !(px >= xEdge[0] && px <= xEdge[1] + 0.5 && py >= yEdge[0] && py <= yEdge[1] + 0.5);
    if (outside && !clamp) {
      if (!(px >= 0 && px < width && py >= 0 && py < height)) return false;
    }
    if (outside && clamp) {
      px = Math.min(xEdge[1], Math.max(xEdge[0], px));
      py = Math.min(yEdge[1], Math.max(yEdge[0], py));
    }
    const s = outside && clamp ? size + 2 : size;
    const half = s / 2;
    const x0 = Math.max(0, Math.round(px - half)), x1 = Math.min(width, Math.round(px - half) + s);
    const y0 = Math.max(0, Math.round(py - half)), y1 = Math.min(height, Math.round(py - half) + s);
    if (outside && clamp) {
      // Hollow: the square's border only, so an outlier reads differently from a point at the edge.
      fill(x0, x1, y0, Math.min(y1, y0 + 1), c);
      fill(x0, x1, Math.max(y0, y1 - 1), y1, c);
      fill(x0, Math.min(x1, x0 + 1), y0, y1, c);
      fill(Math.max(x0, x1 - 1), x1, y0, y1, c);
    } else {
      fill(x0, x1, y0, y1, c);
    }
    return true;
  };
  const isOutside = (i: number) => {
    const px = applyScale(xScale, x[i]), py = applyScale(yScale, y[i]);
    return !(px >= xEdge[0] && px <= xEdge[1] + 0.5 && py >= yEdge[0] && py <= yEdge[1] + 0.5);
  };
  const n = order ? order.length : x.length;
  for (let k = 0; k < n; ++k) {
    const i = order ? order[k] : k;
    if (paint(i, palette[colour[i]], pointSize)) {
      ++drawn;
      if (clamp && isOutside(i)) ++clamped;
    }
  }
  if (highlight) for (let k = 0; k < highlight.length; ++k) paint(highlight[k], highlightColour, pointSize + 2);
  if (focus !== undefined && focus >= 0 && focus < x.length) paint(focus, focusColour, pointSize + 4);
  return {pixels, drawn, clamped};
}
