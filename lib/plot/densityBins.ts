// A scatter of a million points as a density raster: the points are binned once into cells of
// a few pixels (typed arrays: the cell of every point, the count of every cell), and a drawing
// paints cells, not points. Recolouring for a selection counts the selected points per cell
// (O(selected)) and repaints the cells (O(pixels)), whatever the number of points; only a new
// domain (zoom, log toggle) bins again. Points beyond the domain go to the edge cell of the
// frame and are counted, as rasterScatter's `clamp` does for single points. Pure: typed arrays
// in, pixels out.

import type {LinearScale} from "./rasterScatter.js";

export interface DensityGrid {
  /** Cells across and down the frame, each `cell` × `cell` pixels. */
  cols: number;
  rows: number;
  cell: number;
  /** Pixel of the frame's top-left corner (the grid's origin). */
  left: number;
  top: number;
  /** Per point, its cell (row-major), or −1 for a point with a non-finite coordinate. */
  binOf: Int32Array;
  /** Per point, 1 when it lies beyond the domain and sits in an edge cell. */
  outside: Uint8Array;
  /** Points per cell. */
  counts: Uint32Array;
  /** Points binned (finite), and how many of them were beyond the domain. */
  binned: number;
  clamped: number;
}

// Pixel of a value on a scale (log10 for a log axis); non-positive values on a log axis lie
// beyond the low end of the domain.
function pixelMap({domain, range, type}: LinearScale): (v: number) => number {
  const log = type === "log";
  const f = (v: number) => (log ? Math.log10(v) : v);
  const u0 = f(domain[0]), u1 = f(domain[1]);
  const b = (range[1] - range[0]) / (u1 - u0 || 1);
  const a = range[0] - u0 * b;
  const belowLow = b >= 0 ? -Infinity : Infinity;
  return log ? (v) => (v > 0 ? a + b * Math.log10(v) : v <= 0 ? belowLow : NaN) : (v) => a + b * v;
}

/**
 * Bins the points (x[i], y[i]) into cells of `cell` pixels covering the frame that the scales'
 * ranges span. A point beyond the domain is put in the nearest edge cell and flagged `outside`.
 */
export function binPoints(x: ArrayLike<number>, y: ArrayLike<number>, xScale: LinearScale, yScale: LinearScale, cell = 2): DensityGrid {
  if (x.length !== y.length) throw new RangeError(`binPoints: x has ${x.length} values but y has ${y.length}`);
  if (!(cell >= 1 && Number.isInteger(cell))) throw new RangeError(`binPoints: cell must be a whole number of pixels ≥ 1, got ${cell}`);
  const [left, right] = [Math.min(...xScale.range), Math.max(...xScale.range)];
  const [top, bottom] = [Math.min(...yScale.range), Math.max(...yScale.range)];
  const cols = Math.max(1, Math.ceil((right - left) / cell)), rows = Math.max(1, Math.ceil((bottom - top) / cell));
  const px = pixelMap(xScale), py = pixelMap(yScale);
  const n = x.length;
  const binOf = new Int32Array(n), outside = new Uint8Array(n), counts = new Uint32Array(cols * rows);
  let binned = 0, clamped = 0;
  for (let i = 0; i < n; ++i) {
    const xv = x[i], yv = y[i];
    if (!Number.isFinite(xv) || !Number.isFinite(yv)) {
      binOf[i] = -1;
      continue;
    }
    const p = px(xv), q = py(yv);
    // Inside means within the frame's pixels (both edges included), as rasterScatter has it.
    const out = !(p >= left && p <= right && q >= top && q <= bottom);
    let c = Math.floor((p - left) / cell), r = Math.floor((q - top) / cell);
    c = c < 0 ? 0 : c >= cols ? cols - 1 : c;
    r = r < 0 ? 0 : r >= rows ? rows - 1 : r;
    const b = r * cols + c;
    binOf[i] = b;
    ++counts[b];
    ++binned;
    if (out) {
      outside[i] = 1;
      ++clamped;
    }
  }
  return {cols, rows, cell, left, top, binOf, outside, counts, binned, clamped};
}

/** Points per cell of a subset of the points (e.g. a selection), in O(subset). */
export function subsetCounts(grid: DensityGrid, indices: ArrayLike<number>): Uint32Array {
  const out = new Uint32Array(grid.counts.length);
  for (let k = 0; k < indices.length; ++k) {
    const b = grid.binOf[indices[k]];
    if (b >= 0) ++out[b];
  }
  return out;
}

/**
 * Per cell, the palette index shown for it: that of the last point (in `order`, or index order)
 * whose `colour` is not 0, or −1 when all its points have colour 0 (unlabelled) — labelled
 * records are drawn over unlabelled ones, as in the point raster.
 */
export function cellColours(grid: DensityGrid, colour: ArrayLike<number>, order?: ArrayLike<number>): Int16Array {
  const out = new Int16Array(grid.counts.length).fill(-1);
  const n = order ? order.length : grid.binOf.length;
  for (let k = 0; k < n; ++k) {
    const i = order ? order[k] : k;
    const b = grid.binOf[i];
    if (b >= 0 && colour[i] !== 0) out[b] = colour[i];
  }
  return out;
}

/** Ramp level (0 … levels − 1) of a count: log-scaled, so that one point is visible beside 10⁴. */
export function densityLevel(count: number, max: number, levels: number): number {
  if (count <= 0 || levels <= 1) return 0;
  if (max <= 1) return levels - 1;
  return Math.min(levels - 1, Math.floor((Math.log1p(count - 1) / Math.log1p(max - 1)) * (levels - 1) + 0.5));
}

export interface DensityDrawOptions {
  width: number;
  height: number;
  /** Packed RGBA colours of the density, from few to many points (palette.ts densityRamp). */
  ramp: Uint32Array;
  /** Per cell, a palette index (cellColours) drawn instead of the density; −1 for none. */
  cellColour?: Int16Array;
  palette?: Uint32Array;
  /** Selected points per cell (subsetCounts): such cells are drawn in `highlightColour`. */
  selected?: Uint32Array;
  highlightColour?: number;
  /** One point drawn on top, as a square of 3 cells, in `focusColour`. */
  focus?: number;
  focusColour?: number;
}

// A cleared width × height buffer (`out` reused when it has that size) and a painter of cells.
function cellPainter(grid: DensityGrid, w: number, h: number, out?: Uint32Array) {
  const width = Math.max(0, Math.floor(w) || 0), height = Math.max(0, Math.floor(h) || 0);
  const pixels = out && out.length === width * height ? out : new Uint32Array(width * height);
  pixels.fill(0);
  const {cell} = grid;
  const x0 = Math.round(grid.left), y0 = Math.round(grid.top);
  const fillCell = (c: number, r: number, colour: number, grow = 0) => {
    const xa = Math.max(0, x0 + (c - grow) * cell), xb = Math.min(width, x0 + (c + 1 + grow) * cell);
    const ya = Math.max(0, y0 + (r - grow) * cell), yb = Math.min(height, y0 + (r + 1 + grow) * cell);
    for (let yy = ya; yy < yb; ++yy) pixels.fill(colour, yy * width + xa, yy * width + Math.max(xa, xb));
  };
  return {pixels, fillCell};
}

/** Paints the grid's cells into a width × height RGBA buffer (transparent where no point is). */
export function densityPixels(grid: DensityGrid, options: DensityDrawOptions, out?: Uint32Array): Uint32Array {
  const {pixels, fillCell} = cellPainter(grid, options.width, options.height, out);
  const {cols, rows, counts} = grid;
  const {ramp, cellColour, palette, selected, highlightColour = 0, focus, focusColour = 0} = options;
  let max = 0;
  for (let b = 0; b < counts.length; ++b) if (counts[b] > max) max = counts[b];
  for (let r = 0; r < rows; ++r) {
    for (let c = 0; c < cols; ++c) {
      const b = r * cols + c;
      const n = counts[b];
      if (n === 0) continue;
      let colour = ramp[densityLevel(n, max, ramp.length)];
      if (cellColour && palette && cellColour[b] >= 0) colour = palette[cellColour[b]];
      if (selected && selected[b] > 0) colour = highlightColour;
      fillCell(c, r, colour);
    }
  }
  if (focus !== undefined && focus >= 0 && focus < grid.binOf.length && grid.binOf[focus] >= 0) {
    const b = grid.binOf[focus];
    fillCell(b % cols, Math.floor(b / cols), focusColour, 1);
  }
  return pixels;
}

export type SelectionDrawOptions = Pick<DensityDrawOptions, "width" | "height" | "selected" | "highlightColour" | "focus" | "focusColour">;

/**
 * The selection layer alone, on a transparent buffer: the cells holding selected points in
 * `highlightColour` and the focus point. Drawn over densityPixels' buffer without `selected`
 * and `focus`, it shows exactly what densityPixels with them paints (opaque colours), at the
 * cost of the selected cells: a new selection does not repaint the density.
 */
export function selectionPixels(grid: DensityGrid, options: SelectionDrawOptions, out?: Uint32Array): Uint32Array {
  const {pixels, fillCell} = cellPainter(grid, options.width, options.height, out);
  const {cols, counts} = grid;
  const {selected, highlightColour = 0, focus, focusColour = 0} = options;
  if (selected) for (let b = 0; b < counts.length; ++b) if (selected[b] > 0) fillCell(b % cols, Math.floor(b / cols), highlightColour);
  if (focus !== undefined && focus >= 0 && focus < grid.binOf.length && grid.binOf[focus] >= 0) {
    const b = grid.binOf[focus];
    fillCell(b % cols, Math.floor(b / cols), focusColour, 1);
  }
  return pixels;
}

/** How many finite values lie below / above `domain` on an axis of `type` (for a zoomed axis). */
export function countBeyond(values: ArrayLike<number>, domain: [number, number], type: "linear" | "log" = "linear"): {below: number; above: number} {
  let below = 0, above = 0;
  for (let i = 0; i < values.length; ++i) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < domain[0] || (type === "log" && v <= 0)) ++below;
    else if (v > domain[1]) ++above;
  }
  return {below, above};
}
